from __future__ import annotations

import re
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.service.images import visibility as images
from ecsimg.store import tables
from tests.world import DEV, OPS, World


def counts(world: World) -> tuple[int, int, int]:
    """Images, snapshots and successful events: what a failed CreateImage must not change."""
    with world.repo.read() as view:
        return (len(view.all(tables.IMAGES)), len(view.all(tables.SNAPSHOTS)),
                sum(1 for e in view.all(tables.EVENTS) if e.code == "Success"))


def refused(world: World, code: str, status: int, **params: Any) -> str:
    """CreateImage fails with ``code``/``status`` and leaves the catalogue as it was."""
    before = counts(world)
    err = world.error("CreateImage", params)
    assert (err.code, err.http_status) == (code, status), err.message
    assert counts(world) == before
    return err.message


def created(world: World, **params: Any) -> m.Image:
    image_id = world.call("CreateImage", params)["ImageId"]
    image = world.get_image(image_id)
    assert image is not None
    return image


def snapshot_of(world: World, snapshot_id: str) -> m.Snapshot:
    with world.repo.read() as view:
        found = view.get(tables.SNAPSHOTS, snapshot_id)
    assert found is not None
    return found


# -- sources ----------------------------------------------------------------------------------

def test_rule_015_no_instance_snapshot_or_mapping_is_missing_parameter(world: World) -> None:
    message = refused(world, "MissingParameter", 400, ImageName="web-base")
    assert "InstanceId" in message and "SnapshotId" in message


def test_rule_016_instance_wins_over_mapping_and_snapshot(world: World) -> None:
    public = world.public_image()
    inst = world.instance(image_id=public.image_id)
    data_snap = world.snapshot(disk_type="data")
    image = created(world, InstanceId=inst.instance_id, SnapshotId=data_snap.snapshot_id,
                    **{"DiskDeviceMapping.1.SnapshotId": data_snap.snapshot_id})
    assert image.source_instance_id == inst.instance_id
    assert image.disk_mappings[0].snapshot_id != data_snap.snapshot_id


def test_rule_016_mapping_wins_over_snapshot(world: World) -> None:
    system = world.snapshot(size=30)
    data_snap = world.snapshot(disk_type="data")  # would fail Rule 19 if SnapshotId were used
    image = created(world, SnapshotId=data_snap.snapshot_id,
                    **{"DiskDeviceMapping.1.SnapshotId": system.snapshot_id})
    assert [d.snapshot_id for d in image.disk_mappings] == [system.snapshot_id]
    assert image.size == 30


@pytest.mark.parametrize("status", ["Pending", "Starting", "Stopping"])
def test_rule_017_instance_not_running_or_stopped_is_refused(world: World, status: str) -> None:
    inst = world.instance(status=status)
    refused(world, "IncorrectInstanceStatus", 400, InstanceId=inst.instance_id)


@pytest.mark.parametrize("status", ["Running", "Stopped"])
def test_rule_017_running_and_stopped_instances_can_be_imaged(world: World, status: str) -> None:
    inst = world.instance(status=status)
    assert created(world, InstanceId=inst.instance_id).source_instance_id == inst.instance_id


def test_instance_of_another_account_or_region_is_not_found(world: World) -> None:
    theirs = world.instance(owner=DEV)
    elsewhere = world.instance(region="cn-shanghai")
    refused(world, "InvalidInstanceId.NotFound", 404, InstanceId=theirs.instance_id)
    refused(world, "InvalidInstanceId.NotFound", 404, InstanceId=elsewhere.instance_id)
    refused(world, "InvalidInstanceId.NotFound", 404, InstanceId="i-doesnotexist")


def test_instance_locked_for_security_is_refused(world: World) -> None:
    inst = world.instance(status="Running", locked_for_security=True)
    refused(world, "InstanceLockedForSecurity", 400, InstanceId=inst.instance_id)


def test_rule_018_one_new_snapshot_per_disk_and_creating_until_all_done(world: World) -> None:
    public = world.public_image(size=20)
    inst = world.instance(image_id=public.image_id, system_size=40, status="Running")
    world.data_disk(inst, size=200, device="/dev/xvdc")
    world.data_disk(inst, size=100, device="/dev/xvdb")
    image = created(world, InstanceId=inst.instance_id)

    assert [(d.device, d.disk_type, d.size) for d in image.disk_mappings] == [
        ("/dev/xvda", "system", 40), ("/dev/xvdb", "data", 100), ("/dev/xvdc", "data", 200)]
    snapshots = [snapshot_of(world, d.snapshot_id) for d in image.disk_mappings]
    assert len({s.snapshot_id for s in snapshots}) == 3
    assert [s.size for s in snapshots] == [40, 100, 200]
    assert [s.source_disk_type for s in snapshots] == ["system", "data", "data"]
    assert all(s.pending_end == image.pending_end > world.clock.now for s in snapshots)

    assert images.state(image, world.clock.now)[0] == m.CREATING
    world.advance(image.pending_end - world.clock.now - 1)
    assert images.state(image, world.clock.now)[0] == m.CREATING
    world.advance(1)
    assert images.state(image, world.clock.now) == (m.AVAILABLE, 100, 0)


def test_image_from_instance_takes_os_from_the_image_it_runs(world: World) -> None:
    windows = world.public_image(os_type="windows", image_id="win2022_64_dtc_zh_40G.vhd", size=40)
    inst = world.instance(image_id=windows.image_id, os_type="windows")
    image = created(world, InstanceId=inst.instance_id, Platform="CentOS")
    assert (image.os_type, image.platform, image.license_os) == (
        "windows", "Windows Server 2022", "windows")
    assert image.owner_kind == "custom" and image.owner_id == OPS


def test_image_from_instance_whose_image_is_gone_uses_the_instance(world: World) -> None:
    inst = world.instance(image_id="m-gone0000000000000000", os_type="windows",
                          instance_type="ecs.g8y.large")
    image = created(world, InstanceId=inst.instance_id)
    assert (image.os_type, image.architecture) == ("windows", "arm64")


def test_rule_019_snapshot_not_from_system_disk_is_refused(world: World) -> None:
    data_snap = world.snapshot(disk_type="data")
    message = refused(world, "OperationDenied", 403, SnapshotId=data_snap.snapshot_id)
    assert message == "The specified snapshot is not from system disk."


def test_rule_020_snapshot_from_on_or_before_2013_07_15_is_too_old(world: World) -> None:
    old = world.snapshot(creation_time="2013-07-15T23:59:59Z")
    refused(world, "InvalidSnapshot.TooOld", 403, SnapshotId=old.snapshot_id)
    refused(world, "InvalidSnapshot.TooOld", 403,
            **{"DiskDeviceMapping.1.SnapshotId": old.snapshot_id})
    newer = world.snapshot(creation_time="2013-07-16T00:00:00Z")
    assert created(world, SnapshotId=newer.snapshot_id).size == newer.size


def test_snapshot_of_another_account_or_region_is_not_found(world: World) -> None:
    theirs = world.snapshot(owner=DEV)
    elsewhere = world.snapshot(region="cn-shanghai")
    for snapshot_id in (theirs.snapshot_id, elsewhere.snapshot_id, "s-doesnotexist"):
        refused(world, "InvalidSnapshotId.NotFound", 404, SnapshotId=snapshot_id)


def test_pending_snapshot_is_not_ready(world: World) -> None:
    pending = world.snapshot(pending_start=world.clock.now, pending_end=world.clock.now + 60)
    refused(world, "InvalidSnapshotId.NotReady", 403, SnapshotId=pending.snapshot_id)
    world.advance(60)
    assert created(world, SnapshotId=pending.snapshot_id).size == pending.size


# -- DiskDeviceMapping ------------------------------------------------------------------------

def mapping(*disks: dict[str, Any]) -> dict[str, Any]:
    return {f"DiskDeviceMapping.{n}.{k}": v for n, disk in enumerate(disks, 1)
            for k, v in disk.items()}


def test_rule_021_mapping_without_system_disk_snapshot_is_refused(world: World) -> None:
    data_snap = world.snapshot(disk_type="data")
    message = refused(world, "OperationDenied", 400,
                      **mapping({"SnapshotId": data_snap.snapshot_id}, {"Size": 50}))
    assert "does not contain system disk snapshot" in message
    # A system slot with no snapshot is no system-disk snapshot either.
    refused(world, "OperationDenied", 400, **mapping({"DiskType": "system", "Size": 40}))


def test_rule_022_mapping_with_two_system_disk_snapshots_is_refused(world: World) -> None:
    first, second = world.snapshot(), world.snapshot()
    message = refused(world, "OperationDenied", 400, **mapping(
        {"SnapshotId": first.snapshot_id}, {"SnapshotId": second.snapshot_id}))
    assert "two or more system disk snapshots" in message


def test_rule_023_duplicated_data_device_is_in_use(world: World) -> None:
    system = world.snapshot()
    refused(world, "InvalidDevice.InUse", 400, **mapping(
        {"SnapshotId": system.snapshot_id},
        {"Device": "/dev/xvdc", "Size": 20}, {"Device": "/dev/xvdc", "Size": 30}))


@pytest.mark.parametrize("device", ["/dev/sdb", "/dev/xvda", "xvdb", "/dev/xvdb1", "/dev/xvd\x1b"])
def test_rule_023_malformed_data_device_is_refused(world: World, device: str) -> None:
    system = world.snapshot()
    refused(world, "InvalidDevice.Malformed", 400, **mapping(
        {"SnapshotId": system.snapshot_id}, {"Device": device, "Size": 20, "DiskType": "data"}))


def test_mapping_devices_are_assigned_in_order_around_given_ones(world: World) -> None:
    system = world.snapshot(size=40)
    data_snap = world.snapshot(disk_type="data", size=60)
    image = created(world, **mapping(
        {"Size": 30}, {"SnapshotId": system.snapshot_id, "Size": 50},
        {"SnapshotId": data_snap.snapshot_id, "Device": "/dev/xvdb"}, {"DiskType": "data"}))
    assert [(d.device, d.disk_type, d.size, d.snapshot_id) for d in image.disk_mappings] == [
        ("/dev/xvda", "system", 50, system.snapshot_id),
        ("/dev/xvdb", "data", 60, data_snap.snapshot_id),
        ("/dev/xvdc", "data", 30, ""),
        ("/dev/xvdd", "data", 20, ""),
    ]
    assert image.size == 50


def test_rule_024_more_than_16_data_disks_is_refused(world: World) -> None:
    system = world.snapshot()
    disks = [{"SnapshotId": system.snapshot_id}] + [{"Size": 20} for _ in range(17)]
    refused(world, "InvalidParameter.DataDiskCount", 400, **mapping(*disks))
    image = created(world, **mapping(*disks[:17]))
    assert len(image.disk_mappings) == 17
    assert image.disk_mappings[-1].device == "/dev/xvdq"


def test_rule_025_size_below_the_snapshot_is_refused(world: World) -> None:
    system = world.snapshot(size=40)
    refused(world, "InvalidSize.ValueNotSupported", 400,
            **mapping({"SnapshotId": system.snapshot_id, "Size": 39}))
    assert created(world, **mapping({"SnapshotId": system.snapshot_id})).size == 40


@pytest.mark.parametrize("size", ["19", "32769", "0", "-5", "abc", "2.5", "10" * 20, "２０"])
def test_rule_025_empty_disk_size_out_of_range_is_refused(world: World, size: str) -> None:
    system = world.snapshot()
    refused(world, "InvalidSize.ValueNotSupported", 400,
            **mapping({"SnapshotId": system.snapshot_id}, {"Size": size}))


