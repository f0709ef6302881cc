"""A checkbox and a radio button whose mark shows their state without colour.

Textual draws the same mark whether a toggle is on or off and tells them apart by colour only,
which NO_COLOR, monochrome terminals and screen captures lose.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from ecsimg.i18n import t


class Tick(Checkbox):
    """A checkbox showing X when on and a blank when off."""

    def __init__(self, label: str = "", value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()


class Choice(RadioButton):
    """A radio button showing a dot when chosen and a blank when not."""

    def __init__(self, label: str = "", value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = t("glyph.mark") if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = t("glyph.mark") if self.value else " "
        super().watch_value()


class Picks(SelectionList[str]):
    """A selection list showing X on picked lines and a blank on the others."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(int(self.scroll_offset.y) + y)
        except OptionDoesNotExist:
            return strip
        if option.value in self.selected:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            segments[1] = Segment(" ", segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip
