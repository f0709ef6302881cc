"""The tasks view: the account's running and recent tasks in every region, with cancel."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Static
from textual.worker import get_current_worker

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.service.backend import Backend
from ecsimg.service.reads.tasks import TaskRow
from ecsimg.ui.text import plural
from ecsimg.ui.widgets.columns import status_name
from ecsimg.ui.wording import localize_bindings

REFRESH_SECONDS = 1.0
BAR_WIDTH = 10
STATUS_STYLES = {"Waiting": "bold", "Processing": "bold", "Finished": "",
                 "Cancelled": "italic", "Failed": "bold reverse"}


def progress_text(row: TaskRow) -> Text:
    """A bar and a percentage; text carries the meaning, so it reads without colour."""
    filled = row.progress * BAR_WIDTH // 100
    done, todo = t("glyph.bar_done"), t("glyph.bar_todo")
    return Text(f"{done * filled}{todo * (BAR_WIDTH - filled)} {row.progress:>3}%", end="")


class ConfirmCancel(ModalScreen[bool]):
    """Cancelling a task removes what it made so far: asked once, with the default on keep."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "keep", "tasks.keep_the_task")]
    DEFAULT_CSS = """
    ConfirmCancel { align: center middle; }
    ConfirmCancel > Vertical { width: 64; max-width: 100%; height: auto; padding: 0 1;
                               border: round $error; background: $surface; }
    ConfirmCancel Horizontal { height: auto; margin-top: 1; }
    ConfirmCancel Button { margin-right: 2; }
    """

    def __init__(self, row: TaskRow) -> None:
        super().__init__()
        localize_bindings(self)
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(
                (t("tasks.cancel"), "bold"), (f"{self.row.action} {self.row.task_id}", "bold"),
                t("tasks.cancel_on", resource=self.row.resource_id, region=self.row.region_id),
                end=""))
            with Horizontal():
                yield Button(t("tasks.keep"), id="keep", variant="primary")
                yield Button(t("tasks.cancel_the_task"), id="cancel-task", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel-task")
    def _cancel(self) -> None:
        self.dismiss(True)


class TasksScreen(Screen[None]):
    """Every task of the account, unfinished first; it refreshes while a task runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "binding.back"),
        Binding("q", "app.pop_screen", "binding.back", show=False),
        Binding("ctrl+d,delete", "cancel_task", "tasks.cancel_task"),
        Binding("y", "copy_task_id", "tasks.copy_id"),
        Binding("ctrl+r", "reload", "key.refresh.label", show=False),
    ]
    DEFAULT_CSS = """
    TasksScreen #tasks-title { height: 1; padding: 0 1; background: $panel; }
    TasksScreen DataTable { height: 1fr; }
    """

    class TasksLoaded(Message):
        def __init__(self, rows: list[TaskRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        localize_bindings(self)
        self.backend = backend
        self.rows: list[TaskRow] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(t("tasks.loading"), style="bold"), id="tasks-title")
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=False)
        # What a narrow screen must show comes first: the table scrolls sideways for the rest.
        table.add_columns(*(t(f"tasks.col.{name}") for name in (
            "status", "progress", "left", "action", "image", "region", "task", "created")))
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        if any(row.unfinished for row in self.rows):
            self.action_reload()

    def action_reload(self) -> None:
        self.load(self.backend)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, backend: Backend) -> None:
        rows = backend.tasks()
        if not get_current_worker().is_cancelled:
            self.post_message(self.TasksLoaded(rows))

    def on_tasks_screen_tasks_loaded(self, message: TasksLoaded) -> None:
        self.rows = message.rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in message.rows:
            table.add_row(
                Text(status_name(row.status), style=STATUS_STYLES.get(row.status, "")),
                # A real account's tasks tell no time left (0): "-", not a false "0s".
                progress_text(row),
                t("tasks.seconds", seconds=row.remain_seconds)
                if row.unfinished and row.remain_seconds else "-",
                row.action, row.resource_id, row.region_id, row.task_id,
                row.creation_time, key=row.task_id)
        if message.rows:
            table.move_cursor(row=min(cursor, len(message.rows) - 1))
        running = sum(1 for row in message.rows if row.unfinished)
        self.query_one("#tasks-title", Static).update(Text.assemble(
            (t("tasks.title"), "bold"),
            t("tasks.shown", running=plural(running, "running task"),
              shown=plural(len(message.rows), "task")), end=""))

    @property
    def current(self) -> TaskRow | None:
        table = self.query_one(DataTable)
        index = table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_task":
            row = self.current if self.is_mounted else None
            usable = row is not None and row.cancellable and not self.backend.session.read_only
            return True if usable else None
        return True

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    def action_cancel_task(self) -> None:
        row = self.current
        if row is None or not row.cancellable:
            return
        self.app.push_screen(ConfirmCancel(row), lambda yes: self._cancel(row, bool(yes)))

    def _cancel(self, row: TaskRow, confirmed: bool) -> None:
        if not confirmed:
            return
        action, params = row.cancel_call()
        try:
            self.backend.call(action, params)
        except ApiError as err:
            self.notify(err.message, title=err.code, severity="error", markup=False)
        else:
            self.notify(t("tasks.cancelled", action=row.action, task=row.task_id), markup=False)
        self.action_reload()

    def action_copy_task_id(self) -> None:
        row = self.current
        if row is not None:
            self.app.copy_to_clipboard(row.task_id)
            self.notify(t("main.copied", image=row.task_id), markup=False)