def test_rule_025_empty_disk_sizes_at_the_bounds_are_accepted(world: World) -> None:
    system = world.snapshot()
    image = created(world, **mapping({"SnapshotId": system.snapshot_id}, {"Size": 20},
                                     {"Size": 32768}))
    assert [d.size for d in image.disk_mappings[1:]] == [20, 32768]


def test_data_snapshot_as_system_disk_needs_platform_and_architecture(world: World) -> None:
    data_snap = world.snapshot(disk_type="data", size=50)
    as_system = mapping({"SnapshotId": data_snap.snapshot_id, "DiskType": "system"})
    refused(world, "MissingParameter", 400, Architecture="x86_64", **as_system)
    refused(world, "MissingParameter", 400, Platform="Ubuntu", **as_system)
    refused(world, "InvalidPlatform.Malformed", 400, Platform="Plan9", Architecture="x86_64",
            **as_system)
    refused(world, "InvalidArchitecture.Malformed", 400, Platform="Ubuntu",
            Architecture="sparc", **as_system)
    image = created(world, Platform="ubuntu", Architecture="arm64", **as_system)
    assert (image.platform, image.architecture, image.os_type, image.size) == (
        "Ubuntu", "arm64", "linux", 50)
    assert image.disk_mappings[0].disk_type == "system"


# -- quota, the new image, inheritance ----------------------------------------------------------

def test_rule_026_quota_counts_own_custom_images_in_the_region(world: World) -> None:
    with world.repo.read() as view:
        account = view.get(tables.ACCOUNTS, OPS)
    assert account is not None
    world.update(tables.ACCOUNTS, account, image_quota=2)
    world.image()
    world.image()
    world.image(region="cn-shanghai")  # another region: does not count here
    world.image(owner=DEV, region="cn-hangzhou",
                shares=(m.SharePermission(OPS, "2025-06-01T00:00:00Z"),))  # received share
    snap = world.snapshot()
    message = refused(world, "QuotaExceed.Image", 403, SnapshotId=snap.snapshot_id)
    assert message == "The Image Quota exceeds."
    world.update(tables.ACCOUNTS, account, image_quota=3)
    assert created(world, SnapshotId=snap.snapshot_id).owner_id == OPS


def test_rule_026_shared_images_received_do_not_count(world: World) -> None:
    with world.repo.read() as view:
        account = view.get(tables.ACCOUNTS, OPS)
    assert account is not None
    world.update(tables.ACCOUNTS, account, image_quota=1)
    for _ in range(3):
        world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-06-01T00:00:00Z"),))
    snap = world.snapshot()
    created(world, SnapshotId=snap.snapshot_id)
    refused(world, "QuotaExceed.Image", 403, SnapshotId=snap.snapshot_id)


def test_rule_027_new_image_is_creating_then_available_in_describe_images(world: World) -> None:
    snap = world.snapshot(size=40)
    image_id = world.call("CreateImage", SnapshotId=snap.snapshot_id,
                          ImageName="web-base")["ImageId"]
    assert re.fullmatch(r"m-[a-z0-9]{20}", image_id)

    def shown() -> dict[str, Any]:
        body = world.call("DescribeImages", ImageId=image_id, Status="ALL")
        [found] = body["Images"]["Image"]
        return found  # type: ignore[no-any-return]

    first = shown()
    assert (first["ImageOwnerAlias"], first["Status"], first["Progress"]) == (
        "self", "Creating", "0%")
    world.advance(10)  # 40 GiB at 1 s/GiB: a quarter of the way
    assert (shown()["Status"], shown()["Progress"]) == ("Creating", "25%")
    world.advance(20)
    assert (shown()["Status"], shown()["Progress"]) == ("Creating", "75%")
    world.advance(10)
    assert (shown()["Status"], shown()["Progress"]) == ("Available", "100%")
    default_listing = world.call("DescribeImages", ImageOwnerAlias="self")["Images"]["Image"]
    assert [i["ImageId"] for i in default_listing] == [image_id]


