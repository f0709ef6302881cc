from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from ecsimg.ui.widgets.line_pane import LinePane


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LinePane(Text("alpha\nbravo charlie\ndelta"), id="pane")


async def test_show_repaints_only_the_cells_that_changed() -> None:
    app = PaneApp()
    async with app.run_test(size=(30, 6)) as pilot:
        await pilot.pause()
        pane = app.query_one(LinePane)
        refreshed: list[tuple[Region, ...]] = []
        real_refresh = pane.refresh

        def spy(*regions: Region, **kwargs: bool) -> LinePane:
            refreshed.append(regions)
            return real_refresh(*regions, **kwargs)

        pane.refresh = spy  # type: ignore[method-assign]
        pane.show(Text("alpha\nbravo chaRlie\ndelta"))
        # Only line 1, from the changed letter (after the one-cell margin) to its end.
        assert refreshed == [(Region(10, 1, 1, 1),)]
        await pilot.pause()
        assert pane.plain == " alpha\n bravo chaRlie\n delta"


async def test_a_pane_longer_than_its_height_marks_that_it_scrolls() -> None:
    app = PaneApp()
    async with app.run_test(size=(30, 6)) as pilot:
        pane = app.query_one(LinePane)
        pane.show(Text("\n".join(f"line {n}" for n in range(20))))
        await pilot.pause()
        last = pane.render_line(pane.size.height - 1).text
        assert last.rstrip().endswith("▼")
        assert pane.max_scroll_y > 0
        pane.scroll_to(y=pane.max_scroll_y, animate=False)
        await pilot.pause()
        assert pane.render_line(0).text.rstrip().endswith("▲")
