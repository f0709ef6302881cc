"""Buy uses of a marketplace image in a region (``ecsimg market buy``)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.service.machinery.command_line import market_buy_command
from ecsimg.service.market.purchases import BUY_ACTION
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import field_row
from ecsimg.ui.text import safe


class BuyDialog(ApiDialog[None]):
    """Confirms a purchase: one purchase covers one instance in one region (Rule 114)."""

    TITLE = "buy.title"
    APPLY_LABEL = "buy.apply"

    def __init__(self, request: DialogRequest, image_id: str, region_id: str,
                 product_name: str = "") -> None:
        super().__init__(request)
        self.image_id = image_id
        self.buy_region_id = region_id
        self.product_name = product_name

    @classmethod
    def for_row(cls, request: DialogRequest, row: ImageRow) -> BuyDialog:
        """Buy uses of the product behind the list row's image, in the image's region."""
        return cls(request, row.image_id, row.region_id, row.image.supplier_name or row.name)

    def compose_form(self) -> ComposeResult:
        text = Text(t("buy.one_use"), end="")
        text.append_text(safe(self.product_name or self.image_id, style="bold"))
        text.append(t("buy.covers", region=self.buy_region_id))
        yield Static(text, classes="dialog-section")
        yield field_row(t("buy.amount"), Input("1", id="buy-amount"))

    def fetch(self) -> None:
        """Nothing to read: the image and the region were given."""
        return None

    def form_changed(self) -> None:
        """Show the ``market buy`` command for the amount; Apply is ready at once."""
        # The amount is checked when buying: the form has nothing else to check.
        amount = self.query_one("#buy-amount", Input).value.strip()
        command = market_buy_command(self.image_id, self.buy_region_id, amount)
        self.query_one("#dialog-command", Static).update(
            Text("$ ", style="dim", end="") + safe(command))
        self._valid = True
        self.set_error(Text(""))
        self.refresh_apply()

    def start_apply(self) -> None:
        self._buy(self.query_one("#buy-amount", Input).value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-apply")
    def _buy(self, amount: str) -> None:
        try:
            body = self.backend.call(BUY_ACTION, {"ImageId": self.image_id,
                                                  "RegionId": self.buy_region_id,
                                                  "Amount": amount})
        except ApiError as err:
            self.post_message(self.Applied([], err))
            return
        self.post_message(self.Applied([body], None))

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        bought = len(responses[-1].get("PurchaseIds", []))
        return DialogOutcome(message=t("buy.bought", count=bought, image=self.image_id,
                                       region=self.buy_region_id), reload=False)
