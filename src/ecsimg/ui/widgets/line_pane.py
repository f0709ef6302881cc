"""A pane of rich text that repaints only the lines that changed when its content changes."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ecsimg.i18n import t


class LinePane(ScrollView, can_focus=True):
    """Shows a renderable with the Line API; ``show`` refreshes only the cells that differ.

    A Static would repaint (and, sized by its content, re-lay-out) the whole pane on every
    update: at each cursor move that rewrote most of the terminal. The pane scrolls (wheel,
    keys) without a scrollbar, whose appearing, going or resizing would repaint it all; a
    marker in the right margin says when there is more above or below.
    """

    DEFAULT_CSS = """
    LinePane { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 0; }
    LinePane > .line-pane--more { color: $text-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-pane--more"}

    def __init__(self, content: RenderableType = "", *, margin: int = 1,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._content: RenderableType = content
        self._margin = margin
        """Blank cells left and right of the text (instead of CSS padding, which Textual
        sends as a segment of its own on every repainted line)."""
        self._strips: list[Strip] = []
        self._rendered_width = -1

    @property
    def content(self) -> RenderableType:
        """What the pane shows."""
        return self._content

    @property
    def plain(self) -> str:
        """The rendered lines as plain text (for tests and debugging)."""
        return "\n".join(strip.text.rstrip() for strip in self._strips)

    def show(self, content: RenderableType) -> None:
        """Show ``content``; the lines that did not change are not sent to the terminal."""
        self._content = content
        if not self.is_mounted or self._rendered_width < 0:
            return
        old = self._strips
        markers = self._markers()
        self._strips = self._render_strips(self._rendered_width)
        if len(old) != len(self._strips):
            size = Size(self._rendered_width, len(self._strips))
            if self.styles.height is not None and self.styles.height.is_auto:
                self.virtual_size = size  # the pane's height follows: a layout is due
                self.refresh()
                return
            # Same size and no scrollbar: the scroll range changes without a layout.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        width = self._rendered_width
        for y, strip in enumerate(self._strips):
            before = old[y] if y < len(old) else None
            if before is None or before != strip:
                self._refresh_cells(y, before, strip, width)
        for y in range(len(self._strips), len(old)):
            self._refresh_cells(y, old[y], None, width)
        if self._markers() != markers:
            self._refresh_markers()

    # -- rendering -----------------------------------------------------------------------

    def _render_strips(self, width: int) -> list[Strip]:
        margin = self._margin if width > 2 * self._margin else 0
        inner = width - 2 * margin
        if inner <= 0:
            return []
        base = self.rich_style
        options = self.app.console_options.update(highlight=False, width=inner, height=None)
        lines = self.app.console.render_lines(self._content, options, style=base)
        return [Strip(_with_margin(line, margin, base), width) for line in lines]

    def on_resize(self, event: events.Resize) -> None:
        self._rerender()

    def on_mount(self) -> None:
        super().on_mount()  # type: ignore[no-untyped-call]
        self.call_after_refresh(self._rerender)

    def _rerender(self) -> None:
        """Render at the current width and size the scroll range to the content."""
        width = self.scrollable_content_region.width
        self._rendered_width = width
        self._strips = self._render_strips(width)
        self.virtual_size = Size(width, len(self._strips))
        self.refresh()

    def _refresh_cells(self, y: int, before: Strip | None, after: Strip | None,
                       width: int) -> None:
        """Refresh the span of line ``y`` where ``before`` and ``after`` differ."""
        row = y - int(self.scroll_y)
        if not 0 <= row < self.scrollable_content_region.height:
            return
        start, end = _changed_span(before, after, width)
        if start < end:
            self.refresh(Region(start, row, end - start, 1))

    def _markers(self) -> tuple[bool, bool]:
        """Whether there is more above the view, and below it."""
        top = int(self.scroll_y)
        return top > 0, top + self.scrollable_content_region.height < len(self._strips)

    def _refresh_markers(self) -> None:
        region = self.scrollable_content_region
        if self._margin and region.width:
            self.refresh(Region(region.width - 1, 0, 1, 1),
                         Region(region.width - 1, region.height - 1, 1, 1))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        strip = (self._strips[index] if 0 <= index < len(self._strips)
                 else Strip.blank(width, self.rich_style))
        if not self._margin or width < 2:
            return strip
        above, below = self._markers()
        last = self.scrollable_content_region.height - 1
        marker = (t("glyph.more_up") if y == 0 and above
                  else t("glyph.more_down") if y == last and below else "")
        if not marker:
            return strip
        style = self.rich_style + self.get_component_rich_style("line-pane--more")
        return Strip.join([strip.crop(0, width - 1), Strip([Segment(marker, style)], 1)])


def _with_margin(line: list[Segment], margin: int, base: Style) -> list[Segment]:
    """``line`` with ``margin`` blank cells each side, joined to the first and last segments
    when a blank in their style looks the same (fewer style changes sent per line)."""
    if not margin or not line:
        return line
    blank = " " * margin
    first, last = line[0], line[-1]
    if len(line) == 1:
        if _blank_looks_plain(first.style, base):
            return [Segment(blank + first.text + blank, first.style)]
        return [Segment(blank, base), first, Segment(blank, base)]
    head = ([Segment(blank + first.text, first.style)] if _blank_looks_plain(first.style, base)
            else [Segment(blank, base), first])
    tail = ([Segment(last.text + blank, last.style)] if _blank_looks_plain(last.style, base)
            else [last, Segment(blank, base)])
    return [*head, *line[1:-1], *tail]


def _blank_looks_plain(style: Style | None, base: Style) -> bool:
    """Whether a space in ``style`` looks like a space in the pane's own style."""
    if style is None:
        return True
    return (style.bgcolor == base.bgcolor and not style.reverse and not style.underline
            and not style.underline2 and not style.strike and not style.overline
            and not style.conceal)


def _cells(strip: Strip) -> list[tuple[str, object]] | None:
    """One (character, style) per cell, or None when a character is not one cell wide."""
    cells: list[tuple[str, object]] = []
    for segment in strip:
        text = segment.text
        if cell_len(text) != len(text):
            return None
        style = segment.style
        cells.extend((char, style) for char in text)
    return cells


def _changed_span(before: Strip | None, after: Strip | None, width: int) -> tuple[int, int]:
    """The cells [start, end) of a line that differ between two renderings of it."""
    if before is None or after is None:
        return 0, width
    old, new = _cells(before), _cells(after)
    if old is None or new is None or len(old) != len(new):
        return 0, width
    start = 0
    while start < len(new) and old[start] == new[start]:
        start += 1
    end = len(new)
    while end > start and old[end - 1] == new[end - 1]:
        end -= 1
    return start, end
