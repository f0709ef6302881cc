"""A form that makes its API calls: checked live with ``DryRun``, made on Apply.

The check runs in a worker with the service's own rules, so the TUI and the CLI never
disagree. Before Apply makes the calls it re-reads the images they name and refuses if
another session changed them since the dialog opened, rather than overwrite that change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Static

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.service.reads import versions
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest
from ecsimg.ui.dialogs.base import DataT
from ecsimg.ui.dialogs.call_form import CallForm
from ecsimg.ui.dialogs.forms import ApiCall, error_text
from ecsimg.ui.text import safe


class ApiDialog(CallForm[DataT]):
    """A form whose calls change the account: Apply makes them once a DryRun check passed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "apply", "binding.apply")]

    APPLY_LABEL: ClassVar[str] = "binding.apply"
    """The message id of the apply button's label."""
    CONFIRM_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """Ids of fields that only gate Apply (a typed confirmation), not the calls."""
    VALIDATE_DELAY: ClassVar[float] = 0.3
    """Seconds of quiet typing before a DryRun check, so each keystroke is not a call."""

    class Validated(Message):
        """A DryRun check ended: ``error`` is None when every call would succeed."""

        def __init__(self, form_version: int, error: ApiError | None, failed_call: int) -> None:
            super().__init__()
            self.form_version = form_version
            self.error = error
            self.failed_call = failed_call

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
        super().__init__(request)
        self._valid = False
        self._applying = False
        self._timer: Timer | None = None
        self._recorded = request.backend.fingerprints([row.key for row in request.targets])
        """The target images as they are stored when the form is built, to detect others'
        changes before applying."""
        self._changed_elsewhere = False

    @property
    def settled(self) -> bool:
        """Loaded, not applying, and the inline line is about the form as it is now."""
        return super().settled and not self._applying

    # -- what a dialog provides ---------------------------------------------------------------

    def ready_to_apply(self) -> bool:
        """An extra condition for Apply beyond a passing DryRun (a typed confirmation)."""
        return True

    def start_apply(self) -> None:
        """Start the worker that makes the calls; a dialog whose action is no API call
        overrides it and posts Applied itself."""
        self._apply(list(self._calls))

    def outcome(self, responses: list[dict[str, Any]]) -> DialogOutcome:
        """What the main screen does once every call succeeded."""
        return DialogOutcome(message=t("dialog.done", title=t(self.TITLE)))

    # -- layout ---------------------------------------------------------------------------------

    def _button_row(self) -> ComposeResult:
        yield Button(t(self.APPLY_LABEL), id="apply", variant="primary", disabled=True)
        yield from self.compose_buttons()
        yield Button(t("dialog.cancel"), id="cancel")
        yield Static(Text(t("dialog.keys_apply"), style="dim"), classes="dialog-keys")

    def _refused_by_profile(self) -> bool:
        session = self.backend.session
        if not session.read_only:
            return False
        self.app.notify(t("dialog.read_only", profile=session.profile_name,
                          title=t(self.TITLE).lower()), severity="warning", markup=False)
        return True

    # -- live checking --------------------------------------------------------------------------

    def _field_edited(self, field_id: str | None) -> None:
        if field_id in self.CONFIRM_FIELDS:
            self.refresh_apply()  # the calls do not depend on it: no new DryRun
            return
        super()._field_edited(field_id)

    def form_changed(self) -> None:
        """Rebuild the calls from the form, show their commands and schedule a DryRun check."""
        self._valid = False
        self._update_apply()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        super().form_changed()

    def calls_planned(self, form_version: int, calls: list[ApiCall]) -> None:
        self.set_error(Text(t("dialog.checking"), style="dim"))
        if self.VALIDATE_DELAY <= 0:
            self._validate(form_version, calls)
            return
        self._timer = self.set_timer(self.VALIDATE_DELAY,
                                     lambda: self._validate(form_version, calls))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-validate")
    def _validate(self, form_version: int, calls: list[ApiCall]) -> None:
        # Checked together: each call sees what the calls before it would leave behind.
        try:
            self.backend.check([(call.action, call.params) for call in calls])
        except ApiError as err:
            index = err.call_index if err.call_index is not None else 0
            self.post_message(self.Validated(form_version, err, index))
            return
        self.post_message(self.Validated(form_version, None, -1))

    @on(Validated)
    def _validated(self, message: Validated) -> None:
        message.stop()
        if message.form_version != self._form_version:
            return  # the form changed since; a newer check is coming
        self._shown_version = message.form_version
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
        for button in self.query("#apply").results(Button):
            button.disabled = not (self._valid and self.ready_to_apply() and not self._applying)

    # -- applying -------------------------------------------------------------------------------

    def action_apply(self) -> None:
        """ctrl+s: apply from any field, as the Apply button does when it is enabled."""
        self._apply_pressed()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        if not (self._valid and self.ready_to_apply()) or self._applying:
            return
        self._applying = True
        self._update_apply()
        self.set_error(Text(t("dialog.applying"), style="dim"))
        self.start_apply()

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

    def action_cancel(self) -> None:
        """Close without a result, or reload the list if another session changed it."""
        if self._changed_elsewhere:
            # Reload the list, so reopening shows what the other session left.
            self.dismiss(DialogOutcome(reload=True))
            return
        super().action_cancel()
