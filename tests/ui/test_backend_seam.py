"""The TUI on a Backend with no catalogue behind it: it needs the protocol alone."""

from __future__ import annotations

import dataclasses

from textual.widgets import Input

from ecsimg.config import Settings
from ecsimg.domain.errors import ApiError
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs.edit import EditDialog
from ecsimg.ui.dialogs.share import ShareDialog
from ecsimg.ui.screens.detail import DetailScreen
from ecsimg.ui.screens.main import MainScreen
from ecsimg.ui.screens.tasks import ConfirmCancel, TasksScreen
from ecsimg.ui.widgets.header import HeaderBar
from tests.recording_backend import ELSEWHERE, IMAGES, REGION, TASKS, RecordingBackend
from tests.ui.dialog_host import screen_text
from tests.ui.test_main_screen import image_list, main, settle


async def test_main_screen_lists_the_backends_rows_and_session() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert [row.image_id for row in image_list(app).rows] == [
            image.image_id for image in reversed(IMAGES)]
        header = main(app).query_one(HeaderBar).info
        assert (header.profile_name, header.region_id, header.location) == (
            "main", "xx-test-1", "recording backend")
    assert backend.record.calls == []  # listing is a read model, not an API call


async def test_edit_dialog_checks_its_plan_and_applies_through_the_backend() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        dialog.query_one("#edit-name", Input).value = "renamed"
        dialog.query_one("#edit-tags", Input).value = "team=web"
        await pilot.pause(0.5)
        await settle(app, pilot)
        current = IMAGES[-1]
        target = {"RegionId": current.region_id, "ImageId": current.image_id}
        resource = {"RegionId": current.region_id, "ResourceType": "image",
                    "ResourceId.1": current.image_id}
        plan = [("ModifyImageAttribute", {**target, "ImageName": "renamed"}),
                ("UntagResources", {**resource, "TagKey.1": "env"}),
                ("TagResources", {**resource, "Tag.1.Key": "team", "Tag.1.Value": "web"})]
        assert backend.record.checks[-1] == plan  # one check of the whole plan
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert backend.record.calls == plan
        assert not isinstance(app.screen, EditDialog)


async def test_share_plan_follows_the_backends_limits_and_names_the_refused_call() -> None:
    backend = RecordingBackend()
    backend.record.refused["ModifyImageSharePermission"] = ApiError(
        "QuotaExceed.ShareImageUser", "at most 5 accounts", 403)
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ShareDialog)
        assert "0/5 accounts" in screen_text(pilot)  # the backend's limit, not a copy
        dialog.query_one("#share-add", Input).value = (
            "6000000000000001 6000000000000002 6000000000000003")
        await pilot.pause(0.5)
        await settle(app, pilot)
        text = screen_text(pilot)
        assert "2 calls" in text  # two accounts per call, as the backend says
        assert "QuotaExceed.ShareImageUser" in text and "call 1 of 2" in text
        assert len(backend.record.checks[-1]) == 2
        assert backend.record.calls == [("DescribeImageSharePermission", {
            "RegionId": "xx-test-1", "ImageId": IMAGES[-1].image_id, "PageSize": "100",
            "PageNumber": "1"})]


async def test_switching_profile_and_region_asks_the_backend() -> None:
    app = make_app(RecordingBackend(), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        main(app).switch_region("xx-test-2")
        await settle(app, pilot)
        assert main(app).backend.session.region_id == "xx-test-2"
        assert image_list(app).rows == []
        main(app).switch_profile("viewer")
        await settle(app, pilot)
        session = main(app).backend.session
        assert (session.profile_name, session.read_only) == ("viewer", True)
        assert [row.image_id for row in image_list(app).rows] == [
            image.image_id for image in reversed(IMAGES)]


async def test_tasks_view_lists_the_backends_tasks_and_cancels_through_it() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert [row.task_id for row in screen.rows] == [task.task_id for task in TASKS]
        await pilot.press("ctrl+d")  # the running copy is first
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmCancel)
        await pilot.click("#cancel-task")
        await settle(app, pilot)
    assert backend.record.calls == [
        ("CancelCopyImage", {"RegionId": REGION, "ImageId": TASKS[0].resource_id})]


async def test_a_task_the_backend_reports_ended_gets_a_notice() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        copy = backend.record.tasks[0]
        backend.record.tasks[0] = dataclasses.replace(copy, status="Finished", progress=100,
                                                      remain_seconds=0)
        for _ in range(100):  # the screen polls every TASK_POLL_SECONDS
            if any(copy.task_id in n.message for n in app._notifications):
                break
            await pilot.pause(0.1)
        messages = [n.message for n in app._notifications]
    assert any(copy.task_id in m and "Finished" in m for m in messages), messages


async def test_detail_view_goes_back_once_the_backend_no_longer_has_its_image() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await pilot.press("e")  # an image action from the detail view
        await settle(app, pilot)
        assert isinstance(app.screen, EditDialog)
        assert app.screen.request.current is not None
        assert app.screen.request.current.key == detail.row.key
        backend.record.gone.add(detail.row.key)
        await pilot.press("escape")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        messages = [n.message for n in app._notifications]
    assert any("no longer exists" in m for m in messages), messages


async def test_every_region_mode_lists_the_backends_all_region_images() -> None:
    backend = RecordingBackend()
    app = make_app(backend, Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("A")
        await settle(app, pilot)
        rows = image_list(app)
        assert {row.image_id for row in rows.rows} == {
            image.image_id for image in (*IMAGES, ELSEWHERE)}
        assert "Region" in rows.rendered_lines()[0]
        assert main(app).query_one(HeaderBar).info.region_id == "every region"
    assert backend.record.calls == []
