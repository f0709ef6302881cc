"""Which account: the profile's colour and marker in the header and the dialogs, with and
without colour; read-only profiles are marked by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.color import Color
from textual.widgets import Static

from ecsimg.config import READ_ONLY_COLOR, ConfigError, ProfileStyle, Settings, load_settings
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.widgets.header import HeaderBar
from tests.ui.test_main_screen import main, settle
from tests.world import World

PROD = Settings(profiles={"default": ProfileStyle("#d70000", "PROD")})


def _header_segments(app: Any) -> list[Any]:
    header = main(app).query_one(HeaderBar)
    return list(header.render_line(0))


async def _open_fee_dialog(app: Any, pilot: Any) -> Dialog[object]:
    await pilot.press("f")
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, Dialog)
    return dialog


async def test_the_header_and_a_dialog_show_the_profiles_colour_and_marker(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    world.image(image_name="web")
    app = make_app(world.backend(), PROD)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        segments = _header_segments(app)
        name = next(s for s in segments if s.text == " default ")
        assert name.style.bgcolor.get_truecolor() == Color.parse("#d70000").get_truecolor()
        assert name.style.bold
        marker = next(s for s in segments if s.text == " PROD ")
        assert marker.style.reverse
        dialog = await _open_fee_dialog(app, pilot)
        title = str(dialog.query_one(".dialog-title", Static).render())
        assert title.startswith(" default   PROD ")
        border = dialog.query_one(".dialog-box").styles.border.top
        assert border[0] == "heavy" and border[1].hex.lower() == "#d70000"


async def test_without_colour_the_marker_still_names_the_account(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    world.image(image_name="web")
    app = make_app(world.backend(), PROD)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        shown = app.export_screenshot()
        assert "PROD" in shown and "#d70000" not in shown.lower()  # no colour, the word stays
        dialog = await _open_fee_dialog(app, pilot)
        assert "PROD" in str(dialog.query_one(".dialog-title", Static).render())
        assert "PROD" in app.export_screenshot()


async def test_a_read_only_profile_is_yellow_unless_the_config_says_otherwise(
        world: World) -> None:
    world.image(image_name="web")
    for settings, expected in ((Settings(), READ_ONLY_COLOR),
                               (Settings(profiles={"default": ProfileStyle("blue")}), "blue")):
        app = make_app(world.backend(read_only=True), settings)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            name = next(s for s in _header_segments(app) if s.text == " default ")
            assert name.style.bgcolor.get_truecolor() == Color.parse(expected).get_truecolor()
            assert "READ-ONLY" in "".join(s.text for s in _header_segments(app))
    app = make_app(world.backend(), Settings())  # a writable profile: its name plainly
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not any(s.text == " default " for s in _header_segments(app))


def test_profile_styles_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.prod]\ncolor = "red"\nmarker = "PROD"\n'
                    '[profiles.dev]\ncolor = "#5f87ff"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.profile_style("prod", False) == ProfileStyle("red", "PROD")
    assert settings.profile_style("prod", True) == ProfileStyle("red", "PROD")
    assert settings.profile_style("dev", False) == ProfileStyle("#5f87ff", "")
    assert settings.profile_style("other", False) == ProfileStyle()
    assert settings.profile_style("other", True) == ProfileStyle(READ_ONLY_COLOR, "")


@pytest.mark.parametrize(("body", "fragment"), [
    ('[profiles.prod]\ncolor = "reddish"', "unknown colour 'reddish'"),
    ('[profiles.prod]\nmarker = "PRODUCTION-EU-1"', "at most 12 characters"),
    ('[profiles.prod]\nmarker = "\\u001b[31m"', "must be printable"),
    ('[profiles.prod]\nshade = "red"', "unknown key 'shade'"),
    ('[profiles]\nprod = "red"', "'profiles.prod' must be a table"),
])
def test_a_bad_profile_style_is_named(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("(", r"\(")):
        load_settings(path)
