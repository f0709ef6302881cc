"""The compare view: two images side by side, differences marked in text and weight."""

from __future__ import annotations

import io

from rich.console import Console
from rich.style import Style
from rich.text import Text

from ecsimg.domain import models as m
from ecsimg.service.reads.compare import compare_rows
from ecsimg.ui.screens.compare import CompareScreen, compare_table
from ecsimg.ui.screens.main import MainScreen
from tests.ui.test_main_screen import image_list, running, settle
from tests.world import World


def _pair(world: World) -> tuple[m.Image, m.Image]:
    left = world.image(image_name="web-a", size=40, image_family="web",
                       tags=(m.Tag("env", "prod"), m.Tag("team", "web")))
    right = world.image(image_name="web-b", size=40, data_disks=(100,), image_family="web",
                        tags=(m.Tag("env", "dev"),))
    world.call("ModifyImageSharePermission", {"ImageId": right.image_id,
                                              "AddAccount.1": "6000000000000001"})
    return left, right


def _by_label(screen: CompareScreen) -> dict[str, tuple[str, str, bool]]:
    return {row.label: (row.left, row.right, row.differs) for row in screen.rows}


async def test_two_marked_images_side_by_side_with_their_differences(world: World) -> None:
    left, right = _pair(world)
    async with running(world, size=(80, 24)) as (app, pilot):
        for image in (left, right):
            assert image_list(app).move_to(image.image_id)
            await pilot.press("space")
        await pilot.press("equals_sign")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        rows = _by_label(screen)
        assert rows["family"] == ("web", "web", False)
        assert rows["size GiB"] == ("40", "40", False)
        assert rows["tag env"] == ("prod", "dev", True)
        assert rows["tag team"] == ("web", "-", True)
        assert rows["disk 2"][0] == "-" and "100 GiB" in rows["disk 2"][1]
        assert rows["snapshot GiB"] == ("40 GiB in 1", "140 GiB in 2", True)
        assert rows["shared with"] == ("0 accounts", "1 accounts", True)
        assert rows["6000000000000001"] == ("-", "shared", True)
        assert rows["snapshot fee"][2] and rows["per month"][2]  # fees follow the snapshots
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


async def test_one_marked_image_is_compared_with_the_cursors(world: World) -> None:
    left, right = _pair(world)
    async with running(world, size=(80, 24)) as (app, pilot):
        assert image_list(app).move_to(left.image_id)
        await pilot.press("space")
        assert image_list(app).move_to(right.image_id)
        await pilot.press("equals_sign")
        await settle(app, pilot)
        assert isinstance(app.screen, CompareScreen)
        assert _by_label(app.screen)["name"] == ("web-a", "web-b", True)


async def test_without_a_pair_it_says_what_to_mark(world: World) -> None:
    _pair(world)
    async with running(world, size=(80, 24)) as (app, pilot):
        await pilot.press("equals_sign")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("Compare needs two images" in n.message for n in app._notifications)


def test_differences_read_without_colour(world: World) -> None:
    left, right = _pair(world)
    backend = world.backend()
    rows = {r.image_id: r for r in backend.images().rows}
    compared = compare_rows(backend.details(rows[left.image_id], full=True),
                            backend.details(rows[right.image_id], full=True))
    table = compare_table(compared)
    console = Console(width=80, no_color=True, record=True, file=io.StringIO())
    console.print(table)
    lines = console.export_text().splitlines()
    env = next(line for line in lines if "tag env" in line)
    region = next(line for line in lines if " region " in line)
    # A marker in text, and bold values: both survive NO_COLOR.
    assert env.lstrip().startswith("*") and "prod" in env and "dev" in env
    assert not region.lstrip().startswith("*")
    values = [cell for cell in table.columns[2].cells if isinstance(cell, Text)]
    assert len(values) == len(compared)  # section titles are plain strings
    bold = [bool(Style.parse(str(cell.style) or "none").bold) for cell in values]
    assert bold == [row.differs for row in compared]
    assert True in bold and False in bold
