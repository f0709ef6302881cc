"""A pick list: options read once, filtered by typing; choosing one closes with its outcome."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ecsimg.i18n import t
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest
from ecsimg.ui.dialogs.base import DataT, Dialog


class PickDialog(Dialog[DataT]):
    """An option list; choosing an option dismisses with ``outcome_for`` it. Typing filters
    the options (every word must appear); enter picks the highlighted one."""

    def __init__(self, request: DialogRequest) -> None:
        super().__init__(request)
        self._all_options: list[Option] = []

    def options(self, data: DataT) -> list[Option]:
        """The options for the fetched data (an option without an id cannot be chosen)."""
        raise NotImplementedError

    def outcome_for(self, option_id: str) -> DialogOutcome:
        """What the main screen does when the option ``option_id`` is chosen."""
        raise NotImplementedError

    def compose_form(self) -> ComposeResult:
        yield Input(placeholder=t("picker.search"), id="picker-search")
        yield OptionList(id="picker-options")

    def show_fetched(self, data: DataT) -> None:
        self._all_options = self.options(data)
        self._show_options(self._all_options)
        self.query_one("#picker-search", Input).focus()

    def _show_options(self, shown: list[Option]) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        options.add_options(shown)
        if shown:
            options.highlighted = 0

    @on(Input.Changed, "#picker-search")
    def _search(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        self._show_options([o for o in self._all_options
                            if all(w in str(o.prompt).casefold() for w in words)])

    @on(Input.Submitted, "#picker-search")
    def _search_submitted(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            if option.id is not None:
                self.dismiss(self.outcome_for(option.id))

    def on_key(self, event: events.Key) -> None:
        """Up and down move through the options while the search keeps the keys."""
        options = self.query_one("#picker-options", OptionList)
        if self.focused is self.query_one("#picker-search", Input) and event.key in ("up",
                                                                                    "down"):
            event.stop()
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()

    @on(OptionList.OptionSelected, "#picker-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.outcome_for(event.option.id))