def test_rule_027_zero_pace_makes_the_image_available_at_once(world: World) -> None:
    world.pace = 0.0
    snap = world.snapshot(size=40)
    image = created(world, SnapshotId=snap.snapshot_id)
    assert images.state(image, world.clock.now) == (m.AVAILABLE, 100, 0)


def test_rule_028_image_from_marketplace_instance_inherits_product_code(world: World) -> None:
    market = world.marketplace_image(product_code="cmjj000042")
    inst = world.instance(image_id=market.image_id)
    image = created(world, InstanceId=inst.instance_id)
    assert (image.product_code, image.supplier_name) == ("cmjj000042", "Example ISV")


def test_rule_028_image_from_a_marketplace_disk_snapshot_inherits_product_code(
        world: World) -> None:
    market = world.marketplace_image(product_code="cmjj000043")
    inst = world.instance(image_id=market.image_id)
    snap = world.snapshot(source_disk_id=inst.system_disk_id)
    by_snapshot = created(world, SnapshotId=snap.snapshot_id)
    assert by_snapshot.product_code == "cmjj000043"
    # A custom image built on a marketplace-derived snapshot passes the code on too.
    derived = world.image(product_code="cmjj000044")
    by_mapping = created(world, **mapping({"SnapshotId": derived.disk_mappings[0].snapshot_id}))
    assert by_mapping.product_code == "cmjj000044"


def test_image_from_a_plain_snapshot_has_no_product_code(world: World) -> None:
    snap = world.snapshot()
    image = created(world, SnapshotId=snap.snapshot_id)
    assert (image.product_code, image.platform, image.architecture) == ("", "Others Linux",
                                                                         "x86_64")


def test_descriptive_parameters_are_stored(world: World) -> None:
    snap = world.snapshot()
    image = created(world, SnapshotId=snap.snapshot_id, ImageName="网站-base.v2",
                    Description="基础镜像 for web", ImageFamily="web", ImageVersion="2.0.1",
                    BootMode="UEFI", ResourceGroupId="rg-acfmxazb4ph6aiy",
                    **{"Features.ImdsSupport": "v2", "Tag.1.Key": "env", "Tag.1.Value": "prod",
                       "Tag.2.Key": "team"})
    assert (image.image_name, image.description, image.image_family, image.image_version) == (
        "网站-base.v2", "基础镜像 for web", "web", "2.0.1")
    assert (image.boot_mode, image.imds_support, image.resource_group_id) == (
        "UEFI", "v2", "rg-acfmxazb4ph6aiy")
    assert image.tags == (m.Tag("env", "prod"), m.Tag("team", ""))
    assert image.creation_time == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(("param", "value", "code", "status"), [
    ("BootMode", "LEGACY", "InvalidParameter", 400),
    ("Features.ImdsSupport", "v3", "InvalidParameter", 400),
    ("ResourceGroupId", "group-1", "InvalidResourceGroup.NotFound", 404),
    ("ClientToken", "x" * 65, "InvalidParameter", 400),
    ("ClientToken", "令牌", "InvalidParameter", 400),
    ("Platform", "Windows\x00", "InvalidPlatform.Malformed", 400),
])
def test_bad_optional_parameters_are_api_errors(world: World, param: str, value: str, code: str,
                                                status: int) -> None:
    snap = world.snapshot()
    refused(world, code, status, SnapshotId=snap.snapshot_id, **{param: value})


def test_unknown_region_is_not_found(world: World) -> None:
    snap = world.snapshot()
    refused(world, "InvalidRegionId.NotFound", 404, SnapshotId=snap.snapshot_id,
            RegionId="mars-1")


def test_dry_run_creates_nothing(world: World) -> None:
    inst = world.instance()
    refused(world, "DryRunOperation", 400, InstanceId=inst.instance_id, DryRun=True)


# -- names, descriptions, tags, families ------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "x" * 129, "1web", "aliyun-web", "acs:web", "http://web",
                                  "web base", "web\x07", "web/1"])
