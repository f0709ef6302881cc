"""Delete images, with a typed confirmation when forcing or deleting more than one."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Static

from ecsimg.i18n import t
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.confirm import mark_destructive, refuse_unconfirmed
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row
from ecsimg.ui.text import plural, safe
from ecsimg.ui.widgets.toggles import Tick


class DeleteDialog(ApiDialog[None]):
    """DeleteImage for each target; Force or several images need the ID or count typed."""

    TITLE = "delete.title"
    APPLY_LABEL = "delete.apply"
    CONFIRM_FIELDS = frozenset({"delete-confirm"})

    def compose_form(self) -> ComposeResult:
        text = Text(end="")
        for row in self.request.targets:
            text.append(f"{row.image_id}  ", style="bold")
            text.append_text(safe(row.name))
            text.append("\n")
        text.rstrip()
        yield Static(text, id="delete-images", classes="dialog-section")
        yield field_row(t("delete.force"), Tick(t("delete.force_hint"), id="delete-force"))
        yield Static("", id="delete-ask", classes="dialog-section")
        yield field_row(t("delete.confirm"), Input(id="delete-confirm"),
                        row_id="delete-confirm-row")

    def fetch(self) -> None:
        """Nothing to read: the form is built from the list rows."""
        return None

    @property
    def confirmation(self) -> str:
        """What must be typed: the image ID (one image with Force) or the count, or nothing."""
        targets = self.request.targets
        if len(targets) > 1:
            return str(len(targets))
        if targets and self.query_one("#delete-force", Checkbox).value:
            return targets[0].image_id
        return ""

    def form_changed(self) -> None:
        expected = self.confirmation
        ask = self.query_one("#delete-ask", Static)
        if expected:
            what = t("delete.count" if len(self.request.targets) > 1 else "delete.image_id")
            ask.update(Text(t("delete.type", what=what, expected=expected), style="bold"))
        else:
            ask.update("")
        ask.display = bool(expected)  # an empty line with its margin would look like a gap
        self.query_one("#delete-confirm-row").display = bool(expected)
        super().form_changed()

    def on_mount(self) -> None:
        # Textual runs the base class's on_mount too (handlers follow the class hierarchy).
        mark_destructive(self)

    def action_apply(self) -> None:
        what = t("delete.count" if len(self.request.targets) > 1 else "delete.image_id")
        if not refuse_unconfirmed(self, "delete-confirm", self.confirmation, what):
            super().action_apply()

    def ready_to_apply(self) -> bool:
        expected = self.confirmation
        return not expected or self.query_one("#delete-confirm", Input).value.strip() == expected

    def planned_calls(self) -> list[ApiCall]:
        targets = self.request.targets
        if not targets:
            raise FormProblem(t("delete.no_image"))
        force = self.query_one("#delete-force", Checkbox).value
        calls = []
        for row in targets:
            params = {"RegionId": row.region_id, "ImageId": row.image_id}
            if force:
                params["Force"] = "true"
            calls.append(ApiCall("DeleteImage", params))
        return calls

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        return DialogOutcome(message=t("delete.done", count=plural(len(responses), "image")),
                             clear_marks=True)


@dialog("delete")
def open_delete(request: DialogRequest) -> DialogScreen:
    return DeleteDialog(request)
