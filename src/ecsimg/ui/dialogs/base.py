"""What every dialog shares: the inline API error, the equivalent command and DryRun checks.

A dialog describes what it would do as a list of API calls; the base class shows their
``ecsimg api`` command lines, checks them live with ``DryRun`` in a worker (the service's own
rules, so the TUI and the CLI never disagree) and runs them for real on Apply. Before it
does, it re-reads the images the calls name and refuses if another session changed them since
the dialog opened, rather than overwrite that change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, SelectionList, Static

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.service import versions
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, error_text
from ecsimg.ui.profile_mark import profile_badge
from ecsimg.ui.text import safe
from ecsimg.ui.wording import localize_bindings

FIELD_CHANGES = (Input.Changed, Select.Changed, Checkbox.Changed, RadioSet.Changed,
                 SelectionList.SelectedChanged)


class Dialog(ModalScreen[DialogOutcome | None]):
    """A modal dialog that checks its API calls with DryRun and shows their command lines."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "binding.close"),
        Binding("ctrl+s", "apply", "binding.apply"),
    ]

    AUTO_FOCUS = ", ".join(f".dialog-box {kind}" for kind in (
        "Input", "Select", "SelectionList", "OptionList", "RadioSet", "Checkbox", "Button"))
    """The first field takes the keys at once (the scrolling box would otherwise take them)."""

    TITLE: ClassVar[str] = ""
    """The message id of the title."""
    MUTATING: ClassVar[bool] = True
    """Refused under a read-only profile; shows Apply and checks with DryRun."""
    APPLY_LABEL: ClassVar[str] = "binding.apply"
    """The message id of the apply button's label."""
    CONFIRM_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """Ids of fields that only gate Apply (a typed confirmation), not the calls."""
    CHECKS: ClassVar[bool] = True
    """Whether the form stands for API calls (a picker that only returns a choice does not)."""
    VALIDATE_DELAY: ClassVar[float] = 0.3
    """Seconds of quiet typing before a DryRun check, so each keystroke is not a call."""

    class Fetched(Message):
        """The data the dialog needs (regions, instances...) was read."""

        def __init__(self, data: Any, error: ApiError | None) -> None:
            super().__init__()
            self.data = data
            self.error = error

    class Validated(Message):
        """A DryRun check ended: ``error`` is None when every call would succeed."""

        def __init__(self, generation: int, error: ApiError | None, failed_call: int) -> None:
            super().__init__()
            self.generation = generation
            self.error = error
            self.failed_call = failed_call

    class Computed(Message):
        """A read-only dialog's ``compute`` ended."""

        def __init__(self, generation: int, data: Any, error: ApiError | None) -> None:
            super().__init__()
            self.generation = generation
            self.data = data
            self.error = error

    class Refused(Message):
        """Apply stopped before any call: images it acts on changed since the dialog opened."""

        def __init__(self, changed: dict[str, list[str]]) -> None:
            super().__init__()
            self.changed = changed
            """Image key to what differs (field names, or ``deleted``)."""

    class Applied(Message):
        """The calls ran: all of them (``error`` None) or up to the one that failed."""

        def __init__(self, responses: list[dict[str, Any]], error: ApiError | None) -> None:
            super().__init__()
            self.responses = responses
            self.error = error

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(classes="dialog")
        localize_bindings(self)
        self.request = request
        self.backend = request.backend
        self._generation = 0
        self._calls: list[ApiCall] = []
        self._valid = False
        self._loaded = False
        self._applying = False
        self._timer: Timer | None = None
        self._shown_generation = -1
        self._recorded = {row.key: versions.fingerprint(row.image) for row in request.targets}
        """The target images as the form was built from them, to detect others' changes."""
        self._changed_elsewhere = False

    @property
    def settled(self) -> bool:
        """Loaded, and what the inline line shows is about the form as it is now."""
        return self._loaded and not self._applying and (
            not self.CHECKS or self._shown_generation == self._generation)

    # -- what a dialog provides ---------------------------------------------------------------

    def compose_form(self) -> ComposeResult:
        """The dialog's own fields, between the title and the error line."""
        yield from ()

    def fetch(self) -> Any:
        """Read what the form needs; runs in a worker thread, so only service calls here."""
        return None

    def show_fetched(self, data: Any) -> None:
        """Put the fetched data into the form (on the UI thread)."""

    def planned_calls(self) -> list[ApiCall]:
        """The calls the form stands for now; FormProblem when it cannot say yet."""
        return []

    def compute(self, calls: list[ApiCall]) -> Any:
        """A read-only dialog's result for ``calls`` (a worker thread: service calls only)."""
        return None

    def show_computed(self, data: Any) -> None:
        """Show what ``compute`` returned (on the UI thread)."""

    def ready_to_apply(self) -> bool:
        """An extra condition for Apply beyond a passing DryRun (a typed confirmation)."""
        return True

    def call_note(self, calls: Sequence[ApiCall]) -> str:
        """A line above the command lines (e.g. why there are several calls)."""
        return ""

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        """What the main screen does once every call succeeded."""
        return DialogOutcome(message=t("dialog.done", title=t(self.TITLE)))

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(self._title(), classes="dialog-title")
            yield from self.compose_form()
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static("", id="dialog-command", classes="dialog-command")
            with Horizontal(classes="dialog-buttons"):
                if self.MUTATING:
                    yield Button(t(self.APPLY_LABEL), id="apply", variant="primary", disabled=True)
                yield from self.compose_buttons()
                yield Button(t("dialog.cancel" if self.MUTATING else "binding.close"),
                             id="cancel")
                hint = t("dialog.keys_apply" if self.MUTATING else "dialog.keys_close")
                yield Static(Text(hint, style="dim"), classes="dialog-keys")

    def _title(self) -> Text:
        """The title after the profile in its colour and marker: whose account it acts on."""
        session = self.backend.session
        style = self.request.settings.profile_style(session.profile_name, session.read_only)
        return Text.assemble(profile_badge(session.profile_name, style), "  ",
                             (t(self.TITLE), "bold"), end="")

    def compose_buttons(self) -> ComposeResult:
        """Extra buttons before Cancel."""
        yield from ()

    def on_mount(self) -> None:
        session = self.backend.session
        color = self.request.settings.profile_style(session.profile_name,
                                                    session.read_only).color
        if color:  # the whole box in the account's colour, not only the title
            self.query_one(".dialog-box").styles.border = ("heavy", color)
        if self.MUTATING and self.backend.session.read_only:
            self.app.notify(t("dialog.read_only", profile=self.backend.session.profile_name,
                              title=t(self.TITLE).lower()), severity="warning", markup=False)
            self.dismiss(None)
            return
        self.set_error(Text(t("dialog.loading"), style="dim"))
        self._fetch()

    # -- fetching -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-fetch")
    def _fetch(self) -> None:
        try:
            data = self.fetch()
        except ApiError as err:
            self.post_message(self.Fetched(None, err))
            return
        self.post_message(self.Fetched(data, None))

    @on(Fetched)
    def _fetched(self, message: Fetched) -> None:
        message.stop()
        self._loaded = True
        if message.error is not None:
            self.set_error(error_text(message.error))
            return
        # Filling the form is not an edit: one check after it, not one per field set.
        with self.prevent(*FIELD_CHANGES):
            self.show_fetched(message.data)
        self.form_changed()

    # -- live checking --------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    @on(SelectionList.SelectedChanged)
    def _field_changed(self, event: Message) -> None:
        if not self._loaded:
            return
        control = getattr(event, "control", None)
        if control is not None and control.id in self.CONFIRM_FIELDS:
            self.refresh_apply()  # the calls do not depend on it: no new DryRun
            return
        self.form_changed()

    def form_changed(self) -> None:
        """Rebuild the calls from the form, show their commands and schedule a DryRun check."""
        if not self.CHECKS:
            self.set_error(Text(""))
            return
        self._generation += 1
        self._valid = False
        self._update_apply()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            self._calls = self.planned_calls()
        except FormProblem as problem:
            self._calls = []
            self.set_error(safe(str(problem), style=marks.WARN))
            self.show_commands([])
            self._shown_generation = self._generation
            return
        except ApiError as err:
            self._calls = []
            self.set_error(error_text(err))
            self.show_commands([])
            self._shown_generation = self._generation
            return
        self.show_commands(self._calls)
        if not self._calls:
            self.set_error(Text(t("dialog.nothing"), style="dim"))
            self._shown_generation = self._generation
            return
        if not self.MUTATING:
            self.set_error(Text(t("dialog.computing"), style="dim"))
            self._compute(self._generation, list(self._calls))
            return
        self.set_error(Text(t("dialog.checking"), style="dim"))
        generation, calls = self._generation, list(self._calls)
        if self.VALIDATE_DELAY <= 0:
            self._validate(generation, calls)
            return
        self._timer = self.set_timer(self.VALIDATE_DELAY,
                                     lambda: self._validate(generation, calls))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-validate")
    def _validate(self, generation: int, calls: list[ApiCall]) -> None:
        # Checked together: each call sees what the calls before it would leave behind.
        try:
            self.backend.check([(call.action, call.params) for call in calls])
        except ApiError as err:
            index = err.call_index if err.call_index is not None else 0
            self.post_message(self.Validated(generation, err, index))
            return
        self.post_message(self.Validated(generation, None, -1))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-validate")
    def _compute(self, generation: int, calls: list[ApiCall]) -> None:
        try:
            data = self.compute(calls)
        except ApiError as err:
            self.post_message(self.Computed(generation, None, err))
            return
        self.post_message(self.Computed(generation, data, None))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._shown_generation = message.generation
        if message.error is not None:
            self.set_error(error_text(message.error))
            self.show_computed(None)
            return
        self.set_error(Text(""))
        self.show_computed(message.data)

    @on(Validated)
    def _validated(self, message: Validated) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # the form changed since; a newer check is coming
        self._shown_generation = message.generation
        if message.error is not None:
            prefix = (t("dialog.call_of", call=message.failed_call + 1, calls=len(self._calls))
                      if len(self._calls) > 1 else "")
            self.set_error(error_text(message.error, prefix))
            return
        self._valid = True
        self.set_error(Text(t("dialog.passed"), style=marks.GOOD))
        self._update_apply()

    def refresh_apply(self) -> None:
        """Re-evaluate ``ready_to_apply`` (after a field that the calls do not depend on)."""
        self._update_apply()

    def _update_apply(self) -> None:
        if not self.MUTATING:
            return
        for button in self.query("#apply").results(Button):
            button.disabled = not (self._valid and self.ready_to_apply() and not self._applying)

    # -- applying -------------------------------------------------------------------------------

    def action_apply(self) -> None:
        """ctrl+s: apply from any field, as the Apply button does when it is enabled."""
        if self.MUTATING:
            self._apply_pressed()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        if not (self._valid and self.ready_to_apply()) or self._applying:
            return
        self._applying = True
        self._update_apply()
        self.set_error(Text(t("dialog.applying"), style="dim"))
        self.start_apply()

    def start_apply(self) -> None:
        """Start the worker that makes the calls; a dialog whose action is no API call
        overrides it and posts Applied itself."""
        self._apply(list(self._calls))

    def _guarded(self, calls: Sequence[ApiCall]) -> dict[str, versions.Fingerprint | None]:
        """The recorded target images that the calls name (a CreateImage from a snapshot
        does not act on the image under the cursor, so that one may change freely)."""
        named = {value for call in calls for value in call.params.values()}
        return {key: recorded for key, recorded in self._recorded.items()
                if key.rpartition("/")[2] in named}

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-apply")
    def _apply(self, calls: list[ApiCall]) -> None:
        guarded = self._guarded(calls)
        changed = versions.changes(guarded, self.backend.fingerprints(list(guarded)))
        if changed:
            self.post_message(self.Refused(changed))
            return
        responses: list[dict[str, Any]] = []
        for call in calls:
            try:
                responses.append(self.backend.call(call.action, call.params))
            except ApiError as err:
                if responses:
                    # The calls that ran changed the images: they are this dialog's own
                    # change, not another session's, for the next Apply.
                    self._recorded = self.backend.fingerprints(list(self._recorded))
                self.post_message(self.Applied(responses, err))
                return
        self.post_message(self.Applied(responses, None))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        message.stop()
        self._applying = False
        self._valid = False
        self._changed_elsewhere = True
        rows = {row.key: row for row in self.request.targets}
        parts = []
        for key, fields in message.changed.items():
            row = rows.get(key)
            label = f"{row.name} ({row.image_id})" if row is not None else key
            shown = [t("dialog.deleted") if field == "deleted" else field for field in fields]
            parts.append(f"{label}: {', '.join(shown)}")
        self.set_error(safe(t("dialog.refused", changes="; ".join(parts)), style=marks.BAD))
        self._update_apply()

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        message.stop()
        self._applying = False
        if message.error is None:
            self.dismiss(self.outcome(message.responses))
            return
        done = len(message.responses)
        prefix = (t("dialog.call_failed", call=done + 1, calls=len(self._calls), done=done)
                  if len(self._calls) > 1 else "")
        self._valid = False
        self.set_error(error_text(message.error, prefix))
        self._update_apply()

    # -- shared widgets -------------------------------------------------------------------------

    def set_error(self, text: Text) -> None:
        widget = self.query_one("#dialog-error", Static)
        widget.update(text)
        widget.display = bool(text.plain)

    def show_commands(self, calls: Sequence[ApiCall]) -> None:
        text = Text(end="")
        note = self.call_note(calls)
        if note:
            text.append(note + "\n", style="italic")
        for call in calls:
            text.append("$ ", style="dim")
            text.append_text(safe(call.command))
            text.append("\n")
        text.rstrip()
        widget = self.query_one("#dialog-command", Static)
        widget.update(text)
        widget.display = bool(text.plain)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close without a result (a dialog that already changed something overrides it)."""
        if self._changed_elsewhere:
            # Reload the list, so reopening shows what the other session left.
            self.dismiss(DialogOutcome(reload=True))
            return
        self.dismiss(None)

    @property
    def region_id(self) -> str:
        """The region the dialog works in: the current image's, else the profile's."""
        current = self.request.current
        return current.region_id if current is not None else self.backend.session.region_id
