"""Edit an image's name, description, family and tags, and deprecate or restore it.

The fields show the stored text sanitised, since an Input writes its value to the terminal as
it is; a field left as shown keeps the stored value (control characters and all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from ecsimg.domain import models as m
from ecsimg.i18n import t
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row, parse_tags, tag_params
from ecsimg.ui.text import safe, sanitize

STATUS_CHOICES = ((m.AVAILABLE, "edit.restore"), (m.DEPRECATED, "status.Deprecated"))
"""Status and the message id of its choice."""


def tags_field(tags: tuple[m.Tag, ...]) -> str:
    """Tags as the Tags field shows them: ``key=value, key=value``."""
    return ", ".join(f"{sanitize(tag.key)}={sanitize(tag.value)}" for tag in tags)


@dataclass(frozen=True)
class TagDiff:
    """What saving the Tags field changes: keys set (new or with a new value) and removed."""

    set_tags: tuple[tuple[str, str], ...]
    removed_keys: tuple[str, ...]

    def calls(self, region_id: str, image_id: str) -> list[ApiCall]:
        """UntagResources first, so a full image has room for the tags set after it."""
        target = {"RegionId": region_id, "ResourceType": "image", "ResourceId.1": image_id}
        calls = []
        if self.removed_keys:
            calls.append(ApiCall("UntagResources", {**target, **{
                f"TagKey.{n}": key for n, key in enumerate(self.removed_keys, 1)}}))
        if self.set_tags:
            calls.append(ApiCall("TagResources", {**target, **tag_params(self.set_tags)}))
        return calls


def tag_diff(current: tuple[m.Tag, ...], wanted: list[tuple[str, str]]) -> TagDiff:
    """The change from the image's tags to the field's (a repeated key is left for the API).

    The field shows keys and values sanitised: a key as shown stands for the stored key.
    """
    shown = {sanitize(tag.key): tag for tag in current}
    wanted_keys = {key for key, _ in wanted}
    set_tags = []
    for key, value in wanted:
        tag = shown.get(key)
        if tag is None:
            set_tags.append((key, value))
        elif sanitize(tag.value) != value:
            set_tags.append((tag.key, value))
    return TagDiff(
        set_tags=tuple(set_tags),
        removed_keys=tuple(tag.key for key, tag in shown.items() if key not in wanted_keys),
    )


class EditDialog(ApiDialog[None]):
    """ModifyImageAttribute with the fields that changed; TagResources and UntagResources."""

    TITLE = "edit.title"
    APPLY_LABEL = "edit.apply"

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        image = current.image if current is not None else None
        status = image.status if image is not None else m.AVAILABLE
        yield field_row(t("form.name"), Input(sanitize(image.image_name) if image else "",
                                      id="edit-name"))
        yield field_row(t("form.description"), Input(sanitize(image.description) if image else "",
                                             id="edit-description"))
        yield field_row(t("form.family"), Input(sanitize(image.image_family) if image else "",
                                        id="edit-family"))
        yield field_row(t("form.status"), Select[str](
            [(t(label), value) for value, label in STATUS_CHOICES],
            value=status if status in (m.AVAILABLE, m.DEPRECATED) else m.AVAILABLE,
            allow_blank=False, id="edit-status"))
        yield field_row(t("form.tags"), Input(tags_field(image.tags) if image else "",
                                      placeholder="key=value, key=value", id="edit-tags"))
        yield Static(Text(t("edit.tags_hint"), style="dim"), id="edit-tags-hint")
        yield Static("", id="edit-tags-diff")

    def fetch(self) -> None:
        """Nothing to read: the form is built from the list rows."""
        return None

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem(t("edit.no_image"))
        if current.kind != "custom":
            raise FormProblem(t("edit.not_custom", kind=t(f"kind.{current.kind}")))
        image = current.image
        params = {"RegionId": image.region_id, "ImageId": image.image_id}
        name = self.query_one("#edit-name", Input).value
        description = self.query_one("#edit-description", Input).value
        family = self.query_one("#edit-family", Input).value
        status = self.query_one("#edit-status", Select).value
        if name != sanitize(image.image_name):
            params["ImageName"] = name
        if description != sanitize(image.description):
            params["Description"] = description
        if family != sanitize(image.image_family):
            params["ImageFamily"] = family
        if isinstance(status, str) and status != image.status:
            params["Status"] = status
        calls = [ApiCall("ModifyImageAttribute", params)] if len(params) > 2 else []
        diff = tag_diff(image.tags, parse_tags(self.query_one("#edit-tags", Input).value))
        self._show_tag_diff(diff)
        return calls + diff.calls(image.region_id, image.image_id)

    def _show_tag_diff(self, diff: TagDiff) -> None:
        text = Text(end="")
        if diff.set_tags or diff.removed_keys:
            text.append(t("edit.tag_change"), style="bold")
        for key, value in diff.set_tags:
            text.append_text(safe(f"+{key}={value} ", style=marks.GOOD))
        for key in diff.removed_keys:
            text.append_text(safe(f"-{key} ", style=marks.BAD))
        widget = self.query_one("#edit-tags-diff", Static)
        widget.update(text)
        widget.display = bool(text.plain)

    def call_note(self, calls: Sequence[ApiCall]) -> str:
        if len(calls) > 1:
            return t("form.calls_in_order", count=len(calls))
        return ""

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        current = self.request.current
        return DialogOutcome(message=t("edit.done"),
                             focus_key=current.key if current is not None else None)


@dialog("edit")
def open_edit(request: DialogRequest) -> DialogScreen:
    return EditDialog(request)
