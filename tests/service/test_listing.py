"""DescribeInstances, DescribeDisks, DescribeSnapshots: filters and MaxResults/NextToken paging."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.world import World

LISTS = {"DescribeInstances": ("Instances", "Instance", "InstanceId"),
         "DescribeDisks": ("Disks", "Disk", "DiskId"),
         "DescribeSnapshots": ("Snapshots", "Snapshot", "SnapshotId")}


def ids_of(body: dict[str, Any], action: str) -> list[str]:
    outer, inner, key = LISTS[action]
    return [item[key] for item in body[outer][inner]]


def walk(world: World, action: str, max_results: int,
         between: Any = None, **filters: Any) -> list[list[str]]:
    """Every page from the first to the one with an empty NextToken."""
    pages: list[list[str]] = []
    token = ""
    while True:
        params = {"MaxResults": max_results, **filters}
        if token:
            params["NextToken"] = token
        body = world.call(action, params)
        pages.append(ids_of(body, action))
        token = body["NextToken"]
        if not token:
            return pages
        assert len(pages) < 100, "paging does not end"
        if between is not None:
            between(len(pages))


def instances(world: World, count: int, **kw: Any) -> list[m.Instance]:
    return [world.instance(status="Running", **kw) for _ in range(count)]


def test_token_paging_visits_every_instance_once(world: World) -> None:
    made = instances(world, 25)
    pages = walk(world, "DescribeInstances", 10)
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat)) and set(flat) == {i.instance_id for i in made}
    assert flat == ids_of(world.call("DescribeInstances", PageSize=100), "DescribeInstances")


def test_token_paging_has_no_gaps_when_items_come_and_go(world: World) -> None:
    made = instances(world, 30)
    listed = ids_of(world.call("DescribeInstances", PageSize=100), "DescribeInstances")
    added: list[str] = []

    def churn(pages_done: int) -> None:
        # Remove the item the token points at, and add one that sorts after the cursor.
        with world.repo.transaction() as tx:
            tx.delete(tables.INSTANCES, listed[pages_done * 10 - 1])
        added.append(world.instance(status="Running",
                                    instance_id=f"i-{'0' * 19}{pages_done}").instance_id)

    pages = walk(world, "DescribeInstances", 10, churn)
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat))
    assert set(flat) == {i.instance_id for i in made} | set(added)
    assert flat[:30] == listed and flat[30:] == sorted(added, reverse=True)


def test_disk_and_snapshot_paging_and_limits(world: World) -> None:
    image = world.image(size=40)
    for _ in range(12):
        world.instance(image_id=image.image_id)
    for _ in range(7):
        world.snapshot(size=20)
    disk_pages = walk(world, "DescribeDisks", 5)  # below 10 means 10
    assert [len(p) for p in disk_pages] == [10, 2]
    snapshot_pages = walk(world, "DescribeSnapshots", 3)
    flat = [s for p in snapshot_pages for s in p]
    total = world.call("DescribeSnapshots", PageSize=100)["TotalCount"]
    assert [len(p) for p in snapshot_pages][:-1] == [3] * (len(snapshot_pages) - 1)
    assert len(flat) == len(set(flat)) == total
    capped = world.call("DescribeInstances", MaxResults=1000)
    assert capped["PageSize"] == 100 and capped["NextToken"] == ""
    assert world.call("DescribeDisks", MaxResults=9999)["PageSize"] == 500


@pytest.mark.parametrize("action", sorted(LISTS))
@pytest.mark.parametrize("token", ["garbage!", "bm90LWEtdG9rZW4", "x" * 40])
def test_a_token_no_page_gave_is_refused(world: World, action: str, token: str) -> None:
    err = world.error(action, NextToken=token)
    assert (err.code, err.http_status) == ("InvalidParameter.NextToken", 400)


def test_page_number_paging_still_works_and_leaves_the_token_empty(world: World) -> None:
    instances(world, 12)
    body = world.call("DescribeInstances", PageNumber=2, PageSize=5)
    assert (len(ids_of(body, "DescribeInstances")), body["PageNumber"], body["PageSize"],
            body["TotalCount"], body["NextToken"]) == (5, 2, 5, 12, "")


def _run(world: World, **params: Any) -> str:
    params.setdefault("InstanceType", "ecs.g7.large")
    params.setdefault("ImageId", world.image(size=40).image_id)
    ids: list[str] = world.call("RunInstances", **params)["InstanceIdSets"]["InstanceIdSet"]
    return ids[0]


def test_instance_filters(world: World) -> None:
    image = world.image(size=40)
    prod = _run(world, ImageId=image.image_id, InstanceName="web-prod",
                **{"Tag.1.Key": "env", "Tag.1.Value": "prod"})
    dev = _run(world, InstanceName="web-dev", InstanceChargeType="PrePaid",
               **{"Tag.1.Key": "env", "Tag.1.Value": "dev"})
    world.call("StopInstance", InstanceId=dev)

    def found(**filters: Any) -> set[str]:
        return set(ids_of(world.call("DescribeInstances", PageSize=100, **filters),
                          "DescribeInstances"))

    assert found(**{"Tag.1.Key": "env"}) == {prod, dev}
    assert found(**{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == {prod}
    assert found(**{"Tag.1.Key": "env", "Tag.2.Key": "owner"}) == set()
    assert found(Status="Stopped") == {dev}
    assert found(ImageId=image.image_id) == {prod}
    assert found(InstanceName="web-*") == {prod, dev}
    assert found(InstanceChargeType="PrePaid") == {dev}
    assert found(InstanceIds=json.dumps([prod, "i-unknown"])) == {prod}
    assert found(InstanceTypeFamily="ecs.g7") == {prod, dev}
    assert found(InstanceNetworkType="classic") == set()
    with world.repo.read() as view:
        inst = view.get(tables.INSTANCES, prod)
    assert inst is not None
    assert found(PrivateIpAddresses=json.dumps([inst.private_ip])) == {prod}


def test_disk_filters(world: World) -> None:
    instance_id = _run(world, **{"Tag.1.Key": "env", "Tag.1.Value": "prod",
                                 "DataDisk.1.Size": 40, "DataDisk.1.Category": "cloud_ssd",
                                 "DataDisk.1.Encrypted": "true",
                                 "DataDisk.2.Size": 50, "DataDisk.2.DeleteWithInstance": "false"})
    system, ssd, kept = (d["DiskId"] for d in sorted(
        world.call("DescribeDisks", InstanceId=instance_id)["Disks"]["Disk"],
        key=lambda d: d["Device"]))

    def found(**filters: Any) -> set[str]:
        body = world.call("DescribeDisks", PageSize=100, InstanceId=instance_id, **filters)
        return set(ids_of(body, "DescribeDisks"))

    assert found(DiskType="data") == {ssd, kept}
    assert found(Category="cloud_ssd") == {ssd}
    assert found(Encrypted="true") == {ssd}
    assert found(DeleteWithInstance="false") == {kept}
    assert found(DeleteWithInstance="true") == {system, ssd}
    assert found(**{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == {system, ssd, kept}
    assert found(**{"Tag.1.Key": "env", "Tag.1.Value": "dev"}) == set()
    assert found(DiskIds=json.dumps([kept])) == {kept}
    assert found(Portable="false") == {system}
    assert found(ZoneId="cn-hangzhou-a") == {system, ssd, kept}
    assert found(ZoneId="cn-hangzhou-b") == set()
    assert found(PerformanceLevel="PL1") == {system}  # the ESSD system disk's default level


def test_snapshot_filters(world: World) -> None:
    image = world.image(size=40)  # its snapshot is used by an image
    loose = world.snapshot(size=20, disk_type="data", encrypted=True)

    def found(**filters: Any) -> set[str]:
        return set(ids_of(world.call("DescribeSnapshots", PageSize=100, **filters),
                          "DescribeSnapshots"))

    image_snapshot = image.disk_mappings[0].snapshot_id
    assert found(Usage="image") == {image_snapshot}
    assert found(Usage="none") == {loose.snapshot_id}
    assert found(Encrypted="true") == {loose.snapshot_id}
    assert found(SnapshotIds=json.dumps([loose.snapshot_id])) == {loose.snapshot_id}
    assert found(**{"Tag.1.Key": "env"}) == set()
    err = world.error("DescribeSnapshots", Usage="sometimes")
    assert err.code == "InvalidUsage.ValueNotSupported"
