"""Copy an image to another region (CopyImage)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from ecsimg.i18n import t
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row, non_empty
from ecsimg.ui.widgets.toggles import Tick


class CopyDialog(ApiDialog[list[tuple[str, str]]]):
    """Destination region, name, description and encryption of a copy."""

    TITLE = "copy.title"
    APPLY_LABEL = "copy.apply"

    def compose_form(self) -> ComposeResult:
        current = self.request.current
        if current is not None:
            yield field_row(t("form.image"), Input(current.image_id, disabled=True,
                                                   id="copy-source"))
        yield field_row(t("copy.to_region"), Select[str]([], prompt=t("copy.region_prompt"),
                                                 id="copy-region"))
        yield field_row(t("form.name"), Input(placeholder="DestinationImageName", id="copy-name"))
        yield field_row(t("form.description"), Input(id="copy-description"))
        yield field_row(t("copy.encrypted"), Tick(t("copy.encrypt"), id="copy-encrypted"))
        yield field_row("KMSKeyId", Input(placeholder=t("copy.kms_placeholder"),
                                          id="copy-kms"))

    def fetch(self) -> list[tuple[str, str]]:
        body = self.backend.call("DescribeRegions", {})
        return [(r["RegionId"], r.get("LocalName", "")) for r in body["Regions"]["Region"]]

    def show_fetched(self, data: list[tuple[str, str]]) -> None:
        options = [(f"{region_id}  {name}", region_id) for region_id, name in data
                   if region_id != self.region_id]
        self.query_one("#copy-region", Select).set_options(options)

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem(t("copy.no_image"))
        region = self.query_one("#copy-region", Select).value
        if not isinstance(region, str):
            raise FormProblem(t("copy.pick_region"))
        encrypted = self.query_one("#copy-encrypted", Checkbox).value
        params = {"RegionId": current.region_id, "ImageId": current.image_id,
                  "DestinationRegionId": region}
        params.update(non_empty(
            DestinationImageName=self.query_one("#copy-name", Input).value,
            DestinationDescription=self.query_one("#copy-description", Input).value,
            Encrypted="true" if encrypted else "",
            KMSKeyId=self.query_one("#copy-kms", Input).value.strip(),
        ))
        return [ApiCall("CopyImage", params)]

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        new_id = responses[-1].get("ImageId", "")
        region = self._calls[0].params["DestinationRegionId"] if self._calls else ""
        return DialogOutcome(message=t("copy.done", region=region, image=new_id))


@dialog("copy")
def open_copy(request: DialogRequest) -> DialogScreen:
    return CopyDialog(request)
