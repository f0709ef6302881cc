"""The interface's language: the config file's ``ui.language``, else the locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Footer, Static

from ecsimg.config import ConfigError, load_settings, settings_from_dict
from ecsimg.i18n import current_language, language_from_environment
from ecsimg.ui.app import make_app
from ecsimg.ui.screens.help import HelpScreen
from ecsimg.ui.widgets.header import HeaderBar
from ecsimg.ui.widgets.image_list import ImageList
from tests.ui.test_main_screen import settle
from tests.world import World


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def _screen_text(world: World, config: Path) -> tuple[str, str, list[str]]:
    """The header, the footer's key labels and the list's lines of the app as it starts."""
    app = make_app(world.backend(), load_settings(config))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = app.screen.query_one(HeaderBar).render().plain
        footer = " ".join(active.binding.description
                          for active in app.screen.active_bindings.values()
                          if active.binding.show)
        assert app.screen.query_one(Footer)
        return header, footer, app.screen.query_one(ImageList).rendered_lines()


async def test_a_chinese_locale_gives_the_chinese_interface(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    header, footer, lines = await _screen_text(world, _config(tmp_path, ""))
    assert current_language() == "zh-CN"
    assert "个镜像" in header
    assert "帮助" in footer and "筛选" in footer
    assert "名称" in lines[0] and "状态" in lines[0]
    assert all(cell_len(line) == cell_len(lines[0]) for line in lines)


async def test_the_config_file_overrides_the_locale(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    header, footer, lines = await _screen_text(
        world, _config(tmp_path, '[ui]\nlanguage = "en"\n'))
    assert current_language() == "en"
    assert "images" in header and "个镜像" not in header
    assert "Help" in footer
    assert "Name" in lines[0]


async def test_the_config_file_can_ask_for_chinese_under_an_english_locale(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    app = make_app(world.backend(), load_settings(
        _config(tmp_path, '[ui]\nlanguage = "zh-CN"\n')))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).content)
        assert "按键" in text and "共享或取消共享" in text


def test_lc_all_wins_over_lang_and_other_locales_are_english() -> None:
    assert language_from_environment({"LANG": "en_US.UTF-8",
                                      "LC_ALL": "zh_CN.UTF-8"}) == "zh-CN"
    assert language_from_environment({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}) == "en"
    assert language_from_environment({"LC_MESSAGES": "zh_CN.GB18030"}) == "zh-CN"
    assert language_from_environment({"LANG": "de_DE.UTF-8"}) == "en"
    assert language_from_environment({}) == "en"


def test_an_unknown_language_in_the_config_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"ui\.language"):
        settings_from_dict({"ui": {"language": "fr"}})


async def test_a_disabled_key_says_why_in_chinese(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    world.public_image()
    app = make_app(world.backend(), load_settings(_config(tmp_path, "")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        image_list = app.screen.query_one(ImageList)
        public = next(row for row in image_list.rows if row.kind == "public")
        assert image_list.move_to(public.key)
        await pilot.press("s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("共享已禁用" in m and "是公共镜像" in m for m in messages), messages
