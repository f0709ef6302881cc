"""The line under the filter that says what is wrong with it, once the user stops typing."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

ERROR_DELAY = 0.6
"""Seconds a bad filter must stay as it is before its error line appears."""


class FilterError(Widget):
    """The whole error message, wrapped, on its own line(s) under the filter.

    Its appearing pushes the list down a line or two, which lays out and repaints the whole
    screen: half-typed terms (``os:`` before its value) would make the list jump on every
    keystroke and cost each of them a layout. So the line appears only when a bad filter
    stays unchanged for ``ERROR_DELAY`` seconds, or at once when the user presses enter or
    leaves the filter; the filter line itself is marked bad at once. Once shown, a new
    message replaces the old one without a layout unless it wraps to another height, and the
    line goes as soon as the filter is good again.
    """

    DEFAULT_CSS = """
    FilterError { display: none; height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._pending: Text | None = None
        self._timer: Timer | None = None

    def render(self) -> Text:
        return self._text

    def report(self, message: Text | None, *, at_once: bool = False) -> None:
        """Say ``message`` (None: the filter is good, the line goes); a new message waits for
        the typing to pause unless ``at_once`` or the line is showing already."""
        self._cancel()
        if message is None:
            self._pending = None
            if self.display:
                self.display = False
            return
        if self.display:
            self._replace(message)
        elif at_once:
            self._reveal(message)
        else:
            self._pending = message
            self._timer = self.set_timer(ERROR_DELAY, self._reveal_pending)

    def reveal_now(self) -> None:
        """Show a message still waiting for the typing to pause (enter, or the filter left)."""
        if self._pending is not None:
            self._cancel()
            self._reveal(self._pending)

    def _reveal_pending(self) -> None:
        self._timer = None
        if self._pending is not None:
            self._reveal(self._pending)

    def _reveal(self, message: Text) -> None:
        self._pending = None
        self._text = message
        self.display = True
        self.refresh(layout=True)

    def _replace(self, message: Text) -> None:
        width = self.content_region.width
        same_height = width > 0 and self._height_at(self._text, width) == self._height_at(
            message, width)
        self._text = message
        self.refresh(layout=not same_height)

    def _height_at(self, message: Text, width: int) -> int:
        return len(message.wrap(self.app.console, width))

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
