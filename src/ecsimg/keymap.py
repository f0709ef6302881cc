"""Every rebindable key action: its default keys, what it does, and the dialog it opens.

One table: the config file's ``[keys]`` names these actions, the UI binds and describes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.i18n import t


@dataclass(frozen=True)
class KeyAction:
    """One rebindable action; ``dialog`` names the dialog it opens, if any."""

    action_id: str
    default_keys: str
    """Comma-separated Textual key names."""
    mutating: bool = False
    """Changes the catalogue: disabled under a read-only profile."""
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
    KeyAction("help", "question_mark", footer=True),
    KeyAction("quit", "q"),
    KeyAction("command_palette", "ctrl+p"),
    KeyAction("focus_filter", "slash", footer=True),
    KeyAction("clear_filter", "escape"),
    KeyAction("tab_all", "0"),
    KeyAction("tab_public", "1"),
    KeyAction("tab_custom", "2"),
    KeyAction("tab_shared", "3"),
    KeyAction("tab_marketplace", "4"),
    KeyAction("tab_community", "5"),
    KeyAction("cursor_up", "up,k"),
    KeyAction("cursor_down", "down,j"),
    KeyAction("page_up", "pageup"),
    KeyAction("page_down", "pagedown"),
    KeyAction("cursor_first", "g,home"),
    KeyAction("cursor_last", "G,end"),
    KeyAction("open_details", "enter"),
    KeyAction("toggle_mark", "space"),
    KeyAction("share", "s", True, "share", footer=True, labelled=True),
    KeyAction("copy", "c", True, "copy"),
    KeyAction("new_image", "n", True, "new_image"),
    KeyAction("import", "i", True, "import"),
    KeyAction("export", "x", True, "export"),
    KeyAction("edit", "e", True, "edit", footer=True, labelled=True),
    KeyAction("delete", "ctrl+d,delete", True, "delete", footer=True, labelled=True),
    KeyAction("fee_preview", "f", dialog="fee_preview"),
    KeyAction("replace_disk", "r", True, "replace_disk"),
    KeyAction("switch_region", "R", dialog="switch_region", labelled=True),
    KeyAction("switch_profile", "P", dialog="switch_profile"),
    KeyAction("sort_next", "o"),
    KeyAction("sort_reverse", "O"),
    KeyAction("copy_id", "y"),
    KeyAction("activity_log", "l", dialog="activity_log"),
    KeyAction("tasks", "t", labelled=True),
    KeyAction("refresh", "ctrl+r"),
    KeyAction("mark_all", "asterisk"),
    KeyAction("invert_marks", "exclamation_mark"),
    KeyAction("clear_marks", "u"),
    KeyAction("cost_dashboard", "dollar_sign", labelled=True),
    KeyAction("compare", "equals_sign"),
    KeyAction("export_list", "w"),
    KeyAction("every_region", "A"),
    KeyAction("saved_filters", "F", dialog="saved_filters"),
)
BY_ID = {k.action_id: k for k in KEY_ACTIONS}
MUTATING_DIALOGS = frozenset(k.dialog for k in KEY_ACTIONS if k.mutating)
DEFAULT_KEYS: dict[str, str] = {k.action_id: k.default_keys for k in KEY_ACTIONS}
"""Every rebindable action and its default keys (comma-separated, Textual key names)."""
