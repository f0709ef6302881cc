"""Edit an image's name, description and family, and deprecate or restore it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from ecsimg.domain import models as m
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, dialog
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row
from ecsimg.ui.text import safe

STATUS_CHOICES = ((m.AVAILABLE, "Available (restore)"), (m.DEPRECATED, "Deprecated"))


class EditDialog(Dialog):
    """ModifyImageAttribute with the fields that changed; tags are listed (no API sets them)."""

    TITLE = "Edit image"
    APPLY_LABEL = "Save"

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        image = current.image if current is not None else None
        status = image.status if image is not None else m.AVAILABLE
        yield field_row("Name", Input(image.image_name if image else "", id="edit-name"))
        yield field_row("Description", Input(image.description if image else "",
                                             id="edit-description"))
        yield field_row("Family", Input(image.image_family if image else "", id="edit-family"))
        yield field_row("Status", Select[str](
            [(label, value) for value, label in STATUS_CHOICES],
            value=status if status in (m.AVAILABLE, m.DEPRECATED) else m.AVAILABLE,
            allow_blank=False, id="edit-status"))
        tags = Text("Tags: ", style="dim", end="")
        if image is not None and image.tags:
            for tag in image.tags:
                tags.append_text(safe(f"{tag.key}={tag.value}  "))
        else:
            tags.append("none", style="dim")
        tags.append("\n(tags are set when an image is created, imported or copied)",
                    style="dim")
        yield Static(tags, id="edit-tags", classes="dialog-section")

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem("No image: put the cursor on the image to edit.")
        image = current.image
        params = {"RegionId": image.region_id, "ImageId": image.image_id}
        name = self.query_one("#edit-name", Input).value
        description = self.query_one("#edit-description", Input).value
        family = self.query_one("#edit-family", Input).value
        status = self.query_one("#edit-status", Select).value
        if name != image.image_name:
            params["ImageName"] = name
        if description != image.description:
            params["Description"] = description
        if family != image.image_family:
            params["ImageFamily"] = family
        if isinstance(status, str) and status != image.status:
            params["Status"] = status
        if len(params) == 2:
            return []
        return [ApiCall("ModifyImageAttribute", params)]

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        current = self.request.current
        return DialogOutcome(message="Image updated",
                             focus_key=current.key if current is not None else None)


@dialog("edit")
def open_edit(request: DialogRequest) -> Dialog:
    return EditDialog(request)