def test_rule_029_malformed_image_name_is_refused(world: World, name: str) -> None:
    snap = world.snapshot()
    refused(world, "InvalidImageName.Malformed", 400, SnapshotId=snap.snapshot_id,
            ImageName=name)


def test_rule_030_duplicated_name_in_account_and_region_is_refused(world: World) -> None:
    world.image(image_name="web-base")
    world.image(image_name="api-base", region="cn-shanghai")
    world.image(image_name="db-base", owner=DEV)
    snap = world.snapshot()
    refused(world, "InvalidImageName.Duplicated", 400, SnapshotId=snap.snapshot_id,
            ImageName="web-base")
    created(world, SnapshotId=snap.snapshot_id, ImageName="api-base")
    created(world, SnapshotId=snap.snapshot_id, ImageName="db-base")


@pytest.mark.parametrize("description", ["x", "y" * 257, "http://example.com",
                                         "HTTPS://example.com"])
def test_rule_031_malformed_description_is_refused(world: World, description: str) -> None:
    snap = world.snapshot()
    refused(world, "InvalidDescription.Malformed", 400, SnapshotId=snap.snapshot_id,
            Description=description)


@pytest.mark.parametrize("family", ["f", "aliyun_linux", "acs:web", "9web", "web family"])
def test_rule_032_malformed_family_is_refused(world: World, family: str) -> None:
    snap = world.snapshot()
    refused(world, "InvalidImageFamily.Malformed", 400, SnapshotId=snap.snapshot_id,
            ImageFamily=family)


@pytest.mark.parametrize("key", ["", "k" * 129, "aliyun-env", "acs:env", "see http://x"])
def test_rule_033_malformed_tag_key_is_refused(world: World, key: str) -> None:
    snap = world.snapshot()
    refused(world, "InvalidTagKey.Malformed", 400, SnapshotId=snap.snapshot_id,
            **{"Tag.1.Key": key, "Tag.1.Value": "v"})


def test_rule_034_duplicate_tag_keys_are_refused(world: World) -> None:
    snap = world.snapshot()
    refused(world, "Duplicate.TagKey", 400, SnapshotId=snap.snapshot_id,
            **{"Tag.1.Key": "env", "Tag.1.Value": "a", "Tag.2.Key": "env", "Tag.2.Value": "b"})


def test_rule_035_more_than_20_tags_are_refused(world: World) -> None:
    snap = world.snapshot()
    tags = {f"Tag.{n}.Key": f"k{n}" for n in range(1, 22)}
    refused(world, "InvalidTagCount", 400, SnapshotId=snap.snapshot_id, **tags)
    del tags["Tag.21.Key"]
    assert len(created(world, SnapshotId=snap.snapshot_id, **tags).tags) == 20


# -- ClientToken ------------------------------------------------------------------------------

def test_same_client_token_and_parameters_return_the_same_image(world: World) -> None:
    snap = world.snapshot()
    params = {"SnapshotId": snap.snapshot_id, "ImageName": "web-base", "ClientToken": "tok-1"}
    first = world.call("CreateImage", params)["ImageId"]
    before = counts(world)
    assert world.call("CreateImage", params)["ImageId"] == first
    assert counts(world)[:2] == before[:2]


def test_same_client_token_with_other_parameters_is_refused(world: World) -> None:
    snap = world.snapshot()
    world.call("CreateImage", SnapshotId=snap.snapshot_id, ImageName="web-base",
               ClientToken="tok-1")
    refused(world, "IdempotenceParamNotMatch", 400, SnapshotId=snap.snapshot_id,
            ImageName="web-other", ClientToken="tok-1")
    # Another account may use the same token for its own image.
    theirs = world.snapshot(owner=DEV)
    body = world.call("CreateImage", profile="dev", RegionId="cn-hangzhou",
                      SnapshotId=theirs.snapshot_id, ClientToken="tok-1")
    assert world.get_image(body["ImageId"]) is not None
