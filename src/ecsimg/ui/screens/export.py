"""The export dialog: the marked images, else the list's, written to a CSV or JSON file."""

from __future__ import annotations

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

from ecsimg.service.backend import Backend
from ecsimg.service.reads.browse import ImageRow
from ecsimg.service.reads.export_file import ExportError, FileExists, format_of, render, write_file
from ecsimg.ui import marks
from ecsimg.ui.text import plural, safe


def default_name(region_id: str) -> str:
    return f"images-{region_id}.json"


class ExportDialog(ModalScreen[None]):
    """Names the file; refuses to replace one until ctrl+s is pressed again for it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("ctrl+s", "write", "Write"),
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

    def __init__(self, backend: Backend, marked: list[ImageRow], shown: list[ImageRow]) -> None:
        super().__init__()
        self.backend = backend
        self.rows = marked or shown
        self.what = (f"the {plural(len(marked), 'marked image')}" if marked
                     else f"the {plural(len(shown), 'image')} the list shows")
        self._replace: Path | None = None
        """The file the user agreed to replace (ctrl+s pressed again on its name)."""
        self._writing = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("Write images to a file: ", "bold"), self.what,
                                       end=""))
            yield Input(default_name(self.backend.session.region_id), id="export-path",
                        placeholder="file name ending in .csv or .json")
            yield Static("", id="export-target")
            yield Static("", id="export-error")
            with Horizontal():
                yield Button("Write", id="write", variant="primary")
                yield Button("Cancel", id="cancel")
                yield Static(Text("ctrl+s write  esc close", style="dim"))

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
        shape = "DescribeImages shape" if kind == "JSON" else "one row per image"
        target.update(Text.assemble(f"{kind} ({shape}) to ", (str(self.path.absolute()),
                                                                "bold"), end=""))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        if self._writing or not self.rows:
            if not self.rows:
                self._error("nothing to write: the list is empty")
            return
        path = self.path
        try:
            format_of(path)
        except ExportError as err:
            self._error(str(err))
            return
        self._writing = True
        self.query_one("#export-error", Static).update(Text("writing…", style="dim"))
        self.write(path, [row.key for row in self.rows], overwrite=self._replace == path)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(
            Text.assemble(("not written ", "bold reverse"), " ", safe(message, marks.BAD),
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
                ("exists ", "bold reverse"), " ", safe(str(message.error), marks.WARN),
                ": press ctrl+s again to replace it, or change the name", end=""))
            return
        if message.error is not None:
            self._error(str(message.error))
            return
        self.app.notify(f"Wrote {plural(message.count, 'image')} to {message.path.absolute()}",
                        markup=False)
        self.dismiss(None)
