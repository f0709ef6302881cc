"""The cost dashboard: what the account's custom images cost to hold, drawn with Rich text."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import get_current_worker

from ecsimg.domain.clock import iso
from ecsimg.domain.costs import SECONDS_PER_WEEK, CostReport, Group
from ecsimg.service.backend import Backend
from ecsimg.ui import marks
from ecsimg.ui.text import cell, plural, sanitize
from ecsimg.ui.widgets.scrolling import scroll_body

EIGHTHS = " ▏▎▍▌▋▊▉"
SPARKS = "▁▂▃▄▅▆▇█"
NAME_WIDTH = 18
TOP_IMAGES = 10
WIDE_TOP = 100
"""From this width the top images get a bar too."""


def bar(value: float, largest: float, width: int) -> str:
    """A horizontal bar of ``width`` cells, full for ``largest``, in eighths of a cell."""
    if width <= 0:
        return ""
    eighths = round(8 * width * value / largest) if largest > 0 else 0
    full, part = divmod(max(0, min(eighths, 8 * width)), 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def sparkline(counts: tuple[int, ...]) -> str:
    """One character per count: the lowest block for none, the full block for the largest."""
    largest = max(counts, default=0)
    if largest == 0:
        return SPARKS[0] * len(counts)
    return "".join(SPARKS[0] if n == 0 else SPARKS[1 + (n * 7 - 1) // largest]
                   for n in counts)


def _money(amount: float | None, currency: str) -> str:
    return "price unknown" if amount is None else f"{amount:,.2f} {currency}/mo"


def _amount(amount: float | None, width: int) -> str:
    """A column's figure, ``-`` when its price is unknown (never 0)."""
    return f"{'-':>{width}}" if amount is None else f"{amount:>{width},.2f}"


def _groups(title: str, groups: tuple[Group, ...], width: int) -> list[Text]:
    """A section of bars: name, bar, CNY/mo, GiB, images."""
    numbers = 10 + 1 + 7 + 1 + 5
    bar_width = max(width - NAME_WIDTH - 1 - 1 - numbers, 8)
    lines = [Text.assemble((f"{title:<{NAME_WIDTH + 1 + bar_width}}", "bold"),
                           (f" {'CNY/mo':>10} {'GiB':>7} {'imgs':>5}", "bold"), end="")]
    largest = max((g.per_month or 0.0 for g in groups), default=0.0)
    for group in groups:
        lines.append(Text.assemble(
            cell(group.name, NAME_WIDTH), " ", bar(group.per_month or 0.0, largest, bar_width),
            f" {_amount(group.per_month, 10)} {group.snapshot_gib:>7,} {group.images:>5,}",
            end=""))
    if not groups:
        lines.append(Text("  none", style="dim", end=""))
    return lines


def _top_images(report: CostReport, width: int) -> list[Text]:
    top = report.top(TOP_IMAGES)
    with_bar = width >= WIDE_TOP
    fixed = 2 + 1 + 22 + 1 + 1 + 14 + 1 + 6 + 1 + 9
    name_width = max(width - fixed - (21 if with_bar else 0), 8)
    lines = [Text.assemble((f"Top {len(top)} images by holding cost", "bold"), end="")]
    lines.append(Text(f"{'#':>2} {'image':<22} {'name':<{name_width}} {'region':<14} "
                      f"{'GiB':>6} {'CNY/mo':>9}", style="bold", end=""))
    largest = max((h.per_month or 0.0 for h in top), default=0.0)
    for rank, holding in enumerate(top, 1):
        line = Text.assemble(
            f"{rank:>2} {holding.image_id:<22} ", cell(holding.image_name, name_width),
            " ", cell(holding.region_id, 14), f" {holding.snapshot_gib:>6,}",
            f" {_amount(holding.per_month, 9)}", end="")
        if with_bar:
            line.append(" " + bar(holding.per_month or 0.0, largest, 20))
        lines.append(line)
    return lines


