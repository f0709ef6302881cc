"""Instances, disks and snapshots: RunInstances, DescribeInstances, Start/Stop/DeleteInstance,
ReInitDisk, DescribeDisks, CreateSnapshot, DescribeSnapshots."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.world import DEV, OPS, World


def catalogue_state(world: World) -> dict[str, Any]:
    watched: tuple[tables.Table[Any], ...] = (
        tables.INSTANCES, tables.DISKS, tables.SNAPSHOTS, tables.PURCHASES)
    with world.repo.read() as view:
        return {table.name: sorted(map(repr, view.all(table))) for table in watched}


def refused(world: World, action: str, code: str, status: int, **params: Any) -> None:
    """The call fails with ``code``/``status`` and leaves the catalogue as it was."""
    profile = params.pop("profile", "default")
    before = catalogue_state(world)
    err = world.error(action, profile=profile, **params)
    assert (err.code, err.http_status) == (code, status), err.message
    assert catalogue_state(world) == before


def instances_of(world: World, owner: str = OPS) -> list[m.Instance]:
    with world.repo.read() as view:
        return [i for i in view.all(tables.INSTANCES) if i.owner_id == owner]


def get(world: World, table: tables.Table[Any], key: str) -> Any:
    with world.repo.read() as view:
        return view.get(table, key)


def buy(world: World, product_code: str, count: int = 1) -> None:
    for _ in range(count):
        world.put(tables.PURCHASES, m.Purchase(world.ids.resource("p"), OPS, product_code,
                                               "cn-hangzhou", "2025-06-01T00:00:00Z"))


def run(world: World, **params: Any) -> list[str]:
    params.setdefault("InstanceType", "ecs.g7.large")
    ids: list[str] = world.call("RunInstances", **params)["InstanceIdSets"]["InstanceIdSet"]
    return ids


# -- RunInstances ------------------------------------------------------------------------------

def test_run_instances_creates_running_instances_with_system_disks(world: World) -> None:
    image = world.image(size=30)
    ids = run(world, ImageId=image.image_id, Amount=3, InstanceName="web-a")
    assert len(ids) == 3 and all(i.startswith("i-") and len(i) == 22 for i in ids)
    for instance_id in ids:
        inst = get(world, tables.INSTANCES, instance_id)
        assert (inst.status, inst.image_id, inst.instance_name) == (
            "Running", image.image_id, "web-a")
        disk = get(world, tables.DISKS, inst.system_disk_id)
        assert (disk.size, disk.category, disk.disk_type) == (40, "cloud_essd", "system")
        assert inst.private_ip and inst.mac_address.startswith("00:16:3e:")


def test_run_instances_system_disk_size_and_category(world: World) -> None:
    image = world.image(size=60)
    (instance_id,) = run(world, ImageId=image.image_id)
    inst = get(world, tables.INSTANCES, instance_id)
    assert get(world, tables.DISKS, inst.system_disk_id).size == 60
    (instance_id,) = run(world, ImageId=image.image_id, **{"SystemDisk.Category": "cloud",
                                                           "SystemDisk.Size": 100})
    disk = get(world, tables.DISKS, get(world, tables.INSTANCES, instance_id).system_disk_id)
    assert (disk.category, disk.size) == ("cloud", 100)
    refused(world, "RunInstances", "InvalidSystemDiskSize.LessThanImageSize", 404,
            ImageId=image.image_id, InstanceType="ecs.g7.large", **{"SystemDisk.Size": 50})
    refused(world, "RunInstances", "InvalidSystemDiskSize.MoreThanMaxSize", 404,
            ImageId=image.image_id, InstanceType="ecs.g7.large",
            **{"SystemDisk.Category": "cloud", "SystemDisk.Size": 501})
    refused(world, "RunInstances", "InvalidSystemDiskCategory.ValueNotSupported", 400,
            ImageId=image.image_id, InstanceType="ecs.g7.large",
            **{"SystemDisk.Category": "floppy"})


@pytest.mark.parametrize(("params", "code", "status"), [
    ({"Amount": 0}, "InvalidParameter", 400),
    ({"Amount": 101}, "InvalidParameter", 400),
    ({"Amount": "many"}, "InvalidParameter", 400),
    ({"InstanceType": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported", 400),
    ({"InstanceType": ""}, "MissingParameter", 400),
    ({"InstanceChargeType": "Hourly"}, "InvalidInstanceChargeType.ValueNotSupported", 400),
    ({"InstanceName": "1starts-with-digit"}, "InvalidInstanceName.Malformed", 400),
    ({"InstanceName": "bad\x1bname"}, "InvalidInstanceName.Malformed", 400),
    ({"KeyPairName": "missing"}, "InvalidKeyPairName.NotFound", 400),
    ({"Password": "weak"}, "InvalidPassword.Malformed", 400),
    ({"ImageId": "m-doesnotexist0000000"}, "InvalidImageId.NotFound", 404),
    ({"ImageId": ""}, "MissingParameter", 400),
    ({"RegionId": "mars-north-1"}, "InvalidRegionId.NotFound", 404),
])
def test_run_instances_refuses_bad_input(world: World, params: dict[str, Any], code: str,
                                         status: int) -> None:
    image = world.image()
    merged = {"ImageId": image.image_id, "InstanceType": "ecs.g7.large", **params}
    refused(world, "RunInstances", code, status, **merged)


def test_run_instances_with_existing_key_pair(world: World) -> None:
    image = world.image()
    world.put(tables.KEY_PAIRS, m.KeyPair("ops-key", "cn-hangzhou", OPS))
    (instance_id,) = run(world, ImageId=image.image_id, KeyPairName="ops-key")
    assert get(world, tables.INSTANCES, instance_id).key_pair_name == "ops-key"


def test_run_instances_from_family_uses_newest_available_own_image(world: World) -> None:
    world.image(image_family="web", creation_time="2025-01-01T00:00:00Z")
    newest = world.image(image_family="web", creation_time="2025-03-01T00:00:00Z")
    world.image(image_family="web", creation_time="2025-04-01T00:00:00Z",
                pending_start=world.clock.now, pending_end=world.clock.now + 500)
    world.image(image_family="web", creation_time="2025-05-01T00:00:00Z", owner=DEV)
    world.image(image_family="web", creation_time="2025-05-01T00:00:00Z",
                status=m.DEPRECATED)
    (instance_id,) = run(world, ImageFamily="web")
    assert get(world, tables.INSTANCES, instance_id).image_id == newest.image_id
    refused(world, "RunInstances", "InvalidImageFamily.NotFound", 404, ImageFamily="db",
            InstanceType="ecs.g7.large")
    refused(world, "RunInstances", "InvalidParameter.Conflict", 400, ImageFamily="web",
            ImageId=newest.image_id, InstanceType="ecs.g7.large")


def test_rule_041_deprecated_image_can_still_launch(world: World) -> None:
    image = world.image(status=m.DEPRECATED)
    (instance_id,) = run(world, ImageId=image.image_id)
    assert get(world, tables.INSTANCES, instance_id).image_id == image.image_id


def test_image_not_yet_available_cannot_launch(world: World) -> None:
    waiting = world.image(pending_start=world.clock.now + 10, pending_end=world.clock.now + 50)
    refused(world, "RunInstances", "IncorrectImageStatus", 400, ImageId=waiting.image_id,
            InstanceType="ecs.g7.large")
    world.advance(60)
    run(world, ImageId=waiting.image_id)


def test_rule_053_recipient_cannot_launch_after_unshare(world: World) -> None:
    image = world.image()
    shared = world.update(tables.IMAGES, image,
                          shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),))
    dev_params: dict[str, Any] = {"profile": "dev", "RegionId": "cn-hangzhou",
                                  "ImageId": image.image_id, "InstanceType": "ecs.g7.large"}
    world.call("RunInstances", **dev_params)
    world.update(tables.IMAGES, shared, shares=())
    refused(world, "RunInstances", "InvalidImageId.NotFound", 404, **dev_params)
    assert len(instances_of(world, DEV)) == 1


def test_rule_104_launch_checks_architecture_and_32_bit_memory(world: World) -> None:
    arm = world.image(architecture="arm64")
    i386 = world.image(architecture="i386")
    refused(world, "RunInstances", "InvalidParameter.Conflict", 400, ImageId=arm.image_id,
            InstanceType="ecs.g7.large")
    refused(world, "RunInstances", "ImageNotSupportInstanceType", 403, ImageId=i386.image_id,
            InstanceType="ecs.g7.large")
    run(world, ImageId=arm.image_id, InstanceType="ecs.g8y.large")
    run(world, ImageId=i386.image_id, InstanceType="ecs.n4.small")


def test_rule_104_windows_needs_one_gib_of_memory(world: World) -> None:
    windows = world.public_image(os_type="windows", image_id="win2022_x64_40G_alibase_20250101.vhd",
                                 size=40)
    refused(world, "RunInstances", "ImageNotSupportInstanceType", 403,
            ImageId=windows.image_id, InstanceType="ecs.t5-lc2m1.nano")


def _purchases(world: World) -> list[m.Purchase]:
    with world.repo.read() as view:
        return view.all(tables.PURCHASES)


def test_rule_105_each_launch_uses_an_unused_purchase_or_buys_one(world: World) -> None:
    market = world.marketplace_image()
    buy(world, market.product_code)
    (bought_before,) = _purchases(world)
    ids = run(world, ImageId=market.image_id, Amount=3)
    purchases = _purchases(world)
    assert sorted(p.used_by_instance_id for p in purchases) == sorted(ids)
    assert bought_before.purchase_id in {p.purchase_id for p in purchases}  # used first
    assert len(purchases) == 3
    assert all(p.product_code == market.product_code and p.region_id == "cn-hangzhou"
               for p in purchases)


def test_rule_105_marketplace_derived_image_buys_its_product(world: World) -> None:
    market = world.marketplace_image()
    derived = world.image(product_code=market.product_code)
    (instance_id,) = run(world, ImageId=derived.image_id)
    (purchase,) = _purchases(world)
    assert (purchase.product_code, purchase.used_by_instance_id) == (market.product_code,
                                                                     instance_id)


def test_a_removed_or_unpublished_product_cannot_be_launched(world: World) -> None:
    market = world.marketplace_image()
    with world.repo.read() as view:
        product = view.get(tables.PRODUCTS, market.product_code)
    assert product is not None
    world.update(tables.PRODUCTS, product, removed=True)
    refused(world, "RunInstances", "ImageRemovedInMarket", 403, ImageId=market.image_id,
            InstanceType="ecs.g7.large")
    world.update(tables.PRODUCTS, product, regions=("cn-beijing",))
    refused(world, "RunInstances", "OperationDenied.NotPublished", 403,
            ImageId=market.image_id, InstanceType="ecs.g7.large")


def test_rule_113_subscription_product_only_on_prepaid_instances(world: World) -> None:
    market = world.marketplace_image(pricing_model="subscription")
    buy(world, market.product_code)
    refused(world, "RunInstances", "InvalidMarketImageChargeType.NotSupport", 400,
            ImageId=market.image_id, InstanceType="ecs.g7.large", InstanceChargeType="PostPaid")
    refused(world, "RunInstances", "InvalidMarketImageChargeType.NotSupport", 400,
            ImageId=market.image_id, InstanceType="ecs.g7.large")
    (instance_id,) = run(world, ImageId=market.image_id, InstanceChargeType="PrePaid")
    assert get(world, tables.INSTANCES, instance_id).charge_type == "PrePaid"


def test_rule_114_free_marketplace_product_is_still_bought_with_the_instance(
    world: World,
) -> None:
    free = world.marketplace_image(pricing_model="free", price=0.0)
    (instance_id,) = run(world, ImageId=free.image_id)
    (purchase,) = _purchases(world)
    assert (purchase.product_code, purchase.used_by_instance_id) == (free.product_code,
                                                                     instance_id)


# -- DescribeInstances, Start, Stop, Delete ------------------------------------------------------

def test_describe_instances_shape_and_filters(world: World) -> None:
    image = world.image()
    locked = world.instance(image_id=image.image_id, instance_name="db-1",
                            locked_for_security=True, instance_type="ecs.c7.xlarge")
    other = world.instance(status="Running", instance_name="web-2")
    world.instance(owner=DEV, instance_name="web-3")
    world.instance(region="cn-shanghai", instance_name="web-4")
    body = world.call("DescribeInstances")
    assert body["TotalCount"] == 2 and (body["PageNumber"], body["PageSize"]) == (1, 10)
    by_id = {i["InstanceId"]: i for i in body["Instances"]["Instance"]}
    shown = by_id[locked.instance_id]
    assert (shown["Cpu"], shown["Memory"], shown["InstanceType"]) == (4, 8192, "ecs.c7.xlarge")
    assert (shown["ImageId"], shown["Status"], shown["OSType"]) == (image.image_id, "Stopped",
                                                                     "linux")
    assert shown["OperationLocks"]["LockReason"][0]["LockReason"] == "security"
    assert by_id[other.instance_id]["OperationLocks"]["LockReason"] == []
    assert world.call("DescribeInstances", Status="Running")["TotalCount"] == 1
    assert world.call("DescribeInstances", ImageId=image.image_id)["TotalCount"] == 1
    assert world.call("DescribeInstances", InstanceName="web*")["TotalCount"] == 1
    ids = json.dumps([other.instance_id, "i-unknown"])
    only = world.call("DescribeInstances", InstanceIds=ids)["Instances"]["Instance"]
    assert [i["InstanceId"] for i in only] == [other.instance_id]
    paged = world.call("DescribeInstances", PageSize=1, PageNumber=2)
    assert len(paged["Instances"]["Instance"]) == 1 and paged["TotalCount"] == 2


@pytest.mark.parametrize(("params", "code"), [
    ({"InstanceIds": "i-notjson"}, "InvalidParameter"),
    ({"InstanceIds": json.dumps([1, 2])}, "InvalidParameter"),
    ({"InstanceIds": json.dumps([f"i-{n}" for n in range(101)])}, "InvalidParameter"),
    ({"PageSize": 101}, "InvalidParameter"),
    ({"PageNumber": 0}, "InvalidParameter"),
    ({"Status": "Exploded"}, "InvalidStatus.ValueNotSupported"),
])
def test_describe_instances_bad_input(world: World, params: dict[str, Any], code: str) -> None:
    err = world.error("DescribeInstances", **params)
    assert (err.code, err.http_status) == (code, 400)


def test_start_and_stop_switch_state_and_refuse_the_wrong_state(world: World) -> None:
    inst = world.instance(status="Stopped")
    refused(world, "StopInstance", "IncorrectInstanceStatus", 403, InstanceId=inst.instance_id)
    world.call("StartInstance", InstanceId=inst.instance_id)
    assert get(world, tables.INSTANCES, inst.instance_id).status == "Running"
    refused(world, "StartInstance", "IncorrectInstanceStatus", 403, InstanceId=inst.instance_id)
    world.call("StopInstance", InstanceId=inst.instance_id, ForceStop=True)
    assert get(world, tables.INSTANCES, inst.instance_id).status == "Stopped"
    refused(world, "StartInstance", "InvalidInstanceId.NotFound", 404, profile="dev",
            InstanceId=inst.instance_id)


def test_start_refuses_security_locked_instance(world: World) -> None:
    inst = world.instance(locked_for_security=True)
    refused(world, "StartInstance", "InstanceLockedForSecurity", 403, InstanceId=inst.instance_id)


def test_delete_instance_releases_system_disk_and_detaches_data_disks(world: World) -> None:
    inst = world.instance(status="Running")
    data = world.data_disk(inst)
    auto = world.snapshot(source_disk_id=inst.system_disk_id, automatic=True,
                          release_with_disk=True)
    manual = world.snapshot(source_disk_id=inst.system_disk_id)
    refused(world, "DeleteInstance", "IncorrectInstanceStatus", 403, InstanceId=inst.instance_id)
    world.call("DeleteInstance", InstanceId=inst.instance_id, Force=True)
    assert get(world, tables.INSTANCES, inst.instance_id) is None
    assert get(world, tables.DISKS, inst.system_disk_id) is None
    detached = get(world, tables.DISKS, data.disk_id)
    assert (detached.instance_id, detached.status) == ("", "Available")
    assert get(world, tables.SNAPSHOTS, auto.snapshot_id) is None
    assert get(world, tables.SNAPSHOTS, manual.snapshot_id).source_disk_released


# -- ReInitDisk ----------------------------------------------------------------------------------

def test_reinit_disk_rebuilds_from_a_still_visible_image(world: World) -> None:
    image = world.image()
    inst = world.instance(image_id=image.image_id)
    world.call("ReInitDisk", DiskId=inst.system_disk_id, AutoStartInstance=True)
    assert get(world, tables.INSTANCES, inst.instance_id).status == "Running"
    refused(world, "ReInitDisk", "IncorrectInstanceStatus", 403, DiskId=inst.system_disk_id)


def test_rule_090_reinit_fails_after_the_image_is_deleted(world: World) -> None:
    image = world.image()
    inst = world.instance(image_id=image.image_id)
    with world.repo.transaction() as tx:
        tx.delete(tables.IMAGES, image.key)
    refused(world, "ReInitDisk", "InvalidImageId.NotFound", 404, DiskId=inst.system_disk_id)


def test_rule_054_reinit_fails_for_the_recipient_after_unshare(world: World) -> None:
    image = world.image()
    shared = world.update(tables.IMAGES, image,
                          shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),))
    inst = world.instance(owner=DEV, image_id=image.image_id, status="Running")
    world.call("StopInstance", profile="dev", InstanceId=inst.instance_id)
    world.call("ReInitDisk", profile="dev", DiskId=inst.system_disk_id)
    world.update(tables.IMAGES, shared, shares=())
    refused(world, "ReInitDisk", "InvalidImageId.NotFound", 404, profile="dev",
            DiskId=inst.system_disk_id)
    world.call("StartInstance", profile="dev", InstanceId=inst.instance_id)
    assert get(world, tables.INSTANCES, inst.instance_id).status == "Running"


# -- Disks and snapshots -------------------------------------------------------------------------

def test_describe_disks_shape_and_filters(world: World) -> None:
    inst = world.instance()
    data = world.data_disk(inst, size=200)
    world.instance(owner=DEV)
    body = world.call("DescribeDisks", InstanceId=inst.instance_id)
    assert body["TotalCount"] == 2
    disks = {d["DiskId"]: d for d in body["Disks"]["Disk"]}
    assert disks[data.disk_id]["Size"] == 200 and disks[data.disk_id]["Type"] == "data"
    assert disks[inst.system_disk_id]["Attachments"]["Attachment"][0]["InstanceId"] == \
        inst.instance_id
    assert world.call("DescribeDisks", DiskType="system")["TotalCount"] == 1
    assert world.call("DescribeDisks", DiskIds=json.dumps([data.disk_id]))["TotalCount"] == 1
    assert world.call("DescribeDisks", Category="cloud")["TotalCount"] == 0
    err = world.error("DescribeDisks", DiskType="floppy")
    assert (err.code, err.http_status) == ("InvalidDiskType.ValueNotSupported", 400)


def test_create_snapshot_progresses_then_accomplishes(world: World) -> None:
    inst = world.instance(system_size=40)  # pace 1 s/GiB: 40 s
    body = world.call("CreateSnapshot", DiskId=inst.system_disk_id, SnapshotName="before-upgrade",
                      Description="taken before the upgrade")
    snapshot_id = body["SnapshotId"]
    assert snapshot_id.startswith("s-") and len(snapshot_id) == 22
    world.advance(10)
    shown = world.call("DescribeSnapshots", SnapshotIds=json.dumps([snapshot_id]))
    snap = shown["Snapshots"]["Snapshot"][0]
    assert (snap["Status"], snap["Progress"], snap["SourceDiskSize"]) == (
        "progressing", "25%", "40")
    assert (snap["SnapshotType"], snap["SourceDiskId"]) == ("user", inst.system_disk_id)
    assert world.call("DescribeSnapshots", Status="accomplished")["TotalCount"] == 0
    world.advance(30)
    snap = world.call("DescribeSnapshots", DiskId=inst.system_disk_id)["Snapshots"]["Snapshot"][0]
    assert (snap["Status"], snap["Progress"], snap["Description"]) == (
        "accomplished", "100%", "taken before the upgrade")


def test_create_snapshot_refuses_others_disks_and_bad_names(world: World) -> None:
    theirs = world.instance(owner=DEV)
    mine = world.instance()
    refused(world, "CreateSnapshot", "InvalidDiskId.NotFound", 404, DiskId=theirs.system_disk_id)
    refused(world, "CreateSnapshot", "InvalidSnapshotName.Malformed", 400,
            DiskId=mine.system_disk_id, SnapshotName="auto-mine")
    refused(world, "CreateSnapshot", "InvalidDescription.Malformed", 400,
            DiskId=mine.system_disk_id, Description="http://x")


def test_describe_snapshots_filters_by_type(world: World) -> None:
    inst = world.instance()
    world.snapshot(source_disk_id=inst.system_disk_id, automatic=True)
    world.snapshot(source_disk_id=inst.system_disk_id)
    world.snapshot(owner=DEV)
    assert world.call("DescribeSnapshots")["TotalCount"] == 2
    assert world.call("DescribeSnapshots", SnapshotType="auto")["TotalCount"] == 1
    assert world.call("DescribeSnapshots", InstanceId=inst.instance_id)["TotalCount"] == 2
    err = world.error("DescribeSnapshots", SnapshotType="sometimes")
    assert (err.code, err.http_status) == ("InvalidSnapshotType.ValueNotSupported", 400)
