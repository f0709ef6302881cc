"""Every key action the UI offers: its description, whether it changes the catalogue, its dialog."""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.config import DEFAULT_KEYS, Settings


@dataclass(frozen=True)
class KeyAction:
    """One rebindable action; ``dialog`` names the dialog it opens, if any."""

    action_id: str
    description: str
    mutating: bool = False
    dialog: str = ""
    footer: bool = False
    """Shown in the footer (the rest are listed by the help screen)."""
    label: str = ""
    """The footer's word for it."""


KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("help", "Help: every key and what it does", footer=True),
    KeyAction("quit", "Quit"),
    KeyAction("command_palette", "Command palette: actions, image IDs, regions, profiles"),
    KeyAction("focus_filter", "Filter the list (free text and field:value terms)", footer=True),
    KeyAction("clear_filter", "Clear the filter, close a dialog, go back"),
    KeyAction("tab_all", "Tab: all images"),
    KeyAction("tab_public", "Tab: public images"),
    KeyAction("tab_custom", "Tab: custom images"),
    KeyAction("tab_shared", "Tab: images shared with you"),
    KeyAction("tab_marketplace", "Tab: marketplace images"),
    KeyAction("tab_community", "Tab: community images"),
    KeyAction("cursor_up", "Move up"),
    KeyAction("cursor_down", "Move down"),
    KeyAction("page_up", "Page up"),
    KeyAction("page_down", "Page down"),
    KeyAction("cursor_first", "First image"),
    KeyAction("cursor_last", "Last image"),
    KeyAction("open_details", "The image's full detail view"),
    KeyAction("toggle_mark", "Mark or unmark for bulk actions"),
    KeyAction("share", "Share or unshare (marked images, else the current one)", True, "share",
              footer=True, label="Share"),
    KeyAction("copy", "Copy to another region", True, "copy"),
    KeyAction("new_image", "New custom image from an instance or snapshots", True, "new_image"),
    KeyAction("import", "Import an image from object storage", True, "import"),
    KeyAction("export", "Export the image to object storage", True, "export"),
    KeyAction("edit", "Edit name, description, family, tags; deprecate or restore", True, "edit",
              footer=True, label="Edit"),
    KeyAction("delete", "Delete, with confirmation", True, "delete", footer=True,
              label="Delete"),
    KeyAction("fee_preview", "Fee preview: instance type, count, period", dialog="fee_preview"),
    KeyAction("replace_disk", "Replace an instance's system disk with this image", True,
              "replace_disk"),
    KeyAction("switch_region", "Switch region", dialog="switch_region", label="Region"),
    KeyAction("switch_profile", "Switch profile", dialog="switch_profile"),
    KeyAction("sort_next", "Sort by the next column"),
    KeyAction("sort_reverse", "Reverse the sort"),
    KeyAction("copy_id", "Copy the image ID to the clipboard (OSC 52)"),
    KeyAction("activity_log", "Activity log", dialog="activity_log"),
    KeyAction("tasks", "Tasks: running and recent tasks of every region; cancel one",
              label="Tasks"),
    KeyAction("refresh", "Refresh from disk"),
    KeyAction("mark_all", "Mark every image the list shows"),
    KeyAction("invert_marks", "Invert the marks of the images the list shows"),
    KeyAction("clear_marks", "Clear every mark"),
    KeyAction("cost_dashboard", "Cost dashboard: holding costs per region, family, image",
              label="Costs"),
    KeyAction("compare", "Compare two images side by side (two marked, or marked and current)"),
    KeyAction("export_list", "Write the marked images, else the list, to a CSV or JSON file"),
    KeyAction("every_region", "Every region: list the account's images in all regions, with a "
              "Region column (again: back to one region)"),
    KeyAction("saved_filters", "Saved filters: pick one from the config file's [filters]",
              dialog="saved_filters"),
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
