from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecsimg.config import ConfigError, Settings, load_settings
from ecsimg.keymap import DEFAULT_KEYS


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_xdg_config_home_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ecsimg").mkdir()
    (tmp_path / "ecsimg" / "config.toml").write_text('[keys]\nshare = "S"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_settings().keys_for("share") == "S"


def test_keys_and_ui_values_are_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, """
[ui]
theme = "nord"
wide_layout_columns = 120
progress_refresh_seconds = 1
[keys]
share = "ctrl+s, F2"
"""))
    assert settings.theme == "nord"
    assert settings.wide_layout_columns == 120
    assert settings.progress_refresh_seconds == 1.0
    assert settings.keys_for("share") == "ctrl+s,F2"
    assert settings.keys_for("quit") == DEFAULT_KEYS["quit"]


@pytest.mark.parametrize(("text", "fragment"), [
    ("[keys]\nfly = 'f'\n", "unknown action 'keys.fly'"),
    ("[ui]\ncolour = 'red'\n", "unknown key 'ui.colour'"),
    ("[ui]\nwide_layout_columns = 'wide'\n", "must be int"),
    ("[ui]\nwide_layout_columns = true\n", "must be int"),
    ("[ui]\nwide_layout_columns = 5\n", "must be 40 to 1000"),
    ("[ui]\ntheme = 'pink'\n", "'ui.theme' 'pink' is unknown"),
    ("[keys]\nshare = ''\n", "must be keys"),
    ("[keys]\nshare = 3\n", "must be keys"),
    ("[extra]\n", "unknown section"),
    ("ui = 3\n", "must be a table"),
    ("[ui\n", "not valid TOML"),
])
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert fragment in message
    assert str(path) in message
    assert "\n" not in message


def test_saved_filters_are_read_in_file_order(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, """
[filters]
prod-linux = "tag:env=prod -os:windows"
web = 'family:web,api name:"blue green"'
"""))
    assert list(settings.filters) == ["prod-linux", "web"]
    assert settings.filters["web"] == 'family:web,api name:"blue green"'


@pytest.mark.parametrize(("body", "fragment"), [
    ('[filters]\nbad = "arch:sparc"', "'filters.bad': unknown architecture 'sparc'"),
    ("[filters]\nempty = \"\"", "'filters.empty' must be a filter line"),
    ("[filters]\nnumber = 3", "'filters.number' must be a filter line"),
    ('filters = "os:linux"', "'filters' must be a table"),
])
def test_a_bad_saved_filter_is_named(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        load_settings(write(tmp_path, body))
