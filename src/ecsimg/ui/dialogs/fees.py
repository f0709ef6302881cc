"""Fee preview: licence, snapshot and marketplace fees of a launch, and DescribePrice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from ecsimg import service
from ecsimg.domain.fees import FeePreview
from ecsimg.service.price import UNIT_HOURS, preview_image_fees
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, dialog
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.dialogs.buy import BuyDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row
from ecsimg.ui.text import safe


@dataclass(frozen=True)
class FeeResult:
    preview: FeePreview
    trade_price: float
    """DescribePrice's total: instance, disks and image fees."""


def _int(text: str) -> int | str:
    """The number typed, or the text itself so that the service names what is wrong."""
    try:
        return int(text.strip())
    except ValueError:
        return text


class FeePreviewDialog(Dialog):
    """Instance type, count and period in; licence, snapshot, marketplace lines and a total out."""

    TITLE = "Fee preview"
    MUTATING = False

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self._bought = ""

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        if current is not None:
            title = Text(f"{current.image_id}  ", style="bold", end="")
            title.append_text(safe(current.name))
            yield Static(title)
        yield field_row("Instance type", Select[str]([], prompt="instance type",
                                                     id="fee-type"))
        yield field_row("Count", Input("1", id="fee-count"))
        yield field_row("Period", Input("1", id="fee-period"),
                        Select[str]([(u, u) for u in UNIT_HOURS], value="Hour",
                                    allow_blank=False, id="fee-unit"))
        yield Static("", id="fee-lines", classes="dialog-section")

    def compose_buttons(self) -> ComposeResult:
        current = self.request.current
        if current is not None and current.image.product_code:
            yield Button(f"Buy one use in {current.region_id}", id="fee-buy")

    def fetch(self) -> list[tuple[str, str]]:
        body = service.call(self.ctx, "DescribeInstanceTypes", {})
        types = body["InstanceTypes"]["InstanceType"]
        return [(t["InstanceTypeId"], f"{t['InstanceTypeId']}  {t.get('CpuCoreCount', '')} vCPU "
                 f"{t.get('MemorySize', '')} GiB {t.get('CpuArchitecture', '')}") for t in types]

    def show_fetched(self, data: Any) -> None:
        select = self.query_one("#fee-type", Select)
        select.set_options([(label, type_id) for type_id, label in data])
        current = self.request.current
        wanted = "ARM" if current is not None and current.architecture == "arm64" else "X86"
        for type_id, label in data:
            if label.endswith(wanted):
                select.value = type_id
                break

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem("No image: put the cursor on an image.")
        instance_type = self.query_one("#fee-type", Select).value
        if not isinstance(instance_type, str):
            raise FormProblem("Pick an instance type.")
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
        body = service.call(self.ctx, "DescribePrice", params)
        current = self.request.current
        assert current is not None
        with self.ctx.repo.read() as view:
            preview = preview_image_fees(
                self.ctx, view, current.image, params["InstanceType"],
                int(_int(params["Amount"])), int(_int(params["Period"])), params["PriceUnit"])
        return FeeResult(preview, float(body["PriceInfo"]["Price"]["TradePrice"]))

    def show_computed(self, data: Any) -> None:
        lines = self.query_one("#fee-lines", Static)
        if not isinstance(data, FeeResult):
            lines.update("")
            return
        preview, currency = data.preview, data.preview.currency
        text = Text(end="")
        for line in preview.lines:
            text.append(f"{line.label:<18}", style="bold")
            text.append(f"{line.amount:>12,.2f} {currency}  ")
            text.append_text(safe(line.detail, style="dim"))
            text.append("\n")
        text.append(f"{'Image fees':<18}", style="bold")
        text.append(f"{preview.total:>12,.2f} {currency}\n", style="bold")
        text.append(f"{'DescribePrice':<18}{data.trade_price:>12,.2f} {currency}  "
                    "instance, disks and image\n")
        if preview.holding_per_month:
            text.append(f"{'Holding the image':<18}{preview.holding_per_month:>12,.2f} "
                        f"{currency} per month (snapshot storage)")
        text.rstrip()
        lines.update(text)

    @on(Button.Pressed, "#fee-buy")
    def _buy(self) -> None:
        current = self.request.current
        if current is None:
            return
        self.app.push_screen(BuyDialog(self.request, current.image_id, current.region_id,
                                       current.image.supplier_name or current.name),
                             self._bought_result)

    def _bought_result(self, outcome: DialogOutcome | None) -> None:
        if outcome is not None:
            self._bought = outcome.message
            self.app.notify(outcome.message)

    def action_cancel(self) -> None:
        self.dismiss(DialogOutcome(message=self._bought, reload=False) if self._bought else None)


@dialog("fee_preview")
def open_fee_preview(request: DialogRequest) -> Dialog:
    return FeePreviewDialog(request)
