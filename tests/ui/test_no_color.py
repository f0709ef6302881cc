"""Without colour (NO_COLOR), meaning comes from words, weight and reverse video: every style
that carries meaning keeps a readable contrast once Textual turns colours into greys."""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color
from textual.filter import monochrome_style
from textual.theme import BUILTIN_THEMES

from ecsimg.config import Settings
from ecsimg.domain import models as m
from ecsimg.ui import marks
from ecsimg.ui.app import make_app
from ecsimg.ui.widgets.columns import STATUS_STYLES
from tests.ui.test_main_screen import image_list, settle
from tests.world import World

MIN_CONTRAST = 4.5
"""WCAG AA for normal text."""


def _contrast(first: Color, second: Color) -> float:
    lum = [_luminance(c) for c in (first, second)]
    light, dark = max(lum), min(lum)
    return (light + 0.05) / (dark + 0.05)


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def _grey_of(color: RichColor) -> Color:
    """The grey Textual's NO_COLOR filter draws for ``color``."""
    mono = monochrome_style(Style(color=color))
    assert mono.color is not None
    return Color.from_rich_color(mono.color)


def _backgrounds() -> list[Color]:
    """The default theme's background, surface and panel colours."""
    theme = BUILTIN_THEMES[Settings().theme]
    names = [theme.background, theme.surface, theme.panel]
    return [Color.parse(name) for name in names if name]


MEANINGFUL = sorted({*marks.MEANING_STYLES, *(s for s in STATUS_STYLES.values() if s)})


@pytest.mark.parametrize("style_text", MEANINGFUL)
def test_meaning_styles_are_readable_in_grey(style_text: str) -> None:
    style = Style.parse(style_text)
    if style.color is None:  # weight or slant alone: the terminal's own colours
        assert style.bold or style.italic or style.reverse
        return
    grey = _grey_of(style.color)
    for background in _backgrounds():
        grey_background = _grey_of(background.rich_color)
        assert _contrast(grey, grey_background) >= MIN_CONTRAST, (style_text, background)
    # Meaning never rests on colour alone: each is bold (or reverse) as well.
    assert style.bold or style.reverse


async def test_with_no_color_an_unavailable_row_is_drawn_readable(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.image(image_name="broken", status="UnAvailable", disk_mappings=(
        m.DiskMapping("/dev/xvda", "system", 20, "s-missing0000000000000"),))
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(world.backend(), Settings())
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        rows = image_list(app)
        index = next(n for n, r in enumerate(rows.rows) if r.name == "broken")
        strip = rows.render_line(index + 1 - int(rows.scroll_y))
        segment = next(s for s in strip if "UnAvailable" in s.text)
    assert segment.style is not None and segment.style.bold
    assert segment.style.color is not None
    grey = _grey_of(segment.style.color)
    for background in _backgrounds():
        assert _contrast(grey, _grey_of(background.rich_color)) >= MIN_CONTRAST
