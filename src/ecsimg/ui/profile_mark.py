"""A profile's colour and marker, drawn the same in the header and the dialogs' titles."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text

from ecsimg.config import ProfileStyle
from ecsimg.ui.text import sanitize


def profile_badge(name: str, style: ProfileStyle) -> Text:
    """The profile name on its colour (dark or light text, whichever reads), then the marker
    reversed: under NO_COLOR the colour turns grey and the marker still names the account."""
    badge = Text(end="")
    if style.color:
        badge.append(f" {sanitize(name)} ", style=Style(bold=True, color=_text_on(style.color),
                                                         bgcolor=style.color))
    else:
        badge.append(sanitize(name), style="bold")
    if style.marker:
        badge.append(" ")
        badge.append(f" {sanitize(style.marker)} ", style="bold reverse")
    return badge


def _text_on(background: str) -> str:
    """Black on a light colour, white on a dark one."""
    red, green, blue = Color.parse(background).get_truecolor()
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "white"
