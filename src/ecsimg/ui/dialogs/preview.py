"""A read-only form: its calls are never made for real but computed into a result it shows."""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.message import Message

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.ui.dialogs.base import DataT
from ecsimg.ui.dialogs.call_form import CallForm
from ecsimg.ui.dialogs.forms import ApiCall, error_text

ResultT = TypeVar("ResultT")
"""What ``compute`` makes of the form's calls."""
ComputedT = TypeVar("ComputedT")


class PreviewDialog(CallForm[DataT], Generic[DataT, ResultT]):
    """Each version of the form is computed in a worker; the latest one's result is shown."""

    class Computed(Message, Generic[ComputedT]):
        """``compute`` ended for form ``form_version``: ``result`` is None when it failed."""

        def __init__(self, form_version: int, result: ComputedT | None,
                     error: ApiError | None) -> None:
            super().__init__()
            self.form_version = form_version
            self.result = result
            self.error = error

    def compute(self, calls: list[ApiCall]) -> ResultT:
        """The result for ``calls`` (a worker thread: service calls only)."""
        raise NotImplementedError

    def show_computed(self, result: ResultT | None) -> None:
        """Show what ``compute`` returned, or nothing after an error (on the UI thread)."""

    def calls_planned(self, form_version: int, calls: list[ApiCall]) -> None:
        self.set_error(Text(t("dialog.computing"), style="dim"))
        self._compute(form_version, calls)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-validate")
    def _compute(self, form_version: int, calls: list[ApiCall]) -> None:
        try:
            result = self.compute(calls)
        except ApiError as err:
            self.post_message(self.Computed[ResultT](form_version, None, err))
            return
        self.post_message(self.Computed(form_version, result, None))

    @on(Computed)
    def _computed(self, message: PreviewDialog.Computed[ResultT]) -> None:
        message.stop()
        if message.form_version != self._form_version:
            return  # the form changed since; a newer result is coming
        self._shown_version = message.form_version
        if message.error is not None:
            self.set_error(error_text(message.error))
            self.show_computed(None)
            return
        self.set_error(Text(""))
        self.show_computed(message.result)
