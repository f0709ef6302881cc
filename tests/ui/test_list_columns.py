"""The list's columns use the width there is, rows that differ look different, sort is shown."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Static

from ecsimg.service.reads.display_names import public_display_name
from ecsimg.ui.widgets.columns import (
    COLUMNS,
    COMFORT_PRIORITY,
    GAP,
    MARK_WIDTH,
    NAME_COMFORT,
    NAME_MIN_WIDTH,
    SORTABLE,
    layout,
)
from tests.ui.test_main_screen import image_list, running
from tests.world import World

WIDTHS = (60, 80, 100, 120, 160, 200)


@pytest.mark.parametrize("regions", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_columns_fill_the_width_by_priority(width: int, regions: bool) -> None:
    columns = layout(width, regions)
    used = MARK_WIDTH + sum(w + GAP for _, w in columns)
    shown = {c.key for c, _ in columns}
    # In the every-region list from 80 cells, else never.
    assert ("region" in shown) is (regions and width >= 80)
    hidden = [c for c in COLUMNS if c.key not in shown and (regions or c.key != "region")]
    # Every cell is used unless the growing columns are at their widest.
    grown = all(w >= c.width + c.grow for c, w in columns if c.grow and c.key != "name")
    assert used == width or (grown and used <= width), (width, used)
    # A column is hidden only when it does not fit beside the shown ones at their least width
    # (a less wanted column also leaves the name room to be read).
    least = MARK_WIDTH + sum(c.width + GAP for c, _ in columns)
    for column in hidden:
        room = NAME_COMFORT - NAME_MIN_WIDTH if column.priority >= COMFORT_PRIORITY else 0
        assert least + column.width + GAP + room > width, column.key


def test_wider_screens_show_more_columns() -> None:
    counts = [len(layout(w)) for w in WIDTHS]
    assert counts == sorted(counts)
    assert {c.key for c, _ in layout(200)} == {c.key for c in COLUMNS} - {"region"}
    assert {c.key for c, _ in layout(200, True)} == {c.key for c in COLUMNS}
    assert [c.key for c, _ in layout(80, True)][:3] == ["id", "name", "region"]
    assert {"shares", "os", "size"} <= {c.key for c, _ in layout(77)}  # 120 columns, wide


def test_public_display_names_keep_what_tells_images_apart() -> None:
    zh = public_display_name("win2022_datacenter_x64_dtc_zh-CN_40G_alibase_20250415.vhd")
    en = public_display_name("win2022_datacenter_x64_dtc_en-US_40G_alibase_20250415.vhd")
    assert zh.startswith("win2022 dtc zh-CN") and en.startswith("win2022 dtc en-US")
    assert public_display_name("ubuntu_24_04_arm64_20G_alibase_20250415.vhd").startswith(
        "ubuntu 24.04 arm64")
    assert public_display_name("m-abc") == "m-abc"


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_shown_row_fits_and_public_rows_differ(world: World, width: int) -> None:
    for lang in ("zh-CN", "en-US"):
        world.public_image(os_type="windows", size=40,
                           image_id=f"win2022_datacenter_x64_dtc_{lang}_40G_alibase_20250101.vhd")
    async with running(world, size=(width, 30)) as (app, pilot):
        await pilot.press("1")
        await pilot.pause()
        lines = image_list(app).rendered_lines()
        # Each line fills the width left of the scrollbar, which is always there.
        images = image_list(app)
        assert images.line_width == images.size.width - 1
        assert all(cell_len(line) == images.line_width for line in lines)
        windows = [line for line in lines[1:] if "win2022" in line]
        assert len(windows) == 2 and windows[0] != windows[1]


async def test_sort_key_is_always_shown_and_o_changes_the_visible_order(world: World) -> None:
    for n in range(5):
        world.image(image_name=f"img-{n}", size=20 + 5 * n,
                    creation_time=f"2025-06-0{n + 1}T00:00:00Z")
    async with running(world, size=(80, 24)) as (app, pilot):
        status = app.screen.query_one("#sort-status", Static)
        assert "sort Created▼" in str(status.render())
        shown = {c.key for c, _ in layout(image_list(app).line_width)}
        for _ in range(len(SORTABLE)):
            await pilot.press("o")
            await pilot.pause()
            key = SORTABLE[image_list(app).sort_index].key
            assert key in shown, key
            label = image_list(app).sort_label
            assert f"sort {label}" in str(status.render())
            assert label in image_list(app).rendered_lines()[0]


def test_every_title_has_room_for_the_sort_arrow() -> None:
    assert all(c.width >= cell_len(c.title) + 1 for c in COLUMNS)
