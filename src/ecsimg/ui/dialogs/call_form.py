"""A dialog whose form stands for API calls: every edit re-plans them and shows their
``ecsimg api`` command lines, then checks them (``ApiDialog``) or computes from them
(``PreviewDialog``) in a worker."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.ui import marks
from ecsimg.ui.dialogs import DialogRequest
from ecsimg.ui.dialogs.base import DataT, Dialog
from ecsimg.ui.dialogs.forms import ApiCall, FormProblem, error_text
from ecsimg.ui.text import safe


class CallForm(Dialog[DataT]):
    """A form that becomes a list of API calls, shown as command lines under the message line."""

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self._form_version = 0
        """Counts the form's versions (one per edit), so a result for an older one is dropped."""
        self._shown_version = 0
        """The form version the message line speaks about."""
        self._calls: list[ApiCall] = []

    @property
    def settled(self) -> bool:
        """Loaded, and what the inline line shows is about the form as it is now."""
        return super().settled and self._shown_version == self._form_version

    # -- what a form provides -----------------------------------------------------------------

    def planned_calls(self) -> list[ApiCall]:
        """The calls the form stands for now; FormProblem when it cannot say yet."""
        return []

    def call_note(self, calls: Sequence[ApiCall]) -> str:
        """A line above the command lines (e.g. why there are several calls)."""
        return ""

    def calls_planned(self, form_version: int, calls: list[ApiCall]) -> None:
        """Start checking or computing the (not empty) ``calls`` of form ``form_version``."""
        raise NotImplementedError

    # -- planning -----------------------------------------------------------------------------

    def form_changed(self) -> None:
        """Rebuild the calls from the form, show their commands and check or compute them."""
        self._form_version += 1
        try:
            self._calls = self.planned_calls()
        except FormProblem as problem:
            self._not_planned(safe(str(problem), style=marks.WARN))
            return
        except ApiError as err:
            self._not_planned(error_text(err))
            return
        self.show_commands(self._calls)
        if not self._calls:
            self.set_error(Text(t("dialog.nothing"), style="dim"))
            self._shown_version = self._form_version
            return
        self.calls_planned(self._form_version, list(self._calls))

    def _not_planned(self, why: Text) -> None:
        """The form stands for no calls yet: say why, and show no command."""
        self._calls = []
        self.set_error(why)
        self.show_commands([])
        self._shown_version = self._form_version

    def show_commands(self, calls: Sequence[ApiCall]) -> None:
        """The calls' command lines, after the form's note about them."""
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
