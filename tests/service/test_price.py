"""DescribePrice, the fee pane's preview and the holding cost, through the real catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg.domain import fees
from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import SharePermission
from ecsimg.service.market.price import holding_costs, preview_image_fees
from ecsimg.store import tables
from tests.world import DEV, OPS, World

WINDOWS_ID = "win2022_dc_x64_40G_alibase_20250101.vhd"


def details(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["Resource"]: d for d in body["PriceInfo"]["Price"]["DetailInfos"]["DetailInfo"]}


def expect(err: ApiError, code: str, status: int) -> None:
    assert (err.code, err.http_status) == (code, status), err


def test_describe_price_shape_for_an_hour_of_a_linux_instance(world: World) -> None:
    body = world.call("DescribePrice", InstanceType="ecs.g7.large")
    price = body["PriceInfo"]["Price"]
    lines = details(body)
    assert set(lines) == {"instanceType", "systemDisk", "image"}
    assert price["Currency"] == "CNY"
    assert lines["instanceType"]["OriginalPrice"] == pytest.approx(0.55)
    # The default system disk is max(40, image size) GiB of cloud_efficiency.
    assert lines["systemDisk"]["OriginalPrice"] == pytest.approx(round(0.35 * 40 / 730, 4))
    assert price["OriginalPrice"] == pytest.approx(sum(d["OriginalPrice"] for d in lines.values()))
    assert price["DiscountPrice"] == 0.0
    assert price["TradePrice"] == price["OriginalPrice"]
    assert body["PriceInfo"]["Rules"]["Rule"] == []
    assert len(body["RequestId"]) == 36


def test_rule_108_linux_public_image_line_is_zero(world: World) -> None:
    world.public_image()
    body = world.call("DescribePrice", InstanceType="ecs.g7.2xlarge",
                      ImageId="aliyun_3_x64_20G_alibase_20250101.vhd", PriceUnit="Month")
    assert details(body)["image"]["OriginalPrice"] == 0.0


def test_rule_109_windows_image_line_scales_with_vcpu_outside_mainland(world: World) -> None:
    world.public_image(region="ap-southeast-1", os_type="windows", image_id=WINDOWS_ID, size=40)
    small = world.call("DescribePrice", RegionId="ap-southeast-1", InstanceType="ecs.g7.large",
                       ImageId=WINDOWS_ID)
    large = world.call("DescribePrice", RegionId="ap-southeast-1", InstanceType="ecs.g7.2xlarge",
                       ImageId=WINDOWS_ID, Amount=2)
    assert details(small)["image"]["OriginalPrice"] == pytest.approx(0.12 * 2)
    assert details(large)["image"]["OriginalPrice"] == pytest.approx(0.12 * 8 * 2)


def test_rule_109_windows_image_adds_nothing_in_mainland(world: World) -> None:
    world.public_image(os_type="windows", image_id=WINDOWS_ID, size=40)
    body = world.call("DescribePrice", InstanceType="ecs.g7.2xlarge", ImageId=WINDOWS_ID)
    assert details(body)["image"]["OriginalPrice"] == 0.0


def test_year_gets_fifteen_percent_off_with_the_rule(world: World) -> None:
    body = world.call("DescribePrice", InstanceType="ecs.g7.large", PriceUnit="Year", Period=1)
    price = body["PriceInfo"]["Price"]
    assert price["OriginalPrice"] == pytest.approx(0.55 * 8760 + 0.35 * 40 * 12, abs=0.01)
    assert price["DiscountPrice"] == pytest.approx(price["OriginalPrice"] * 0.15, abs=0.001)
    assert price["TradePrice"] == pytest.approx(price["OriginalPrice"] * 0.85, abs=0.001)
    rules = body["PriceInfo"]["Rules"]["Rule"]
    assert [r["Description"] for r in rules] == ["买满1年，立享官网价格8.5折优惠"]
    assert details(body)["instanceType"]["SubRules"]["Rule"] == rules


def test_data_disks_are_priced_by_category_and_size(world: World) -> None:
    body = world.call("DescribePrice", {
        "InstanceType": "ecs.g7.large", "PriceUnit": "Month", "Period": 2,
        "DataDisk.1.Category": "cloud_essd", "DataDisk.1.Size": 100,
        "DataDisk.2.Category": "cloud", "DataDisk.2.Size": 50,
    })
    assert details(body)["dataDisk"]["OriginalPrice"] == pytest.approx(2 * (100 * 1.0 + 50 * 0.3))


def test_rule_112_marketplace_image_line_and_related_price(world: World) -> None:
    market = world.marketplace_image(pricing_model="hourly", price=0.5)
    body = world.call("DescribePrice", InstanceType="ecs.g7.large", ImageId=market.image_id,
                      Amount=3)
    assert details(body)["image"]["OriginalPrice"] == pytest.approx(1.5)
    related = body["PriceInfo"]["RelatedPrice"]["MarketplaceImagePrice"]
    assert related == {"Currency": "CNY", "OriginalPrice": 1.5, "DiscountPrice": 0.0,
                       "TradePrice": 1.5}


def test_rule_113_subscription_image_with_hourly_instance_is_refused(world: World) -> None:
    market = world.marketplace_image(pricing_model="subscription", price=30.0)
    err = world.error("DescribePrice", InstanceType="ecs.g7.large", ImageId=market.image_id,
                      PriceUnit="Hour")
    expect(err, "InvalidMarketImageChargeType.NotSupport", 400)
    body = world.call("DescribePrice", InstanceType="ecs.g7.large", ImageId=market.image_id,
                      PriceUnit="Month", Period=3)
    assert details(body)["image"]["OriginalPrice"] == pytest.approx(90.0)


def test_rule_111_describe_price_charges_the_recipient_the_licence(world: World) -> None:
    shared = world.image(owner=OPS, license_os="rhel", region="cn-shanghai")
    world.update(tables.IMAGES, shared, shares=())
    err = world.error("DescribePrice", RegionId="cn-shanghai", InstanceType="ecs.g7.large",
                      ImageId=shared.image_id, profile="dev")
    expect(err, "InvalidImageId.NotFound", 404)
    world.update(tables.IMAGES, shared, shares=(SharePermission(DEV, "2026-01-01T00:00:00Z"),))
    body = world.call("DescribePrice", RegionId="cn-shanghai", InstanceType="ecs.g7.large",
                      ImageId=shared.image_id, profile="dev")
    assert details(body)["image"]["OriginalPrice"] == pytest.approx(0.10 * 2)


@pytest.mark.parametrize(
    ("params", "code", "status"),
    [
        ({"ImageId": "m-doesnotexist00000000"}, "InvalidImageId.NotFound", 404),
        ({"PriceUnit": "Day"}, "InvalidPriceUnit", 400),
        ({"PriceUnit": "Month", "Period": 10}, "InvalidPeriod", 400),
        ({"PriceUnit": "Year", "Period": 4}, "InvalidPeriod", 400),
        ({"PriceUnit": "Hour", "Period": 2}, "InvalidPeriod", 400),
        ({"Period": "one"}, "InvalidParameter", 400),
        ({"Amount": 0}, "InvalidParameter", 400),
        ({"Amount": 1001}, "InvalidParameter", 400),
        ({"InstanceType": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported", 400),
        ({"SystemDisk.Size": 19}, "InvalidSystemDiskSize.LessThanImageSize", 404),
        ({"SystemDisk.Size": 501}, "InvalidSystemDiskSize.ValueNotSupported", 400),
        ({"SystemDisk.Category": "floppy"}, "InvalidSystemDiskCategory.ValueNotSupported", 400),
        ({"DataDisk.1.Size": 10}, "InvalidDataDiskSize.ValueNotSupported", 400),
        ({"DataDisk.1.Category": "cloud"}, "MissingParameter", 400),
        ({"ResourceType": "ddh"}, "InvalidResourceType.ValueNotSupported", 400),
        ({"RegionId": "mars-1"}, "InvalidRegionId.NotFound", 404),
        ({"Amount": "\u202e１"}, "InvalidParameter", 400),
    ],
)
def test_describe_price_refuses_bad_input(world: World, params: dict[str, Any], code: str,
                                          status: int) -> None:
    expect(world.error("DescribePrice", {"InstanceType": "ecs.g7.large", **params}), code, status)


def test_describe_price_needs_an_instance_type(world: World) -> None:
    expect(world.error("DescribePrice"), "MissingParameter", 400)


def test_system_disk_must_hold_the_image(world: World) -> None:
    big = world.image(size=80)
    err = world.error("DescribePrice", {"InstanceType": "ecs.g7.large",
                                        "ImageId": big.image_id, "SystemDisk.Size": 60})
    expect(err, "InvalidSystemDiskSize.LessThanImageSize", 404)
    body = world.call("DescribePrice", InstanceType="ecs.g7.large", ImageId=big.image_id)
    assert details(body)["systemDisk"]["OriginalPrice"] == pytest.approx(round(0.35 * 80 / 730, 4))


def test_arm_image_on_x86_type_is_not_supported(world: World) -> None:
    arm = world.image(architecture="arm64")
    err = world.error("DescribePrice", InstanceType="ecs.g7.large", ImageId=arm.image_id)
    expect(err, "ImageNotSupportInstanceType", 403)
    assert "on an X86 instance type" in err.message
    x86 = world.image()
    err = world.error("DescribePrice", InstanceType="ecs.g8y.large", ImageId=x86.image_id)
    assert "on an ARM instance type" in err.message
    assert world.call("DescribePrice", InstanceType="ecs.g8y.large", ImageId=arm.image_id)


def test_removed_or_unknown_marketplace_product_is_refused(world: World) -> None:
    market = world.marketplace_image()
    with world.repo.read() as view:
        product = view.get(tables.PRODUCTS, market.product_code)
    world.update(tables.PRODUCTS, product, removed=True)
    err = world.error("DescribePrice", InstanceType="ecs.g7.large", ImageId=market.image_id)
    expect(err, "ImageRemovedInMarket", 403)
    orphan = world.marketplace_image(product_code="cmjj000002")
    with world.repo.transaction() as tx:
        tx.delete(tables.PRODUCTS, "cmjj000002")
    err = world.error("DescribePrice", InstanceType="ecs.g7.large", ImageId=orphan.image_id)
    expect(err, "InvalidMarketImage.NotFound", 404)


def test_describe_price_is_read_only_and_leaves_no_event(world: World) -> None:
    world.call("DescribePrice", InstanceType="ecs.g7.large", read_only=True)
    with world.repo.read() as view:
        assert view.all(tables.EVENTS) == []


def test_preview_image_fees_for_the_fee_pane(world: World) -> None:
    mine = world.image(size=100, data_disks=(50,), license_os="windows", region="cn-hongkong")
    ctx = world.ctx()
    with world.repo.read() as view:
        result = preview_image_fees(ctx, view, mine, "ecs.g7.xlarge", count=2, period=1,
                                    price_unit="Month")
    assert result.amount_of(fees.LICENCE) == pytest.approx(0.12 * 4 * 730 * 2)
    assert result.amount_of(fees.SNAPSHOT_STORAGE) == pytest.approx(150 * 0.12 / 720 * 730)
    # Holding a month costs what a Month of storage in the preview costs: 730 h, hourly.
    assert result.holding_per_month == pytest.approx(result.amount_of(fees.SNAPSHOT_STORAGE))
    assert result.total == pytest.approx(sum(line.amount for line in result.lines))
    with world.repo.read() as view, pytest.raises(ApiError) as raised:
        preview_image_fees(ctx, view, mine, "ecs.g7.xlarge", period=13, price_unit="Month")
    assert raised.value.code == "InvalidPeriod"


def test_holding_costs_per_region_of_the_callers_images(world: World) -> None:
    world.image(size=100)
    world.image(size=40, data_disks=(60,))
    world.image(size=20, region="ap-southeast-1")
    world.image(owner=DEV, size=500)
    with world.repo.read() as view:
        costs = holding_costs(world.ctx(), view)
    assert costs == pytest.approx({"cn-hangzhou": 200 * 0.12 / 720 * 730,
                                   "ap-southeast-1": 20 * 0.16 / 720 * 730})
