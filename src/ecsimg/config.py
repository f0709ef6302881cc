"""Typed user settings (keymap, theme, layout, a real account's price book), from
``$XDG_CONFIG_HOME/ecsimg/config.toml``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecsimg.keymap import DEFAULT_KEYS

SECTIONS = ("ui", "keys", "filters", "profiles", "prices")
READ_ONLY_COLOR = "#ffd75f"
"""A read-only profile's colour unless the config gives it one (the warning yellow)."""
MARKER_MAX = 12

LANGUAGES = ("en", "zh-CN")
"""What ``ui.language`` may be (the interface's message catalogues)."""
THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "monokai", "dracula",
          "tokyo-night", "solarized-light", "textual-ansi")


@dataclass(frozen=True)
class ProfileStyle:
    """How the header and the dialogs mark a profile (``[profiles.NAME]``)."""

    color: str = ""
    """A colour name or ``#rrggbb``: the header's profile block and the dialogs' border."""
    marker: str = ""
    """A word shown beside the profile (``PROD``): what tells accounts apart under NO_COLOR."""


DEFAULT_REGION = "default"
"""The price book's key for every region it does not name."""
MAX_SNAPSHOT_PRICE = 100.0
"""A snapshot price above this many CNY per GiB-month is a typo, not a price."""
_REGION_ID = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+\Z")


@dataclass(frozen=True)
class PriceBookSettings:
    """A real account's prices that no ECS API gives (``[prices.NAME]``, NAME the aliyun CLI
    profile of ``--cloud NAME``); the demo catalogue keeps its own illustrative book."""

    snapshot_cny_per_gib_month: Mapping[str, float] = field(default_factory=dict)
    """Snapshot storage in CNY per GiB-month by region ID (``[prices.NAME.
    snapshot_cny_per_gib_month]``, e.g. ``cn-hangzhou = 0.12``); ``default`` prices every
    region not named. A region with neither stays "price unknown"."""
    source: str = ""
    """Where the book was read: the config file and its table (shown beside its figures)."""


