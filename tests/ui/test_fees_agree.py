"""One money model: the list's CNY/mo, the fee pane, the fee dialog and DescribePrice agree,
and on a real account priced by the user's price book, the list, pane, dialog and dashboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecsimg import service
from ecsimg.bootstrap import open_backend
from ecsimg.domain.errors import ApiError
from ecsimg.domain.fees import SNAPSHOT_STORAGE
from ecsimg.service.market.price import preview_image_fees
from ecsimg.service.reads import browse
from tests.cloud.account import Account, keyed_catalogue, open_account


def _smallest_type(ctx: service.Context, arm: bool) -> tuple[str, int]:
    types = service.call(ctx, "DescribeInstanceTypes", {})["InstanceTypes"]["InstanceType"]
    fitting = [t for t in types if (t["CpuArchitecture"] == "ARM") == arm]
    smallest = min(fitting, key=lambda t: (t["CpuCoreCount"], t["MemorySize"]))
    return smallest["InstanceTypeId"], smallest["CpuCoreCount"]


def _amount(lines: tuple[browse.FeeLine, ...], label: str) -> float:
    return sum(line.amount or 0.0 for line in lines if line.label.startswith(label))


def test_every_demo_image_costs_the_same_in_list_pane_dialog_and_describe_price(
        demo_ctx: service.Context) -> None:
    loaded = browse.load(demo_ctx)
    assert len(loaded.rows) > 50
    checked = 0
    for row in loaded.rows:
        pane = browse.details(demo_ctx, row).fees
        per_month = next(line for line in pane if line.label == "per month")
        assert per_month.unit == "CNY/mo" and per_month.total
        # The list's column and the pane's total answer the same question.
        assert (row.monthly_cost or 0.0) == pytest.approx(per_month.amount), row.name
        one_time = next((line.amount or 0.0 for line in pane if line.label == "once per instance"),
                        0.0)
        assert all(line.unit == "CNY one-time" for line in pane if line.label == "marketplace"
                   and one_time)
        # Parts add up to the total, one-time prices apart.
        recurring = [line for line in pane if not line.total and line.unit == "CNY/mo"]
        assert sum(line.amount or 0.0 for line in recurring) == pytest.approx(per_month.amount)

        type_id, vcpus = _smallest_type(demo_ctx, row.architecture == "arm64")
        try:
            body = service.call(demo_ctx, "DescribePrice", {
                "RegionId": row.region_id, "ImageId": row.image_id, "InstanceType": type_id,
                "PriceUnit": "Month", "Period": "1", "Amount": "1"})
        except ApiError as err:
            assert err.code in ("ImageNotSupportInstanceType", "ImageRemovedInMarket"), err.code
            if err.code == "ImageRemovedInMarket":  # the pane says so instead of a price
                assert any(line.note == err.code for line in pane), row.name
            continue
        details = body["PriceInfo"]["Price"]["DetailInfos"]["DetailInfo"]
        image_fee = next(d["TradePrice"] for d in details if d["Resource"] == "image")
        licence = _amount(pane, "licence") * vcpus
        market = _amount(pane, "marketplace")
        # DescribePrice prices a launch: licence and marketplace, one-time included.
        assert image_fee == pytest.approx(licence + market, abs=1e-3), row.name
        with demo_ctx.repo.read() as view:
            dialog = preview_image_fees(demo_ctx, view, row.image, type_id, 1, 1, "Month")
        assert dialog.one_time == pytest.approx(one_time), row.name
        storage = _amount(pane, "snapshots")
        assert dialog.recurring == pytest.approx(licence + market - one_time + storage,
                                                 abs=1e-3), row.name
        # The dialog's "holding the image, per month" is the pane's storage line.
        assert dialog.holding_per_month == pytest.approx(storage, abs=1e-3), row.name
        checked += 1
    assert checked > 40


@pytest.fixture(scope="module")
def priced_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    """A served account synced in two regions, and a config file pricing its snapshots."""
    folder = tmp_path_factory.mktemp("cloud")
    db, keys = keyed_catalogue(folder)
    account = open_account(db, keys, folder)
    synced = account.cloud("sync", "--RegionId", "cn-hangzhou", "--RegionId", "cn-shanghai")
    assert synced.status == 0, synced.err
    config = folder / "config" / "ecsimg" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[prices.default.snapshot_cny_per_gib_month]\n"
                      "default = 0.12\ncn-hangzhou = 0.2\n")
    yield account
    account.served.stop()


def test_a_cloud_accounts_images_cost_the_same_in_list_pane_dialog_and_dashboard(
        priced_cloud: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(priced_cloud.home))
    monkeypatch.setenv("XDG_DATA_HOME", str(priced_cloud.data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(priced_cloud.home.parent / "config"))
    backend = open_backend(cloud="default", endpoint=priced_cloud.url)
    assert backend.price_book().source  # the user's book, not none and not the demo's
    report = backend.cost_report()
    holdings = {h.key: h for h in report.images}
    types = backend.call("DescribeInstanceTypes", {})["InstanceTypes"]["InstanceType"]
    rows = backend.all_region_images().rows
    own = [r for r in rows if r.image.owner_kind == "custom"
           and r.image.owner_id == backend.session.account_id]
    assert len(own) > 10 and {r.region_id for r in own} == {"cn-hangzhou", "cn-shanghai"}
    for row in own:
        pane = backend.details(row).fees
        per_month = next(line for line in pane if line.label == "per month")
        storage = next(line for line in pane if line.label.startswith("snapshots"))
        assert storage.amount is not None and storage.unit == "CNY/mo", row.name
        # The list's column is the pane's total (unknown in both when the licence is).
        assert row.monthly_cost == (None if per_month.amount is None
                                    else pytest.approx(per_month.amount)), row.name
        # The dashboard's per-image figure is the pane's snapshot line.
        assert holdings[row.key].per_month == pytest.approx(storage.amount), row.name
        if row.image.product_code:
            continue  # the cache holds no marketplace products: the dialog cannot price one
        arm = row.architecture == "arm64"
        fitting = [t for t in types if (t["CpuArchitecture"] == "ARM") == arm]
        smallest = min(fitting, key=lambda t: (t["CpuCoreCount"], t["MemorySize"]))
        dialog = backend.fee_preview(row.image, smallest["InstanceTypeId"], 1, 1, "Month")
        assert dialog.holding_per_month == pytest.approx(storage.amount), row.name
        assert dialog.amount_of(SNAPSHOT_STORAGE) == pytest.approx(storage.amount), row.name
    # The fee dialog's holding costs per region are the dashboard's regions.
    held = backend.holding_costs()
    assert held == {g.name: pytest.approx(g.per_month) for g in report.regions}
    assert report.per_month == pytest.approx(sum(v for v in held.values() if v is not None))
