"""The TUI on a cloud account: the cache at once, the region refreshed, OFFLINE when stopped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from ecsimg.bootstrap import open_backend
from ecsimg.config import Settings
from ecsimg.domain.fees import NO_PRICE_BOOK
from ecsimg.ui.app import make_app
from ecsimg.ui.dialogs.edit import EditDialog
from ecsimg.ui.screens.costs import dashboard_text
from ecsimg.ui.widgets.columns import COLUMNS, text_of
from ecsimg.ui.widgets.details import fees_pane_text
from ecsimg.ui.widgets.header import HeaderBar
from tests.cloud.account import Account, copy_catalogue, keyed_catalogue, open_account
from tests.server.harness import Keys
from tests.ui.test_main_screen import image_list, main, settle

REGION = "cn-hangzhou"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Keys]:
    return keyed_catalogue(tmp_path_factory.mktemp("tui"))


@pytest.fixture
def account(template: tuple[Path, Keys], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Account]:
    """A served account synced once by the real command; this process uses its HOME."""
    opened = open_account(copy_catalogue(template[0], tmp_path), template[1], tmp_path)
    synced = opened.cloud("sync", "--RegionId", REGION)
    assert synced.status == 0, synced.err
    monkeypatch.setenv("HOME", str(opened.home))
    monkeypatch.setenv("XDG_DATA_HOME", str(opened.data))
    yield opened
    if opened.served.proc.poll() is None:  # a test that failed before stopping it
        opened.served.stop()


async def test_the_tui_lists_the_cache_and_applies_an_edit_to_the_account(
        account: Account) -> None:
    backend = open_backend(cloud="default", endpoint=account.url, for_screen=True)
    app = make_app(backend, Settings())
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            rows = image_list(app).rows
            assert {r.image_id for r in rows} == set(account.cached_images(REGION))
            header = main(app).query_one(HeaderBar).info
            assert not header.offline
            assert header.location == account.url
            assert header.synced.startswith("synced ")
            own = next(r for r in rows if r.image.owner_id == header.account_id)
            image_list(app).move_to(own.key)
            await settle(app, pilot)
            await pilot.press("e")
            await settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, EditDialog)
            dialog.query_one("#edit-name", Input).value = "edited-in-the-tui"
            await pilot.pause(0.5)
            await settle(app, pilot)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert not isinstance(app.screen, EditDialog)
    finally:
        assert account.served.stop() == 0
    served = open_backend(str(account.served.db)).events(50)
    assert any(e.action == "ModifyImageAttribute" and e.params.get("ImageName") ==
               "edited-in-the-tui" for e in served)
    assert account.cached_images(REGION)[own.image_id].image_name == "edited-in-the-tui"


async def test_with_the_endpoint_stopped_the_tui_shows_offline_and_the_cache(
        account: Account) -> None:
    assert account.served.stop() == 0
    backend = open_backend(cloud="default", endpoint=account.url, for_screen=True)
    app = make_app(backend, Settings())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        header = main(app).query_one(HeaderBar).info
        assert header.offline
        assert "OFFLINE" in main(app).query_one(HeaderBar).render().plain
        assert {r.image_id for r in image_list(app).rows} == set(account.cached_images(REGION))
        await pilot.press("e")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditDialog)
        messages = [n.message for n in app._notifications]
        assert any("offline" in m and "connection refused" in m for m in messages), messages


def test_a_price_is_asked_once_per_question_and_then_answered_offline(
        account: Account) -> None:
    backend = open_backend(cloud="default", endpoint=account.url)
    instance = account.served_api("DescribeInstances", "--RegionId", REGION
                                  )["Instances"]["Instance"][0]
    question = {"RegionId": REGION, "ImageId": instance["ImageId"],
                "InstanceType": instance["InstanceType"], "Amount": "1", "Period": "1",
                "PriceUnit": "Hour"}
    first = backend.call("DescribePrice", question)
    assert first["PriceInfo"]["Price"]["TradePrice"] >= 0
    assert account.served.stop() == 0
    assert backend.call("DescribePrice", question) == first
    from ecsimg.cloud.errors import Unreachable

    with pytest.raises(Unreachable):
        backend.call("DescribePrice", {**question, "Amount": "2"})
    assert backend.session.offline_reason


def test_an_image_made_by_a_task_is_followed_until_it_is_made(
        template: tuple[Path, Keys], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Image tasks on the served account take 0.3 s per GiB: long enough that a loaded machine
    # still sees the image being made right after CreateImage, short enough to wait for.
    opened = open_account(copy_catalogue(template[0], tmp_path), template[1], tmp_path,
                          serve_env={"ECSIMG_TASK_SECONDS_PER_GIB": "0.3"})
    try:
        monkeypatch.setenv("HOME", str(opened.home))
        monkeypatch.setenv("XDG_DATA_HOME", str(opened.data))
        backend = open_backend(cloud="default", endpoint=opened.url)
        backend.follow_seconds = 0.3  # type: ignore[attr-defined]
        instance = opened.served_api("DescribeInstances", "--RegionId", REGION
                                     )["Instances"]["Instance"][0]["InstanceId"]
        made = backend.call("CreateImage", {"RegionId": REGION, "InstanceId": instance,
                                            "ImageName": "followed"})
        image_id = made["ImageId"]
        first = opened.cached_images(REGION)[image_id]
        assert first.pending_end > time.time()  # shown as being made
        deadline = time.monotonic() + 90
        while opened.cached_images(REGION)[image_id].pending_end and \
                time.monotonic() < deadline:
            time.sleep(0.3)
        done = opened.cached_images(REGION)[image_id]
        assert done.pending_end == 0 and done.status == "Available"
    finally:
        assert opened.served.stop() == 0


def test_the_tasks_view_lists_the_accounts_tasks_from_the_api(account: Account) -> None:
    backend = open_backend(cloud="default", endpoint=account.url)
    served = account.served_api("DescribeTasks", "--RegionId", REGION)["TaskSet"]["Task"]
    assert served
    rows = backend.tasks()
    assert {r.task_id for r in rows} == {t["TaskId"] for t in served}
    for task in served:
        row = next(r for r in rows if r.task_id == task["TaskId"])
        assert (row.action, row.resource_id, row.status, row.region_id) == (
            task["TaskAction"], task["ResourceId"], task["TaskStatus"], REGION)
    one = served[-1]["TaskId"]
    assert [r.task_id for r in backend.tasks([one])] == [one]
    assert account.served.stop() == 0
    assert backend.tasks() == []  # offline: the cache's tasks (none are cached), not an error
    assert backend.session.offline_reason


def test_costs_and_exported_records_come_from_the_cache_offline(account: Account) -> None:
    backend = open_backend(cloud="default", endpoint=account.url)
    assert account.served.stop() == 0
    report = backend.cost_report()
    own = set(account.cached_images(REGION))
    assert report.images and {h.key for h in report.images} <= {f"{REGION}/{i}" for i in own}
    keys = [h.key for h in report.images[:3]]
    records = backend.image_records(keys)
    assert [f"{REGION}/{r['ImageId']}" for r in records] == keys
    assert all("DiskDeviceMappings" in r for r in records)
    # The cache has no price book: storage is unknown, never 0, and the total says so.
    assert report.per_month is None and not report.priced
    assert all(h.per_month is None for h in report.images)
    assert report.snapshot_gib > 0
    shown = dashboard_text(report, set(), 120, "default").plain
    assert "Total price unknown" in shown and NO_PRICE_BOOK in shown
    held = backend.holding_costs()
    assert held and all(cost is None for cost in held.values())


def test_the_list_and_the_fee_pane_show_an_unknown_price_as_a_dash(account: Account) -> None:
    backend = open_backend(cloud="default", endpoint=account.url)
    rows = backend.all_region_images().rows
    account_id = backend.session.account_id
    own = next(r for r in rows if r.image.owner_kind == "custom"
               and r.image.owner_id == account_id)
    assert own.monthly_cost is None
    cost_column = next(column for column in COLUMNS if column.key == "cost")
    assert text_of(cost_column, own, 0.0, 9).plain.strip() == "-"
    pane = backend.details(own).fees
    storage = next(line for line in pane if line.label.startswith("snapshots"))
    assert storage.amount is None and NO_PRICE_BOOK in storage.note
    per_month = next(line for line in pane if line.label == "per month")
    assert per_month.amount is None and per_month.note == "price unknown"
    assert "per month: - price unknown" in fees_pane_text(pane, title=False).plain


def test_every_region_lists_each_synced_region_from_the_cache(account: Account) -> None:
    synced = account.cloud("sync", "--RegionId", "cn-shanghai")
    assert synced.status == 0, synced.err
    backend = open_backend(cloud="default", endpoint=account.url)
    rows = backend.all_region_images().rows
    by_region = {row.region_id for row in rows}
    assert {REGION, "cn-shanghai"} <= by_region
    assert {row.image_id for row in rows if row.region_id == REGION} == set(
        account.cached_images(REGION))
