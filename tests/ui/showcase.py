"""The demo catalogue at a fixed moment, for the SVG snapshot tests and the README screenshots.

Everything that would make two pictures differ is pinned: the data (seed 0), the clock (so
progress bars stand still), the IDs of new resources, the settings and the catalogue's path.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from ecsimg.config import Settings
from ecsimg.domain.ids import IdFactory
from ecsimg.service.backend import Backend
from ecsimg.service.machinery.context import Context
from ecsimg.service.simulator import SimulatorBackend
from ecsimg.store import tables
from ecsimg.store.demo.seed import seed_catalogue
from ecsimg.store.tinystore import TinyRepository
from ecsimg.ui.app import EcsImgApp, make_app
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.widgets.image_list import ImageList

FIXED_NOW = 1_767_225_600.0
"""2026-01-01T00:00:00Z: when the pictures are taken."""
SETTLE_ROUNDS = 200


def fixed_clock() -> float:
    return FIXED_NOW


def fixed_backend(folder: Path, profile_name: str = "default") -> Backend:
    """The seed-0 demo catalogue in ``folder`` (written on first use), seen at FIXED_NOW."""
    repo = TinyRepository(folder)
    if repo.is_empty():
        seed_catalogue(repo, random_seed=0, now=FIXED_NOW)
    with repo.read() as view:
        profile = view.get(tables.PROFILES, profile_name)
    assert profile is not None, profile_name
    return SimulatorBackend(Context(repo, profile, clock=fixed_clock, ids=IdFactory(seed=0)))


def fixed_app(backend: Backend, language: str = "en") -> EcsImgApp:
    """The app with default settings in ``language``, whatever the user's config file and
    locale say."""
    return make_app(backend, Settings(language=language))


async def settle(pilot: Pilot[int]) -> None:
    """Wait until the rows are listed and the top dialog, if any, has finished its checks."""
    app = pilot.app
    for _ in range(SETTLE_ROUNDS):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        main = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
        if main is None or main.loaded is None or not main.query_one(ImageList).rows:
            continue
        if isinstance(app.screen, Dialog) and not app.screen.settled:
            continue
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        focused = app.focused
        if isinstance(focused, Input):
            # The cursor blinks every half second: hold it shown, so that the picture does
            # not depend on the moment it is taken (Textual's own pause, as on a mouse press).
            focused._pause_blink(visible=True)
            await pilot.pause()
        return
    raise TimeoutError("the app did not settle")
