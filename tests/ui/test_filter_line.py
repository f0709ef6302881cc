"""The filter line: negation and alternatives, a bad filter keeping the last good result,
saved filters from the config file through their key and the palette."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot
from textual.widgets import Input

from ecsimg.config import Settings
from ecsimg.ui.app import EcsImgApp, make_app
from ecsimg.ui.dialogs.pickers import FilterPicker
from ecsimg.ui.widgets.filter_error import FilterError
from tests.ui.test_main_screen import VISIBLE_TO_OPS, image_list, settle
from tests.world import World

SAVED = {"prod-web": "family:web tag:env=prod", "not-web": "-family:web -type:public,marketplace"}


@asynccontextmanager
async def running(world: World, settings: Settings) -> AsyncIterator[
        tuple[EcsImgApp, Pilot[int]]]:
    app = make_app(world.backend("default"), settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        yield app, pilot


async def type_filter(app: EcsImgApp, pilot: Pilot[int], line: str) -> None:
    """Focus the filter with its key, type ``line`` over what is there, go back to the list."""
    await pilot.press("slash")
    app.screen.query_one("#filter", Input).value = line
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)


def names(app: EcsImgApp) -> set[str]:
    return {row.name for row in image_list(app).rows}


async def test_negation_and_alternatives_filter_the_list(ui_world: World) -> None:
    async with running(ui_world, Settings()) as (app, pilot):
        await type_filter(app, pilot, "web-00 -web-001 !web-002")
        assert names(app) == {f"web-00{n}" for n in (0, *range(3, 10))}
        await type_filter(app, pilot, "family:web,db -tag:env=prod")
        assert names(app) == {f"web-{n:03d}" for n in range(0, 30, 3)}


async def test_a_bad_filter_keeps_the_last_good_result_and_says_why(ui_world: World) -> None:
    async with running(ui_world, Settings()) as (app, pilot):
        await type_filter(app, pilot, "family:web")
        good = names(app)
        assert len(good) == 15
        await type_filter(app, pilot, "family:web arch:sparc")
        error = app.screen.query_one("#filter-error", FilterError)
        text = str(error.render())
        assert error.display and "unknown architecture 'sparc'" in text
        assert "last good filter: family:web" in text
        assert app.screen.query_one("#filter", Input).has_class("-bad")
        assert names(app) == good  # not every row
        await type_filter(app, pilot, "family:web arch:x86")
        assert not error.display
        assert not app.screen.query_one("#filter", Input).has_class("-bad")


async def test_the_saved_filters_key_puts_a_filter_in_the_line(ui_world: World) -> None:
    async with running(ui_world, Settings(filters=SAVED)) as (app, pilot):
        await pilot.press("F")
        await settle(app, pilot)
        assert isinstance(app.screen, FilterPicker)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, FilterPicker)
        assert app.screen.query_one("#filter", Input).value == SAVED["not-web"]
        shown = names(app)
        assert "web-000" in shown and "web-001" not in shown
        assert len(image_list(app).rows) == VISIBLE_TO_OPS - 15 - 3
        assert app.focused is image_list(app)


async def test_the_picker_says_how_to_save_filters_when_there_are_none(ui_world: World) -> None:
    async with running(ui_world, Settings()) as (app, pilot):
        await pilot.press("F")
        await settle(app, pilot)
        options = app.screen.query_one("#picker-options")
        assert "[filters]" in str(options.get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FilterPicker)  # nothing to pick


async def test_the_palette_offers_saved_filters_by_name(ui_world: World) -> None:
    async with running(ui_world, Settings(filters=SAVED)) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"prod-web")
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one("#filter", Input).value == SAVED["prod-web"]
        assert names(app) == {f"web-{n:03d}" for n in range(1, 30, 2) if n % 3}
