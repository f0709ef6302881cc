"""RunInstances' DataDisk.N and Tag.N, and the order a PrePaid launch places."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg.store import tables
from tests.service.test_instances import refused
from tests.world import DEV, World


def run(world: World, **params: Any) -> dict[str, Any]:
    params.setdefault("InstanceType", "ecs.g7.large")
    if "ImageId" not in params:
        params["ImageId"] = world.image(size=40).image_id
    return world.call("RunInstances", **params)


def disks_of(world: World, instance_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = world.call(
        "DescribeDisks", InstanceId=instance_id, PageSize=100)["Disks"]["Disk"]
    return sorted(found, key=lambda d: d["Device"])


def test_data_disks_are_created_and_described(world: World) -> None:
    snap = world.snapshot(size=60, disk_type="data")
    body = run(world, **{
        "DataDisk.1.Size": 500, "DataDisk.1.Category": "cloud_essd",
        "DataDisk.1.DiskName": "logs", "DataDisk.1.PerformanceLevel": "PL2",
        "DataDisk.2.SnapshotId": snap.snapshot_id, "DataDisk.2.DeleteWithInstance": "false",
        "DataDisk.2.Description": "from a snapshot",
    })
    [instance_id] = body["InstanceIdSets"]["InstanceIdSet"]
    system, first, second = disks_of(world, instance_id)
    assert system["Type"] == "system" and system["Device"] == "/dev/xvda"
    assert (first["Device"], first["Size"], first["Category"], first["DiskName"],
            first["PerformanceLevel"], first["DeleteWithInstance"], first["Type"]) == (
        "/dev/xvdb", 500, "cloud_essd", "logs", "PL2", True, "data")
    assert (second["Device"], second["Size"], second["Category"], second["SourceSnapshotId"],
            second["DeleteWithInstance"], second["Description"]) == (
        "/dev/xvdc", 60, "cloud_efficiency", snap.snapshot_id, False, "from a snapshot")


def test_data_disks_follow_the_image_data_disks(world: World) -> None:
    image = world.image(size=40, data_disks=(50,))
    body = run(world, ImageId=image.image_id, **{"DataDisk.1.Size": 30})
    [instance_id] = body["InstanceIdSets"]["InstanceIdSet"]
    devices = [(d["Device"], d["Size"]) for d in disks_of(world, instance_id)]
    assert devices == [("/dev/xvda", 40), ("/dev/xvdb", 50), ("/dev/xvdc", 30)]


@pytest.mark.parametrize(("category", "level", "low", "high"), [
    ("cloud", "", 5, 2000), ("cloud_efficiency", "", 20, 32768), ("cloud_ssd", "", 20, 32768),
    ("cloud_essd", "PL0", 1, 65536), ("cloud_essd", "PL1", 20, 65536),
    ("cloud_essd", "PL2", 461, 65536), ("cloud_essd", "PL3", 1261, 65536),
    ("cloud_auto", "", 1, 65536), ("cloud_essd_entry", "", 10, 32768),
])
def test_data_disk_size_ranges(world: World, category: str, level: str, low: int,
                               high: int) -> None:
    image = world.image(size=40)
    fields = {"DataDisk.1.Category": category}
    if level:
        fields["DataDisk.1.PerformanceLevel"] = level
    for size in (low, high):
        run(world, ImageId=image.image_id, **fields, **{"DataDisk.1.Size": size})
    for size in (low - 1, high + 1):
        refused(world, "RunInstances", "InvalidDataDiskSize.ValueNotSupported", 400,
                ImageId=image.image_id, InstanceType="ecs.g7.large", **fields,
                **{"DataDisk.1.Size": size})


def test_snapshot_rules(world: World) -> None:
    image = world.image(size=40)
    base = {"ImageId": image.image_id, "InstanceType": "ecs.g7.large"}
    snap = world.snapshot(size=100, disk_type="data")
    refused(world, "RunInstances", "InvalidDataDiskSize.ValueNotSupported", 400, **base,
            **{"DataDisk.1.SnapshotId": snap.snapshot_id, "DataDisk.1.Size": 99})
    body = run(world, **base, **{"DataDisk.1.SnapshotId": snap.snapshot_id,
                                 "DataDisk.1.Size": 120})
    [instance_id] = body["InstanceIdSets"]["InstanceIdSet"]
    assert disks_of(world, instance_id)[1]["Size"] == 120
    theirs = world.snapshot(owner=DEV, size=20, disk_type="data")
    elsewhere = world.snapshot(size=20, disk_type="data", region="cn-shanghai")
    for snapshot_id in (theirs.snapshot_id, elsewhere.snapshot_id, "s-missing"):
        refused(world, "RunInstances", "InvalidSnapshotId.NotFound", 404, **base,
                **{"DataDisk.1.SnapshotId": snapshot_id})
    old = world.snapshot(size=20, disk_type="data", creation_time="2013-07-15T08:00:00Z")
    refused(world, "RunInstances", "InvalidSnapshot.TooOld", 403, **base,
            **{"DataDisk.1.SnapshotId": old.snapshot_id})
    busy = world.snapshot(size=20, disk_type="data", pending_start=world.clock.now,
                          pending_end=world.clock.now + 600)
    refused(world, "RunInstances", "InvalidSnapshotId.NotReady", 403, **base,
            **{"DataDisk.1.SnapshotId": busy.snapshot_id})


def test_bad_data_disks_are_refused(world: World) -> None:
    image = world.image(size=40)
    base = {"ImageId": image.image_id, "InstanceType": "ecs.g7.large"}
    refused(world, "RunInstances", "MissingParameter", 400, **base,
            **{"DataDisk.1.Category": "cloud_ssd"})
    refused(world, "RunInstances", "InvalidDataDiskCategory.ValueNotSupported", 400, **base,
            **{"DataDisk.1.Size": 40, "DataDisk.1.Category": "floppy"})
    refused(world, "RunInstances", "InvalidParameter.Conflict", 400, **base,
            **{"DataDisk.1.Size": 40, "DataDisk.1.PerformanceLevel": "PL1"})
    refused(world, "RunInstances", "InvalidParameter", 400, **base,
            **{"DataDisk.17.Size": 40})
    sixteen = {f"DataDisk.{n}.Size": 20 for n in range(1, 17)}
    run(world, **base, **sixteen)
    refused(world, "RunInstances", "InvalidDataDiskCount.Exceeded", 400, **base,
            **sixteen, **{"DataDisk.17.Size": 20})
    refused(world, "RunInstances", "InvalidDiskName.Malformed", 400, **base,
            **{"DataDisk.1.Size": 40, "DataDisk.1.DiskName": "1-starts-with-a-digit"})


def test_delete_instance_releases_only_the_disks_marked_for_it(world: World) -> None:
    body = run(world, **{"DataDisk.1.Size": 40, "DataDisk.2.Size": 50,
                         "DataDisk.2.DeleteWithInstance": "false"})
    [instance_id] = body["InstanceIdSets"]["InstanceIdSet"]
    system, kept_with, kept_apart = disks_of(world, instance_id)
    world.call("DeleteInstance", InstanceId=instance_id, Force="true")
    with world.repo.read() as view:
        assert view.get(tables.DISKS, system["DiskId"]) is None
        assert view.get(tables.DISKS, kept_with["DiskId"]) is None
        left = view.get(tables.DISKS, kept_apart["DiskId"])
    assert left is not None and left.instance_id == "" and left.status == "Available"


def test_tags_go_on_the_instance_and_its_disks(world: World) -> None:
    body = run(world, Amount=2, **{"Tag.1.Key": "env", "Tag.1.Value": "prod",
                                   "Tag.2.Key": "team", "DataDisk.1.Size": 20})
    ids = body["InstanceIdSets"]["InstanceIdSet"]
    described = world.call("DescribeInstances", InstanceIds=str(ids).replace("'", '"'))
    for inst in described["Instances"]["Instance"]:
        assert inst["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"},
                                       {"TagKey": "team", "TagValue": ""}]
        for disk in disks_of(world, inst["InstanceId"]):
            assert {"TagKey": "env", "TagValue": "prod"} in disk["Tags"]["Tag"]
    image = world.image(size=40)
    base = {"ImageId": image.image_id, "InstanceType": "ecs.g7.large"}
    refused(world, "RunInstances", "InvalidTagKey.Malformed", 400, **base,
            **{"Tag.1.Key": "aliyun-reserved"})
    refused(world, "RunInstances", "Duplicate.TagKey", 400, **base,
            **{"Tag.1.Key": "env", "Tag.2.Key": "env"})


def _question(image_id: str, **extra: Any) -> dict[str, Any]:
    return {"ImageId": image_id, "InstanceType": "ecs.g7.large",
            "SystemDisk.Category": "cloud_essd", "SystemDisk.Size": 60,
            "DataDisk.1.Category": "cloud_ssd", "DataDisk.1.Size": 100, "Amount": 2, **extra}


@pytest.mark.parametrize(("period", "unit", "price_period", "price_unit"), [
    (1, "Month", 1, "Month"), (3, "Month", 3, "Month"), (2, "Week", 2, "Week"),
    (12, "Month", 1, "Year"),
])
def test_prepaid_launch_returns_an_order_priced_as_describe_price(
        world: World, period: int, unit: str, price_period: int, price_unit: str) -> None:
    image = world.image(size=40)
    price = world.call("DescribePrice", **_question(
        image.image_id, Period=price_period, PriceUnit=price_unit))["PriceInfo"]["Price"]
    body = world.call("RunInstances", **_question(
        image.image_id, InstanceChargeType="PrePaid", Period=period, PeriodUnit=unit))
    assert body["OrderId"].isdigit() and len(body["OrderId"]) == 15
    assert body["TradePrice"] == price["TradePrice"] and body["TradePrice"] > 0


def test_postpaid_launch_places_no_order(world: World) -> None:
    body = run(world)
    assert "OrderId" not in body and "TradePrice" not in body


def test_prepaid_with_a_bad_period_is_refused(world: World) -> None:
    image = world.image(size=40)
    refused(world, "RunInstances", "InvalidPeriod", 400, ImageId=image.image_id,
            InstanceType="ecs.g7.large", InstanceChargeType="PrePaid", Period=10,
            PeriodUnit="Month")
