"""`ecsimg market buy` and the purchases launches consume (Rule 114)."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg import service
from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Event, Purchase, SharePermission
from ecsimg.service.market.purchases import BUY_ACTION, consume_purchase, unused_purchases
from ecsimg.store import tables
from tests.world import DEV, OPS, World


def buy(ctx: service.Context, image_id: str, region_id: str = "", amount: Any = 1
        ) -> dict[str, Any]:
    """``ecsimg market buy`` as the CLI sends it, through the service's door."""
    params = {"ImageId": image_id, "Amount": str(amount)}
    if region_id:
        params["RegionId"] = region_id
    return service.call(ctx, BUY_ACTION, params)


def purchases(world: World) -> list[Purchase]:
    with world.repo.read() as view:
        return sorted(view.all(tables.PURCHASES), key=lambda p: p.purchase_id)


def events(world: World) -> list[Event]:
    with world.repo.read() as view:
        return [e for e in view.all(tables.EVENTS) if e.action == BUY_ACTION]


def buy_error(world: World, image_id: str, region_id: str = "", amount: Any = 1,
              profile: str = "default", read_only: bool = False) -> ApiError:
    with pytest.raises(ApiError) as raised:
        buy(world.ctx(profile, read_only), image_id, region_id, amount)
    return raised.value


def test_rule_114_free_product_still_needs_a_purchase(world: World) -> None:
    free = world.marketplace_image(pricing_model="free", price=0.0)
    with world.repo.transaction() as tx, pytest.raises(ApiError) as raised:
        consume_purchase(tx, OPS, free, "i-aaaaaaaaaaaaaaaaaaaa")
    assert (raised.value.code, raised.value.http_status) == ("QuotaExceed.BuyImage", 403)

    body = buy(world.ctx(), free.image_id)
    assert body["ProductCode"] == "cmjj000001" and body["RegionId"] == "cn-hangzhou"
    with world.repo.read() as view:
        unused = unused_purchases(view, OPS, "cmjj000001", "cn-hangzhou")
    assert [p.purchase_id for p in unused] == body["PurchaseIds"]

    with world.repo.transaction() as tx:
        consume_purchase(tx, OPS, free, "i-aaaaaaaaaaaaaaaaaaaa")
    assert [p.used_by_instance_id for p in purchases(world)] == ["i-aaaaaaaaaaaaaaaaaaaa"]


def test_rule_114_purchases_are_regional(world: World) -> None:
    world.marketplace_image(region="cn-beijing", image_id="m-market0000000000000a",
                            regions=("cn-hangzhou", "cn-beijing"))
    bought = buy(world.ctx(), "m-market0000000000000a", "cn-beijing")
    hangzhou = world.marketplace_image(image_id="m-market0000000000000a",
                                       regions=("cn-hangzhou", "cn-beijing"))
    assert bought["RegionId"] == "cn-beijing"
    with world.repo.transaction() as tx, pytest.raises(ApiError) as raised:
        consume_purchase(tx, OPS, hangzhou, "i-aaaaaaaaaaaaaaaaaaaa")
    assert raised.value.code == "QuotaExceed.BuyImage"


def test_buy_creates_one_purchase_per_instance_and_an_event(world: World) -> None:
    market = world.marketplace_image()
    body = buy(world.ctx(), market.image_id, "cn-hangzhou", 3)
    assert set(body) == {"RequestId", "ProductCode", "RegionId", "PurchaseIds"}
    assert len(body["RequestId"]) == 36
    assert len(set(body["PurchaseIds"])) == 3
    assert all(pid.startswith("p-") and len(pid) == 22 for pid in body["PurchaseIds"])
    stored = purchases(world)
    assert sorted(body["PurchaseIds"]) == [p.purchase_id for p in stored]
    assert {(p.account_id, p.region_id, p.used_by_instance_id) for p in stored} == {
        (OPS, "cn-hangzhou", "")}
    assert stored[0].purchased_time == "2026-01-01T00:00:00Z"
    [event] = events(world)
    assert (event.code, event.request_id, event.account_id) == ("Success", body["RequestId"], OPS)
    assert market.image_id in event.resource_ids
    assert event.params["Amount"] == "3"


