"""ReplaceSystemDisk: Rules 41, 53, 91-107, 113, 114."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.world import DEV, OPS, World

WINDOWS_ID = "win2022_dc_x64_40G_alibase_20250101.vhd"


def catalogue_state(world: World) -> dict[str, Any]:
    """Every record ReplaceSystemDisk may touch, to prove a refusal changed nothing."""
    watched: tuple[tables.Table[Any], ...] = (
        tables.INSTANCES, tables.DISKS, tables.SNAPSHOTS, tables.PURCHASES)
    with world.repo.read() as view:
        return {table.name: sorted(map(repr, view.all(table))) for table in watched}


def instance_record(world: World, instance_id: str) -> m.Instance:
    with world.repo.read() as view:
        found = view.get(tables.INSTANCES, instance_id)
    assert found is not None
    return found


def disk_record(world: World, disk_id: str) -> m.Disk | None:
    with world.repo.read() as view:
        return view.get(tables.DISKS, disk_id)


def refused(world: World, code: str, status: int, **params: Any) -> None:
    """The call fails with ``code``/``status`` and leaves the catalogue as it was."""
    profile = params.pop("profile", "default")
    before = catalogue_state(world)
    err = world.error("ReplaceSystemDisk", profile=profile, **params)
    assert (err.code, err.http_status) == (code, status), err.message
    assert catalogue_state(world) == before


def add_key_pair(world: World, name: str = "ops-key", owner: str = OPS,
                 region: str = "cn-hangzhou") -> None:
    world.put(tables.KEY_PAIRS, m.KeyPair(name, region, owner))


def buy(world: World, product_code: str, owner: str = OPS, region: str = "cn-hangzhou",
        used_by: str = "") -> m.Purchase:
    purchase = m.Purchase(world.ids.resource("p"), owner, product_code, region,
                          "2025-06-01T00:00:00Z", used_by_instance_id=used_by)
    return world.put(tables.PURCHASES, purchase)  # type: ignore[no-any-return]


@pytest.fixture
def linux(world: World) -> m.Image:
    return world.public_image()


def test_rule_091_instance_must_be_stopped(world: World, linux: m.Image) -> None:
    inst = world.instance(status="Running")
    refused(world, "IncorrectInstanceStatus", 403, InstanceId=inst.instance_id,
            ImageId=linux.image_id)


def test_rule_091_another_accounts_instance_is_not_found(world: World, linux: m.Image) -> None:
    inst = world.instance(owner=DEV)
    refused(world, "InvalidInstanceId.NotFound", 404, InstanceId=inst.instance_id,
            ImageId=linux.image_id)


def test_rule_092_image_id_is_required(world: World) -> None:
    inst = world.instance()
    refused(world, "MissingParameter", 400, InstanceId=inst.instance_id)


def test_rule_093_image_not_visible_is_not_found(world: World) -> None:
    private = world.image(owner=DEV)
    elsewhere = world.image(region="cn-shanghai")
    inst = world.instance()
    refused(world, "InvalidImageId.NotFound", 404, InstanceId=inst.instance_id,
            ImageId=private.image_id)
    refused(world, "InvalidImageId.NotFound", 404, InstanceId=inst.instance_id,
            ImageId=elsewhere.image_id)
    refused(world, "InvalidImageId.NotFound", 404, InstanceId=inst.instance_id,
            ImageId="m-doesnotexist0000000")


def test_rule_094_image_with_data_disk_snapshots_is_refused(world: World) -> None:
    image = world.image(data_disks=(100,))
    inst = world.instance()
    refused(world, "OperationDenied", 400, InstanceId=inst.instance_id, ImageId=image.image_id)


def test_rule_095_size_below_image_size(world: World) -> None:
    image = world.image(size=60)
    inst = world.instance(system_size=40)
    refused(world, "InvalidSystemDiskSize.LessThanImageSize", 404, InstanceId=inst.instance_id,
            ImageId=image.image_id, **{"SystemDisk.Size": 50})


@pytest.mark.parametrize(("platform", "license_os", "os_type", "minimum"), [
    ("Aliyun", "", "linux", 20),
    ("Fedora CoreOS", "", "linux", 30),
    ("FreeBSD", "", "linux", 30),
    ("Red Hat", "rhel", "linux", 40),
    ("Windows Server 2022", "windows", "windows", 40),
])
def test_rule_096_size_below_os_minimum(world: World, platform: str, license_os: str,
                                        os_type: str, minimum: int) -> None:
    image = world.image(size=5, platform=platform, license_os=license_os, os_type=os_type)
    inst = world.instance(system_size=10)
    refused(world, "InvalidSystemDiskSize.LessThanMinSize", 404, InstanceId=inst.instance_id,
            ImageId=image.image_id, **{"SystemDisk.Size": minimum - 1})
    body = world.call("ReplaceSystemDisk", {"SystemDisk.Size": minimum},
                      InstanceId=inst.instance_id, ImageId=image.image_id)
    assert disk_record(world, body["DiskId"]).size == minimum  # type: ignore[union-attr]


def test_rule_096_size_below_current_system_disk(world: World, linux: m.Image) -> None:
    inst = world.instance(system_size=80)
    refused(world, "InvalidSystemDiskSize.LessThanMinSize", 404, InstanceId=inst.instance_id,
            ImageId=linux.image_id, **{"SystemDisk.Size": 60})


@pytest.mark.parametrize(("category", "maximum"), [("cloud", 500), ("cloud_essd", 2048),
                                                   ("cloud_efficiency", 2048)])
def test_rule_097_size_above_category_maximum(world: World, linux: m.Image, category: str,
                                              maximum: int) -> None:
    inst = world.instance(category=category)
    refused(world, "InvalidSystemDiskSize.MoreThanMaxSize", 404, InstanceId=inst.instance_id,
            ImageId=linux.image_id, **{"SystemDisk.Size": maximum + 1})
    body = world.call("ReplaceSystemDisk", {"SystemDisk.Size": maximum},
                      InstanceId=inst.instance_id, ImageId=linux.image_id)
    new_disk = disk_record(world, body["DiskId"])
    assert new_disk is not None and (new_disk.size, new_disk.category) == (maximum, category)


@pytest.mark.parametrize(("image_size", "current", "expected"), [
    (20, 20, 40), (50, 40, 50), (20, 80, 80),
])
def test_rule_098_default_size_is_max_of_40_image_and_current(
        world: World, image_size: int, current: int, expected: int) -> None:
    image = world.image(size=image_size)
    inst = world.instance(system_size=current)
    body = world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=image.image_id)
    assert disk_record(world, body["DiskId"]).size == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("region", ["ap-southeast-1", "cn-hongkong", "eu-central-1"])
def test_rule_099_no_windows_linux_switch_outside_mainland(world: World, region: str) -> None:
    windows = world.public_image(region=region, os_type="windows", image_id=WINDOWS_ID, size=40)
    linux = world.public_image(region=region)
    linux_inst = world.instance(region=region, os_type="linux")
    windows_inst = world.instance(region=region, os_type="windows")
    refused(world, "OperationDenied.ImageNotValid", 403, InstanceId=linux_inst.instance_id,
            ImageId=windows.image_id)
    refused(world, "OperationDenied.ImageNotValid", 403, InstanceId=windows_inst.instance_id,
            ImageId=linux.image_id)
    world.call("ReplaceSystemDisk", InstanceId=windows_inst.instance_id, ImageId=windows.image_id)
    world.call("ReplaceSystemDisk", InstanceId=linux_inst.instance_id, ImageId=linux.image_id)


def test_rule_099_mainland_allows_windows_linux_switch(world: World) -> None:
    windows = world.public_image(os_type="windows", image_id=WINDOWS_ID, size=40)
    inst = world.instance(os_type="linux")
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=windows.image_id)
    after = instance_record(world, inst.instance_id)
    assert (after.os_type, after.image_id) == ("windows", WINDOWS_ID)
    assert after.os_name == windows.os_name


def test_rule_100_key_pair_with_windows_image_is_refused(world: World) -> None:
    windows = world.public_image(os_type="windows", image_id=WINDOWS_ID, size=40)
    add_key_pair(world)
    inst = world.instance(os_type="windows")
    refused(world, "InvalidParameter.KeyPairNotSupport", 400, InstanceId=inst.instance_id,
            ImageId=windows.image_id, KeyPairName="ops-key")


def test_rule_101_key_pair_must_exist_for_the_caller_in_the_region(
        world: World, linux: m.Image) -> None:
    add_key_pair(world, "dev-key", owner=DEV)
    add_key_pair(world, "sh-key", region="cn-shanghai")
    add_key_pair(world, "ops-key")
    inst = world.instance()
    for name in ("nope", "dev-key", "sh-key"):
        refused(world, "InvalidKeyPairName.NotFound", 400, InstanceId=inst.instance_id,
                ImageId=linux.image_id, KeyPairName=name)
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=linux.image_id,
               KeyPairName="ops-key")
    assert instance_record(world, inst.instance_id).key_pair_name == "ops-key"


def test_rule_102_password_inherit_with_password_is_a_mismatch(
        world: World, linux: m.Image) -> None:
    inst = world.instance()
    refused(world, "InvalidPasswordParam.Mismatch", 400, InstanceId=inst.instance_id,
            ImageId=linux.image_id, PasswordInherit=True, Password="Str0ng!pass")
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=linux.image_id,
               PasswordInherit=True)


@pytest.mark.parametrize("password", ["Sh0rt!", "alllowercase1", "NoDigitsOrSpecial",
                                      "A" * 28 + "b1!", "Pass word1!", "密码Passw0rd"])
def test_rule_103_malformed_password(world: World, linux: m.Image, password: str) -> None:
    inst = world.instance()
    refused(world, "InvalidPassword.Malformed", 400, InstanceId=inst.instance_id,
            ImageId=linux.image_id, Password=password)


def test_rule_103_windows_password_cannot_start_with_slash(world: World, linux: m.Image) -> None:
    windows = world.public_image(os_type="windows", image_id=WINDOWS_ID, size=40)
    win_inst = world.instance(os_type="windows")
    refused(world, "InvalidPassword.Malformed", 400, InstanceId=win_inst.instance_id,
            ImageId=windows.image_id, Password="/Passw0rd")
    linux_inst = world.instance()
    world.call("ReplaceSystemDisk", InstanceId=linux_inst.instance_id, ImageId=linux.image_id,
               Password="/Passw0rd")


def test_rule_104_arm_image_on_x86_type_and_x86_image_on_arm_type(world: World) -> None:
    arm = world.image(architecture="arm64")
    x86 = world.image()
    x86_inst = world.instance(instance_type="ecs.g7.large")
    arm_inst = world.instance(instance_type="ecs.g8y.large")
    refused(world, "InvalidParameter.Conflict", 400, InstanceId=x86_inst.instance_id,
            ImageId=arm.image_id)
    refused(world, "InvalidParameter.Conflict", 400, InstanceId=arm_inst.instance_id,
            ImageId=x86.image_id)
    world.call("ReplaceSystemDisk", InstanceId=arm_inst.instance_id, ImageId=arm.image_id)


def test_rule_104_32_bit_image_only_below_4_gib(world: World) -> None:
    i386 = world.image(architecture="i386")
    big = world.instance(instance_type="ecs.g7.large")  # 8 GiB
    edge = world.instance(instance_type="ecs.c7.large")  # exactly 4 GiB
    small = world.instance(instance_type="ecs.n4.small")  # 2 GiB
    refused(world, "ImageNotSupportInstanceType", 403, InstanceId=big.instance_id,
            ImageId=i386.image_id)
    refused(world, "ImageNotSupportInstanceType", 403, InstanceId=edge.instance_id,
            ImageId=i386.image_id)
    world.call("ReplaceSystemDisk", InstanceId=small.instance_id, ImageId=i386.image_id)


def test_rule_105_marketplace_image_needs_an_unused_purchase(world: World) -> None:
    market = world.marketplace_image()
    inst = world.instance()
    buy(world, market.product_code, used_by="i-someotherinstance00")
    buy(world, market.product_code, region="cn-shanghai")
    buy(world, market.product_code, owner=DEV)
    refused(world, "QuotaExceed.BuyImage", 403, InstanceId=inst.instance_id,
            ImageId=market.image_id)
    purchase = buy(world, market.product_code)
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=market.image_id)
    with world.repo.read() as view:
        used = view.get(tables.PURCHASES, purchase.purchase_id)
    assert used is not None and used.used_by_instance_id == inst.instance_id


def test_rule_105_marketplace_derived_custom_image_needs_a_purchase(world: World) -> None:
    world.marketplace_image(product_code="cmjj000002")
    derived = world.image(product_code="cmjj000002")
    inst = world.instance()
    refused(world, "QuotaExceed.BuyImage", 403, InstanceId=inst.instance_id,
            ImageId=derived.image_id)


def test_rule_105_instance_already_on_the_product_needs_no_new_purchase(world: World) -> None:
    old_version = world.marketplace_image()
    new_version = world.marketplace_image(image_name="LNMP-on-CentOS-v2")
    inst = world.instance(image_id=old_version.image_id)
    buy(world, old_version.product_code, used_by=inst.instance_id)
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=new_version.image_id)
    assert instance_record(world, inst.instance_id).image_id == new_version.image_id


def test_rule_106_security_lock_unpaid_order_and_expiry(world: World, linux: m.Image) -> None:
    locked = world.instance(locked_for_security=True)
    unpaid = world.instance(unpaid_order=True)
    expired = world.instance(expired=True, charge_type="PrePaid")
    refused(world, "InstanceLockedForSecurity", 403, InstanceId=locked.instance_id,
            ImageId=linux.image_id)
    refused(world, "OperationDenied.UnpaidOrder", 403, InstanceId=unpaid.instance_id,
            ImageId=linux.image_id)
    refused(world, "InstanceExpiredOrInArrears", 403, InstanceId=expired.instance_id,
            ImageId=linux.image_id)


def test_rule_107_success_releases_old_disk_and_sorts_its_snapshots(world: World) -> None:
    old_image = world.image()
    new_image = world.image(size=50)
    inst = world.instance(image_id=old_image.image_id, category="cloud_ssd",
                          private_ip="172.16.0.9", mac_address="00:16:3e:00:00:09")
    data = world.data_disk(inst)
    old_disk_id = inst.system_disk_id
    manual = world.snapshot(source_disk_id=old_disk_id)
    auto_gone = world.snapshot(source_disk_id=old_disk_id, automatic=True, release_with_disk=True)
    auto_kept = world.snapshot(source_disk_id=old_disk_id, automatic=True)

    body = world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=new_image.image_id)

    new_disk_id = body["DiskId"]
    assert new_disk_id.startswith("d-") and len(new_disk_id) == 22 and new_disk_id != old_disk_id
    assert disk_record(world, old_disk_id) is None
    new_disk = disk_record(world, new_disk_id)
    assert new_disk is not None
    assert (new_disk.category, new_disk.size, new_disk.image_id, new_disk.instance_id) == (
        "cloud_ssd", 50, new_image.image_id, inst.instance_id)
    assert disk_record(world, data.disk_id) == data
    with world.repo.read() as view:
        snaps = {s.snapshot_id: s for s in view.all(tables.SNAPSHOTS)}
    assert auto_gone.snapshot_id not in snaps
    assert snaps[manual.snapshot_id].source_disk_released
    assert snaps[auto_kept.snapshot_id].source_disk_released
    after = instance_record(world, inst.instance_id)
    assert (after.image_id, after.system_disk_id, after.status) == (
        new_image.image_id, new_disk_id, "Stopped")
    assert (after.private_ip, after.mac_address) == ("172.16.0.9", "00:16:3e:00:00:09")


def test_rule_107_image_usage_becomes_instance(world: World) -> None:
    image = world.image()
    inst = world.instance()
    listed = world.call("DescribeImages", ImageId=image.image_id, ImageOwnerAlias="self")
    assert listed["Images"]["Image"][0]["Usage"] == "none"
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=image.image_id)
    listed = world.call("DescribeImages", ImageId=image.image_id, ImageOwnerAlias="self")
    assert listed["Images"]["Image"][0]["Usage"] == "instance"


def test_rule_041_deprecated_image_can_still_replace(world: World) -> None:
    image = world.image(status=m.DEPRECATED)
    inst = world.instance()
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=image.image_id)
    assert instance_record(world, inst.instance_id).image_id == image.image_id


def test_image_still_creating_is_refused(world: World) -> None:
    image = world.image(pending_start=world.clock.now, pending_end=world.clock.now + 100)
    inst = world.instance()
    refused(world, "IncorrectImageStatus", 400, InstanceId=inst.instance_id,
            ImageId=image.image_id)


def test_rule_053_recipient_cannot_replace_after_unshare(world: World) -> None:
    image = world.image()
    shared = world.update(tables.IMAGES, image,
                          shares=(m.SharePermission(DEV, "2025-06-02T00:00:00Z"),))
    first = world.instance(owner=DEV)
    second = world.instance(owner=DEV)
    world.call("ReplaceSystemDisk", profile="dev", InstanceId=first.instance_id,
               ImageId=image.image_id)
    world.update(tables.IMAGES, shared, shares=())
    refused(world, "InvalidImageId.NotFound", 404, profile="dev", InstanceId=second.instance_id,
            ImageId=image.image_id)


def test_rule_113_subscription_product_refused_on_postpaid_instance(world: World) -> None:
    market = world.marketplace_image(pricing_model="subscription")
    buy(world, market.product_code)
    buy(world, market.product_code)
    postpaid = world.instance(charge_type="PostPaid")
    prepaid = world.instance(charge_type="PrePaid")
    refused(world, "InvalidMarketImageChargeType.NotSupport", 400,
            InstanceId=postpaid.instance_id, ImageId=market.image_id)
    world.call("ReplaceSystemDisk", InstanceId=prepaid.instance_id, ImageId=market.image_id)


def test_rule_114_free_marketplace_image_must_still_be_purchased(world: World) -> None:
    free = world.marketplace_image(pricing_model="free", price=0.0)
    inst = world.instance()
    refused(world, "QuotaExceed.BuyImage", 403, InstanceId=inst.instance_id,
            ImageId=free.image_id)
    buy(world, free.product_code)
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=free.image_id)


def test_dry_run_changes_nothing(world: World, linux: m.Image) -> None:
    inst = world.instance()
    refused(world, "DryRunOperation", 400, InstanceId=inst.instance_id, ImageId=linux.image_id,
            DryRun=True)


@pytest.mark.parametrize(("size", "code", "status"), [
    ("abc", "InvalidParameter", 400),
    ("1e3", "InvalidParameter", 400),
    ("40\x00", "InvalidParameter", 400),
    ("-5", "InvalidSystemDiskSize.LessThanImageSize", 404),
    ("99999999999999999999999", "InvalidSystemDiskSize.MoreThanMaxSize", 404),
])
def test_bad_size_input_is_an_api_error(world: World, linux: m.Image, size: str, code: str,
                                        status: int) -> None:
    inst = world.instance()
    refused(world, code, status, InstanceId=inst.instance_id, ImageId=linux.image_id,
            **{"SystemDisk.Size": size})


def test_an_auto_snapshot_an_image_is_built_on_outlives_its_disk(world: World) -> None:
    old_image = world.image()
    new_image = world.image(size=50)
    inst = world.instance(image_id=old_image.image_id)
    held = world.snapshot(source_disk_id=inst.system_disk_id, automatic=True,
                          release_with_disk=True)
    world.image(image_name="built-on-auto", disk_mappings=(
        m.DiskMapping("/dev/xvda", "system", 40, held.snapshot_id),))
    world.call("ReplaceSystemDisk", InstanceId=inst.instance_id, ImageId=new_image.image_id)
    with world.repo.read() as view:
        kept = view.get(tables.SNAPSHOTS, held.snapshot_id)
    assert kept is not None and kept.source_disk_released
