"""Marks (all shown, invert, clear) and writing the marked or shown images to a file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from textual.widgets import Input

from ecsimg.config import Settings
from ecsimg.service.reads.export_file import ExportError, FileExists, as_csv, write_file
from ecsimg.ui.app import make_app
from ecsimg.ui.screens.export import ExportDialog
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.widgets.header import HeaderBar
from tests.recording_backend import IMAGES, RecordingBackend
from tests.ui.dialog_host import screen_text
from tests.ui.test_main_screen import image_list, main, running, settle, type_filter
from tests.world import World


async def test_mark_all_shown_invert_and_clear(ui_world: World) -> None:
    async with running(ui_world, size=(80, 24)) as (app, pilot):
        rows = image_list(app)
        total = len(rows.rows)
        await type_filter(app, pilot, "web-00")
        shown = {r.key for r in rows.rows}
        assert 0 < len(shown) < total
        rows.focus()
        await pilot.press("asterisk")
        await settle(app, pilot)
        assert rows.marked == shown
        assert main(app).query_one(HeaderBar).info.marked == len(shown)
        first = rows.rows[0].key
        await pilot.press("space")  # unmark the first, then invert: only it is marked
        await pilot.press("exclamation_mark")
        await settle(app, pilot)
        assert rows.marked == {first}
        await pilot.press("escape")  # the filter cleared, every image is shown again
        await settle(app, pilot)
        rows.focus()
        await pilot.press("exclamation_mark")
        assert len(rows.marked) == total - 1 and first not in rows.marked
        await pilot.press("u")
        await settle(app, pilot)
        assert rows.marked == set()
        assert main(app).query_one(HeaderBar).info.marked == 0


def _describe(world: World, image_ids: list[str]) -> list[dict[str, object]]:
    body = world.call("DescribeImages", {"ImageId": ",".join(image_ids),
                                         "ImageOwnerAlias": "self", "Status":
                                         "Creating,Waiting,Available,UnAvailable,CreateFailed,"
                                         "Deprecated", "PageSize": "100"})
    images: list[dict[str, object]] = body["Images"]["Image"]
    return images


async def _export(app: object, pilot: object, path: Path) -> ExportDialog:
    await pilot.press("w")  # type: ignore[attr-defined]
    await settle(app, pilot)  # type: ignore[arg-type]
    dialog = app.screen  # type: ignore[attr-defined]
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-path", Input).value = str(path)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(app, pilot)  # type: ignore[arg-type]
    return dialog


async def test_marked_images_are_written_as_describe_images_returns_them(
        world: World, tmp_path: Path) -> None:
    images = [world.image(image_name=f"web-{n}") for n in range(3)]
    target = tmp_path / "marked.json"
    async with running(world, size=(80, 24)) as (app, pilot):
        for image in images[:2]:
            assert image_list(app).move_to(image.image_id)
            await pilot.press("space")
        await _export(app, pilot, target)
        assert isinstance(app.screen, MainScreen)
    written = json.loads(target.read_text(encoding="utf-8"))
    wanted = [i.image_id for i in images[:2]]
    described = {i["ImageId"]: i for i in _describe(world, wanted)}
    assert written["TotalCount"] == 2
    assert sorted(i["ImageId"] for i in written["Images"]["Image"]) == sorted(wanted)
    for record in written["Images"]["Image"]:
        assert record == described[record["ImageId"]]  # the API's own fields and values


async def test_the_shown_list_goes_to_csv_and_an_existing_file_needs_a_second_ctrl_s(
        ui_world: World, tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_text("keep me\n", encoding="utf-8")
    async with running(ui_world, size=(80, 24)) as (app, pilot):
        await type_filter(app, pilot, "web-01")
        image_list(app).focus()
        shown = [r.image_id for r in image_list(app).rows]
        dialog = await _export(app, pilot, target)
        assert app.screen is dialog
        assert "exists" in screen_text(pilot) and "ctrl+s again" in screen_text(pilot)
        assert target.read_text(encoding="utf-8") == "keep me\n"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["ImageId"] for r in rows] == shown
    assert json.loads(rows[0]["Tags"])["Tag"][0]["TagKey"] == "env"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_a_bad_name_or_folder_is_one_line_and_nothing_is_written(
        world: World, tmp_path: Path) -> None:
    world.image(image_name="web")
    out = tmp_path / "out"
    out.mkdir()
    async with running(world, size=(80, 24)) as (app, pilot):
        await _export(app, pilot, out / "list.txt")
        assert ".csv or .json" in screen_text(pilot)
        app.screen.query_one("#export-path", Input).value = str(out / "no" / "x.json")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = screen_text(pilot)
        assert "not written" in text and "No such file or directory" in text
        assert isinstance(app.screen, ExportDialog)
    assert list(out.iterdir()) == []


def test_the_write_never_clobbers_without_consent(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_file(target, b"one", overwrite=False)
    with pytest.raises(FileExists):
        write_file(target, b"two", overwrite=False)
    assert target.read_bytes() == b"one"
    write_file(target, b"two", overwrite=True)
    assert target.read_bytes() == b"two"
    with pytest.raises(ExportError, match="is a folder"):
        write_file(tmp_path, b"x", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_csv_has_a_column_per_field_and_nested_fields_as_json() -> None:
    text = as_csv([{"ImageId": "m-1", "Usable": True, "Tags": {"Tag": []}},
                   {"ImageId": "m-2", "Size": 40}]).decode()
    assert text.splitlines() == ["ImageId,Usable,Tags,Size", 'm-1,true,"{""Tag"":[]}",',
                                 "m-2,,,40"]


async def test_export_writes_what_the_backend_returns_for_the_shown_rows(tmp_path: Path) -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _export(app, pilot, tmp_path / "all.json")
    written = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert written["Images"]["Image"] == backend.image_records(
        [image.key for image in reversed(IMAGES)])
    assert backend.record.calls == []


async def test_enter_writes_and_escape_closes_without_writing(world: World,
                                                              tmp_path: Path) -> None:
    world.image(image_name="web")
    async with running(world, size=(80, 24)) as (app, pilot):
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "never.json")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("w")
        await settle(app, pilot)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "typed.json")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert not (tmp_path / "never.json").exists()
    assert json.loads((tmp_path / "typed.json").read_text(encoding="utf-8"))["TotalCount"] == 1