class ConfigError(Exception):
    """The config file cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Settings:
    """What a user may set in config.toml; every field has a safe default."""

    theme: str = "textual-dark"
    """Textual theme name (``[ui] theme``)."""
    wide_layout_columns: int = 100
    """At this terminal width or more the details pane sits right of the list (``[ui]``)."""
    progress_refresh_seconds: float = 0.25
    """How often a visible progress bar moves (``[ui]``); nothing refreshes when none is visible."""
    show_fee_pane: bool = True
    """Whether the fee preview pane is shown beside the details (``[ui]``)."""
    language: str = ""
    """``en`` or ``zh-CN`` (``[ui]``); empty: from ``LC_ALL``/``LC_MESSAGES``/``LANG``."""
    keys: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    """Action name to comma-separated keys (``[keys]``); unnamed actions keep their defaults."""
    filters: Mapping[str, str] = field(default_factory=dict)
    """Saved filters, name to filter line (``[filters]``, e.g. ``prod-linux = "tag:env=prod
    -os:windows"``), offered by the palette and the saved-filters key in file order."""

    profiles: Mapping[str, ProfileStyle] = field(default_factory=dict)
    """Profile name to its colour and marker (``[profiles.prod] color = "red"``,
    ``marker = "PROD"``)."""
    prices: Mapping[str, PriceBookSettings] = field(default_factory=dict)
    """A real account's price book by ``--cloud`` NAME (``[prices.NAME]``)."""

    def profile_style(self, name: str, read_only: bool) -> ProfileStyle:
        """The profile's style from the config, else the read-only yellow for a read-only
        profile (marked READ-ONLY by the header already), else none."""
        style = self.profiles.get(name)
        if style is not None:
            return style
        return ProfileStyle(READ_ONLY_COLOR, "") if read_only else ProfileStyle()

    def keys_for(self, action: str) -> str:
        """The keys bound to ``action`` (defaults merged with the user's)."""
        return self.keys.get(action, DEFAULT_KEYS[action])


_UI_FIELDS: dict[str, type] = {
    "theme": str,
    "wide_layout_columns": int,
    "progress_refresh_seconds": float,
    "show_fee_pane": bool,
    "language": str,
}
_LIMITS: dict[str, tuple[float, float]] = {
    "wide_layout_columns": (40, 1000),
    "progress_refresh_seconds": (0.05, 10.0),
}


def default_path() -> Path:
    from ecsimg import locations

    return locations.config_file()


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (default: the XDG config file); defaults when the file is absent."""
    path = path if path is not None else default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from None
    import tomllib  # here: every command asks for settings, few have a config file

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    return settings_from_dict(data, source=str(path))


def settings_from_dict(data: Mapping[str, Any], source: str = "config") -> Settings:
    """Check and convert parsed TOML; ConfigError names the first bad key."""
    for section in data:
        if section not in SECTIONS:
            raise ConfigError(f"{source}: unknown section or key {section!r} "
                              f"(known: {', '.join(SECTIONS)})")
    values: dict[str, Any] = {}
    for name, value in _table(data, "ui", source).items():
        values[name] = _ui_value(name, value, source)
    keys = dict(DEFAULT_KEYS)
    for action, value in _table(data, "keys", source).items():
        if action not in DEFAULT_KEYS:
            raise ConfigError(f"{source}: unknown action 'keys.{action}' "
                              f"(known: {', '.join(sorted(DEFAULT_KEYS))})")
        if not isinstance(value, str) or not value.strip() or any(
                not part.strip() for part in value.split(",")):
            raise ConfigError(f"{source}: 'keys.{action}' must be keys like \"s\" or \"ctrl+s,F2\"")
        keys[action] = ",".join(part.strip() for part in value.split(","))
    filters = _filters(_table(data, "filters", source), source)
    profiles = {name: _profile_style(name, table, source)
                for name, table in _table(data, "profiles", source).items()}
    prices = {name: _price_book(name, table, source)
              for name, table in _table(data, "prices", source).items()}
    return Settings(keys=keys, filters=filters, profiles=profiles, prices=prices, **values)


def _price_book(name: str, table: Any, source: str) -> PriceBookSettings:
    """One ``[prices.NAME]`` table: snapshot prices by region, each a number of CNY >= 0."""
    where = f"{source}: 'prices.{name}'"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table ([prices.{name}.snapshot_cny_per_gib_month]"
                          f" with cn-hangzhou = 0.12, default = 0.12)")
    unknown = set(table) - {"snapshot_cny_per_gib_month"}
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} "
                          "(known: snapshot_cny_per_gib_month)")
    snapshot = table.get("snapshot_cny_per_gib_month", {})
    if not isinstance(snapshot, dict):
        raise ConfigError(f"{source}: 'prices.{name}.snapshot_cny_per_gib_month' must be a "
                          "table of region = "
                          "CNY per GiB-month (cn-hangzhou = 0.12, default = 0.12)")
    prices: dict[str, float] = {}
    for region_id, value in snapshot.items():
        key = f"{source}: 'prices.{name}.snapshot_cny_per_gib_month.{region_id}'"
        if region_id != DEFAULT_REGION and not _REGION_ID.match(region_id):
            raise ConfigError(f"{key}: not a region ID (like cn-hangzhou) or {DEFAULT_REGION!r}")
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value) or not 0 <= value <= MAX_SNAPSHOT_PRICE:
            raise ConfigError(f"{key} must be CNY per GiB-month, a number from 0 to "
                              f"{MAX_SNAPSHOT_PRICE:g}, not {value!r}")
        prices[region_id] = float(value)
    return PriceBookSettings(prices, f"{source} [prices.{name}]")


def _profile_style(name: str, table: Any, source: str) -> ProfileStyle:
    """One ``[profiles.NAME]`` table: a colour Rich knows and a short printable marker."""
    from rich.color import Color, ColorParseError

    where = f"{source}: 'profiles.{name}'"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table ([profiles.{name}] with color, marker)")
    unknown = set(table) - {"color", "marker"}
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: color, marker)")
    color = table.get("color", "")
    marker = table.get("marker", "")
    if not isinstance(color, str) or not isinstance(marker, str):
        raise ConfigError(f"{where}: color and marker must be strings")
    if color:
        try:
            Color.parse(color)
        except ColorParseError:
            raise ConfigError(f"{where}: unknown colour {color!r} (a name such as \"red\" or "
                              f"\"#d70000\")") from None
    if len(marker) > MARKER_MAX or not marker.isprintable():
        raise ConfigError(f"{where}: marker must be printable and at most {MARKER_MAX} "
                          f"characters, not {marker!r}")
    return ProfileStyle(color, marker.strip())


def _filters(table: Mapping[str, Any], source: str) -> dict[str, str]:
    """The saved filters; one that does not parse is named with what is wrong with it."""
    filters: dict[str, str] = {}
    for name, line in table.items():
        if not isinstance(line, str) or not line.strip():
            raise ConfigError(f"{source}: 'filters.{name}' must be a filter line like "
                              f"\"os:ubuntu,debian -tag:env=prod\"")
        from ecsimg.domain.filtering import parse_filter  # only a config file's filters

        error = parse_filter(line).error
        if error:
            raise ConfigError(f"{source}: 'filters.{name}': {error}")
        filters[name] = line.strip()
    return filters


def _table(data: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: '{name}' must be a table ([{name}])")
    return table


def _ui_value(name: str, value: Any, source: str) -> Any:
    expected = _UI_FIELDS.get(name)
    if expected is None:
        raise ConfigError(f"{source}: unknown key 'ui.{name}' (known: {', '.join(_UI_FIELDS)})")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: 'ui.{name}' must be {expected.__name__}, not {value!r}")
    if name == "theme" and value not in THEMES:
        raise ConfigError(f"{source}: 'ui.theme' {value!r} is unknown (known: {', '.join(THEMES)})")
    if name == "language" and value not in LANGUAGES:
        raise ConfigError(f"{source}: 'ui.language' {value!r} is unknown "
                          f"(known: {', '.join(LANGUAGES)})")
    limits = _LIMITS.get(name)
    number = value if isinstance(value, int | float) else 0.0
    if limits is not None and not limits[0] <= number <= limits[1]:
        raise ConfigError(f"{source}: 'ui.{name}' must be {limits[0]} to {limits[1]}, not {value}")
    return value
