"""The frame every dialog shares: the title with the profile badge, the inline message line,
the buttons, and the worker that reads what the form needs.

Subclasses: ``PickDialog`` (a list that returns a choice), ``CallForm`` (a form that stands for
API calls) with ``ApiDialog`` (applies them) and ``PreviewDialog`` (computes a read-only result).
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, SelectionList, Static

from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest
from ecsimg.ui.dialogs.forms import error_text
from ecsimg.ui.profile_mark import profile_badge
from ecsimg.ui.wording import localize_bindings

DataT = TypeVar("DataT")
"""What a dialog's ``fetch`` reads (None for a form built from the rows alone)."""
FetchedT = TypeVar("FetchedT")
"""The Fetched message's own type variable: a nested class cannot share its outer one's."""

FIELD_CHANGES = (Input.Changed, Select.Changed, Checkbox.Changed, RadioSet.Changed,
                 SelectionList.SelectedChanged)


class Dialog(ModalScreen[DialogOutcome | None], Generic[DataT]):
    """A modal box: a title, the dialog's form, a message line, a command line and buttons."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "binding.close")]

    AUTO_FOCUS = ", ".join(f".dialog-box {kind}" for kind in (
        "Input", "Select", "SelectionList", "OptionList", "RadioSet", "Checkbox", "Button"))
    """The first field takes the keys at once (the scrolling box would otherwise take them)."""

    TITLE: ClassVar[str] = ""
    """The message id of the title."""

    class Fetched(Message, Generic[FetchedT]):
        """The data the dialog needs (regions, instances...) was read."""

        def __init__(self, data: FetchedT) -> None:
            super().__init__()
            self.data = data

    class FetchFailed(Message):
        """Reading the data the dialog needs failed."""

        def __init__(self, error: ApiError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(classes="dialog")
        localize_bindings(self)
        self.request = request
        self.backend = request.backend
        self._loaded = False

    @property
    def settled(self) -> bool:
        """Loaded: the message line says all there is to say about the form."""
        return self._loaded

    # -- what a dialog provides ---------------------------------------------------------------

    def compose_form(self) -> ComposeResult:
        """The dialog's own fields, between the title and the message line."""
        yield from ()

    def fetch(self) -> DataT:
        """Read what the form needs; runs in a worker thread, so only service calls here."""
        raise NotImplementedError

    def show_fetched(self, data: DataT) -> None:
        """Put the fetched data into the form (on the UI thread)."""

    def form_changed(self) -> None:
        """The form was filled or edited: what the message line said is about the old form."""
        self.set_error(Text(""))

    def compose_buttons(self) -> ComposeResult:
        """Extra buttons before Close."""
        yield from ()

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(self._title(), classes="dialog-title")
            yield from self.compose_form()
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static("", id="dialog-command", classes="dialog-command")
            with Horizontal(classes="dialog-buttons"):
                yield from self._button_row()

    def _button_row(self) -> ComposeResult:
        """The dialog's own buttons, then Close and the keys that work everywhere."""
        yield from self.compose_buttons()
        yield Button(t("binding.close"), id="cancel")
        yield Static(Text(t("dialog.keys_close"), style="dim"), classes="dialog-keys")

    def _title(self) -> Text:
        """The title after the profile in its colour and marker: whose account it acts on."""
        session = self.backend.session
        style = self.request.settings.profile_style(session.profile_name, session.read_only)
        return Text.assemble(profile_badge(session.profile_name, style), "  ",
                             (t(self.TITLE), "bold"), end="")

    def on_mount(self) -> None:
        session = self.backend.session
        color = self.request.settings.profile_style(session.profile_name,
                                                    session.read_only).color
        if color:  # the whole box in the account's colour, not only the title
            self.query_one(".dialog-box").styles.border = ("heavy", color)
        if self._refused_by_profile():
            self.dismiss(None)
            return
        self.set_error(Text(t("dialog.loading"), style="dim"))
        self._fetch()

    def _refused_by_profile(self) -> bool:
        """Whether the profile forbids this dialog (having said so); reading is always allowed."""
        return False

    # -- fetching -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-fetch")
    def _fetch(self) -> None:
        try:
            data = self.fetch()
        except ApiError as err:
            self.post_message(self.FetchFailed(err))
            return
        self.post_message(self.Fetched(data))

    @on(Fetched)
    def _fetched(self, message: Dialog.Fetched[DataT]) -> None:
        message.stop()
        self._loaded = True
        # Filling the form is not an edit: one check after it, not one per field set.
        with self.prevent(*FIELD_CHANGES):
            self.show_fetched(message.data)
        self.form_changed()

    @on(FetchFailed)
    def _fetch_failed(self, message: FetchFailed) -> None:
        message.stop()
        self._loaded = True
        self.set_error(error_text(message.error))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    @on(SelectionList.SelectedChanged)
    def _field_changed(self, event: Message) -> None:
        if not self._loaded:
            return
        control = getattr(event, "control", None)
        self._field_edited(control.id if control is not None else None)

    def _field_edited(self, field_id: str | None) -> None:
        """The user changed the field ``field_id``."""
        self.form_changed()

    # -- shared widgets -------------------------------------------------------------------------

    def set_error(self, text: Text) -> None:
        """Show ``text`` on the inline message line (hidden when empty)."""
        widget = self.query_one("#dialog-error", Static)
        widget.update(text)
        widget.display = bool(text.plain)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close without a result (a dialog that already changed something overrides it)."""
        self.dismiss(None)

    @property
    def region_id(self) -> str:
        """The region the dialog works in: the current image's, else the profile's."""
        current = self.request.current
        return current.region_id if current is not None else self.backend.session.region_id
