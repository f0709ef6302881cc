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


def cloud_dir() -> Path:
    """``<data dir>/cloud``: the caches of real accounts, apart from the demo catalogue."""
    return data_dir() / "cloud"


def cloud_catalogue(source_name: str, endpoint_slug: str) -> Path:
    """The cache of one credential source at one endpoint: ``cloud/<name>@<endpoint>/``.

    Named by what is known before any call (the aliyun CLI profile, or ``env``, and the
    endpoint) so the cache opens at once, offline too; the account UID is learned by syncing.
    """
    return cloud_dir() / f"{_file_part(source_name)}@{_file_part(endpoint_slug)}"


def _file_part(text: str) -> str:
    """``text`` as a safe file-name part; altered names get a digest so two never collide."""
    import hashlib
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".") or "_"
    if safe == text and len(text) <= 64:
        return safe
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{safe[:55]}-{digest}"
