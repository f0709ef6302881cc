"""A sync through the real client against a stand-in endpoint: paging, shares, failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.convert import image_records
from ecsimg.cloud.errors import BadResponse
from ecsimg.cloud.retry import RetryPolicy
from ecsimg.cloud.sync import ACCOUNT, Progress, run_sync
from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.cloud.helpers import client_for
from tests.cloud.stand_in import StandIn
from tests.world import DEV, PARTNER


def fill(stand_in: StandIn, system_images: int = 230) -> list[m.Image]:
    """Own images in two regions (one shared), many system images, one marketplace image."""
    world = stand_in.world
    own = [world.image(region="cn-hangzhou") for _ in range(3)]
    own.append(world.image(region="cn-beijing"))
    shares = (m.SharePermission(DEV, "2025-07-01T00:00:00Z"),
              m.SharePermission(PARTNER, "2025-07-02T00:00:00Z"))
    shared = dataclasses.replace(own[0], shares=shares)
    world.put(tables.IMAGES, shared)
    template = world.public_image()
    with world.repo.transaction() as tx:
        for n in range(1, system_images):
            tx.put(tables.IMAGES, dataclasses.replace(
                template, image_id=f"ubuntu_{n:04d}_x64_20G_alibase_20250101.vhd"))
    world.marketplace_image()
    return [shared, *own[1:]]


def test_sync_reads_every_listing_to_its_end(clean_environment: Path, stand_in: StandIn) -> None:
    own = fill(stand_in)
    seen: list[Progress] = []
    client = client_for(clean_environment, stand_in.url)
    result = run_sync(client.invoke, regions=["cn-hangzhou", "cn-beijing"], workers=3,
                      progress=seen.append)
    assert result.failures == {}
    assert sorted(result.regions) == ["cn-beijing", "cn-hangzhou"]
    hangzhou = result.pages["cn-hangzhou"]
    assert len(hangzhou["images:system"]) == 3  # 230 system images, 100 a page
    system_ids = {i["ImageId"] for body in hangzhou["images:system"]
                  for i in body["Images"]["Image"]}
    assert len(system_ids) == 230
    assert [b["PageNumber"] for b in hangzhou["images:system"]] == [1, 2, 3]
    assert set(hangzhou) >= {"images:self", "images:others", "images:marketplace", "instances",
                             "disks", "snapshots", f"shares:{own[0].image_id}"}
    assert ACCOUNT in result.pages and result.pages[ACCOUNT]["instance_types"]
    assert result.calls == len(stand_in.requests) == seen[-1].calls
    # DescribeRegions is call 1; every later page is reported once.
    assert sorted(p.calls for p in seen) == list(range(2, result.calls + 1))
    share_pages = hangzhou[f"shares:{own[0].image_id}"]
    accounts = [a["AliyunId"] for body in share_pages for a in body["Accounts"]["Account"]]
    assert sorted(accounts) == [DEV, PARTNER]


def test_sync_images_become_catalogue_records(clean_environment: Path, stand_in: StandIn) -> None:
    own = fill(stand_in, system_images=5)
    client = client_for(clean_environment, stand_in.url)
    result = run_sync(client.invoke, regions=["cn-hangzhou"])
    world = stand_in.world
    with world.repo.read() as view:
        records = image_records(result, world.ctx(), view)
    by_id = {r.image_id: r for r in records}
    assert {i.image_id for i in own if i.region_id == "cn-hangzhou"} <= set(by_id)
    shared = by_id[own[0].image_id]
    assert {s.account_id for s in shared.shares} == {DEV, PARTNER}
    assert shared.owner_id == world.ctx().account_id
    assert sum(r.owner_kind == "system" for r in records) == 5
    assert sum(r.owner_kind == "marketplace" for r in records) == 1


def test_a_failing_region_is_reported_and_the_others_kept(clean_environment: Path,
                                                          stand_in: StandIn) -> None:
    fill(stand_in, system_images=5)
    stand_in.fail_regions = {"cn-beijing"}
    client = client_for(clean_environment, stand_in.url,
                        retry=RetryPolicy(max_attempts=2, base_delay=0.001))
    result = run_sync(client.invoke, regions=["cn-hangzhou", "cn-beijing", "xx-none-1"])
    assert result.regions == ["cn-hangzhou"]
    assert result.failures["cn-beijing"].startswith("cn-beijing: Describe")
    assert "ServiceUnavailable" in result.failures["cn-beijing"]
    assert result.failures["xx-none-1"] == "xx-none-1: not a region of this account"
    assert result.pages["cn-hangzhou"]["images:self"]


def page_listing() -> plan.Listing:
    return plan.region_listings("cn-hangzhou")[0]


def body(count: int, total: Any) -> dict[str, Any]:
    return {"TotalCount": total, "Images": {"Image": [{"ImageId": "m-x"}] * count}}


def test_page_paging_stops_at_the_total_or_an_empty_page() -> None:
    listing = page_listing()
    first = listing.first_page()
    assert (first["PageNumber"], first["PageSize"], first["ImageOwnerAlias"]) == ("1", "100",
                                                                                  "self")
    second = listing.next_page(first, body(100, 250))
    assert second is not None and second["PageNumber"] == "2"
    assert listing.next_page({**first, "PageNumber": "3"}, body(50, 250)) is None
    assert listing.next_page(first, body(0, 250)) is None  # a server that lied about its total
    assert listing.next_page(first, body(100, 100)) is None


def test_token_paging_follows_next_token_and_refuses_a_loop() -> None:
    listing = plan.account_listings()[0]
    first = listing.first_page()
    page = {"NextToken": "abc", "InstanceTypes": {"InstanceType": []}}
    second = listing.next_page(first, page)
    assert second == {"NextToken": "abc"}
    with pytest.raises(BadResponse, match="same NextToken twice"):
        listing.next_page(second, page)
    assert listing.next_page(second, {"NextToken": ""}) is None


def test_malformed_pages_are_refused() -> None:
    with pytest.raises(BadResponse, match="TotalCount is not a whole number"):
        page_listing().next_page(page_listing().first_page(), body(1, "many"))
    with pytest.raises(BadResponse, match=r"Images\.Image is not a list of objects"):
        plan.items(page_listing(), {"Images": {"Image": "x"}})


class GrowingAccount:
    """An account whose system images grow from 150 to 250 while a sync reads them."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def __call__(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        self.sent.append((action, dict(params)))
        if action == "DescribeRegions":
            return {"Regions": {"Region": [{"RegionId": "cn-hangzhou"}]}}
        if action == "DescribeInstanceTypes":
            return {"InstanceTypes": {"InstanceType": []}, "NextToken": ""}
        outer, inner = {"DescribeImages": ("Images", "Image"),
                        "DescribeInstances": ("Instances", "Instance"),
                        "DescribeDisks": ("Disks", "Disk"),
                        "DescribeSnapshots": ("Snapshots", "Snapshot")}[action]
        number = int(params["PageNumber"])
        growing = action == "DescribeImages" and params["ImageOwnerAlias"] == "system"
        total = (150 if number == 1 else 250) if growing else 0
        count = max(0, min(100, total - (number - 1) * 100))
        found = [{"ImageId": f"img_{number}_{n}"} for n in range(count)]
        return {"TotalCount": total, "PageNumber": number, outer: {inner: found}}


def test_a_listing_that_grows_during_the_sync_is_read_to_its_new_end() -> None:
    account = GrowingAccount()
    result = run_sync(account, workers=2)
    pages = result.pages["cn-hangzhou"]["images:system"]
    assert [p["PageNumber"] for p in pages] == [1, 2, 3]
    assert sum(len(p["Images"]["Image"]) for p in pages) == 250
