"""A minimal App that hosts one dialog, so dialog tests do not depend on the main screen."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ecsimg.config import Settings
from ecsimg.service.backend import Backend
from ecsimg.ui.dialogs import DialogOutcome, DialogRequest, DialogScreen, factory_for
from ecsimg.ui.dialogs.api_dialog import ApiDialog
from ecsimg.ui.dialogs.base import Dialog
from ecsimg.ui.text import Hanging
from tests.world import World

SIZE = (80, 24)
_UNSET: Any = object()


class DialogHost(App[None]):
    """Pushes the dialog on mount and keeps what it was dismissed with."""

    def __init__(self, screen: DialogScreen) -> None:
        super().__init__()
        if isinstance(screen, ApiDialog):
            screen.VALIDATE_DELAY = 0.0  # type: ignore[misc]  # check at once, not after a pause
        self.dialog = screen
        self.result: DialogOutcome | None = _UNSET

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._dialog_dismissed)

    def _dialog_dismissed(self, result: DialogOutcome | None) -> None:
        self.result = result

    @property
    def dismissed(self) -> bool:
        return self.result is not _UNSET


def request(backend: Backend, image_ids: tuple[str, ...] = (), region_id: str = ""
            ) -> DialogRequest:
    """A request on ``image_ids`` (the first is current, all are marked when more than one)."""
    listed = backend.in_region(region_id) if region_id else backend
    rows = {row.image_id: row for row in listed.images().rows}
    chosen = tuple(rows[i] for i in image_ids)
    return DialogRequest(backend, Settings(), chosen[0] if chosen else None,
                         chosen if len(chosen) > 1 else ())


def open_dialog(world: World, name: str, image_ids: tuple[str, ...] = (), *,
                profile: str = "default", read_only: bool = False,
                region_id: str = "") -> DialogHost:
    factory = factory_for(name)
    assert factory is not None, name
    return DialogHost(factory(request(world.backend(profile, read_only), image_ids, region_id)))


async def settle(pilot: Pilot[None], rounds: int = 50) -> None:
    """Wait until the dialog on top shows the result for its form as it is now."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        idle = all(worker.is_finished for worker in app.workers)
        if idle and (not isinstance(screen, Dialog) or screen.settled):
            await pilot.pause()
            if screen is app.screen and all(worker.is_finished for worker in app.workers):
                return


async def fill(pilot: Pilot[None], selector: str, text: str) -> None:
    """Set an Input's value (as typing would) and let the checks run."""
    pilot.app.screen.query_one(selector, Input).value = text
    await settle(pilot)


def screen_text(pilot: Pilot[Any]) -> str:
    """Every Static's text on the dialog, joined (what a person reads)."""
    parts = []
    for static in pilot.app.screen.query(Static):
        content = static.content
        parts.append(str(content) if isinstance(content, Hanging) else str(static.render()))
    return "\n".join(parts)


async def click(pilot: Pilot[None], selector: str) -> None:
    """Scroll a button into view (dialogs scroll at 80x24), click it, let the work finish."""
    pilot.app.screen.query_one(selector).scroll_visible(animate=False)
    await pilot.pause()
    await pilot.click(selector)
    await settle(pilot)
