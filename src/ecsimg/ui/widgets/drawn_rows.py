"""How the image list draws its lines: the header, and each row from its cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Self

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from rich.text import Text
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.css.styles import StylesBase
from textual.geometry import Region, Size, Spacing
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style as TextualStyle

from ecsimg.domain.clock import Clock
from ecsimg.i18n import t
from ecsimg.service.reads.image_rows import ImageRow, is_busy
from ecsimg.ui.text import cell
from ecsimg.ui.widgets.columns import GAP, SORTABLE, layout, text_of

STRIPS_KEPT = 4096
"""Drawn rows kept: several screens' worth, at most a few megabytes."""
DRAWN_AT_THE_LATEST = 0.1
"""Seconds after which ``when_drawn`` runs its callback even if no line was drawn."""


class ListScrollBar(ScrollBar):
    """The list's scrollbar, drawn again only when what it shows changes.

    Each keystroke changes how many rows the list has, and Textual draws the bar again for
    every such change: 5-9 ms a keystroke at 120x40, most of it its generic path through a
    Rich renderable, line by line. Among 88,330 rows the thumb is one cell that rarely moves,
    so a change that leaves every cell and the size as drawn is not a change."""

    def __init__(self, *, vertical: bool, name: str | None, thickness: int) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._drawn: object = None

    def _looks(self) -> object:
        """The size and the cells the bar would draw now (None: unknown)."""
        if not self.is_mounted or self.parent is None:
            return None
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not isinstance(bar.style, Style):
            return None
        return self._cells(
            self.size, bar.virtual_size, bar.window_size, bar.position, self.vertical,
            bar.style)

    @staticmethod
    @lru_cache(maxsize=64)
    def _cells(size: Size, virtual_size: float, window_size: float, position: float,
               vertical: bool, style: Style) -> object:
        """The size and the cells of a bar drawn with these figures (the same figures come
        back on most keystrokes: the thumb of a long list rarely moves)."""
        cells = ScrollBarRender.render_bar(
            size=size.height if vertical else size.width,
            virtual_size=virtual_size, window_size=window_size, position=position,
            thickness=size.width if vertical else size.height,
            vertical=vertical, back_color=style.bgcolor or _GREY,
            bar_color=style.color or _MAGENTA)
        return size, tuple(cells.segments)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if (repaint and not (regions or layout or recompose) and self._drawn is not None
                and self._looks() == self._drawn):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn = self._looks()
        return super().render_lines(crop)


_GREY = RichColor.parse("#555555")
_MAGENTA = RichColor.parse("bright_magenta")


class DirectLines(StylesCache):
    """Textual's styling of the list's lines, skipped when it has nothing to do (``direct``,
    see ``DrawnRows.styled_lines``): a line is then the list's own line widened under the
    scrollbar, as the styling would leave it (a test compares the two). Its general path
    costs about 0.1 ms a line, a quarter of a keystroke's frame at 120x40. Textual's cache
    of drawn lines, its filters and its cropping still apply."""

    def __init__(self) -> None:
        super().__init__()
        self.direct = False

    def render_line(self, styles: StylesBase, y: int, size: Size, content_size: Size,
                    padding: Spacing, base_background: Color, background: Color,
                    render_content_line: Callable[[int], Strip],
                    border_title: tuple[Content, Color, Color, TextualStyle] | None,
                    border_subtitle: tuple[Content, Color, Color, TextualStyle] | None,
                    opacity: float, ansi_theme: TerminalTheme, native_ansi: bool) -> Strip:
        if not self.direct or y >= content_size.height:
            return super().render_line(
                styles, y, size, content_size, padding, base_background, background,
                render_content_line, border_title, border_subtitle, opacity, ansi_theme,
                native_ansi)
        # Textual's own (cached) style for the background beside a line.
        under = self.get_inner_outer(base_background, background)[0].rich_style
        line = render_content_line(y).adjust_cell_length(content_size.width, under)
        return Strip(line, size.width)


