"""The filter line: an Input whose keystrokes filter at once and do not lay the screen out
again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterLine(Input):
    """Textual's Input sets its virtual size from its text on every change, and a widget's
    virtual size is laid out with the whole screen: every key typed into the filter would
    repaint every widget on it (the list, the side panes, the header). The filter line's own
    size is fixed by the style sheet (one line, the bar's width less the status), so only its
    scroll range changes with its text: that is set without a layout."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *args: Any, on_change: Callable[[str], object], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        """Hand the line to ``on_change`` as it changes, within the keystroke: through the
        ``Changed`` message, the typed character was drawn in a frame of its own before the
        list was filtered, and the list in the next (4-5 ms more a keystroke)."""
        self._on_change(value)