def test_buy_defaults_to_the_profiles_region(world: World) -> None:
    market = world.marketplace_image(region="cn-shanghai", regions=("cn-shanghai",))
    body = buy(world.ctx("dev"), market.image_id)
    assert body["RegionId"] == "cn-shanghai"
    assert [p.account_id for p in purchases(world)] == [DEV]


def test_buy_a_marketplace_derived_image_shared_with_the_caller(world: World) -> None:
    world.marketplace_image()
    derived = world.image(owner=OPS, product_code="cmjj000001",
                          shares=(SharePermission(DEV, "2026-01-01T00:00:00Z"),))
    body = buy(world.ctx("dev"), derived.image_id, "cn-hangzhou")
    assert body["ProductCode"] == "cmjj000001"
    assert [p.account_id for p in purchases(world)] == [DEV]


@pytest.mark.parametrize("amount", [0, 101, -1, "two", "1e3", "\x00", "\u0664"])
def test_buy_amount_must_be_1_to_100(world: World, amount: Any) -> None:
    market = world.marketplace_image()
    err = buy_error(world, market.image_id, amount=amount)
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert purchases(world) == []
    assert [e.code for e in events(world)] == ["InvalidParameter"]


def test_an_empty_amount_is_the_default_one_as_for_api_parameters(world: World) -> None:
    market = world.marketplace_image()
    buy(world.ctx(), market.image_id, "cn-hangzhou", "")
    assert len(purchases(world)) == 1


def test_buy_refuses_images_that_are_not_marketplace_or_not_visible(world: World) -> None:
    world.public_image()
    plain = world.image()
    world.marketplace_image()
    private = world.image(owner=OPS, product_code="cmjj000001")
    for image_id, profile in [("aliyun_3_x64_20G_alibase_20250101.vhd", "default"),
                              (plain.image_id, "default"), ("m-doesnotexist00000000", "default"),
                              (private.image_id, "dev"), ("'; DROP --\u202e", "default")]:
        err = buy_error(world, image_id, "cn-hangzhou", profile=profile)
        assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404), image_id
    assert purchases(world) == []


def test_buy_refuses_a_removed_product(world: World) -> None:
    market = world.marketplace_image()
    with world.repo.read() as view:
        product = view.get(tables.PRODUCTS, "cmjj000001")
    world.update(tables.PRODUCTS, product, removed=True)
    err = buy_error(world, market.image_id)
    assert (err.code, err.http_status) == ("ImageRemovedInMarket", 403)
    assert purchases(world) == []


def test_buy_refuses_a_region_where_the_product_is_not_published(world: World) -> None:
    market = world.marketplace_image(region="cn-beijing", regions=("cn-hangzhou",))
    err = buy_error(world, market.image_id, "cn-beijing")
    assert (err.code, err.http_status) == ("OperationDenied.NotPublished", 403)
    assert purchases(world) == []


def test_buy_refuses_an_unknown_region(world: World) -> None:
    market = world.marketplace_image()
    err = buy_error(world, market.image_id, "mars-1")
    assert (err.code, err.http_status) == ("InvalidRegionId.NotFound", 404)


def test_buy_respects_read_only(world: World) -> None:
    market = world.marketplace_image()
    for profile, read_only in [("default", True), ("audit", False)]:
        err = buy_error(world, market.image_id, profile=profile, read_only=read_only)
        assert (err.code, err.http_status) == ("Forbidden.ReadOnly", 403)
    assert purchases(world) == []
    assert events(world) == []


def test_buy_refuses_undecodable_text_as_the_api_does_and_logs_it(world: World) -> None:
    """Bytes that are not UTF-8 arrive from the command line as lone surrogates."""
    with pytest.raises(ApiError) as caught:
        buy(world.ctx(), "m-\udcff", "cn-hangzhou", 1)
    assert (caught.value.code, caught.value.http_status) == ("InvalidParameter", 400)
    with world.repo.read() as view:
        (event,) = view.all(tables.EVENTS)
    assert event.code == "InvalidParameter" and event.params["ImageId"] == "m-\\udcff"
