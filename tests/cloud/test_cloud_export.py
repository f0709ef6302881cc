"""Exports on a real account: followed by DescribeTaskAttribute until they end; buckets typed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.widgets import Input

from ecsimg.bootstrap import open_backend
from ecsimg.cloud.backend import CloudBackend
from ecsimg.config import Settings
from ecsimg.domain.errors import ApiError
from ecsimg.i18n import t
from ecsimg.service.backend import Backend
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs.transfer import ExportDialog, ImportDialog
from ecsimg.ui.screens.tasks import TasksScreen
from tests.cloud.account import Account, keyed_catalogue, open_account
from tests.ui.dialog_host import DialogHost, fill, request, screen_text
from tests.ui.dialog_host import settle as settle_dialog
from tests.ui.test_main_screen import image_list, main, settle

REGION = "cn-hangzhou"
BUCKET = "exports-hz"
PACE = "0.15"
"""Seconds per GiB of the served account's tasks: an export of a 40 GiB image takes 6 s."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    """A fresh served catalogue whose tasks take seconds, with a bucket, synced once."""
    folder = tmp_path_factory.mktemp("export")
    db, keys = keyed_catalogue(folder)
    (db.parent / "oss" / REGION / BUCKET).mkdir(parents=True)
    opened = open_account(db, keys, folder, serve_env={"ECSIMG_TASK_SECONDS_PER_GIB": PACE})
    synced = opened.cloud("sync", "--RegionId", REGION)
    assert synced.status == 0, synced.err
    yield opened
    if opened.served.proc.poll() is None:
        opened.served.stop()


@pytest.fixture
def account(served: Account, monkeypatch: pytest.MonkeyPatch) -> Account:
    monkeypatch.setenv("HOME", str(served.home))
    monkeypatch.setenv("XDG_DATA_HOME", str(served.data))
    return served


def _cloud(account: Account, *, for_screen: bool = False) -> CloudBackend:
    backend = open_backend(cloud="default", endpoint=account.url, for_screen=for_screen)
    assert isinstance(backend, CloudBackend)
    backend.follow_seconds = 0.3
    return backend


def _exportable(backend: Backend, taken: set[str]) -> str:
    """An image of the account the real DryRun would export, not used by another test."""
    account_id = backend.session.account_id
    for row in backend.images().rows:
        image = row.image
        if image.owner_id != account_id or image.owner_kind != "custom" or \
                image.image_id in taken:
            continue
        try:
            backend.check([("ExportImage", {"RegionId": REGION, "ImageId": image.image_id,
                                            "OSSBucket": BUCKET})])
        except ApiError:
            continue
        taken.add(image.image_id)
        return image.image_id
    raise AssertionError("the served account has no exportable image left")


TAKEN: set[str] = set()


def test_an_export_is_followed_by_its_task_until_it_ends(account: Account) -> None:
    backend = _cloud(account)
    image_id = _exportable(backend, TAKEN)
    body = backend.call("ExportImage", {"RegionId": REGION, "ImageId": image_id,
                                        "OSSBucket": BUCKET, "OSSPrefix": "followed"})
    task_id = body["TaskId"]
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # The follower alone: nothing here asks the API.
        row = backend.link.board.get(task_id)
        if row is not None:
            seen.append((row.status, row.progress))
            if not row.unfinished:
                break
        time.sleep(0.2)
    assert seen and seen[-1] == ("Finished", 100), seen
    running = [progress for status, progress in seen if status == "Processing"]
    assert running and all(0 <= p < 100 for p in running), seen
    assert running == sorted(running)
    listed = account.served_api("DescribeTasks", "--RegionId", REGION, "--TaskIds", task_id)
    assert listed["TaskSet"]["Task"][0]["TaskStatus"] == "Finished"
    row = next(r for r in backend.tasks() if r.task_id == task_id)
    assert (row.action, row.resource_id, row.status, row.progress) == (
        "ExportImage", image_id, "Finished", 100)
    exported = list((account.served.db.parent / "oss" / REGION / BUCKET).glob("followed*"))
    assert exported


