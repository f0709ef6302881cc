"""Fee preview: licence, snapshot and marketplace fees of a launch, and DescribePrice."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from ecsimg.domain.fees import (
    LICENCE,
    MARKETPLACE,
    SNAPSHOT_STORAGE,
    FeePreview,
    add_known,
    source_of,
    unknown_why,
)
from ecsimg.domain.models import PriceBook
from ecsimg.i18n import t
from ecsimg.service.market.price import UNIT_HOURS
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.buy import BuyDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row
from ecsimg.ui.dialogs.preview import PreviewDialog
from ecsimg.ui.text import Hanging, currency_name, pad, safe
from ecsimg.ui.widgets.details import book_source, fee_detail, unknown_reason

LABEL_WIDTH = 18
AMOUNT_WIDTH = 12
DETAIL_INDENT = LABEL_WIDTH + AMOUNT_WIDTH + len(" CNY  ")
"""Where a fee line's wrapped detail continues: under the detail, not under the label."""
_LINE_LABELS = {LICENCE: "fee.licence", SNAPSHOT_STORAGE: "fee.snapshot_storage",
                MARKETPLACE: "fee.marketplace"}
"""The domain's fee line labels and their message ids."""


@dataclass(frozen=True)
class FeeData:
    """What the dialog reads once: instance types and the holding cost of every region."""

    instance_types: list[tuple[str, str]]
    """(instance type id, label)."""
    holding_per_region: dict[str, float | None]
    """CNY per month of the caller's custom images' snapshots, by region."""
    book: PriceBook = field(default_factory=PriceBook)
    """The book the figures come from: what names a user's book or says why one is unknown."""


@dataclass(frozen=True)
class FeeResult:
    preview: FeePreview
    trade_price: float
    """DescribePrice's total: instance, disks and image fees."""
    period: str = ""
    """The period priced, in words: ``1 Month (730 h)``."""


def _count(text: str) -> int:
    """A number DescribePrice accepted: empty means 1, as the service (and the CLI's
    ``--Amount ''``) take it."""
    return int(text.strip()) if text.strip() else 1


