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
from ecsimg.domain.costs import NO_FAMILY, SECONDS_PER_WEEK, CostReport, Group
from ecsimg.i18n import t
from ecsimg.service.backend import Backend
from ecsimg.ui import marks
from ecsimg.ui.text import cell, currency_name, pad, plural, right, sanitize
from ecsimg.ui.widgets.details import unknown_reason
from ecsimg.ui.widgets.scrolling import scroll_body
from ecsimg.ui.wording import localize_bindings

NAME_WIDTH = 18
TOP_IMAGES = 10
WIDE_TOP = 100
"""From this width the top images get a bar too."""


def bar(value: float, largest: float, width: int) -> str:
    """A horizontal bar of ``width`` cells, full for ``largest``, in eighths of a cell."""
    if width <= 0:
        return ""
    eighths_glyphs = t("glyph.eighths")
    eighths = round(8 * width * value / largest) if largest > 0 else 0
    full, part = divmod(max(0, min(eighths, 8 * width)), 8)
    text = eighths_glyphs[8] * full + (eighths_glyphs[part] if part else "")
    return text.ljust(width)


def sparkline(counts: tuple[int, ...]) -> str:
    """One character per count: the lowest block for none, the full block for the largest."""
    sparks = t("glyph.sparks")
    largest = max(counts, default=0)
    if largest == 0:
        return sparks[0] * len(counts)
    return "".join(sparks[0] if n == 0 else sparks[1 + (n * 7 - 1) // largest]
                   for n in counts)


def _money(amount: float | None, currency: str) -> str:
    if amount is None:
        return t("fees.price_unknown")
    return t("costs.money", amount=amount, currency=currency_name(currency))


def _amount(amount: float | None, width: int) -> str:
    """A column's figure, ``-`` when its price is unknown (never 0)."""
    return f"{'-':>{width}}" if amount is None else f"{amount:>{width},.2f}"


def _groups(title: str, groups: tuple[Group, ...], width: int) -> list[Text]:
    """A section of bars: name, bar, CNY/mo, GiB, images."""
    numbers = 10 + 1 + 7 + 1 + 5
    bar_width = max(width - NAME_WIDTH - 1 - 1 - numbers, 8)
    lines = [Text.assemble((pad(title, NAME_WIDTH + 1 + bar_width), "bold"),
                           (f" {right(t('col.cost'), 10)} {'GiB':>7} "
                            f"{right(t('costs.imgs'), 5)}", "bold"), end="")]
    largest = max((g.per_month or 0.0 for g in groups), default=0.0)
    for group in groups:
        lines.append(Text.assemble(
            cell(t("costs.no_family") if group.name == NO_FAMILY else group.name, NAME_WIDTH),
            " ", bar(group.per_month or 0.0, largest, bar_width),
            f" {_amount(group.per_month, 10)} {group.snapshot_gib:>7,} {group.images:>5,}",
            end=""))
    if not groups:
        lines.append(Text("  " + t("fees.none"), style="dim", end=""))
    return lines


def _top_images(report: CostReport, width: int) -> list[Text]:
    top = report.top(TOP_IMAGES)
    with_bar = width >= WIDE_TOP
    fixed = 2 + 1 + 22 + 1 + 1 + 14 + 1 + 6 + 1 + 9
    name_width = max(width - fixed - (21 if with_bar else 0), 8)
    lines = [Text.assemble((t("costs.top", count=len(top)), "bold"), end="")]
    lines.append(Text(f"{'#':>2} {pad(t('ids.image'), 22)} {pad(t('costs.name'), name_width)} "
                      f"{pad(t('costs.region'), 14)} {'GiB':>6} {right(t('col.cost'), 9)}",
                      style="bold", end=""))
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
        return [Text(t("costs.marked_none"), style="dim", end="")]
    if not found.images:
        return [Text(t("costs.marked_not_own", count=plural(len(marked), "image")), end="")]
    currency = report.currency
    them = t("costs.it" if found.images == 1 else "costs.them")
    return [Text.assemble(
        (t("costs.marked"), "bold"),
        t("costs.deleting", count=plural(found.images, "own custom image"), them=them),
        (_money(found.image_only, currency), marks.WARN),
        t("costs.snapshots_too", gib=found.freed_gib),
        (_money(found.with_snapshots, currency), marks.GOOD), t("costs.end"), end="")]


def _around(message: str, value: str) -> tuple[str, str, str]:
    """The message's text before and after the NUL standing for ``value``, and ``value``."""
    before, _, after = message.partition("\0")
    return before, value, after


def dashboard_text(report: CostReport, marked: Collection[str], width: int,
                   account: str) -> Text:
    """The whole dashboard for a screen ``width`` cells wide."""
    weeks = report.created_per_week[-width:]
    since = iso(report.now - len(weeks) * SECONDS_PER_WEEK)[:10]
    lines: list[Text] = [
        Text.assemble(*((part, "bold") for part in _around(t("costs.title", account="\0"),
                                                           sanitize(account))), end=""),
        Text.assemble(t("costs.total"), (_money(report.per_month, report.currency), "bold"),
                      t("costs.total_for", gib=report.snapshot_gib,
                        images=plural(len(report.images), "image"),
                        regions=plural(len(report.regions), "region")), end=""),
        *([] if report.priced else [Text(t("costs.unknown", why=unknown_reason(report.unknown_why)),
                                         style="dim", end="")]),
        *([Text(t("costs.source", source=report.source), style="dim", end="")]
          if report.source and report.per_month != 0 else []),
        *_savings(report, marked),
        Text.assemble((t("costs.per_week"), "bold"),
                      t("costs.per_week_since", since=since, total=sum(weeks),
                        most=max(weeks, default=0)), end=""),
        Text(sparkline(weeks), end=""),
        Text(""),
        *_groups(t("costs.per_region"), report.regions, width),
        Text(""),
        *_groups(t("costs.per_family"), report.families, width),
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
            return Text(t("costs.loading"), style="dim", end="")
        return dashboard_text(self.report, self.marked, max(width, 40), self.account)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.text(width).wrap(self.app.console, max(width, 40)))

    def render(self) -> Text:
        return self.text(self.content_region.width)


class CostDashboard(Screen[None]):
    """Holding costs per region, family and image; what deleting the marked images saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "binding.back"),
        Binding("q", "app.pop_screen", "binding.back", show=False),
        Binding("ctrl+r", "reload", "key.refresh.label"),
        Binding("j,down", "scroll('down')", "list.down", show=False),
        Binding("k,up", "scroll('up')", "list.up", show=False),
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
        localize_bindings(self)
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
