"""The image list: a virtual Line API table that renders only the rows on screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from ecsimg.domain.clock import Clock, system_clock
from ecsimg.i18n import t
from ecsimg.keymap import DEFAULT_KEYS
from ecsimg.service.reads.image_rows import ImageRow, is_busy
from ecsimg.service.reads.row_table import RowsAt, RowTable, columns_of, key_index, unchanging
from ecsimg.ui.widgets.columns import DEFAULT_SORT, SORTABLE, visible_sort_columns
from ecsimg.ui.widgets.drawn_rows import DrawnRows
from ecsimg.ui.wording import localize_bindings


def _binding(action_id: str, action: str, description: str, show: bool = False) -> Binding:
    return Binding(DEFAULT_KEYS[action_id], action, description, show=show, id=action_id)


class ImageList(DrawnRows, can_focus=True):
    """Rows of images with a cursor, marks and a sort order; only visible lines are built."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("cursor_up", "cursor_up", "list.up"),
        _binding("cursor_down", "cursor_down", "list.down"),
        _binding("page_up", "page_up", "key.page_up"),
        _binding("page_down", "page_down", "key.page_down"),
        _binding("cursor_first", "cursor_first", "list.first"),
        _binding("cursor_last", "cursor_last", "list.last"),
        _binding("open_details", "select", "list.details", show=True),
        _binding("toggle_mark", "toggle_mark", "list.mark", show=True),
        _binding("sort_next", "sort_next", "list.sort"),
        _binding("sort_reverse", "sort_reverse", "list.reverse_sort"),
        _binding("mark_all", "mark_all", "list.mark_all"),
        _binding("invert_marks", "invert_marks", "list.invert_marks"),
        _binding("clear_marks", "clear_marks", "list.clear_marks"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "image-list--header", "image-list--cursor", "image-list--marked",
    }

    DEFAULT_CSS = """
    ImageList { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 1; }
    ImageList > .image-list--header { text-style: bold; background: $panel; }
    ImageList > .image-list--cursor { background: $block-cursor-background;
                                      color: $block-cursor-foreground; }
    ImageList:blur > .image-list--cursor { background: $block-cursor-blurred-background; }
    ImageList > .image-list--marked { color: $accent; text-style: bold; }
    """

    class ImageHighlighted(Message):
        """The cursor moved to another image (or to none)."""

        def __init__(self, image_list: ImageList, row: ImageRow | None) -> None:
            super().__init__()
            self.image_list = image_list
            self.row = row

    class ImageSelected(Message):
        """The user asked for the full details of an image."""

        def __init__(self, image_list: ImageList, row: ImageRow) -> None:
            super().__init__()
            self.image_list = image_list
            self.row = row

    class MarksChanged(Message):
        """Several marks changed at once (mark all, invert, clear)."""

        def __init__(self, image_list: ImageList) -> None:
            super().__init__()
            self.image_list = image_list

    class ProgressTicked(Message):
        """The busy rows on screen were drawn again at ``now`` (see ``progress_now``)."""

        def __init__(self, image_list: ImageList, now: float) -> None:
            super().__init__()
            self.image_list = image_list
            self.now = now

    class SortChanged(Message):
        """The user chose another sort column or direction."""

        def __init__(self, image_list: ImageList) -> None:
            super().__init__()
            self.image_list = image_list

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    """Index of the highlighted row in the shown rows; the watcher repaints its two lines."""
    sort_index: reactive[int] = reactive(DEFAULT_SORT, init=False)
    """Which of the sortable columns orders the rows."""
    sort_reverse: reactive[bool] = reactive(True, init=False)
    """Whether the order is descending (newest first to begin with)."""
    show_region: reactive[bool] = reactive(False)
    """The rows come from every region: a Region column is drawn."""

    def __init__(self, clock: Clock = system_clock, refresh_seconds: float = 0.25, *,
                 id: str | None = None) -> None:
        super().__init__(clock, id=id)
        localize_bindings(self)
        self._refresh_seconds = refresh_seconds
        self._timer: Timer | None = None
        self._drawn_busy: list[ImageRow] = []
        """The rows drawn busy at the last tick: one that is done is drawn once more."""
        self._sort_keys: dict[str, object] = {}
        self.jump_keys: dict[str, Callable[[], None]] = {}
        """Keys that move the focus elsewhere (``/`` to the filter), handled as they arrive."""

    # -- data ------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[ImageRow]:
        return self._rows

    @property
    def current(self) -> ImageRow | None:
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def marked_rows(self) -> list[ImageRow]:
        """The marked rows among those shown, in the list's order."""
        marked = self.marked
        if not marked:
            return []
        rows = self._rows
        return [rows[i] for i, key in enumerate(columns_of(rows, "key")) if key in marked]

    def set_rows(self, rows: Sequence[ImageRow], keep_key: str | None = None,
                 in_order: bool = False) -> None:
        """Show ``rows``, keeping the cursor on ``keep_key`` (default: on the current image);
        ``in_order``: already sorted, and kept as it is (no copy of 100,000 rows per
        keystroke): the caller does not change it afterwards."""
        current = self.current
        top, lines = int(self.scroll_y), max(self.size.height - 1, 0)
        shown = self._rows[top:top + lines]
        if in_order:
            self._rows = rows
        else:
            self._rows = self.sorted(rows)
        self._size_to_rows()
        index = self._index_of(keep_key) if keep_key is not None else self._index_of_row(current)
        self.cursor = min(index, max(len(self._rows) - 1, 0))
        if int(self.scroll_y) == top:
            self._refresh_changed(top, shown)
        else:
            self.refresh()
        self._update_timer()

    def _refresh_changed(self, top: int, shown: Sequence[ImageRow]) -> None:
        """Repaint the lines that show another row than ``shown`` did: a keystroke that
        keeps the first rows of the list (typing ``prod`` after ``pro``) repaints only those
        below them, and erasing back to a wider result repaints what it adds."""
        lines = max(self.size.height - 1, 0)
        now = self._rows[top:top + lines]
        width = self.line_width
        start: int | None = None
        for y in range(lines + 1):
            # Past the last row both before and after, a line stays blank.
            differs = y < max(len(now), len(shown)) and (
                y >= len(now) or y >= len(shown) or now[y] is not shown[y])
            if differs and start is None:
                start = y
            elif not differs and start is not None:
                self.refresh(Region(0, start + 1, width, y - start))
                start = None

    def _size_to_rows(self) -> None:
        """Set the scroll range to the rows without a layout of the screen: the scrollbar is
        always there (``overflow-y: scroll``), so a filter that leaves fewer rows than lines
        moves nothing else (a layout repaints every widget on the screen)."""
        size = Size(self.size.width, len(self._rows) + 1)
        if size == self.virtual_size:
            return
        if self.is_mounted:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    def _index_of_row(self, row: ImageRow | None) -> int:
        """Where ``row`` (the same object) is shown, else 0: rows compare by identity, so this
        is one pass in C over 100,000 rows."""
        if row is None:
            return 0
        try:
            return self._rows.index(row)
        except ValueError:
            return 0

    def _index_of(self, key: str) -> int:
        """Where the image ``region/image_id`` is shown, else 0 (read from the rows' keys,
        without making 100,000 rows of a ``RowTable``)."""
        if not key:
            return 0
        try:
            return key_index(self._rows, key)
        except ValueError:
            return 0

    def sorted(self, rows: Sequence[ImageRow], newest_first: bool = False
               ) -> Sequence[ImageRow]:
        """``rows`` in the list's sort order (filtering keeps it, so sort once per load);
        ``newest_first``: they are in the default order already (as loaded)."""
        return self.sorter(newest_first)(rows)

    @property
    def order(self) -> tuple[str, bool]:
        """The sort column's key and whether the order is descending."""
        return SORTABLE[self.sort_index % len(SORTABLE)].key, self.sort_reverse

    def sorter(self, newest_first: bool = False
               ) -> Callable[[Sequence[ImageRow]], Sequence[ImageRow]]:
        """The sort order as it is now, as a function of the rows alone: a worker thread
        sorts the rows it loads with it, off the thread that draws."""
        column = SORTABLE[self.sort_index % len(SORTABLE)]
        reverse, clock, key = self.sort_reverse, self.clock, column.sort_key
        if key is None or (newest_first and column.key == "created" and reverse):
            return unchanging
        sort_key, keys_of = key, column.keys_of

        def by_column(rows: Sequence[ImageRow]) -> Sequence[ImageRow]:
            now = clock()
            if keys_of is not None and isinstance(rows, RowTable):
                return rows.sorted_by(keys_of(rows.column, now), reverse)
            return sorted(rows, key=lambda r: sort_key(r, now), reverse=reverse)
        return by_column

    def move_to(self, key: str) -> bool:
        """Put the cursor on the image with ``key``; False when it is not shown."""
        try:
            self.cursor = key_index(self._rows, key)
            return True
        except ValueError:
            pass
        try:
            self.cursor = columns_of(self._rows, "image_id").index(key)
            return True
        except ValueError:
            return False

    # -- reactive watchers -----------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        self.post_message(self.ImageHighlighted(self, self.current))

    def watch_sort_index(self) -> None:
        self._sort_changed()

    def watch_sort_reverse(self) -> None:
        self._sort_changed()

    def _sort_changed(self) -> None:
        # Rows of a loaded table are ordered by whoever filters them (the screen, on
        # SortChanged), as a new table: sorting them here as rows made every one of 100,000
        # rows (2.3 s the first time, 0.4-0.7 s after) and left them to the collector.
        if not isinstance(self._rows, RowTable | RowsAt):
            self.set_rows(self._rows)
        self.refresh()  # the header's sort mark too
        self.post_message(self.SortChanged(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._update_timer()

    def _refresh_row(self, index: int) -> None:
        """Repaint one row's cells, not the scrollbar beside them (fewer bytes per move)."""
        self.refresh(Region(0, index + 1 - int(self.scroll_y), self.line_width, 1))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)
        self._scroll_to_cursor()
        self._update_timer()

    # -- actions ---------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(self.size.height - 2, 1)

    def action_page_down(self) -> None:
        self.cursor += max(self.size.height - 2, 1)

    def action_cursor_first(self) -> None:
        self.cursor = 0

    def action_cursor_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.ImageSelected(self, self.current))

    def action_toggle_mark(self) -> None:
        row = self.current
        if row is None:
            return
        self.marked.symmetric_difference_update({row.key})
        self.refresh_line(self.cursor + 1)
        self.cursor += 1

    def action_mark_all(self) -> None:
        """Mark every row shown (marks on rows the filter hides stay as they are)."""
        self.marked.update(columns_of(self._rows, "key"))
        self._marks_changed()

    def action_invert_marks(self) -> None:
        """Mark the shown rows that are not marked and unmark the others."""
        self.marked.symmetric_difference_update(columns_of(self._rows, "key"))
        self._marks_changed()

    def action_clear_marks(self) -> None:
        """Unmark every image, shown or hidden by the filter."""
        self.marked.clear()
        self._marks_changed()

    def _marks_changed(self) -> None:
        self.refresh()
        self.post_message(self.MarksChanged(self))

    def action_sort_next(self) -> None:
        """Sort by the next column on screen (a hidden column would change the order unseen)."""
        shown = (visible_sort_columns(self.line_width, self.show_region)
                 or list(range(len(SORTABLE))))
        later = [n for n in shown if n > self.sort_index]
        self.sort_index = later[0] if later else shown[0]

    @property
    def sort_label(self) -> str:
        """The sort column and its direction, as the header shows them."""
        column = SORTABLE[self.sort_index % len(SORTABLE)]
        return column.title + t("glyph.sort_down" if self.sort_reverse else "glyph.sort_up")

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse

    def on_key(self, event: events.Key) -> None:
        """A key queued for the list before focus moved on (``/test`` typed fast or pasted)
        goes where the focus is now, not to the list's bindings."""
        if event.key in self.jump_keys:
            # Move the focus now: the keys after it are already queued behind this one.
            event.stop()
            event.prevent_default()
            self.jump_keys[event.key]()
            return
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.cursor = int(self.scroll_y) + event.y - 1

    # -- progress refresh ------------------------------------------------------------------

    def _visible_range(self) -> range:
        top = int(self.scroll_y)
        return range(top, min(top + max(self.size.height - 1, 0), len(self._rows)))

    def _busy_visible(self, now: float) -> list[int]:
        return [i for i in self._visible_range() if is_busy(self._rows[i], now)]

    def _update_timer(self) -> None:
        """Run the progress timer only while a Waiting or Creating row is on screen."""
        busy = bool(self._busy_visible(self.clock())) if self.is_mounted else False
        if busy and self._timer is None:
            self._timer = self.set_interval(self._refresh_seconds, self._tick)
        elif not busy and self._timer is not None:
            self._timer.stop()
            self._timer = None
            self.progress_now = None
            self._drawn_busy = []

    def _tick(self) -> None:
        """Draw the busy rows on screen at one time, and once more a row that is done (its
        status instead of the bar); then tell the screen, whose pane follows the same time."""
        now = self.progress_now = self.clock()
        busy = self._busy_visible(now)
        drawn = [self._rows[index] for index in busy]
        done = set(map(id, self._drawn_busy)).difference(map(id, drawn))
        lines = set(busy)
        if done:
            lines.update(i for i in self._visible_range() if id(self._rows[i]) in done)
        for index in sorted(lines):
            self.refresh_line(index + 1)
        self._drawn_busy = drawn
        self.post_message(self.ProgressTicked(self, now))
        if not busy:
            self._update_timer()

    @property
    def progress_timer_running(self) -> bool:
        return self._timer is not None