class FeePreviewDialog(PreviewDialog[FeeData, FeeResult]):
    """Instance type, count and period in; licence, snapshot, marketplace lines and a total out."""

    TITLE = "fee.title"

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self._bought = ""

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        if current is not None:
            title = Text(f"{current.image_id}  ", style="bold", end="")
            title.append_text(safe(current.name))
            yield Static(title)
        yield field_row(t("fee.instance_type"), Select[str]([], prompt=t("fee.type_prompt"),
                                                            id="fee-type"))
        yield field_row(t("fee.count"), Input("1", id="fee-count"))
        yield field_row(t("fee.period"), Input("1", id="fee-period"),
                        Select[str]([(t(f"unit.{u}"), u) for u in UNIT_HOURS], value="Hour",
                                    allow_blank=False, id="fee-unit"))
        yield Static("", id="fee-lines", classes="dialog-section")
        yield Static("", id="fee-holding", classes="dialog-section")

    def compose_buttons(self) -> ComposeResult:
        current = self.request.current
        if current is not None and current.product_code:
            read_only = self.backend.session.read_only
            yield Button(t("fee.buy", region=current.region_id)
                         + (t("fee.buy_read_only") if read_only else ""),
                         id="fee-buy", disabled=read_only)

    def fetch(self) -> FeeData:
        body = self.backend.call("DescribeInstanceTypes", {})
        types = body["InstanceTypes"]["InstanceType"]
        holding = self.backend.holding_costs()
        return FeeData(
            [(t["InstanceTypeId"], f"{t['InstanceTypeId']}  {t.get('CpuCoreCount', '')} vCPU "
              f"{t.get('MemorySize', '')} GiB {t.get('CpuArchitecture', '')}") for t in types],
            holding, self.backend.price_book())

    def show_fetched(self, data: FeeData) -> None:
        self._show_holding(data.holding_per_region, data.book)
        select = self.query_one("#fee-type", Select)
        select.set_options([(label, type_id) for type_id, label in data.instance_types])
        current = self.request.current
        wanted = "ARM" if current is not None and current.architecture == "arm64" else "X86"
        for type_id, label in data.instance_types:
            if label.endswith(wanted):
                select.value = type_id
                break

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem(t("fee.no_image"))
        instance_type = self.query_one("#fee-type", Select).value
        if not isinstance(instance_type, str):
            raise FormProblem(t("fee.pick_type"))
        unit = self.query_one("#fee-unit", Select).value
        return [ApiCall("DescribePrice", {
            "RegionId": current.region_id, "ImageId": current.image_id,
            "InstanceType": instance_type,
            "Amount": self.query_one("#fee-count", Input).value.strip(),
            "Period": self.query_one("#fee-period", Input).value.strip(),
            "PriceUnit": unit if isinstance(unit, str) else "Hour",
        })]

    def compute(self, calls: list[ApiCall]) -> FeeResult:
        params = calls[0].params
        # DescribePrice checks every field with the service's rules before the preview runs.
        body = self.backend.call("DescribePrice", params)
        current = self.request.current
        assert current is not None
        period = _count(params["Period"])
        preview = self.backend.fee_preview(
            current.image, params["InstanceType"], _count(params["Amount"]), period,
            params["PriceUnit"])
        hours = UNIT_HOURS[params["PriceUnit"]] * period
        return FeeResult(preview, float(body["PriceInfo"]["Price"]["TradePrice"]),
                         t("fee.period_words", count=period,
                           unit=t(f"unit.{params['PriceUnit']}"), hours=hours))

    def show_computed(self, result: FeeResult | None) -> None:
        lines = self.query_one("#fee-lines", Static)
        if result is None:
            lines.update("")
            return
        preview, currency = result.preview, currency_name(result.preview.currency)
        period = result.period
        text = Hanging()
        for line in preview.lines:
            label = t(_LINE_LABELS[line.label]) if line.label in _LINE_LABELS else line.label
            fee = Text(pad(label, LABEL_WIDTH), style="bold", end="")
            fee.append(f"{_amount(line.amount, currency)}  ")
            fee.append_text(safe((t("fee.one_time_prefix") if line.one_time
                                  else t("fee.for_period", period=period))
                                 + fee_detail(line.how, line.values, line.detail),
                                 style="italic"))
            text.add(fee, DETAIL_INDENT)
        total = Text(pad(t("fee.image_fees"), LABEL_WIDTH), style="bold", end="")
        total.append(_amount(preview.recurring, currency), style="bold")
        total.append(t("fee.total_for", period=period))
        text.add(total, DETAIL_INDENT)
        if preview.one_time:
            once = Text(pad(t("fee.one_time"), LABEL_WIDTH), style="bold", end="")
            once.append(_amount(preview.one_time, currency), style="bold")
            once.append(t("fee.once_note"))
            text.add(once, DETAIL_INDENT)
        text.add(f"{'DescribePrice':<{LABEL_WIDTH}}{result.trade_price:>{AMOUNT_WIDTH},.2f} "
                 f"{currency}{t('fee.describe_price_note')}",
                 DETAIL_INDENT)
        if preview.holding_per_month != 0.0:
            text.add(pad(t("fee.holding"), LABEL_WIDTH)
                     + f"{_amount(preview.holding_per_month, currency)}"
                     + t("fee.holding_note"), DETAIL_INDENT)
        lines.update(text)

    def _show_holding(self, per_region: dict[str, float | None], book: PriceBook) -> None:
        """The monthly cost of holding all the caller's custom images, region by region."""
        text = Hanging()
        text.add(Text(t("fee.holding_all"), style="bold", end=""))
        held = {region: cost for region, cost in sorted(per_region.items()) if cost != 0.0}
        for region_id, cost in held.items():
            text.add(f"{region_id:<{LABEL_WIDTH}}{_amount(cost, currency_name('CNY'))}")
        if held:
            total = Text(pad(t("fee.all_regions"), LABEL_WIDTH), style="bold", end="")
            total.append(_amount(add_known(held.values()), currency_name("CNY")), style="bold")
            text.add(total)
            if None in held.values():
                why = unknown_reason(unknown_why(book))
                text.add(Text(t("fees.unknown_why", why=why), style="dim", end=""))
            if source_of(book) and any(cost is not None for cost in held.values()):
                text.add(Text(t("fees.prices_from", source=book_source(book)), style="dim",
                              end=""))
        else:
            text.add(Text(t("fee.no_custom"), style="dim", end=""))
        self.query_one("#fee-holding", Static).update(text)

    @on(Button.Pressed, "#fee-buy")
    def _buy(self) -> None:
        current = self.request.current
        if current is None:
            return
        self.app.push_screen(BuyDialog.for_row(self.request, current),
                             self._bought_result)

    def _bought_result(self, outcome: DialogOutcome | None) -> None:
        if outcome is not None:
            self._bought = outcome.message
            self.app.notify(outcome.message)

    def action_cancel(self) -> None:
        self.dismiss(DialogOutcome(message=self._bought, reload=False) if self._bought else None)


@dialog("fee_preview")
def open_fee_preview(request: DialogRequest) -> DialogScreen:
    return FeePreviewDialog(request)


def _amount(amount: float | None, currency: str) -> str:
    """A figure in the dialog's column, or ``price unknown`` (never 0) when the book lacks it."""
    if amount is None:
        unknown = t("fees.price_unknown")
        return " " * max(AMOUNT_WIDTH + 1 + cell_len(currency) - cell_len(unknown), 0) + unknown
    return f"{amount:>{AMOUNT_WIDTH},.2f} {currency}"
