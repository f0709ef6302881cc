"""The main screen keeps the user told: busy images, bad filters, refresh, loading, keys."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from textual import events
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from ecsimg.service.reads import browse, image_rows
from ecsimg.service.reads.row_filter import RowFilter
from ecsimg.ui.screens import main as main_module
from ecsimg.ui.widgets.details import DetailsPane
from ecsimg.ui.widgets.filter_error import FilterError
from ecsimg.ui.widgets.header import HeaderBar
from ecsimg.ui.widgets.tabs import TypeTabs
from tests.ui.test_main_screen import image_list, main, running, settle, type_filter
from tests.world import T0, World


async def test_details_pane_follows_a_creating_image(world: World) -> None:
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 100)
    async with running(world, size=(120, 40)) as (app, pilot):
        pane = app.screen.query_one(DetailsPane)
        assert image_list(app).current is not None
        before = str(pane.content)
        world.advance(40)  # the cursor stays; only time passes
        for _ in range(100):  # the pane is read again every second while the image is busy
            await pilot.pause(0.1)
            await settle(app, pilot)
            after = str(pane.content)
            if after != before:
                break
    assert "Creating" in before and before != after


async def _next_tick(app: Any, pilot: Any, world: World) -> None:
    """Wait for the list's progress timer to draw the busy rows at the world's time."""
    rows = image_list(app)
    for _ in range(100):
        if rows.progress_now == world.clock.now or not rows.progress_timer_running:
            break
        await pilot.pause(0.05)
    await settle(app, pilot)


def _percents(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"(\d+)%", text)]


async def test_the_bar_and_the_pane_show_the_same_percent_at_every_tick(world: World) -> None:
    """The list's bar and the details pane follow one timer and draw at its time, so they
    never show two numbers for one image; 0.4 s a step makes the percent move at most ticks."""
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 55)
    async with running(world, size=(120, 40)) as (app, pilot):
        rows, pane = image_list(app), app.screen.query_one(DetailsPane)
        assert rows.current is not None and rows.current.name == "being-made"
        seen = []
        for _ in range(12):
            world.advance(0.4)
            await _next_tick(app, pilot, world)
            line = next(line for line in rows.rendered_lines() if "being-made" in line)
            shown = str(pane.content)
            assert "Creating" in shown
            seen.append(_percents(line)[-1])
            assert _percents(shown)[0] == seen[-1], (line, shown)
            left = 55 - (world.clock.now - T0)
            assert f"({int(left + 0.999)}s left)" in shown
        assert seen == sorted(seen) and seen[-1] > seen[0]


async def test_a_finished_image_shows_its_status_in_the_list_and_the_pane(world: World) -> None:
    """Done, the row is drawn once more with its status instead of a bar stopped at 99%, the
    pane is read again, and the timer stops."""
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 20)
    async with running(world, size=(120, 40)) as (app, pilot):
        rows, pane = image_list(app), app.screen.query_one(DetailsPane)
        world.advance(19.8)
        await _next_tick(app, pilot, world)
        assert "99%" in next(line for line in rows.rendered_lines() if "being-made" in line)
        assert "Creating 99%" in str(pane.content)
        drawn: list[int] = []
        original = rows.refresh_line

        def refresh_line(y: int) -> None:
            drawn.append(y)
            original(y)

        rows.refresh_line = refresh_line  # type: ignore[method-assign]
        world.advance(1)
        for _ in range(100):
            if not rows.progress_timer_running:
                break
            await pilot.pause(0.05)
        await settle(app, pilot)
        line = next(line for line in rows.rendered_lines() if "being-made" in line)
        index = next(i for i, row in enumerate(rows.rows) if row.name == "being-made")
        assert index + 1 in drawn  # the row was drawn again, not left as it was
        assert "Available" in line and "%" not in line
        assert "Available" in str(pane.content) and "Creating" not in str(pane.content)
        assert rows.progress_now is None


async def test_whole_filter_error_is_shown_on_its_own_line(world: World) -> None:
    world.image(image_name="web")
    async with running(world, size=(80, 24)) as (app, pilot):
        await type_filter(app, pilot, "foo:bar")
        await pilot.press("enter")
        await settle(app, pilot)
        line = app.screen.query_one("#filter-error", FilterError)
        assert line.display
        assert line.size.width >= 78 and line.size.height >= 2  # wrapped, not cut
        text = str(line.render())
        assert "region)" in text and "showing" in text


async def test_refresh_says_it_happened(world: World) -> None:
    world.image(image_name="web")
    async with running(world) as (app, pilot):
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
    assert any(m.startswith("Refreshed: 1 images") or m.startswith("Refreshed: 1 image")
               for m in messages), messages


async def test_loading_shows_partial_counts_as_partial(world: World) -> None:
    world.image(image_name="web")
    async with running(world, size=(120, 40)) as (app, pilot):
        screen = main(app)
        loaded = screen.loaded
        assert loaded is not None
        screen.post_message(screen.RowsLoaded(loaded, 0.25))
        await pilot.pause()
        tabs = app.screen.query_one(TypeTabs)
        header = app.screen.query_one(HeaderBar)
        assert "1 images read, loading 25%" in str(header.render())
        assert "All 1…" in str(tabs.render()) and " 0…" in str(tabs.render())
        screen.post_message(screen.RowsLoaded(loaded, 1.0))
        await pilot.pause()
        assert "…" not in str(tabs.render())


async def test_share_is_disabled_on_a_public_image_with_the_reason(world: World) -> None:
    world.public_image()
    async with running(world, size=(120, 40)) as (app, pilot):
        row = image_list(app).current
        assert row is not None and row.kind == "public"
        assert main(app).check_action("dialog", ("share",)) is None
        await pilot.press("s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert app.screen is main(app)  # no dialog opened
    assert any("is a public image" in m and "own custom images" in m for m in messages)


async def test_sharing_a_public_image_says_why_not(world: World) -> None:
    image = world.public_image()
    error = world.error("ModifyImageSharePermission", {"ImageId": image.image_id,
                                                       "AddAccount.1": "1111222233334444"})
    assert error.code == "InvalidImageId.NotFound"
    assert "is a public image" in error.message and "does not exist" not in error.message


def test_unknown_image_still_does_not_exist(world: World) -> None:
    error = world.error("ModifyImageSharePermission", {"ImageId": "m-nosuchimage00000000",
                                                       "AddAccount.1": "1111222233334444"})
    assert "does not exist" in error.message


def test_browse_is_busy_matches_the_creating_row(world: World) -> None:
    world.image(image_name="being-made", pending_start=T0 - 5, pending_end=T0 + 100)
    row = browse.load(world.ctx()).rows[0]
    assert image_rows.is_busy(row, T0)


async def test_read_only_footer_strikes_disabled_keys(world: World) -> None:
    world.image(image_name="web")
    async with running(world, size=(120, 40), read_only=True) as (app, _pilot):
        keys = list(app.screen.query(FooterKey))
        share = next(k for k in keys if k.description == "Share")
        assert share.has_class("-disabled")
        assert share.styles.text_style.strike
        enabled = next(k for k in keys if k.description == "Filter")
        assert not enabled.styles.text_style.strike


async def test_dialog_placeholders_do_not_look_like_values(world: World) -> None:
    world.image(image_name="web")
    async with running(world, size=(120, 40)) as (app, pilot):
        await pilot.press("s")
        await settle(app, pilot)
        field = app.screen.query_one("#share-add", Input)
        assert not field.value and field.placeholder
        placeholder = field.get_component_styles("input--placeholder")
        assert placeholder.text_style.italic


async def test_keys_typed_right_after_slash_go_to_the_filter(world: World) -> None:
    """A paste of ``/test`` arrives as keys queued together: none may reach the list."""
    world.image(image_name="test-image")
    world.image(image_name="other")
    async with running(world, size=(120, 40)) as (app, pilot):
        for key, char in (("slash", "/"), ("t", "t"), ("e", "e"), ("s", "s"), ("t", "t")):
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        assert app.screen is main(app)  # e did not open Edit, s did not open Share
        assert app.screen.query_one("#filter", Input).value == "test"
        assert [r.name for r in image_list(app).rows] == ["test-image"]


async def test_rows_prepared_for_another_sort_order_are_sorted_again(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loading worker sorts the rows and makes their filter; if the sort changed while it
    read, the sort worker sorts them again in the order shown (never the drawing thread),
    and the cursor stays on its image."""
    for n in range(4):
        world.image(image_name=f"img-{n}", size=20 + 10 * (n % 2),
                    creation_time=f"2025-06-0{n + 1}T00:00:00Z")
    made_on: list[threading.Thread] = []

    class Recorded(RowFilter):
        def __init__(self, *args: Any) -> None:
            made_on.append(threading.current_thread())
            super().__init__(*args)

    monkeypatch.setattr(main_module, "RowFilter", Recorded)
    async with running(world, size=(120, 40)) as (app, pilot):
        screen, images = main(app), image_list(app)
        loaded = screen.loaded
        assert loaded is not None
        stale_order = images.order
        prepared = RowFilter(list(loaded.rows), loaded.common_texts)  # newest first
        for _ in range(8):  # to a sort that orders these rows otherwise
            await pilot.press("o")
            await settle(app, pilot)
            if list(images.sorted(loaded.rows)) != list(loaded.rows):
                break
        assert images.order != stale_order
        await pilot.press("j")
        await settle(app, pilot)
        chosen = images.current
        assert chosen is not None and images.cursor > 0
        made_on.clear()
        screen.post_message(screen.RowsLoaded(loaded, 1.0, prepared, stale_order))
        await settle(app, pilot)
        assert list(images.rows) == list(images.sorted(loaded.rows)) != list(loaded.rows)
        assert images.current is not None and images.current.key == chosen.key
        assert made_on and threading.main_thread() not in made_on