def test_the_tasks_view_shows_an_exports_progress_from_the_api(account: Account) -> None:
    backend = _cloud(account)
    image_id = _exportable(backend, TAKEN)
    task_id = backend.client.invoke("ExportImage", {"RegionId": REGION, "ImageId": image_id,
                                                    "OSSBucket": BUCKET})["TaskId"]
    # Not followed here (sent past the backend): the listing asks its progress itself.
    progress: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        backend.link.board.rows.clear()  # no fresh word: each listing asks again
        row = next(r for r in backend.tasks() if r.task_id == task_id)
        progress.append(row.progress)
        if not row.unfinished:
            break
        time.sleep(0.5)
    assert progress[-1] == 100
    assert any(0 < p < 100 for p in progress), progress


def test_the_cli_exports_and_prints_the_task(account: Account) -> None:
    image_id = _exportable(_cloud(account), TAKEN)
    result = account.cloud("api", "ExportImage", "--RegionId", REGION, "--ImageId", image_id,
                           "--OSSBucket", BUCKET)
    assert result.status == 0, result.err
    task_id = result.json()["TaskId"]
    served = account.served_api("DescribeTaskAttribute", "--RegionId", REGION,
                                "--TaskId", task_id)
    assert served["TaskAction"] == "ExportImage"
    bad = account.cloud("api", "ExportImage", "--RegionId", REGION, "--ImageId", image_id,
                        "--OSSBucket", "no-such-bucket")
    assert bad.status == 1 and "Traceback" not in bad.err
    assert "InvalidOSSBucket.NotFound" in bad.err or "ImageIsExporting" in bad.err


async def test_the_export_dialog_takes_a_typed_bucket_checked_by_the_oss_rules(
        account: Account) -> None:
    backend = _cloud(account, for_screen=True)
    image_id = _exportable(backend, TAKEN)
    host = DialogHost(ExportDialog(request(backend, (image_id,))))
    async with host.run_test(size=(100, 30)) as pilot:
        await settle_dialog(pilot)
        assert "OSS buckets are not listed" in screen_text(pilot)
        await fill(pilot, "#export-bucket-name", "Bad_Bucket")
        assert "Bucket: a bucket name has only lowercase letters" in screen_text(pilot)
        await fill(pilot, "#export-bucket-name", "ab")
        assert "3 to 63 characters, not 2" in screen_text(pilot)
        # A valid name the account has no bucket of: the real DryRun says so.
        await fill(pilot, "#export-bucket-name", "no-such-bucket")
        assert "InvalidOSSBucket.NotFound" in screen_text(pilot)
        await fill(pilot, "#export-bucket-name", BUCKET)
        assert "DryRun passed" in screen_text(pilot)


async def test_the_import_dialog_takes_typed_names_and_the_api_checks_them(
        account: Account) -> None:
    backend = _cloud(account, for_screen=True)
    host = DialogHost(ImportDialog(request(backend)))
    async with host.run_test(size=(100, 40)) as pilot:
        await settle_dialog(pilot)
        assert t("oss.not_listed").split(":")[0] in screen_text(pilot)
        await fill(pilot, "#import-bucket-name", BUCKET)
        await fill(pilot, "#import-object-name", "/rooted.qcow2")
        assert "Object: an object name cannot start with / or \\" in screen_text(pilot)
        await fill(pilot, "#import-object-name", "images/missing.qcow2")
        assert "InvalidOSSObject.NotFound" in screen_text(pilot)


async def test_an_export_from_the_tui_ends_with_a_notice_and_shows_in_the_tasks_view(
        account: Account) -> None:
    backend = _cloud(account, for_screen=True)
    image_id = _exportable(backend, TAKEN)
    app = make_app(backend, Settings())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        image_list(app).move_to(f"{REGION}/{image_id}")
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#export-bucket-name", Input).value = BUCKET
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ExportDialog)
        started = [n.message for n in app._notifications if "Exporting (task " in n.message]
        assert len(started) == 1
        task_id = started[0].split("task ")[1].rstrip(")")
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TasksScreen)
        shown = next(r for r in app.screen.rows if r.task_id == task_id)
        assert shown.action == "ExportImage" and shown.resource_id == image_id
        await pilot.press("escape")
        deadline = time.monotonic() + 60
        ended: list[str] = []
        while time.monotonic() < deadline and not ended:
            await pilot.pause(0.5)
            ended = [n.message for n in app._notifications
                     if n.title == "Task ended" and task_id in n.message]
        assert ended and "ExportImage" in ended[0] and "Finished" in ended[0], ended
        main(app)
