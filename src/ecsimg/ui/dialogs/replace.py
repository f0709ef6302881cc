"""Replace an instance's system disk with the current image, showing which instances qualify."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from ecsimg.domain.errors import ApiError, DryRunOperation
from ecsimg.i18n import t
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.buy import BuyDialog
from ecsimg.ui.dialogs.confirm import mark_destructive, refuse_unconfirmed
from ecsimg.ui.dialogs.forms import (
    DRY_RUN,
    ApiCall,
    FormProblem,
    describe_all,
    error_text,
    field_row,
    non_empty,
)
from ecsimg.ui.text import safe, sanitize


@dataclass(frozen=True)
class Candidate:
    """One of the caller's instances and why it cannot take the image (None: it can)."""

    instance_id: str
    name: str
    status: str
    reason: ApiError | None


class ReplaceDialog(ApiDialog[list[Candidate]]):
    """Picks a qualifying instance; size, password or key pair; replaces on confirm."""

    TITLE = "replace.title"
    APPLY_LABEL = "replace.title"
    CONFIRM_FIELDS = frozenset({"replace-confirm"})

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        if current is not None:
            text = Text(t("replace.image"), end="")
            text.append(current.image_id, style="bold")
            text.append("  ")
            text.append_text(safe(current.name))
            text.append("\n" + t("replace.lost"), style=marks.WARN)
            yield Static(text)
        yield Static("", id="replace-candidates", classes="dialog-section")
        yield field_row(t("new.instance"), Select[str]([], prompt=t("replace.prompt"),
                                                       id="replace-instance"))
        yield field_row(t("replace.size"), Input(placeholder=t("replace.size_placeholder"),
                                                 id="replace-size"))
        yield field_row(t("replace.password"), Input(password=True, id="replace-password"))
        yield field_row(t("replace.key_pair"), Input(placeholder="KeyPairName (Linux)",
                                                     id="replace-key"))
        yield Static(Text(t("replace.type_id"), style="bold"), classes="dialog-section")
        yield field_row(t("delete.confirm"), Input(placeholder=t("replace.instance_id"),
                                                   id="replace-confirm"))

    def on_mount(self) -> None:
        # Textual runs the base class's on_mount too (handlers follow the class hierarchy).
        mark_destructive(self)

    @property
    def confirmation(self) -> str:
        """The instance ID the user must type (its disk's data is lost)."""
        instance = self.query_one("#replace-instance", Select).value
        return instance if isinstance(instance, str) else ""

    def ready_to_apply(self) -> bool:
        expected = self.confirmation
        typed = self.query_one("#replace-confirm", Input).value.strip()
        return bool(expected) and typed == expected

    def action_apply(self) -> None:
        if not refuse_unconfirmed(self, "replace-confirm", self.confirmation,
                                  t("replace.instance_id")):
            super().action_apply()

    def compose_buttons(self) -> ComposeResult:
        current = self.request.current
        if current is not None and current.product_code:
            read_only = self.backend.session.read_only
            yield Button(t("fee.buy", region=current.region_id)
                         + (t("fee.buy_read_only") if read_only else ""),
                         id="replace-buy", disabled=read_only)

    def fetch(self) -> list[Candidate]:
        current = self.request.current
        if current is None:
            return []
        instances = describe_all(self.backend, "DescribeInstances", {"RegionId": current.region_id},
                                 "Instances", "Instance")
        candidates = []
        for inst in instances:
            reason: ApiError | None = None
            try:
                self.backend.call("ReplaceSystemDisk", {
                    "RegionId": current.region_id, "InstanceId": inst["InstanceId"],
                    "ImageId": current.image_id, **DRY_RUN})
            except DryRunOperation:
                reason = None
            except ApiError as err:
                reason = err
            candidates.append(Candidate(inst["InstanceId"], str(inst.get("InstanceName", "")),
                                        str(inst.get("Status", "")), reason))
        return candidates

    def show_fetched(self, data: list[Candidate]) -> None:
        text = Text(t("replace.yours") + "\n", style="bold", end="")
        if not data:
            text.append(t("fees.none"), style="dim")
        for candidate in data:
            mark, style = ("✓", marks.GOOD) if candidate.reason is None else ("✗", marks.BAD)
            text.append(f"{mark} ", style=style)
            text.append(f"{candidate.instance_id}  ")
            text.append_text(safe(candidate.name))
            text.append(f"  {candidate.status}\n")
            if candidate.reason is not None:
                text.append("    ")
                text.append_text(error_text(candidate.reason))
                text.append("\n")
        text.rstrip()
        self.query_one("#replace-candidates", Static).update(text)
        qualifying = [(Text(f"{c.instance_id}  {sanitize(c.name)}"), c.instance_id)
                      for c in data if c.reason is None]
        select = self.query_one("#replace-instance", Select)
        select.set_options(qualifying)
        if len(qualifying) == 1:
            select.value = qualifying[0][1]

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem(t("replace.no_image"))
        instance = self.query_one("#replace-instance", Select).value
        if not isinstance(instance, str):
            raise FormProblem(t("replace.pick"))
        params = {"RegionId": current.region_id, "InstanceId": instance,
                  "ImageId": current.image_id}
        params.update(non_empty(**{
            "SystemDisk.Size": self.query_one("#replace-size", Input).value.strip(),
            "Password": self.query_one("#replace-password", Input).value,
            "KeyPairName": self.query_one("#replace-key", Input).value.strip(),
        }))
        return [ApiCall("ReplaceSystemDisk", params)]

    @on(Button.Pressed, "#replace-buy")
    def _buy(self) -> None:
        current = self.request.current
        if current is None:
            return
        self.app.push_screen(BuyDialog.for_row(self.request, current),
                             self._bought)

    def _bought(self, outcome: DialogOutcome | None) -> None:
        if outcome is not None:
            self.app.notify(outcome.message)
            self._fetch()  # a purchase turns QuotaExceed.BuyImage into a pass: check again

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        instance = self._calls[0].params["InstanceId"] if self._calls else ""
        return DialogOutcome(message=t("replace.done", instance=instance,
                                       disk=responses[-1].get("DiskId", "")))


@dialog("replace_disk")
def open_replace(request: DialogRequest) -> DialogScreen:
    return ReplaceDialog(request)