def _savings(report: CostReport, marked: Collection[str]) -> list[Text]:
    found = report.savings(marked)
    if not marked:
        return [Text("Marked: none. Mark images (space, * every shown image) to see what "
                     "deleting them would save.", style="dim", end="")]
    if not found.images:
        return [Text(f"Marked: {plural(len(marked), 'image')}, none of them your own custom "
                     "image: deleting them saves nothing.", end="")]
    currency = report.currency
    them = "it" if found.images == 1 else "them"
    return [Text.assemble(
        ("Marked: ", "bold"), f"{plural(found.images, 'own custom image')}. Deleting {them} "
        "saves ", (_money(found.image_only, currency), marks.WARN),
        " (snapshots stay and are billed); deleting the snapshots too ",
        f"({found.freed_gib:,} GiB no other image holds) saves ",
        (_money(found.with_snapshots, currency), marks.GOOD), ".", end="")]


def dashboard_text(report: CostReport, marked: Collection[str], width: int,
                   account: str) -> Text:
    """The whole dashboard for a screen ``width`` cells wide."""
    weeks = report.created_per_week[-width:]
    since = iso(report.now - len(weeks) * SECONDS_PER_WEEK)[:10]
    lines: list[Text] = [
        Text.assemble(("Holding costs of ", "bold"), (sanitize(account), "bold"),
                      (": custom images in every region, a month of 730 h", "bold"), end=""),
        Text.assemble("Total ", (_money(report.per_month, report.currency), "bold"),
                      f" for {report.snapshot_gib:,} GiB of snapshots, "
                      f"{plural(len(report.images), 'image')} in "
                      f"{plural(len(report.regions), 'region')}", end=""),
        *([] if report.priced else [Text(f"Prices unknown: {report.unknown_why}", style="dim",
                                         end="")]),
        *([Text(f"Prices from {report.source}", style="dim", end="")] if report.source
          and report.per_month != 0 else []),
        *_savings(report, marked),
        Text.assemble(("Images created per week", "bold"),
                      f" since {since}: {sum(weeks)}, at most {max(weeks, default=0)} a week,"
                      " this week last", end=""),
        Text(sparkline(weeks), end=""),
        Text(""),
        *_groups("Per region", report.regions, width),
        Text(""),
        *_groups("Per family", report.families, width),
        Text(""),
        *_top_images(report, width),
    ]
    return Text("\n", end="").join(lines)


class CostView(Widget):
    """The dashboard's text, laid out for the width the widget has."""

    DEFAULT_CSS = "CostView { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: CostReport | None = None
        self.marked: frozenset[str] = frozenset()
        self.account = ""

    def text(self, width: int) -> Text:
        if self.report is None:
            return Text("Cost dashboard: loading…", style="dim", end="")
        return dashboard_text(self.report, self.marked, max(width, 40), self.account)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.text(width).wrap(self.app.console, max(width, 40)))

    def render(self) -> Text:
        return self.text(self.content_region.width)


class CostDashboard(Screen[None]):
    """Holding costs per region, family and image; what deleting the marked images saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
        Binding("ctrl+r", "reload", "Refresh"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
    ]
    DEFAULT_CSS = """
    CostDashboard #costs-body { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1;
                                scrollbar-gutter: stable; }
    """

    class ReportLoaded(Message):
        def __init__(self, report: CostReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, backend: Backend, marked: Collection[str]) -> None:
        super().__init__()
        self.backend = backend
        self.marked = frozenset(marked)
        self.report: CostReport | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="costs-body"):
            yield CostView(id="costs-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#costs-body").focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.load(self.backend)

    def action_scroll(self, direction: str) -> None:
        scroll_body(self.query_one("#costs-body", VerticalScroll), direction)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, backend: Backend) -> None:
        report = backend.cost_report()
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReportLoaded(report))

    def on_cost_dashboard_report_loaded(self, message: ReportLoaded) -> None:
        self.report = message.report
        self._show()

    def _show(self) -> None:
        session = self.backend.session
        view = self.query_one(CostView)
        view.account = f"{session.account_name or session.profile_name} ({session.account_id})"
        view.report = self.report
        view.marked = self.marked
        view.refresh(layout=True)
