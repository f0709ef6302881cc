"""The key actions as the UI uses them: bindings for the user's keys, and keys as typed."""

from __future__ import annotations

from ecsimg.config import Settings
from ecsimg.keymap import BY_ID


def keymap(settings: Settings) -> dict[str, str]:
    """Binding id to keys, for App.set_keymap."""
    return {action_id: settings.keys_for(action_id) for action_id in BY_ID}


def display_keys(keys: str) -> str:
    """Keys as a person types them: ``question_mark`` shown as ``?``."""
    names = {"question_mark": "?", "slash": "/", "space": "space", "pageup": "pgup",
             "pagedown": "pgdn", "asterisk": "*", "exclamation_mark": "!", "dollar_sign": "$",
             "equals_sign": "="}
    return " ".join(names.get(k, k) for k in keys.split(","))
