from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey
from textual.worker import WorkerCancelled

from ecsimg.config import Settings
from ecsimg.service.reads.row_table import RowTable
from ecsimg.ui.app import EcsImgApp, make_app
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.screens.detail import DetailScreen
from ecsimg.ui.screens.help import HelpScreen
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.widgets.details import DetailsPane
from ecsimg.ui.widgets.filter_error import ERROR_DELAY, FilterError
from ecsimg.ui.widgets.image_list import ImageList
from ecsimg.ui.widgets.key_footer import KeyFooter
from ecsimg.ui.widgets.tabs import TypeTabs
from tests.ui.conftest import CJK_NAME
from tests.world import World

VISIBLE_TO_OPS = 38  # 2 public + 1 marketplace + 33 own + 1 shared + 1 community


@asynccontextmanager
async def running(world: World, size: tuple[int, int] = (80, 24), profile: str = "default",
                  read_only: bool = False) -> AsyncIterator[tuple[EcsImgApp, Pilot[int]]]:
    app = make_app(world.backend(profile, read_only=read_only), Settings())
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot


async def settle(app: EcsImgApp, pilot: Pilot[int]) -> None:
    """Let the app's workers finish, and a dialog on top show its check of the form as it is
    (the check starts after a short delay); a reload cancels the worker it replaces, so a wait
    that ends in WorkerCancelled is tried again."""
    for _ in range(50):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if isinstance(app.screen, Dialog) and not app.screen.settled:
            await pilot.pause(0.05)
            continue
        if all(worker.is_finished for worker in app.workers):
            return


def image_list(app: EcsImgApp) -> ImageList:
    return app.screen.query_one(ImageList)


