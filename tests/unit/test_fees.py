"""Fee rules on plain records: licence, snapshot storage, marketplace price (Rules 108-113)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ecsimg.domain import fees
from ecsimg.domain.fees import FeePreview, FeeProblem, Usage
from ecsimg.domain.models import DiskMapping, Image, MarketplaceProduct, PriceBook, Snapshot
from ecsimg.store.demo.base import PRICE_BOOK

OWNER = "1234567890123456"
RECIPIENT = "2345678901234567"
BOOK = PriceBook(
    licence_per_vcpu_hour={"windows": 0.12, "rhel": 0.10, "suse": 0.08},
    snapshot_per_gib_month={"*": 0.12, "ap-southeast-1": 0.16},
)


def image(**changes: Any) -> Image:
    base = Image(
        region_id="cn-hangzhou", image_id="m-aaaaaaaaaaaaaaaaaaaa", image_name="web",
        owner_kind="system", owner_id="", os_type="linux", platform="Aliyun",
        os_name="Alibaba Cloud Linux 3", os_name_en="Alibaba Cloud Linux 3",
        architecture="x86_64", size=40, creation_time="2025-01-01T00:00:00Z",
        disk_mappings=(DiskMapping("/dev/xvda", "system", 40),),
    )
    return dataclasses.replace(base, **changes)


def snap(snapshot_id: str, size: int, region: str = "cn-hangzhou") -> Snapshot:
    return Snapshot(snapshot_id, region, OWNER, "d-x", "system", size, "2025-01-01T00:00:00Z")


def custom(snapshots: dict[str, Snapshot], owner: str = OWNER, **changes: Any) -> Image:
    mappings = tuple(
        DiskMapping(f"/dev/xvd{chr(ord('a') + n)}", "system" if n == 0 else "data", s.size,
                    s.snapshot_id)
        for n, s in enumerate(snapshots.values())
    )
    return image(owner_kind="custom", owner_id=owner, disk_mappings=mappings, **changes)


def preview(img: Image, usage: Usage, account: str = OWNER,
            snapshots: dict[str, Snapshot] | None = None,
            product: MarketplaceProduct | None = None, book: PriceBook = BOOK) -> FeePreview:
    result = fees.image_fees(img, account_id=account, book=book, usage=usage,
                             snapshots=snapshots or {}, product=product)
    assert isinstance(result, FeePreview), result
    return result


def product(model: str, price: float) -> MarketplaceProduct:
    return MarketplaceProduct("cmjj000001", "LNMP", "ISV", model, price,  # type: ignore[arg-type]
                              ("cn-hangzhou",))


def test_rule_108_linux_public_image_adds_no_licence_fee() -> None:
    result = preview(image(), Usage(vcpus=8, hours=730, count=3))
    assert result.amount_of(fees.LICENCE) == 0.0
    assert result.total == 0.0
    assert "no OS licence fee" in result.lines[0].detail


def test_rule_109_windows_licence_scales_with_vcpu_outside_mainland() -> None:
    windows = image(region_id="ap-southeast-1", os_type="windows", license_os="windows")
    two = preview(windows, Usage(vcpus=2, hours=10, count=1))
    eight = preview(windows, Usage(vcpus=8, hours=10, count=3))
    assert two.amount_of(fees.LICENCE) == pytest.approx(0.12 * 2 * 10)
    assert eight.amount_of(fees.LICENCE) == pytest.approx(0.12 * 8 * 10 * 3)


def test_rule_109_windows_licence_applies_in_hongkong_but_not_mainland() -> None:
    usage = Usage(vcpus=4, hours=1)
    hongkong = preview(image(region_id="cn-hongkong", license_os="windows"), usage)
    hangzhou = preview(image(region_id="cn-hangzhou", license_os="windows"), usage)
    assert hongkong.amount_of(fees.LICENCE) == pytest.approx(0.48)
    assert hangzhou.amount_of(fees.LICENCE) == 0.0
    everywhere = dataclasses.replace(BOOK, windows_licence_outside_mainland_only=False)
    assert preview(image(license_os="windows"), usage, book=everywhere).total == pytest.approx(0.48)


def test_rule_109_rhel_and_suse_are_charged_in_mainland_at_book_prices() -> None:
    usage = Usage(vcpus=2, hours=5)
    assert preview(image(license_os="rhel"), usage).total == pytest.approx(0.10 * 2 * 5)
    assert preview(image(license_os="suse"), usage).total == pytest.approx(0.08 * 2 * 5)
    dearer = dataclasses.replace(BOOK, licence_per_vcpu_hour={"rhel": 1.0})
    assert preview(image(license_os="rhel"), usage, book=dearer).total == pytest.approx(10.0)


def test_rule_109_byol_image_pays_no_licence() -> None:
    byol = image(region_id="ap-southeast-1", license_os="windows", license_type="BYOL")
    result = preview(byol, Usage(vcpus=16, hours=100))
    assert result.total == 0.0
    assert "BYOL" in result.lines[0].detail


def test_demo_price_book_holds_the_licence_prices() -> None:
    assert set(PRICE_BOOK.licence_per_vcpu_hour) == {"windows", "rhel", "suse"}
    assert "illustrative" in PRICE_BOOK.note.lower()


def test_rule_110_snapshot_hour_price_reproduces_the_billing_doc() -> None:
    hangzhou = PriceBook(snapshot_per_gib_month={"cn-hangzhou": 0.12})
    hourly = fees.snapshot_hourly_cost(1, "cn-hangzhou", hangzhou)
    assert hourly is not None and round(hourly, 9) == 0.000166667
    # The doc: 310 GiB x 0.000166667 x 13 h = 0.67171 CNY (its last digit is off: 0.671667).
    cost = fees.snapshot_storage_cost(310, "cn-hangzhou", hangzhou, 13)
    assert cost is not None and round(cost, 4) == round(0.67171, 4)
    assert cost == pytest.approx(310 * 0.12 / 720 * 13)


def test_rule_110_partial_hours_are_billed_as_whole_hours() -> None:
    hangzhou = PriceBook(snapshot_per_gib_month={"*": 0.12})
    assert fees.snapshot_storage_cost(310, "cn-hangzhou", hangzhou, 12.01) == pytest.approx(
        fees.snapshot_storage_cost(310, "cn-hangzhou", hangzhou, 13))
    assert fees.snapshot_storage_cost(10, "cn-hangzhou", hangzhou, 0.2) == pytest.approx(
        10 * 0.12 / 720)


def test_rule_110_custom_image_adds_snapshot_storage_hourly_and_monthly() -> None:
    snapshots = {"s-sys": snap("s-sys", 300), "s-data": snap("s-data", 10)}
    img = custom(snapshots)
    result = preview(img, Usage(vcpus=2, hours=13), snapshots=snapshots)
    assert result.amount_of(fees.SNAPSHOT_STORAGE) == pytest.approx(310 * 0.12 / 720 * 13)
    assert result.holding_per_month == pytest.approx(310 * 0.12 / 720 * 730)  # a 730 h month
    assert "310 GiB" in result.lines[1].detail


def test_rule_110_custom_image_carries_its_base_image_licence_on_launch() -> None:
    snapshots = {"s-sys": snap("s-sys", 40)}
    img = custom(snapshots, region_id="ap-southeast-1", license_os="windows", os_type="windows")
    result = preview(img, Usage(vcpus=4, hours=2), snapshots=snapshots)
    assert result.amount_of(fees.LICENCE) == pytest.approx(0.12 * 4 * 2)
    assert result.amount_of(fees.SNAPSHOT_STORAGE) == pytest.approx(40 * 0.16 / 720 * 2)


def test_rule_111_recipient_pays_licence_but_no_snapshot_storage() -> None:
    snapshots = {"s-sys": snap("s-sys", 100)}
    shared = custom(snapshots, license_os="rhel")
    usage = Usage(vcpus=2, hours=10)
    owner = preview(shared, usage, account=OWNER, snapshots=snapshots)
    recipient = preview(shared, usage, account=RECIPIENT, snapshots=snapshots)
    assert recipient.amount_of(fees.LICENCE) == pytest.approx(0.10 * 2 * 10)
    assert recipient.amount_of(fees.SNAPSHOT_STORAGE) == 0.0
    assert recipient.holding_per_month == 0.0
    owner_storage = owner.amount_of(fees.SNAPSHOT_STORAGE)
    assert owner_storage is not None and owner_storage > 0
    assert owner.amount_of(fees.LICENCE) == recipient.amount_of(fees.LICENCE)


def test_rule_111_shared_image_from_a_free_image_costs_the_recipient_nothing() -> None:
    snapshots = {"s-sys": snap("s-sys", 100)}
    result = preview(custom(snapshots), Usage(vcpus=8, hours=730, count=5), account=RECIPIENT,
                     snapshots=snapshots)
    assert result.total == 0.0


@pytest.mark.parametrize(
    ("model", "price", "usage", "expected"),
    [
        ("free", 0.0, Usage(vcpus=2, hours=730, count=3, prepaid=True), 0.0),
        ("one_time", 50.0, Usage(vcpus=2, hours=10, count=3), 150.0),
        ("subscription", 30.0, Usage(vcpus=2, hours=730 * 3, count=2, prepaid=True), 180.0),
        ("hourly", 0.5, Usage(vcpus=2, hours=10, count=2), 10.0),
    ],
)
def test_rule_112_marketplace_image_adds_the_isv_price(
    model: str, price: float, usage: Usage, expected: float
) -> None:
    market = image(owner_kind="marketplace", product_code="cmjj000001")
    result = preview(market, usage, product=product(model, price))
    assert result.amount_of(fees.MARKETPLACE) == pytest.approx(expected)
    assert result.total == pytest.approx(expected)


def test_rule_112_marketplace_derived_custom_image_costs_the_product_price() -> None:
    snapshots = {"s-sys": snap("s-sys", 40)}
    derived = custom(snapshots, product_code="cmjj000001")
    result = preview(derived, Usage(vcpus=2, hours=1, count=2), account=RECIPIENT,
                     snapshots=snapshots, product=product("one_time", 20.0))
    assert result.amount_of(fees.MARKETPLACE) == pytest.approx(40.0)


def test_rule_113_subscription_product_with_pay_as_you_go_is_a_problem() -> None:
    market = image(owner_kind="marketplace", product_code="cmjj000001")
    result = fees.image_fees(market, account_id=OWNER, book=BOOK,
                             usage=Usage(vcpus=2, hours=1, prepaid=False), snapshots={},
                             product=product("subscription", 30.0))
    assert isinstance(result, FeeProblem)
    assert result.code == "InvalidMarketImageChargeType.NotSupport"
    assert result.http_status == 400


def test_holding_cost_counts_shared_snapshots_once_per_region() -> None:
    shared_snap = snap("s-shared", 100)
    snapshots = {"s-shared": shared_snap, "s-other": snap("s-other", 50),
                 "s-sg": snap("s-sg", 20, "ap-southeast-1")}
    first = custom({"s-shared": shared_snap}, image_id="m-1")
    second = custom({"s-shared": shared_snap, "s-other": snapshots["s-other"]}, image_id="m-2")
    abroad = custom({"s-sg": snapshots["s-sg"]}, image_id="m-3", region_id="ap-southeast-1")
    theirs = custom({"s-other": snapshots["s-other"]}, owner=RECIPIENT, image_id="m-4")
    costs = fees.holding_cost_per_region([first, second, abroad, theirs, image()], snapshots,
                                         BOOK, OWNER)
    assert costs == pytest.approx({"cn-hangzhou": 150 * 0.12 / 720 * 730,
                                   "ap-southeast-1": 20 * 0.16 / 720 * 730})
    assert fees.holding_cost_per_region([theirs], snapshots, BOOK, OWNER) == {}


def test_a_book_without_the_price_leaves_licence_and_storage_unknown_not_zero() -> None:
    empty = PriceBook()
    windows = image(license_os="windows", os_type="windows", region_id="ap-southeast-1")
    usage = Usage(2, fees.HOURS_PER_MONTH)
    assert fees.licence_line(windows, "ap-southeast-1", empty, usage).amount is None
    assert fees.snapshot_price(empty, "cn-hangzhou") is None
    own = custom({"s-1": snap("s-1", 40)})
    found = preview(own, usage, snapshots={"s-1": snap("s-1", 40)}, book=empty)
    assert found.amount_of(fees.SNAPSHOT_STORAGE) is None
    assert found.total is None and found.recurring is None
    assert found.holding_per_month is None
    estimate = fees.monthly_estimate(own, account_id=OWNER, book=empty, storage_gib=40,
                                     product=None)
    assert estimate.owner_pays and estimate.storage is None and estimate.per_month is None
    assert fees.holding_cost_per_region([own], {"s-1": snap("s-1", 40)}, empty, OWNER) == {
        "cn-hangzhou": None}


def test_a_zero_in_the_book_is_a_price_and_a_system_image_needs_no_book() -> None:
    free = PriceBook(snapshot_per_gib_month={"*": 0.0})
    own = custom({"s-1": snap("s-1", 40)})
    found = preview(own, Usage(1, 10), snapshots={"s-1": snap("s-1", 40)}, book=free)
    assert found.amount_of(fees.SNAPSHOT_STORAGE) == 0.0
    assert found.total == 0.0
    linux = fees.monthly_estimate(image(), account_id=OWNER, book=PriceBook(), storage_gib=0,
                                  product=None)
    assert linux.per_month == 0.0  # no licence fee and not the caller's storage: known
