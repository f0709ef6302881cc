"""The type tabs with their counts; keys 0-5 choose one."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ecsimg.domain.filtering import KINDS
from ecsimg.i18n import t
from ecsimg.ui.text import ellipsis

LABELS = {kind: f"tab.{kind}" for kind in KINDS}
"""Message ids of the tabs' names."""
SHORT_LABELS = {kind: f"tab.{kind}.short" for kind in KINDS}
"""Message ids of the names when the full ones do not fit."""


class TypeTabs(Widget):
    """All, Public, Custom, Shared, Marketplace, Community with the count of each."""

    active: reactive[str] = reactive("all")
    """The chosen tab (a kind, or ``all``)."""
    counts: reactive[dict[str, int]] = reactive(dict, always_update=True)
    """Images per tab after the filter."""
    scope: reactive[str] = reactive("")
    """Where the counted images are when not the session's region ("every region")."""
    loading: reactive[bool] = reactive(False)
    """The counts are of the rows read so far: each is shown with "…" (more to come)."""

    DEFAULT_CSS = """
    TypeTabs { height: 1; }
    """

    def render(self) -> Text:
        for labels in (LABELS, SHORT_LABELS):
            text = self._line(labels)
            if text.cell_len <= self.size.width:
                return text
        return text

    def _line(self, labels: dict[str, str]) -> Text:
        text = Text(end="", no_wrap=True)
        if self.scope:
            text.append(f" {self.scope.upper()} ", style="bold reverse")
        for number, kind in enumerate(KINDS):
            style = "bold reverse" if kind == self.active else ""
            text.append(f" {number} ", style=style or "dim")
            more = ellipsis() if self.loading else ""
            text.append(f"{t(labels[kind])} {self.counts.get(kind, 0):,}{more} ", style=style)
        return text
