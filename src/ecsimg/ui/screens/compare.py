"""Two images side by side: disks, snapshots, OS, family, tags, shares and fees, differences
marked with ``*`` and drawn bold (so they show without colour too)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from ecsimg.i18n import is_message, t
from ecsimg.service.backend import Backend
from ecsimg.service.reads.compare import CompareRow, compare_rows
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.ui import marks
from ecsimg.ui.text import safe
from ecsimg.ui.widgets.details import fee_label
from ecsimg.ui.widgets.image_list import ImageList
from ecsimg.ui.widgets.scrolling import scroll_body
from ecsimg.ui.wording import localize_bindings

DIFFERS = "*"
LABEL_WIDTH = 14


def compare_pair(image_list: ImageList) -> tuple[ImageRow, ImageRow] | str:
    """The two marked images, or the marked one and the cursor's; else why there is no pair."""
    marked = image_list.marked_rows()
    current = image_list.current
    if len(marked) == 2:
        return marked[0], marked[1]
    if len(marked) == 1 and current is not None and current.key != marked[0].key:
        return marked[0], current
    return t("compare.needs_two", marked=len(marked))


def compare_table(rows: list[CompareRow]) -> Table:
    """A table of both images' fields; a differing row has ``*`` and bold values."""
    table = Table(box=None, show_header=False, expand=True, pad_edge=False, padding=(0, 1))
    table.add_column(width=1, no_wrap=True)
    table.add_column(width=LABEL_WIDTH, no_wrap=True, overflow="ellipsis")
    table.add_column(ratio=1, overflow="fold")
    table.add_column(ratio=1, overflow="fold")
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            table.add_row("", Text(_worded("compare.section", section).upper(),
                                   style="bold underline"), "", "")
        style = marks.WARN if row.differs else ""
        table.add_row(Text(DIFFERS if row.differs else " ", style="bold"),
                      safe(_label(row), "bold" if row.differs else "dim"),
                      safe(row.left, style), safe(row.right, style))
    return table


def _worded(prefix: str, english: str) -> str:
    """The service's word in the interface's language (itself when there is no message)."""
    message_id = f"{prefix}.{english}"
    return t(message_id) if is_message(message_id) else english


def _label(row: CompareRow) -> str:
    """A row's label as the service words it, in the interface's language: the fixed ones by
    message, a disk's number and a tag's key kept."""
    if row.section == "fees":
        return fee_label(row.label)
    for prefix in ("disk", "tag"):
        if row.label.startswith(prefix + " "):
            return t(f"compare.{prefix}", name=row.label.removeprefix(prefix + " "))
    return _worded("compare.label", row.label)


def summary(rows: list[CompareRow], left: ImageRow, right: ImageRow) -> Text:
    differing = sum(1 for row in rows if row.differs)
    return Text.assemble((t("compare.compare"), "bold"), safe(left.display_name, "bold"),
                         t("compare.with"), safe(right.display_name, "bold"),
                         t("compare.differ", differing=differing, fields=len(rows),
                           mark=DIFFERS), end="")


class CompareScreen(Screen[None]):
    """The compare view of two images; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "binding.back"),
        Binding("q", "app.pop_screen", "binding.back", show=False),
        Binding("j,down", "scroll('down')", "list.down", show=False),
        Binding("k,up", "scroll('up')", "list.up", show=False),
    ]
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: auto; padding: 0 1; background: $panel; }
    CompareScreen #compare-body { height: 1fr; padding: 0 1; }
    """

    class Compared(Message):
        def __init__(self, rows: list[CompareRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, backend: Backend, left: ImageRow, right: ImageRow) -> None:
        super().__init__()
        localize_bindings(self)
        self.backend = backend
        self.left = left
        self.right = right
        self.rows: list[CompareRow] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(t("compare.loading"), style="dim"), id="compare-title")
        with VerticalScroll(id="compare-body"):
            yield Static("", id="compare-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#compare-body").focus()
        self.load(self.backend)

    def action_scroll(self, direction: str) -> None:
        scroll_body(self.query_one("#compare-body", VerticalScroll), direction)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, backend: Backend) -> None:
        rows = compare_rows(backend.details(self.left, full=True),
                            backend.details(self.right, full=True))
        if not get_current_worker().is_cancelled:
            self.post_message(self.Compared(rows))

    def on_compare_screen_compared(self, message: Compared) -> None:
        self.rows = message.rows
        self.query_one("#compare-title", Static).update(
            summary(message.rows, self.left, self.right))
        self.query_one("#compare-table", Static).update(compare_table(message.rows))