async def test_the_pane_follows_the_cursor_s_row_as_the_filter_changes_it(world: World) -> None:
    """Typing reads the details again only when the highlighted row changes, after the list
    is drawn; the pane always ends on the row under the cursor."""
    for n, name in enumerate(("alpha.web", "beta.web", "gamma.db")):  # no "." in an ID
        world.image(image_name=name, creation_time=f"2025-06-0{n + 1}T00:00:00Z")
    async with running(world, size=(120, 40)) as (app, pilot):
        screen = main(app)
        pane = screen.query_one(DetailsPane)
        loads: list[str] = []
        load_details = screen.load_details

        def counted(backend: Any, row: image_rows.ImageRow) -> Any:
            loads.append(row.image_name)
            return load_details(backend, row)

        screen.load_details = counted  # type: ignore[method-assign]
        await pilot.press("slash")
        for line, first in ((".w", "beta.web"), (".we", "beta.web"), (".web", "beta.web"),
                            ("ha.w", "alpha.web"), ("", "alpha.web")):  # the cursor stays
            screen.query_one("#filter", Input).value = line
            await settle(app, pilot)
            current = image_list(app).current
            assert current is not None and current.image_name == first
            assert first in pane.plain, (line, pane.plain)
        assert loads == ["beta.web", "alpha.web"]
