"""One rule for destructive dialogs: a red apply button and a typed confirmation that says
what it wants when ctrl+s is pressed too early."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Button, Input

from ecsimg.i18n import t


def mark_destructive(dialog: Widget) -> None:
    """The apply button in the error colour (and its label says what is destroyed)."""
    for button in dialog.query("#apply").results(Button):
        button.variant = "error"


def refuse_unconfirmed(dialog: Widget, confirm_id: str, expected: str, what: str) -> bool:
    """When the typed confirmation is missing, say so and focus it; True when refused."""
    confirm = dialog.query_one(f"#{confirm_id}", Input)
    if not expected or confirm.value.strip() == expected:
        return False
    dialog.notify(t("confirm.first", what=what, expected=expected),
                  severity="warning", markup=False)
    confirm.focus()
    return True
