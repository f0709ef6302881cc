"""Where ecsimg keeps its files (XDG base directories), in one place."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ecsimg"
DB_ENV = "ECSIMG_DB"
"""Environment variable naming the catalogue to use, like ``--db``."""
PROFILE_ENV = "ECSIMG_PROFILE"
"""Environment variable naming the profile to use, like ``--profile``."""


def _xdg(variable: str, fallback: str) -> Path:
    # The XDG spec says a relative path in these variables is invalid and must be ignored.
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def data_dir() -> Path:
    """``$XDG_DATA_HOME/ecsimg``, else ``~/.local/share/ecsimg``."""
    return _xdg("XDG_DATA_HOME", ".local/share") / APP_NAME


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/ecsimg``, else ``~/.config/ecsimg``."""
    return _xdg("XDG_CONFIG_HOME", ".config") / APP_NAME


def config_file() -> Path:
    """The settings file (keymap, theme, defaults)."""
    return config_dir() / "config.toml"


def default_catalogue() -> Path:
    """The catalogue used when neither ``--db`` nor ECSIMG_DB names one: a folder of shards."""
    return data_dir() / "catalogue"


def catalogue_path(explicit: str | None = None) -> Path:
    """The catalogue to open: ``--db``, else ECSIMG_DB, else the default."""
    chosen = explicit if explicit else os.environ.get(DB_ENV, "")
    if chosen:
        return Path(chosen).expanduser()
    return default_catalogue()
