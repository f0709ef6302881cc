"""The export dialog: the marked images, else the list's, written to a CSV or JSON file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ecsimg.i18n import t
from ecsimg.service.backend import Backend
from ecsimg.service.reads.export_file import ExportError, FileExists, format_of, render, write_file
from ecsimg.service.reads.image_rows import ImageRow
from ecsimg.service.reads.row_table import columns_of
from ecsimg.ui import marks
from ecsimg.ui.text import plural, safe
from ecsimg.ui.wording import localize_bindings


def default_name(region_id: str) -> str:
    return f"images-{region_id}.json"


class ExportDialog(ModalScreen[None]):
    """Names the file; refuses to replace one until ctrl+s is pressed again for it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "binding.close"),
        Binding("ctrl+s", "write", "write.write"),
    ]
    DEFAULT_CSS = """
    ExportDialog { align: center middle; background: $background 60%; }
    ExportDialog > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                              border: round $accent; background: $surface; padding: 0 1; }
    ExportDialog #export-path { border: none; height: 1; padding: 0 1; margin: 1 0 0 0; }
    ExportDialog #export-target, ExportDialog #export-error { height: auto; }
    ExportDialog Horizontal { height: auto; margin-top: 1; }
    ExportDialog Button { margin-right: 2; }
    """

    class Written(Message):
        """The worker wrote the file (``error`` empty), or says why it did not."""

        def __init__(self, path: Path, count: int, error: ExportError | None) -> None:
            super().__init__()
            self.path = path
            self.count = count
            self.error = error

    def __init__(self, backend: Backend, marked: Sequence[ImageRow],
                 shown: Sequence[ImageRow]) -> None:
        super().__init__()
        localize_bindings(self)
        self.backend = backend
        self.rows = marked or shown
        self.what = (t("write.marked", count=plural(len(marked), "marked image")) if marked
                     else t("write.shown", count=plural(len(shown), "image")))
        self._replace: Path | None = None
        """The file the user agreed to replace (ctrl+s pressed again on its name)."""
        self._writing = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble((t("write.title"), "bold"), self.what, end=""))
            yield Input(default_name(self.backend.session.region_id), id="export-path",
                        placeholder=t("write.placeholder"))
            yield Static("", id="export-target")
            yield Static("", id="export-error")
            with Horizontal():
                yield Button(t("write.write"), id="write", variant="primary")
                yield Button(t("dialog.cancel"), id="cancel")
                yield Static(Text(t("write.keys"), style="dim"))

    def on_mount(self) -> None:
        self._describe()

    @property
    def path(self) -> Path:
        return Path(self.query_one("#export-path", Input).value.strip()).expanduser()

    @on(Input.Changed, "#export-path")
    def _describe(self) -> None:
        self._replace = None
        target = self.query_one("#export-target", Static)
        self.query_one("#export-error", Static).update("")
        try:
            kind = format_of(self.path)
        except ExportError as err:
            target.update(safe(str(err), marks.WARN))
            return
        shape = t("write.json_shape" if kind == "JSON" else "write.csv_shape")
        target.update(Text.assemble(t("write.target", kind=kind, shape=shape),
                                    (str(self.path.absolute()), "bold"), end=""))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        if self._writing or not self.rows:
            if not self.rows:
                self._error(t("write.empty"))
            return
        path = self.path
        try:
            format_of(path)
        except ExportError as err:
            self._error(str(err))
            return
        self._writing = True
        self.query_one("#export-error", Static).update(Text(t("write.writing"), style="dim"))
        self.write(path, columns_of(self.rows, "key"), overwrite=self._replace == path)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(
            Text.assemble((t("write.not_written"), "bold reverse"), " ", safe(message, marks.BAD),
                          end=""))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def write(self, path: Path, keys: list[str], overwrite: bool) -> None:
        records = self.backend.image_records(keys)
        try:
            write_file(path, render(records, path), overwrite=overwrite)
        except ExportError as err:
            self.post_message(self.Written(path, len(records), err))
            return
        self.post_message(self.Written(path, len(records), None))

    def on_export_dialog_written(self, message: Written) -> None:
        self._writing = False
        if isinstance(message.error, FileExists):
            self._replace = message.path
            self.query_one("#export-error", Static).update(Text.assemble(
                (t("write.exists"), "bold reverse"), " ", safe(str(message.error), marks.WARN),
                t("write.replace"), end=""))
            return
        if message.error is not None:
            self._error(str(message.error))
            return
        self.app.notify(t("write.done", count=plural(message.count, "image"),
                          path=message.path.absolute()),
                        markup=False)
        self.dismiss(None)
