"""The help screen: every key from the keymap and what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ecsimg.config import Settings
from ecsimg.domain.filtering import FIELDS
from ecsimg.i18n import t
from ecsimg.keymap import KEY_ACTIONS
from ecsimg.ui.keys import display_keys
from ecsimg.ui.text import Hanging
from ecsimg.ui.wording import localize_bindings


def filter_help() -> str:
    """How the filter line reads, with every field it knows."""
    return t("help.filter", fields=" ".join(f"{name}:" for name in FIELDS))


KEYS_WIDTH = 16


def help_text(settings: Settings, read_only: bool) -> Hanging:
    """Every key action with its keys; a wrapped description stays in its column."""
    text = Hanging()
    text.add(Text(t("help.keys"), style="bold", end=""))
    text.add("")
    for key_action in KEY_ACTIONS:
        keys = display_keys(settings.keys_for(key_action.action_id))
        line = Text(f"{keys:<{KEYS_WIDTH - 1}} ", style="bold", end="")
        line.append(key_action.description)
        if key_action.mutating and read_only:
            line.append(t("help.disabled"), style="dim")
        text.add(line, KEYS_WIDTH)
    text.add("")
    text.add(Text(t("help.dialogs"), style="dim", end=""))
    text.add("")
    text.add(Text(filter_help(), style="dim", end=""))
    text.add("")
    text.add(Text(t("help.profiles"), style="dim", end=""))
    text.add("")
    text.add(Text(t("help.language"), style="dim", end=""))
    text.add("")
    text.add(Text(t("help.close"), style="dim", end=""))
    return text


class HelpScreen(ModalScreen[None]):
    """Lists every action with its current keys; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "binding.close", show=True),
    ]

    def __init__(self, settings: Settings, read_only: bool) -> None:
        super().__init__()
        localize_bindings(self)
        self._settings = settings
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_text(self._settings, self._read_only), id="help-text")
