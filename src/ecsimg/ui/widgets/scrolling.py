"""Scrolling a read-only view's body from the keyboard (`j`/`k`, arrows) without animation."""

from __future__ import annotations

from textual.containers import VerticalScroll


def scroll_body(body: VerticalScroll, direction: str) -> None:
    """One line down for ``"down"``, else one line up."""
    if direction == "down":
        body.scroll_down(animate=False)
    else:
        body.scroll_up(animate=False)
