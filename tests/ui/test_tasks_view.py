"""The tasks view: tasks of every region with progress, cancel, and a notice when one ends."""

from __future__ import annotations

from textual.widgets import DataTable

from ecsimg.ui.screens.tasks import ConfirmCancel, TasksScreen
from tests.ui.test_main_screen import running, settle
from tests.world import World


def _copy(world: World) -> tuple[str, str]:
    image = world.image(image_name="web", size=40)
    body = world.call("CopyImage", {"ImageId": image.image_id,
                                    "DestinationRegionId": "cn-shanghai"})
    return body["ImageId"], image.image_id


def _table_text(screen: TasksScreen) -> str:
    table = screen.query_one(DataTable)
    return "\n".join(" ".join(str(c) for c in table.get_row_at(n)) for n in range(table.row_count))


async def test_tasks_view_lists_a_copy_into_another_region_and_cancels_it(world: World) -> None:
    copy_id, _ = _copy(world)
    async with running(world, size=(120, 40)) as (app, pilot):
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        text = _table_text(screen)
        assert "CopyImage" in text and "cn-shanghai" in text and copy_id in text
        assert "Processing" in text or "Waiting" in text
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmCancel)
        await pilot.click("#cancel-task")
        await settle(app, pilot)
        assert isinstance(app.screen, TasksScreen)
        assert "Cancelled" in _table_text(screen)
    assert world.get_image(copy_id, region="cn-shanghai") is None


async def test_read_only_profile_cannot_cancel(world: World) -> None:
    _copy(world)
    async with running(world, size=(120, 40), read_only=True) as (app, pilot):
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TasksScreen)
        assert app.screen.check_action("cancel_task", ()) is None


async def test_a_notice_says_when_a_task_ends(world: World) -> None:
    copy_id, _ = _copy(world)
    async with running(world, size=(120, 40)) as (app, pilot):
        world.advance(3600)
        for _ in range(100):  # the screen looks at its watched tasks every TASK_POLL_SECONDS
            await pilot.pause(0.1)
            messages = [n.message for n in app._notifications]
            if any(copy_id in m for m in messages):
                break
    assert any(copy_id in m and "Finished" in m for m in messages), messages
