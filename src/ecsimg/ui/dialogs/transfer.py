"""Import an image from object storage and export one to it (ImportImage, ExportImage)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from ecsimg.domain.oss import bucket_problem, object_problem
from ecsimg.i18n import t
from ecsimg.service.backend import Buckets
from ecsimg.service.images.create import PLATFORMS
from ecsimg.service.images.transfer import EXPORT_FORMATS, IMPORT_FORMATS, LICENSE_TYPES
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, dialog
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, field_row, non_empty
from ecsimg.ui.text import sanitize


def _typed_names(dialog: ApiDialog[Buckets]) -> bool:
    """Whether the dialog takes typed bucket and object names (a real account), not picks."""
    return dialog.backend.session.cloud


def _typed(dialog: ApiDialog[Buckets], widget_id: str, label: str, check: Any) -> str:
    """A typed name, checked with the OSS naming rules; FormProblem names what is wrong."""
    value = dialog.query_one(f"#{widget_id}", Input).value.strip()
    problem = check(value)
    if problem:
        raise FormProblem(f"{label}: {problem}.")
    return value


def _options(values: list[str] | tuple[str, ...]) -> list[tuple[Text, str]]:
    # Text, not str: a str label would be parsed as markup.
    return [(Text(sanitize(value)), value) for value in values]


def _picked(select: Select[Any]) -> str:
    value = select.value
    return value if isinstance(value, str) else ""


class ImportDialog(ApiDialog[Buckets]):
    """Bucket and object, format, OS, architecture, platform, licence and name of an import."""

    TITLE = "import.title"
    APPLY_LABEL = "import.apply"
    buckets_where = ""
    """Where the buckets are, for the hint when none is picked."""

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self.objects: dict[str, list[str]] = {}

    def compose_form(self) -> ComposeResult:
        if _typed_names(self):
            yield Static(Text(t("oss.not_listed"), style="dim"), classes="dialog-section")
            yield field_row(t("oss.bucket"), Input(placeholder=t("oss.bucket_name"),
                                                   id="import-bucket-name"))
            yield field_row(t("oss.object"), Input(placeholder=t("oss.object_name"),
                                                   id="import-object-name"))
        else:
            yield field_row(t("oss.bucket"), Select[str]([], prompt=t("oss.bucket_prompt"),
                                                         id="import-bucket"))
            yield field_row(t("oss.object"), Select[str]([], prompt=t("oss.object_prompt"),
                                                         id="import-object"))
        yield field_row(t("oss.format"), Select[str](_options(IMPORT_FORMATS),
                                                     prompt=t("oss.auto_format"),
                                                     id="import-format"))
        yield field_row(t("import.os"), Select[str](_options(("linux", "windows")), value="linux",
                                              allow_blank=False, id="import-os"))
        yield field_row(t("import.arch"), Select[str](_options(("x86_64", "arm64", "i386")),
                                                    value="x86_64", allow_blank=False,
                                                    id="import-arch"))
        yield field_row(t("field.platform"), Select[str](_options(PLATFORMS), value="Aliyun",
                                                allow_blank=False, id="import-platform"))
        yield field_row(t("field.licence"), Select[str](_options(LICENSE_TYPES), value="Auto",
                                               allow_blank=False, id="import-license"))
        yield field_row(t("form.name"), Input(placeholder="ImageName", id="import-name"))

    def fetch(self) -> Buckets:
        return self.backend.buckets(self.region_id)

    def show_fetched(self, data: Buckets) -> None:
        self.buckets_where = data.where
        self.objects = data.objects
        if not _typed_names(self):
            self.query_one("#import-bucket", Select).set_options(_options(list(self.objects)))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "import-bucket":
            bucket = _picked(event.select)
            self.query_one("#import-object", Select).set_options(
                _options(self.objects.get(bucket, [])))

    def planned_calls(self) -> list[ApiCall]:
        if _typed_names(self):
            bucket = _typed(self, "import-bucket-name", t("oss.bucket"), bucket_problem)
            obj = _typed(self, "import-object-name", t("oss.object"), object_problem)
        else:
            bucket = _picked(self.query_one("#import-bucket", Select))
            obj = _picked(self.query_one("#import-object", Select))
        if not bucket or not obj:
            raise FormProblem(t("import.pick", where=self.buckets_where))
        params = {"RegionId": self.region_id,
                  "DiskDeviceMapping.1.OSSBucket": bucket,
                  "DiskDeviceMapping.1.OSSObject": obj}
        params.update(non_empty(**{
            "DiskDeviceMapping.1.Format": _picked(self.query_one("#import-format", Select)),
            "OSType": _picked(self.query_one("#import-os", Select)),
            "Architecture": _picked(self.query_one("#import-arch", Select)),
            "Platform": _picked(self.query_one("#import-platform", Select)),
            "LicenseType": _picked(self.query_one("#import-license", Select)),
            "ImageName": self.query_one("#import-name", Input).value,
        }))
        return [ApiCall("ImportImage", params)]

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        body = responses[-1]
        image_id = str(body.get("ImageId", ""))
        task_id = str(body.get("TaskId", ""))
        return DialogOutcome(message=t("import.done", image=image_id, task=task_id),
                             focus_key=image_id or None, task_ids=(task_id,) if task_id else ())


class ExportDialog(ApiDialog[Buckets]):
    """Bucket, prefix and format of an export of the current image."""

    TITLE = "export.title"
    APPLY_LABEL = "export.apply"
    buckets_where = ""
    """Where the buckets are, for the hint when none is picked."""

    def compose_form(self) -> ComposeResult:
        if _typed_names(self):
            yield Static(Text(t("oss.not_listed"), style="dim"), classes="dialog-section")
            yield field_row(t("oss.bucket"), Input(placeholder=t("oss.bucket_name"),
                                                   id="export-bucket-name"))
        else:
            yield field_row(t("oss.bucket"), Select[str]([], prompt=t("oss.bucket_prompt"),
                                                         id="export-bucket"))
        yield field_row(t("oss.prefix"), Input(placeholder=t("oss.prefix_placeholder"),
                                               id="export-prefix"))
        yield field_row(t("oss.format"), Select[str](_options(EXPORT_FORMATS), value="raw",
                                              allow_blank=False, id="export-format"))

    def fetch(self) -> Buckets:
        return self.backend.buckets(self.region_id)

    def show_fetched(self, data: Buckets) -> None:
        self.buckets_where = data.where
        if not _typed_names(self):
            self.query_one("#export-bucket", Select).set_options(_options(list(data.objects)))

    def planned_calls(self) -> list[ApiCall]:
        current = self.request.current
        if current is None:
            raise FormProblem(t("export.no_image"))
        if _typed_names(self):
            bucket = _typed(self, "export-bucket-name", t("oss.bucket"), bucket_problem)
        else:
            bucket = _picked(self.query_one("#export-bucket", Select))
        if not bucket:
            raise FormProblem(t("export.pick", where=self.buckets_where))
        params = {"RegionId": current.region_id, "ImageId": current.image_id,
                  "OSSBucket": bucket}
        params.update(non_empty(
            OSSPrefix=self.query_one("#export-prefix", Input).value,
            ImageFormat=_picked(self.query_one("#export-format", Select)),
        ))
        return [ApiCall("ExportImage", params)]

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        task_id = str(responses[-1].get("TaskId", ""))
        return DialogOutcome(message=t("export.done", task=task_id), reload=False,
                             task_ids=(task_id,) if task_id else ())


@dialog("import")
def open_import(request: DialogRequest) -> DialogScreen:
    return ImportDialog(request)


@dialog("export")
def open_export(request: DialogRequest) -> DialogScreen:
    return ExportDialog(request)