def main(app: EcsImgApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


async def type_filter(app: EcsImgApp, pilot: Pilot[int], text: str) -> None:
    await pilot.press("slash")
    app.screen.query_one("#filter", Input).value = text
    await settle(app, pilot)


async def test_list_shows_rows_at_both_sizes(ui_world: World) -> None:
    for size in ((80, 24), (120, 40)):
        async with running(ui_world, size) as (app, _pilot):
            rows = image_list(app)
            assert len(rows.rows) == VISIBLE_TO_OPS
            lines = rows.rendered_lines()
            assert lines[0].lstrip().startswith("ID")
            assert any("web-0" in line for line in lines[1:])
            assert "dev-private" not in "".join(r.name for r in rows.rows)


async def test_filter_narrows_by_free_text_and_terms(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await type_filter(app, pilot, "web-00")
        assert sorted(r.name for r in image_list(app).rows) == [f"web-00{n}" for n in range(10)]
        await type_filter(app, pilot, "os:windows")
        assert [r.os_type for r in image_list(app).rows] == ["windows"]
        await type_filter(app, pilot, "family:web size>44 tag:env=prod")
        assert {r.name for r in image_list(app).rows} == {"web-025", "web-029"}
        await type_filter(app, pilot, "status:creating")
        assert [r.name for r in image_list(app).rows] == ["being-made"]


async def test_bad_filter_term_shows_a_message_once_the_typing_pauses(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        images = image_list(app)
        top = images.region.y
        await type_filter(app, pilot, "arch:sparc")
        error = app.screen.query_one("#filter-error", FilterError)
        # Marked at once; the line that pushes the list down waits for a pause in the typing.
        assert app.screen.query_one("#filter", Input).has_class("-bad")
        assert not error.display and images.region.y == top
        await type_filter(app, pilot, "arch:sparcs")
        assert not error.display
        await pilot.pause(ERROR_DELAY + 0.2)
        await settle(app, pilot)
        assert error.display and "unknown architecture 'sparcs'" in str(error.render())
        assert "every image" in str(error.render())
        assert images.region.y > top
        assert len(images.rows) == VISIBLE_TO_OPS
        # Shown, it follows the typing at once, and goes as soon as the filter is good.
        await type_filter(app, pilot, "arch:sparc")
        assert error.display and "unknown architecture 'sparc'" in str(error.render())
        await type_filter(app, pilot, "arch:arm")
        assert not error.display and images.region.y == top


async def test_enter_shows_a_bad_filter_s_message_at_once(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await type_filter(app, pilot, "os:")
        error = app.screen.query_one("#filter-error", FilterError)
        assert not error.display
        await pilot.press("enter")
        await settle(app, pilot)
        assert error.display and "os:" in str(error.render())
        assert app.focused is image_list(app)


async def test_escape_clears_the_filter(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await type_filter(app, pilot, "web-001")
        assert len(image_list(app).rows) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one("#filter", Input).value == ""
        assert len(image_list(app).rows) == VISIBLE_TO_OPS
        assert app.focused is image_list(app)


async def test_tabs_switch_and_count(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        tabs = app.screen.query_one(TypeTabs)
        assert tabs.counts == {"all": 38, "public": 2, "custom": 33, "shared": 1,
                               "marketplace": 1, "community": 1}
        for key, kind, count in (("1", "public", 2), ("2", "custom", 33), ("3", "shared", 1),
                                 ("4", "marketplace", 1), ("5", "community", 1), ("0", "all", 38)):
            await pilot.press(key)
            await settle(app, pilot)
            assert tabs.active == kind
            assert len(image_list(app).rows) == count
            assert kind == "all" or {r.kind for r in image_list(app).rows} == {kind}
        await type_filter(app, pilot, "web")
        assert tabs.counts["custom"] == 30
        assert tabs.counts["public"] == 0


async def test_cursor_moves_and_details_follow(ui_world: World) -> None:
    async with running(ui_world, (120, 40)) as (app, pilot):
        rows = image_list(app)
        assert rows.cursor == 0
        await pilot.press("j", "j", "down")
        assert rows.cursor == 3
        await pilot.press("k")
        assert rows.cursor == 2
        await pilot.press("G")
        assert rows.cursor == VISIBLE_TO_OPS - 1
        await pilot.press("g")
        assert rows.cursor == 0
        await pilot.press("pagedown")
        assert rows.cursor > 10
        await pilot.press("pageup")
        assert rows.cursor == 0
        await pilot.press("j")
        await settle(app, pilot)
        current = rows.current
        assert current is not None
        pane = app.screen.query_one(DetailsPane)
        assert current.image_id in str(pane.content)
        assert current.image_id in pane.plain


async def test_cursor_stays_visible_when_it_moves_off_screen(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        await pilot.press(*["j"] * 20)
        await pilot.pause()
        current = rows.current
        assert current is not None
        assert any(current.image_id[:20] in line for line in rows.rendered_lines())


async def test_space_marks_rows_visibly(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        first, second = rows.rows[0], rows.rows[1]
        await pilot.press("space", "space")
        assert rows.marked == {first.key, second.key}
        lines = rows.rendered_lines()
        assert lines[1].startswith("●") and lines[2].startswith("●")
        assert not lines[3].startswith("●")
        assert rows.cursor == 2
        await pilot.press("k", "space")
        assert rows.marked == {first.key}


async def test_sort_by_next_column_and_reverse(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        newest = [r.image.creation_time for r in rows.rows]
        assert newest == sorted(newest, reverse=True)
        await pilot.press("o")  # created -> ID (the columns wrap round)
        await settle(app, pilot)  # the new order is made by a worker
        ids = [r.image_id for r in rows.rows]
        assert ids == sorted(ids, reverse=True)
        await pilot.press("O")
        await settle(app, pilot)
        assert [r.image_id for r in rows.rows] == sorted(ids)
        await pilot.press("o")
        await settle(app, pilot)
        names = [r.name.casefold() for r in rows.rows]
        assert names == sorted(names)


async def test_a_sort_keeps_the_filter_and_the_cursor_s_image_and_makes_no_other_rows(
        world: World) -> None:
    for n in range(200):
        world.image(image_name=f"{'web' if n % 3 else 'db'}-{n:03d}",
                    creation_time=f"2025-06-01T{n // 60:02d}:{n % 60:02d}:00Z")
    async with running(world, size=(100, 30)) as (app, pilot):
        rows = image_list(app)
        loaded = main(app).loaded
        assert loaded is not None and isinstance(loaded.rows, RowTable)
        made = loaded.rows._made
        rows.focus()
        await pilot.press("o")  # by ID, every row
        await settle(app, pilot)
        ids = [r.image_id for r in rows.rows[:40]]
        assert ids == sorted(ids, reverse=True)
        # Only rows drawn were made, not all 200 to sort them as rows.
        assert sum(row is not None for row in made) < 100
        await type_filter(app, pilot, "web")
        rows.focus()
        rows.cursor = 7
        await settle(app, pilot)
        chosen = rows.current
        await pilot.press("O")  # by ID, ascending
        await settle(app, pilot)
        ids = [r.image_id for r in rows.rows]
        assert ids == sorted(ids) and len(ids) == 133
        assert all(r.name.startswith("web") for r in rows.rows)
        assert rows.current is chosen  # the same image, wherever it is now
        await pilot.press("slash")
        app.screen.query_one("#filter", Input).value = "web-01"
        await settle(app, pilot)
        assert [r.name for r in rows.rows] == sorted(
            (f"web-{n:03d}" for n in range(10, 20) if n % 3),
            key=lambda name: next(r.image_id for r in loaded.rows if r.name == name))


async def test_enter_opens_the_detail_screen_and_escape_goes_back(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await type_filter(app, pilot, "web-005")
        await pilot.press("enter")  # leaves the filter
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-text", Static).content)
        body += str(app.screen.query_one("#detail-side-text", Static).content)
        row = app.screen.row
        assert row.name == "web-005"
        assert row.image.disk_mappings[0].snapshot_id in body
        for section in ("Disks", "Tags", "env=prod", "From instance", "Events", "Fees: 1 vCPU"):
            assert section in body
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_lists_every_key(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).content)
        for key in ("ctrl+d delete", "ctrl+p", "space", "ctrl+r", "R", "P", "o", "O", "y", "l"):
            assert key in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_y_copies_the_image_id(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        await pilot.press("y")
        current = image_list(app).current
        assert current is not None
        assert app.clipboard == current.image_id


async def test_ctrl_r_picks_up_new_images(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        ui_world.image(image_name="late-arrival", image_id="m-late0000000000000000")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert "late-arrival" in {r.name for r in image_list(app).rows}


async def test_progress_bar_moves_only_while_busy_rows_are_visible(ui_world: World) -> None:
    async with running(ui_world) as (app, pilot):
        rows = image_list(app)
        assert rows.progress_timer_running
        busy_line = next(line for line in rows.rendered_lines() if "being-made" in line)
        assert "░" in busy_line and " 7%" in busy_line
        ui_world.advance(30)
        for _ in range(100):  # drawn at the next tick's time
            if rows.progress_now == ui_world.clock.now:
                break
            await pilot.pause(0.05)
        busy_line = next(line for line in rows.rendered_lines() if "being-made" in line)
        assert "█" in busy_line and "53%" in busy_line
        await type_filter(app, pilot, "web")
        assert not rows.progress_timer_running


async def test_hostile_names_render_literally_and_aligned(ui_world: World) -> None:
    async with running(ui_world, (160, 40)) as (app, pilot):
        rows = image_list(app)
        lines = rows.rendered_lines()
        width = rows.line_width
        assert all(cell_len(line) == width for line in lines)
        evil = next(line for line in lines if "[bold red]" in line)
        assert "[bold red]boom[/] \u241b[" in evil
        cjk = next(line for line in lines if CJK_NAME[:3] in line)
        plain = next(line for line in lines if "web-0" in line)
        # The status column starts at the same cell on every row.
        assert cell_len(cjk.split("Available")[0]) == cell_len(plain.split("Available")[0])
        assert rows.move_to(next(r.key for r in rows.rows if "boom" in r.name))
        await settle(app, pilot)
        pane = str(app.screen.query_one(DetailsPane).content)
        assert "[bold red]boom[/] \u241b[31mred<U+202E>" in pane
        assert "evil\u241b]52;c;AAAA\u2407" in pane
        assert "\x1b" not in app.export_screenshot()


async def test_resize_to_80x24_keeps_every_pane_visible(ui_world: World) -> None:
    async with running(ui_world, (120, 40)) as (app, pilot):
        screen = main(app)
        assert not screen.has_class("-narrow")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert screen.has_class("-narrow")
        for selector in ("#header", "#tabs", "#filter", "#images", "#details", "#fees", "Footer"):
            region = screen.query_one(selector).region
            assert region.height >= 1 and region.width >= 20, selector
            assert region.right <= 80 and region.bottom <= 24, selector
        assert screen.query_one("#images").region.height >= 8
        assert screen.query_one("#details").region.width >= 40


async def test_a_move_that_changes_no_key_refreshes_no_footer(ui_world: World) -> None:
    # A footer refresh recomposes it and lays the whole screen out again, which sent about
    # 6 KB a cursor move at 120x40 where the changed rows and pane lines need 1 KB.
    async with running(ui_world, size=(120, 40)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MainScreen)
        refreshed: list[str] = []
        original = screen.refresh_bindings

        def counting() -> None:
            refreshed.append(screen.query_one(ImageList).current.kind)  # type: ignore[union-attr]
            original()

        screen.refresh_bindings = counting  # type: ignore[method-assign]
        await pilot.press("2")  # custom images: share is enabled on every row
        await settle(app, pilot)
        refreshed.clear()
        for _ in range(3):
            await pilot.press("j")
            await settle(app, pilot)
        assert refreshed == []
        await pilot.press("1")  # public images: share is disabled, so the footer changes
        await settle(app, pilot)
        assert refreshed == ["public"]
        assert screen.disabled_reason("share")  # and the footer says why


async def test_typing_a_filter_lays_nothing_out_and_long_text_still_scrolls(
        ui_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Textual's Input lays the whole screen out on every key (its virtual size follows its
    # text): each keystroke then repainted every widget of the screen.
    laid_out: list[str] = []
    original = Widget.refresh

    def recording(self: Widget, *regions: Region, repaint: bool = True, layout: bool = False,
                  recompose: bool = False) -> Widget:
        if layout or recompose:
            laid_out.append(type(self).__name__)
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(Widget, "refresh", recording)
    async with running(ui_world, size=(120, 40)) as (app, pilot):
        screen = main(app)
        await pilot.press("slash")
        await settle(app, pilot)
        laid_out.clear()
        for key in "web":
            await pilot.press(key)
            await settle(app, pilot)
        line = screen.query_one("#filter", Input)
        assert line.value == "web"
        # The list may be laid out when its scrollbar comes or goes; the filter line never.
        assert "FilterLine" not in laid_out and "Input" not in laid_out
        for key in "x" * (line.size.width + 10):
            await pilot.press(key)
        await settle(app, pilot)
        assert line.scroll_x > 0  # the cursor at the end of a long line is in view
        assert line.region.x <= line.cursor_screen_offset.x <= line.region.right


async def test_a_move_that_turns_a_key_off_changes_that_key_in_place(ui_world: World) -> None:
    # Rebuilding the footer lays the whole screen out (about 7 KB a move at 120x40): when
    # only whether keys are enabled changes, the keys shown are the same widgets, flipped.
    async with running(ui_world, size=(120, 40)) as (app, pilot):
        screen = main(app)
        footer = screen.query_one(KeyFooter)
        rebuilt: list[bool] = []
        original = footer.recompose

        async def counting() -> None:
            rebuilt.append(True)
            await original()

        footer.recompose = counting  # type: ignore[method-assign]
        image_list(app).focus()
        await settle(app, pilot)
        kinds = [row.kind for row in image_list(app).rows]
        custom, public = kinds.index("custom"), kinds.index("public")
        keys = {key.action: key for key in footer.query(FooterKey)}
        share = keys["dialog('share')"]
        for index, disabled in ((public, True), (custom, False), (public, True)):
            image_list(app).cursor = index
            await settle(app, pilot)
            assert share.has_class("-disabled") is disabled
            assert share.is_attached
        assert rebuilt == []
        assert {key.action: key for key in footer.query(FooterKey)} == keys


def _footer_actions(screen: MainScreen) -> list[str]:
    return [key.action for key in screen.query_one(KeyFooter).query(FooterKey)
            if not key.has_class("-command-palette")]


def _bound_actions(screen: MainScreen) -> list[str]:
    wanted: list[str] = []
    for _, binding, _, _ in screen.active_bindings.values():
        if binding.show and binding.action not in wanted:
            wanted.append(binding.action)
    return wanted


async def test_the_footer_is_built_once_at_start_with_the_list_s_keys(
        ui_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list has the focus from the start, and the bindings' changes while the screen
    starts (mount, focus, the first rows) rebuild the footer once, not once each."""
    built: list[bool] = []
    recompose = KeyFooter.recompose

    async def counted(self: KeyFooter) -> None:
        built.append(True)
        await recompose(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    async with running(ui_world, size=(120, 40)) as (app, _pilot):
        screen = main(app)
        assert isinstance(screen.focused, ImageList)
        assert built == [True]
        assert _footer_actions(screen) == _bound_actions(screen)
        assert "dialog('share')" in _footer_actions(screen)


async def test_the_footer_follows_the_focus_and_a_change_made_while_it_was_rebuilt(
        ui_world: World) -> None:
    async with running(ui_world, size=(120, 40)) as (app, pilot):
        screen = main(app)
        footer = screen.query_one(KeyFooter)
        await pilot.press("slash")  # the filter line: its own keys
        await settle(app, pilot)
        assert isinstance(screen.focused, Input)
        assert _footer_actions(screen) == _bound_actions(screen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(screen.focused, ImageList)
        assert _footer_actions(screen) == _bound_actions(screen)
        # The focus moves again while the footer is being built: it ends on the keys bound
        # when it is done.
        screen.query_one("#filter", Input).focus()
        await settle(app, pilot)
        footer.bindings_changed(screen)
        image_list(app).focus()
        await settle(app, pilot)
        assert not footer._recompose_pending
        assert _footer_actions(screen) == _bound_actions(screen)