class DrawnRows(ScrollView):
    """The drawing half of ``ImageList``: line 0 is the header, line y the row at
    ``scroll_y + y - 1``; a row drawn once is reused until it, its mark, the width or the
    style changes."""

    if TYPE_CHECKING:  # the list's state, declared (as reactives) by ImageList
        cursor: int
        sort_index: int
        sort_reverse: bool
        show_region: bool

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.progress_now: float | None = None
        """The time busy rows are drawn at while the progress timer runs: its last tick's, so
        the bars and the details pane, which follows the same tick, show the same percent."""
        self._rows: Sequence[ImageRow] = []
        self.marked: set[str] = set()
        """Keys (region/image_id) of marked images; kept when the filter hides them."""
        self._styles_now: dict[str | None, Style] = {}
        """Line styles while lines are being drawn (see ``render_lines``)."""
        self._width_now = 0
        """The line width while lines are being drawn (0 otherwise)."""
        self._strips: dict[int, tuple[ImageRow, tuple[object, ...], Strip]] = {}
        """Drawn rows by row: filtering shows the same rows again, and a row that is not
        being created draws the same until it, its mark, the width or the style changes."""
        self._redraw_pending = False
        self._after_drawn: list[Callable[[], object]] = []
        self._styles_cache: DirectLines = DirectLines()

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The scrollbar (``ListScrollBar``), made as Textual makes its own."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = ListScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        self._redraw_pending = True
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def when_drawn(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the lines asked to be redrawn have been drawn (at once when
        none are), so that what changes beside the list is drawn in the next frame."""
        if self._redraw_pending and self.is_mounted and self.display:
            self._after_drawn.append(callback)
            # A refresh of lines out of view draws nothing: then it runs a little later.
            self.set_timer(DRAWN_AT_THE_LATEST, self._run_after_drawn)
        else:
            self.call_later(callback)

    def _run_after_drawn(self) -> None:
        for callback in self._after_drawn:
            self.call_later(callback)
        self._after_drawn.clear()

    @property
    def line_width(self) -> int:
        """Cells a row may use: the widget's width less its scrollbar."""
        return self.scrollable_content_region.width

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles and the width are worked out once for the lines drawn together, not
        # once a line: Textual computes both from the widget's rules on every call.
        self._styles_now = {None: self.rich_style}
        self._width_now = self.line_width
        self._styles_cache.direct = not self.styled_lines()
        try:
            return super().render_lines(crop)
        finally:
            self._styles_now = {}
            self._width_now = 0
            self._redraw_pending = False
            self._run_after_drawn()

    def styled_lines(self) -> bool:
        """Whether Textual's styling of each line (borders, padding, tint, opacity, hatch,
        links) has anything to do for this list: by default it has not."""
        styles = self.styles
        return bool(any(edge for edge, _ in styles.border)
                    or any(edge for edge, _ in styles.outline) or any(styles.padding)
                    or styles.tint.a or styles.text_opacity != 1.0 or self.opacity != 1.0
                    or (styles.has_rule("hatch") and styles.hatch != "none")
                    or self.hover_style.link_id)

    def _style(self, component: str | None) -> Style:
        """The base style of a line drawn as ``component`` (None: a plain row)."""
        found = self._styles_now.get(component)
        if found is None:
            found = self.rich_style
            if component:
                found = found + self.get_component_rich_style(component)
            if self._styles_now:
                self._styles_now[component] = found
        return found

    def render_line(self, y: int) -> Strip:
        width = self._width_now or self.line_width
        if y == 0:
            return self._strip(self._header_text(width), width, "image-list--header")
        index = int(self.scroll_y) + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, self._style(None))
        row = self._rows[index]
        component = self._row_class(index)
        if is_busy(row, self.frame_now()):
            return self.row_strip(index, width, component)
        drawn_as = (width, self._style(component), self.show_region, row.monthly_cost,
                    row.key in self.marked)
        kept = self._strips.get(id(row))
        if kept is not None and kept[0] is row and kept[1] == drawn_as:
            return kept[2]
        strip = self.row_strip(index, width, component)
        if len(self._strips) >= STRIPS_KEPT:
            self._strips.clear()
        self._strips[id(row)] = (row, drawn_as, strip)
        return strip

    def _row_class(self, index: int) -> str | None:
        if index == self.cursor:
            return "image-list--cursor"
        if self._rows[index].key in self.marked:
            return "image-list--marked"
        return None

    def frame_now(self) -> float:
        """The time the rows are drawn at: the progress tick's, or the clock's between ticks."""
        return self.clock() if self.progress_now is None else self.progress_now

    def row_strip(self, index: int, width: int, component: str | None) -> Strip:
        """Row ``index`` drawn as ``component``: the segments ``_strip(row_text(...))``
        gives (a test compares them), built from the cells' plain text and style without a
        Rich Text, which costs two thirds of a row's drawing. Each cell has one style, and
        the unstyled gaps and cells between styled ones make one segment, as Rich makes."""
        base = self._style(component)
        row = self._rows[index]
        now = self.frame_now()
        get_style = self.app.console.get_style
        gap = " " * GAP
        segments: list[Segment] = []
        text = t("glyph.mark") if row.key in self.marked else " "
        style = base
        for column, column_width in layout(width, self.show_region):
            part = text_of(column, row, now, column_width)
            part_style = base + get_style(part.style) if part.style else base
            if style != base:  # the gap before a cell is unstyled
                segments.append(Segment(text, style))
                text, style = "", base
            text += gap
            if part_style == base:
                text += part.plain
            else:
                segments.append(Segment(text, base))
                text, style = part.plain, part_style
        segments.append(Segment(text, style))
        return Strip(segments).adjust_cell_length(width, base)

    def _strip(self, text: Text, width: int, component: str | None) -> Strip:
        base = self._style(component)
        segments = [Segment(s.text, base + s.style if s.style else base)
                    for s in text.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, base)

    def _header_text(self, width: int) -> Text:
        sort_column = SORTABLE[self.sort_index % len(SORTABLE)]
        parts: list[Text | str] = [" "]
        for column, column_width in layout(width, self.show_region):
            title = column.title
            if column.key == sort_column.key:
                title += t("glyph.sort_down" if self.sort_reverse else "glyph.sort_up")
            parts.append(" " * GAP)
            parts.append(cell(title, column_width, right=column.right))
        return Text.assemble(*parts, end="")

    def row_text(self, index: int, width: int) -> Text:
        """Row ``index`` as plain cells, exactly ``width`` cells wide (used by tests too)."""
        row = self._rows[index]
        now = self.frame_now()
        parts: list[Text | str] = [t("glyph.mark") if row.key in self.marked else " "]
        for column, column_width in layout(width, self.show_region):
            parts.append(" " * GAP)
            parts.append(text_of(column, row, now, column_width))
        return Text.assemble(*parts, end="")

    def rendered_lines(self) -> list[str]:
        """The visible lines as plain text (for tests and debugging)."""
        return [self.render_line(y).text for y in range(self.size.height)]
