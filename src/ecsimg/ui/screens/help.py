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
from ecsimg.ui.keys import KEY_ACTIONS, display_keys
from ecsimg.ui.text import Hanging

FILTER_HELP = (
    "Filter: words match name, ID, snapshot ID, OS and description; terms: "
    + " ".join(f"{name}:" for name in FIELDS)
    + " (os:windows arch:arm64 status:creating family:web tag:env=prod usage:none size>40)."
    " A leading - or ! negates a word or term (-os:windows !tag:env=prod -test), commas are"
    ' alternatives (os:ubuntu,debian), quotes keep spaces (name:"web server"). A bad filter'
    " keeps the last good result. Saved filters: [filters] in the config file, F or the palette."
)


KEYS_WIDTH = 16


def help_text(settings: Settings, read_only: bool) -> Hanging:
    """Every key action with its keys; a wrapped description stays in its column."""
    text = Hanging()
    text.add(Text("Keys", style="bold", end=""))
    text.add("")
    for key_action in KEY_ACTIONS:
        keys = display_keys(settings.keys_for(key_action.action_id))
        line = Text(f"{keys:<{KEYS_WIDTH - 1}} ", style="bold", end="")
        line.append(key_action.description)
        if key_action.mutating and read_only:
            line.append("  (disabled: read-only)", style="dim")
        text.add(line, KEYS_WIDTH)
    text.add("")
    text.add(Text("In a dialog: tab moves between fields, ctrl+s applies once the live check "
                  "passed, escape closes.", style="dim", end=""))
    text.add("")
    text.add(Text(FILTER_HELP, style="dim", end=""))
    text.add("")
    text.add(Text("The profile's colour and marker ([profiles.NAME] color, marker in the config "
                  "file) mark the header and every dialog; read-only profiles are yellow.",
                  style="dim", end=""))
    text.add("")
    text.add(Text("escape, q or ? closes this screen", style="dim", end=""))
    return text


class HelpScreen(ModalScreen[None]):
    """Lists every action with its current keys; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", show=True),
    ]

    def __init__(self, settings: Settings, read_only: bool) -> None:
        super().__init__()
        self._settings = settings
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_text(self._settings, self._read_only), id="help-text")
