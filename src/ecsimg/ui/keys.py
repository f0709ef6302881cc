"""Every key action the UI offers: its description, whether it changes the catalogue, its dialog."""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.config import DEFAULT_KEYS, Settings
from ecsimg.i18n import t


@dataclass(frozen=True)
class KeyAction:
    """One rebindable action; ``dialog`` names the dialog it opens, if any."""

    action_id: str
    mutating: bool = False
    dialog: str = ""
    footer: bool = False
    """Shown in the footer (the rest are listed by the help screen)."""
    labelled: bool = False
    """Has a short word for the footer (message ``key.ID.label``)."""

    @property
    def description(self) -> str:
        """What the action does, in the current language."""
        return t(f"key.{self.action_id}")

    @property
    def label(self) -> str:
        """The footer's word for it ('' when it has none)."""
        return t(f"key.{self.action_id}.label") if self.labelled else ""


KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("help", footer=True),
    KeyAction("quit"),
    KeyAction("command_palette"),
    KeyAction("focus_filter", footer=True),
    KeyAction("clear_filter"),
    KeyAction("tab_all"),
    KeyAction("tab_public"),
    KeyAction("tab_custom"),
    KeyAction("tab_shared"),
    KeyAction("tab_marketplace"),
    KeyAction("tab_community"),
    KeyAction("cursor_up"),
    KeyAction("cursor_down"),
    KeyAction("page_up"),
    KeyAction("page_down"),
    KeyAction("cursor_first"),
    KeyAction("cursor_last"),
    KeyAction("open_details"),
    KeyAction("toggle_mark"),
    KeyAction("share", True, "share", footer=True, labelled=True),
    KeyAction("copy", True, "copy"),
    KeyAction("new_image", True, "new_image"),
    KeyAction("import", True, "import"),
    KeyAction("export", True, "export"),
    KeyAction("edit", True, "edit", footer=True, labelled=True),
    KeyAction("delete", True, "delete", footer=True, labelled=True),
    KeyAction("fee_preview", dialog="fee_preview"),
    KeyAction("replace_disk", True, "replace_disk"),
    KeyAction("switch_region", dialog="switch_region", labelled=True),
    KeyAction("switch_profile", dialog="switch_profile"),
    KeyAction("sort_next"),
    KeyAction("sort_reverse"),
    KeyAction("copy_id"),
    KeyAction("activity_log", dialog="activity_log"),
    KeyAction("tasks", labelled=True),
    KeyAction("refresh"),
    KeyAction("mark_all"),
    KeyAction("invert_marks"),
    KeyAction("clear_marks"),
    KeyAction("cost_dashboard", labelled=True),
    KeyAction("compare"),
    KeyAction("export_list"),
    KeyAction("every_region"),
    KeyAction("saved_filters", dialog="saved_filters"),
)
BY_ID = {k.action_id: k for k in KEY_ACTIONS}
MUTATING_DIALOGS = frozenset(k.dialog for k in KEY_ACTIONS if k.mutating)
assert set(BY_ID) == set(DEFAULT_KEYS), "every configurable key needs a description"


def keymap(settings: Settings) -> dict[str, str]:
    """Binding id to keys, for App.set_keymap."""
    return {action_id: settings.keys_for(action_id) for action_id in BY_ID}


def display_keys(keys: str) -> str:
    """Keys as a person types them: ``question_mark`` shown as ``?``."""
    names = {"question_mark": "?", "slash": "/", "space": "space", "pageup": "pgup",
             "pagedown": "pgdn", "asterisk": "*", "exclamation_mark": "!", "dollar_sign": "$",
             "equals_sign": "="}
    return " ".join(names.get(k, k) for k in keys.split(","))
