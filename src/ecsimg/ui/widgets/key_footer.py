"""The footer: Textual's, with a key turned on or off in place instead of rebuilt."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """Textual's Footer rebuilds all its keys whenever a binding changes, which lays the
    whole screen out again: on the main screen that is every cursor move between an image
    one may share and one one may not (the share key turns off), about 7 KB to the terminal
    at 120x40 where the move itself takes 1 KB. When the keys shown are the same and only
    whether each is enabled changed, this footer flips those keys' state in place."""

    _recompose_pending = False
    """A recompose is scheduled or running."""
    _changed_meanwhile = False
    """The bindings changed while it ran (after it read them, perhaps)."""

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (self._bindings_ready and screen.app.app_focus and self.is_attached
                and screen is self.screen and self._toggle_in_place()):
            return
        # Textual's: a recompose after the next refresh for every change. Starting, the
        # bindings change several times in 0.3 s (mount, focus, the first rows, and during
        # the recompose itself): each rebuilt the keys and laid the screen out again
        # (20-35 ms each), before the first rows. One recompose at a time is enough: it
        # shows the bindings as they are when it runs, and a change while it ran is then
        # made in place if it can be.
        self._bindings_ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return
        if self._recompose_pending:
            self._changed_meanwhile = True
            return
        self._recompose_pending = True
        self.call_after_refresh(self._recompose_now)

    async def _recompose_now(self) -> None:
        self._changed_meanwhile = False
        try:
            await self.recompose()
        finally:
            self._recompose_pending = False
        if self._changed_meanwhile and self.is_attached and not self._toggle_in_place():
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_now)

    def _toggle_in_place(self) -> bool:
        """Set each key's enabled state and tooltip from the screen's bindings; False (and
        nothing changed) when the keys themselves differ from those shown."""
        keys = list(self.query(FooterKey))
        if not keys or any(key.has_class("-grouped") for key in keys):
            return False
        shown = [(binding, enabled, tooltip)
                 for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                 if binding.show]
        wanted: list[tuple[str, str, bool, str]] = []
        seen: set[str] = set()
        for binding, enabled, tooltip in shown:
            if binding.action in seen:
                continue  # the footer shows the first key of an action
            seen.add(binding.action)
            wanted.append((binding.action, binding.description, enabled, tooltip))
        palette = [key for key in keys if key.has_class("-command-palette")]
        plain = [key for key in keys if not key.has_class("-command-palette")]
        if len(plain) != len(wanted) or any(
                (key.action, key.description) != (action, description)
                for key, (action, description, _, _) in zip(plain, wanted, strict=True)):
            return False
        for key, (_, _, enabled, tooltip) in zip(plain, wanted, strict=True):
            if key._disabled == (not enabled):
                continue
            key._disabled = not enabled
            key.set_class(not enabled, "-disabled")
            key.tooltip = tooltip or None
        return not palette or self._palette_unchanged(palette[0])

    def _palette_unchanged(self, key: FooterKey) -> bool:
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return found is not None and key._disabled == (not found[2])
