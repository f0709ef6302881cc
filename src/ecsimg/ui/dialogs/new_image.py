"""A new custom image from an instance or from snapshots (CreateImage)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, RadioSet, Select, SelectionList, Static

from ecsimg.i18n import t
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import (
    ApiCall,
    FormProblem,
    describe_all,
    field_row,
    non_empty,
    parse_tags,
    tag_params,
)
from ecsimg.ui.text import sanitize
from ecsimg.ui.widgets.toggles import Choice, Picks


class NewImageDialog(ApiDialog[dict[str, list[dict[str, Any]]]]):
    """Source (an instance, or a system snapshot plus data snapshots), name, family and tags."""

    TITLE = "new.title"
    APPLY_LABEL = "new.apply"

    def compose_form(self) -> ComposeResult:
        with RadioSet(id="new-source"):
            yield Choice(t("new.from_instance"), value=True, id="new-from-instance")
            yield Choice(t("new.from_snapshots"), id="new-from-snapshots")
        yield field_row(t("new.instance"), Select[str]([], prompt=t("new.instance_prompt"),
                                                       id="new-instance"))
        yield field_row(t("new.system"), Select[str]([], prompt=t("new.system_prompt"),
                                                     id="new-system-snapshot"))
        yield Static(Text(t("new.data_hint"), style="dim"))
        yield Picks(id="new-data-snapshots")
        yield field_row(t("form.name"), Input(placeholder="ImageName", id="new-name"))
        yield field_row(t("form.description"), Input(id="new-description"))
        yield field_row(t("form.family"), Input(placeholder="ImageFamily", id="new-family"))
        yield field_row(t("form.tags"), Input(placeholder="env=prod, team=web", id="new-tags"))

    def fetch(self) -> dict[str, list[dict[str, Any]]]:
        region = {"RegionId": self.region_id}
        return {
            "instances": describe_all(self.backend, "DescribeInstances", region,
                                      "Instances", "Instance"),
            "snapshots": describe_all(self.backend, "DescribeSnapshots", region,
                                      "Snapshots", "Snapshot"),
        }

    def show_fetched(self, data: dict[str, list[dict[str, Any]]]) -> None:
        # Text, not str: a str label would be parsed as markup.
        instances = [(Text(f"{i['InstanceId']}  {sanitize(i.get('InstanceName', ''))}  "
                           f"{i.get('Status', '')}"), i["InstanceId"]) for i in data["instances"]]
        self.query_one("#new-instance", Select).set_options(instances)
        snapshots = data["snapshots"]
        system = [(self._label(s), s["SnapshotId"]) for s in snapshots
                  if str(s.get("SourceDiskType", "")).lower() == "system"]
        self.query_one("#new-system-snapshot", Select).set_options(system)
        data_list = self.query_one("#new-data-snapshots", SelectionList)
        data_list.clear_options()
        data_list.add_options([(self._label(s), s["SnapshotId"]) for s in snapshots
                               if str(s.get("SourceDiskType", "")).lower() == "data"])

    @staticmethod
    def _label(snapshot: dict[str, Any]) -> Text:
        name = sanitize(str(snapshot.get("SnapshotName", "")))
        return Text(f"{snapshot['SnapshotId']}  {snapshot.get('SourceDiskSize', '')} GiB  {name}")

    def _from_instance(self) -> bool:
        return self.query_one("#new-from-instance", Choice).value

    def planned_calls(self) -> list[ApiCall]:
        params = {"RegionId": self.region_id}
        if self._from_instance():
            instance = self.query_one("#new-instance", Select).value
            if not isinstance(instance, str):
                raise FormProblem(t("new.pick_instance"))
            params["InstanceId"] = instance
        else:
            system = self.query_one("#new-system-snapshot", Select).value
            if not isinstance(system, str):
                raise FormProblem(t("new.pick_system"))
            params.update({"DiskDeviceMapping.1.SnapshotId": system,
                           "DiskDeviceMapping.1.DiskType": "system"})
            data = self.query_one("#new-data-snapshots", SelectionList).selected
            for n, snapshot_id in enumerate(data, 2):
                params[f"DiskDeviceMapping.{n}.SnapshotId"] = str(snapshot_id)
                params[f"DiskDeviceMapping.{n}.DiskType"] = "data"
        params.update(non_empty(
            ImageName=self.query_one("#new-name", Input).value,
            Description=self.query_one("#new-description", Input).value,
            ImageFamily=self.query_one("#new-family", Input).value,
        ))
        params.update(tag_params(parse_tags(self.query_one("#new-tags", Input).value)))
        return [ApiCall("CreateImage", params)]

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        image_id = str(responses[-1].get("ImageId", ""))
        return DialogOutcome(message=t("new.done", image=image_id), focus_key=image_id or None)


@dialog("new_image")
def open_new_image(request: DialogRequest) -> DialogScreen:
    return NewImageDialog(request)
