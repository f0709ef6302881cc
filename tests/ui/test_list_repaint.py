"""A filter keystroke repaints the list's lines whose row changed, not the whole list."""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Input

from ecsimg.ui.widgets.drawn_rows import DRAWN_AT_THE_LATEST
from tests.ui.test_main_screen import image_list, running, settle
from tests.world import World


def cells(strip: Strip) -> list[tuple[str, object]]:
    """What each cell shows: its character and its style."""
    return [(char, segment.style) for segment in strip for char in segment.text]


async def test_a_keystroke_that_keeps_the_first_rows_repaints_only_the_lines_below(
        world: World) -> None:
    # Newest first: five prod-* images on top, then five pro-* ones that "prod" drops.
    for n in range(5):
        world.image(image_name=f"pro-{n}", creation_time=f"2025-05-0{n + 1}T00:00:00Z")
    for n in range(5):
        world.image(image_name=f"prod-{n}", creation_time=f"2025-06-0{n + 1}T00:00:00Z")
    async with running(world, size=(120, 30)) as (app, pilot):
        images = image_list(app)
        await pilot.press("slash")
        line = app.screen.query_one("#filter", Input)

        async def type_filter(text: str) -> None:  # typed on, as the focus stays
            line.value = text
            await settle(app, pilot)

        await type_filter("pro")
        assert [r.name for r in images.rows][:5] == [f"prod-{n}" for n in range(4, -1, -1)]
        assert len(images.rows) == 10
        drawn: list[int] = []
        render_line = images.render_line

        def counted(y: int) -> Strip:
            drawn.append(y)
            return render_line(y)

        images.render_line = counted  # type: ignore[method-assign]
        await type_filter("prod")
        assert len(images.rows) == 5
        # Lines 1-5 show the same five rows: only lines 6-10, which lose theirs, are drawn
        # (and the cursor's line 1, which the cursor repaints as it is set again).
        assert drawn and set(drawn) - {1} == set(range(6, 11)), sorted(set(drawn))
        assert [line.strip() for line in images.rendered_lines()[6:11]] == [""] * 5
        drawn.clear()
        await type_filter("pro")  # erasing: the five lines come back
        assert set(drawn) - {1} == set(range(6, 11)), sorted(set(drawn))
        assert "pro-4" in images.rendered_lines()[6]


async def test_rows_are_drawn_as_their_rich_text_would_be(ui_world: World) -> None:
    """The list draws rows from its cells without a Rich Text; each cell shows the character
    and style that the Rich Text of the row renders to (in as many segments or fewer), for
    every row (a busy one, hostile and Chinese names,
    every tab), drawn plain, under the cursor and marked, at three widths, with and without
    the Region column."""
    async with running(ui_world, size=(200, 40)) as (app, pilot):
        images = image_list(app)
        images.marked.add(images.rows[2].key)
        compared = 0
        for regions in (False, True):
            images.show_region = regions
            await settle(app, pilot)
            images._styles_now = {}
            for width in (60, 117, 199):
                for index in range(len(images.rows)):
                    for component in (None, "image-list--cursor", "image-list--marked"):
                        fast = images.row_strip(index, width, component)
                        rich = images._strip(images.row_text(index, width), width, component)
                        assert cells(fast) == cells(rich), (index, width, component, fast.text)
                        assert fast.cell_length == width
                        compared += 1
    assert compared == 2 * 3 * 3 * len(images.rows) and len(images.rows) >= 30


async def test_what_waits_for_the_list_s_frame_runs_even_if_nothing_is_drawn(
        world: World) -> None:
    """The header and tabs follow the list's frame; a refresh of lines out of view draws
    nothing, and they follow anyway, a moment later."""
    world.image(image_name="only")
    async with running(world, size=(80, 24)) as (app, pilot):
        images = image_list(app)
        ran: list[str] = []
        images.refresh(Region(0, 500, 10, 1))  # far below the last line
        images.when_drawn(lambda: ran.append("after"))
        await pilot.pause(DRAWN_AT_THE_LATEST + 0.1)
        assert ran == ["after"]
        images.refresh()  # the whole list: its frame runs it
        images.when_drawn(lambda: ran.append("drawn"))
        await pilot.pause()
        await pilot.pause()
        assert ran == ["after", "drawn"]


async def test_the_list_s_own_lines_are_textual_s_styled_lines(ui_world: World) -> None:
    """The list draws its lines without Textual's per-line styling when that has nothing to
    do; they are the lines Textual's styling makes, whole or cropped, with the cursor and a
    mark on screen, with the app's filters and without; with padding, Textual styles them."""
    from textual.filter import LineFilter, Monochrome

    async with running(ui_world, size=(120, 30)) as (app, pilot):
        images = image_list(app)
        images.marked.add(images.rows[2].key)
        images.cursor = 1
        await settle(app, pilot)
        assert not images.styled_lines()
        width, height = images.size
        crops = [Region(0, 0, width, height), Region(0, 3, width, 5),
                 Region(7, 0, 30, height), Region(width - 2, 10, 2, 3)]
        filters: list[LineFilter] = list(app._filters)
        lines = images._styles_cache
        extras: list[list[LineFilter]] = [[], [Monochrome()]]
        for extra in extras:
            app._filters[:] = filters + extra
            for crop in crops:
                drawn = {}
                for direct in (True, False):
                    lines.clear()
                    lines.direct = direct
                    drawn[direct] = lines.render_widget(images, crop)
                assert [cells(s) for s in drawn[True]] == [cells(s) for s in drawn[False]], crop
                assert [s.cell_length for s in drawn[True]] == [crop.width] * crop.height
        app._filters[:] = filters
        images.styles.padding = (0, 1)  # styling to do: Textual's path draws
        await settle(app, pilot)
        assert images.styled_lines()
        images.render_lines(Region(0, 0, width, height))
        assert not lines.direct


async def test_the_scrollbar_is_drawn_again_when_what_it_shows_changes(world: World) -> None:
    """The list's scrollbar skips a repaint that would draw the same cells, and only that:
    after each change, what it would show from scratch is what it shows."""
    for n in range(300):
        world.image(image_name=f"img-{n:03}",
                    creation_time=f"2025-01-01T00:{n // 60:02}:{n % 60:02}Z")
    async with running(world, size=(80, 24)) as (app, pilot):
        images = image_list(app)
        bar = images.vertical_scrollbar
        line = app.screen.query_one("#filter", Input)
        await pilot.press("slash")

        def shown() -> list[list[tuple[str, object]]]:
            region = Region(0, 0, bar.size.width, bar.size.height)
            drawn = [cells(s) for s in bar.render_lines(region)]
            bar._styles_cache.clear()
            fresh = [cells(s) for s in bar.render_lines(region)]
            assert drawn == fresh
            return drawn

        looks = [shown()]
        for text in ("img-1", "img-0", "img-00", "img-2", "", "img-29"):
            line.value = text
            await settle(app, pilot)
            looks.append(shown())
        images.focus()
        await pilot.press("end")
        await settle(app, pilot)
        looks.append(shown())
        assert len({str(look) for look in looks}) >= 3  # the thumb did change
