"""The steps that bring the fixed app to each pictured screen (snapshot tests and screenshots)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Input

from ecsimg.ui.dialogs.share import ShareDialog
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.widgets.image_list import ImageList
from tests.ui.showcase import SETTLE_ROUNDS, settle

Steps = Callable[[Pilot[int]], Awaitable[None]]

WEB_V3 = "m-n77vyqnhvp8wkjvadjwx"
"""A custom image of the seed-0 demo: shared with 3 accounts, snapshots, a family."""
K8S_NODE = "m-ihzw64oxw1rwzsg4sh2j"
"""Another custom image of the demo, shared with 2 accounts."""
NEW_ACCOUNT = "6000000000000009"


def _image_list(pilot: Pilot[int]) -> ImageList:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen.query_one(ImageList)


async def _move_to(pilot: Pilot[int], image_id: str) -> None:
    assert _image_list(pilot).move_to(image_id), image_id
    await settle(pilot)


async def main_screen(pilot: Pilot[int]) -> None:
    await settle(pilot)


async def detail_screen(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await _move_to(pilot, WEB_V3)
    await pilot.press("enter")
    await settle(pilot)


async def tasks_view(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)


async def help_screen(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


async def fee_preview(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await _move_to(pilot, WEB_V3)
    await pilot.press("f")
    await settle(pilot)


async def share_dialog(pilot: Pilot[int]) -> None:
    """Two marked images, one account added and one removed: the diff before applying."""
    await settle(pilot)
    for image_id in (K8S_NODE, WEB_V3):
        await _move_to(pilot, image_id)
        await pilot.press("space")
    await pilot.press("s")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ShareDialog)
    shared = dialog.current_accounts[f"cn-hangzhou/{WEB_V3}"]
    dialog.query_one("#share-add", Input).value = NEW_ACCOUNT
    dialog.query_one("#share-remove", Input).value = shared[0]["AliyunId"]
    await settle(pilot)


async def cost_dashboard(pilot: Pilot[int]) -> None:
    """The dashboard with one image marked: what deleting it would save."""
    await settle(pilot)
    await _move_to(pilot, WEB_V3)
    await pilot.press("space")
    await pilot.press("dollar_sign")
    await settle(pilot)


async def compare_view(pilot: Pilot[int]) -> None:
    """Two marked custom images side by side, the differences marked."""
    await settle(pilot)
    for image_id in (K8S_NODE, WEB_V3):
        await _move_to(pilot, image_id)
        await pilot.press("space")
    await pilot.press("equals_sign")
    await settle(pilot)


async def every_region(pilot: Pilot[int]) -> None:
    """Every region's images but the public ones: a negated term in the other list mode."""
    await settle(pilot)
    await pilot.press("A")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.query_one("#filter", Input).value = "-type:public"
    # The every-region load and the filter each end after a worker or a timer that a busy
    # machine may not have started by the first settle: wait for the list they leave.
    for _ in range(SETTLE_ROUNDS):
        await settle(pilot)
        rows = _image_list(pilot).rows
        if (screen.loaded is not None and screen.loaded.every_region and rows
                and all(row.kind != "public" for row in rows)):
            break
        await pilot.pause(0.05)
    else:
        raise TimeoutError("the every-region list was not filtered")
    _image_list(pilot).focus()
