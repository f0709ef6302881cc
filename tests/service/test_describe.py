from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.service.machinery.params import Request
from ecsimg.service.machinery.registry import ACTIONS
from ecsimg.store import tables
from tests.world import DEV, OPS, PARTNER, World

HZ = "cn-hangzhou"


def ids(body: dict[str, Any]) -> list[str]:
    return [image["ImageId"] for image in body["Images"]["Image"]]


def describe(world: World, profile: str = "default", **params: Any) -> list[str]:
    params.setdefault("RegionId", HZ)
    params.setdefault("PageSize", 100)
    return ids(world.call("DescribeImages", params, profile=profile))


# -- Rules 1-14 -----------------------------------------------------------------------------


def test_rule_001_describe_images_without_region_is_missing_parameter(world: World) -> None:
    act = ACTIONS["DescribeImages"]
    with pytest.raises(ApiError) as caught:
        req = Request("DescribeImages", act.params, {"PageSize": "10"})
        with world.repo.transaction() as tx:
            act.handler(world.ctx(), req, tx)
    assert (caught.value.code, caught.value.http_status) == ("MissingParameter", 400)


def test_rule_001_unknown_region_is_not_found(world: World) -> None:
    err = world.error("DescribeImages", RegionId="cn-atlantis")
    assert (err.code, err.http_status) == ("InvalidRegionId.NotFound", 404)


@pytest.mark.parametrize("size", [101, 0, -1, 1000])
def test_rule_002_page_size_outside_1_to_100_is_invalid(world: World, size: int) -> None:
    err = world.error("DescribeImages", PageSize=size)
    assert (err.code, err.http_status) == ("InvalidParameter", 400)


def test_rule_002_defaults_are_page_1_of_10_and_pages_follow(world: World) -> None:
    template = world.image(creation_time="2025-06-01T00:00:00Z")
    with world.repo.transaction() as tx:
        for day in range(2, 13):
            tx.put(tables.IMAGES, dataclasses.replace(
                template, image_id=f"m-day{day:017d}", image_name=f"day-{day}",
                creation_time=f"2025-06-{day:02d}T00:00:00Z"))
    body = world.call("DescribeImages")
    assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (1, 10, 12)
    assert len(body["Images"]["Image"]) == 10
    second = world.call("DescribeImages", PageNumber=2)
    assert len(second["Images"]["Image"]) == 2
    assert not set(ids(body)) & set(ids(second))
    assert world.error("DescribeImages", PageNumber=0).code == "InvalidParameter"
    assert world.error("DescribeImages", PageSize="ten").code == "InvalidParameter"


@pytest.mark.parametrize("page", [3, 10**6, 10**23])
def test_rule_002_a_page_past_the_last_is_empty_whatever_its_number(world: World,
                                                                   page: int) -> None:
    for day in range(1, 13):
        world.image(image_name=f"day-{day}", creation_time=f"2025-06-{day:02d}T00:00:00Z")
    every = world.call("DescribeImages")["TotalCount"]
    for name in ("", "day-1*"):
        listed = world.call("DescribeImages", ImageName=name) if name else None
        body = (world.call("DescribeImages", ImageName=name, PageNumber=page) if name
                else world.call("DescribeImages", PageNumber=page))
        assert body["Images"]["Image"] == [] and body["PageNumber"] == page
        assert body["TotalCount"] == (listed["TotalCount"] if listed else every), name
    assert every >= 12


def test_rule_003_unknown_owner_alias_is_rejected(world: World) -> None:
    err = world.error("DescribeImages", ImageOwnerAlias="everyone")
    assert (err.code, err.http_status) == ("InvalidImageOwnerAlias.ValueNotSupported", 400)


def test_rule_004_default_alias_is_system_self_others_never_marketplace(world: World) -> None:
    public = world.public_image()
    own = world.image()
    shared = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
    market = world.marketplace_image()
    world.image(owner=DEV)  # not shared: invisible
    assert set(describe(world)) == {public.image_id, own.image_id, shared.image_id}
    assert describe(world, ImageOwnerAlias="marketplace") == [market.image_id]
    assert describe(world, ImageOwnerAlias="system") == [public.image_id]
    assert describe(world, ImageOwnerAlias="self") == [own.image_id]
    assert describe(world, ImageOwnerAlias="others") == [shared.image_id]


def test_rule_005_status_defaults_to_available_and_takes_lists_and_all(world: World) -> None:
    available = world.image(creation_time="2025-06-03T00:00:00Z")
    deprecated = world.image(status=m.DEPRECATED, creation_time="2025-06-02T00:00:00Z")
    failed = world.image(status=m.CREATE_FAILED, creation_time="2025-06-01T00:00:00Z")
    creating = world.image(pending_start=world.clock.now - 10, pending_end=world.clock.now + 10,
                           creation_time="2025-05-01T00:00:00Z")
    waiting = world.image(pending_start=world.clock.now + 10, pending_end=world.clock.now + 20,
                          creation_time="2025-04-01T00:00:00Z")
    assert describe(world, ImageOwnerAlias="self") == [available.image_id]
    assert describe(world, ImageOwnerAlias="self", Status="Deprecated,CreateFailed") == [
        deprecated.image_id, failed.image_id]
    assert describe(world, ImageOwnerAlias="self", Status="Creating") == [creating.image_id]
    assert describe(world, ImageOwnerAlias="self", Status="Waiting") == [waiting.image_id]
    assert len(describe(world, ImageOwnerAlias="self", Status="ALL")) == 5
    err = world.error("DescribeImages", Status="ALL,Available")
    assert (err.code, err.http_status) == ("InvalidStatus.ValueNotSupported", 400)
    assert world.error("DescribeImages", Status="available").code == (
        "InvalidStatus.ValueNotSupported")


def test_rule_005_usable_has_no_default_status(world: World) -> None:
    deprecated = world.image(status=m.DEPRECATED)
    failed = world.image(status=m.CREATE_FAILED)
    assert describe(world, ImageOwnerAlias="self", Usable=True) == [deprecated.image_id]
    assert describe(world, ImageOwnerAlias="self", Usable=False) == [failed.image_id]


def test_rule_006_is_public_lists_community_images_and_needs_others(world: World) -> None:
    community = world.image(owner=PARTNER, is_public=True)
    shared = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
    assert describe(world, ImageOwnerAlias="others", IsPublic=True) == [community.image_id]
    assert describe(world, ImageOwnerAlias="others", IsPublic=False) == [shared.image_id]
    assert community.image_id not in describe(world)
    err = world.error("DescribeImages", IsPublic=True)
    assert (err.code, err.http_status) == ("InvalidParameter", 400)
    assert world.error("DescribeImages", ImageOwnerAlias="self", IsPublic=True).code == (
        "InvalidParameter")


def test_rule_007_usage_must_be_instance_or_none(world: World) -> None:
    used = world.image()
    idle = world.image()
    world.instance(image_id=used.image_id)
    assert describe(world, ImageOwnerAlias="self", Usage="instance") == [used.image_id]
    assert describe(world, ImageOwnerAlias="self", Usage="none") == [idle.image_id]
    body = world.call("DescribeImages", ImageId=used.image_id)
    assert body["Images"]["Image"][0]["Usage"] == "instance"
    err = world.error("DescribeImages", Usage="disk")
    assert (err.code, err.http_status) == ("InvalidUsage", 404)


def test_rule_008_os_type_must_be_windows_or_linux(world: World) -> None:
    windows = world.public_image(os_type="windows", image_id="win2022_64_dtc_40G_alibase.vhd")
    linux = world.public_image()
    assert describe(world, OSType="windows") == [windows.image_id]
    assert describe(world, OSType="linux") == [linux.image_id]
    err = world.error("DescribeImages", OSType="macos")
    assert (err.code, err.http_status) == ("InvalidOSType", 404)


def test_rule_009_architecture_must_be_i386_x86_64_or_arm64(world: World) -> None:
    arm = world.image(architecture="arm64")
    x86 = world.image()
    assert describe(world, Architecture="arm64") == [arm.image_id]
    assert describe(world, Architecture="x86_64") == [x86.image_id]
    assert describe(world, Architecture="i386") == []
    err = world.error("DescribeImages", Architecture="sparc")
    assert (err.code, err.http_status) == ("InvalidArchitecture", 404)


def test_rule_010_filter_key_must_be_known(world: World) -> None:
    err = world.error("DescribeImages", {"Filter.1.Key": "Colour", "Filter.1.Value": "red"})
    assert (err.code, err.http_status) == ("InvalidFilterKey.NotFound", 404)


def test_rule_010_creation_time_filters(world: World) -> None:
    old = world.image(creation_time="2024-01-01T00:00:00Z")
    new = world.image(creation_time="2025-06-01T12:00:00Z")
    after = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2025-01-01T00:00Z"}
    before = {"Filter.1.Key": "CreationEndTime", "Filter.1.Value": "2025-01-01T00:00Z"}
    assert describe(world, **after) == [new.image_id]
    assert describe(world, **before) == [old.image_id]
    bad = world.error("DescribeImages", {"Filter.1.Key": "CreationEndTime",
                                         "Filter.1.Value": "yesterday"})
    assert (bad.code, bad.http_status) == ("InvalidParameter", 400)


def test_rule_011_image_name_matches_a_substring(world: World) -> None:
    web = world.image(image_name="prod-web-server")
    world.image(image_name="database")
    cjk = world.image(image_name="生产环境镜像")
    assert describe(world, ImageName="web") == [web.image_id]
    assert describe(world, ImageName="WEB") == [web.image_id]
    assert describe(world, ImageName="环境") == [cjk.image_id]


def test_rule_012_snapshot_id_finds_images_built_on_it(world: World) -> None:
    image = world.image(data_disks=(100,))
    world.image()
    data_snapshot = image.disk_mappings[1].snapshot_id
    assert describe(world, SnapshotId=data_snapshot) == [image.image_id]
    assert describe(world, SnapshotId="s-doesnotexist0000000") == []


def test_rule_013_dry_run_of_describe_images_is_dry_run_operation(world: World) -> None:
    err = world.error("DescribeImages", DryRun=True)
    assert (err.code, err.http_status) == ("DryRunOperation", 400)


def test_rule_014_shared_image_visible_only_in_its_region_as_others(world: World) -> None:
    share = (m.SharePermission(DEV, "2025-07-01T00:00:00Z"),)
    image = world.image(owner=OPS, region=HZ, shares=share)
    body = world.call("DescribeImages", RegionId=HZ, ImageId=image.image_id, profile="dev")
    [seen] = body["Images"]["Image"]
    assert seen["ImageId"] == image.image_id and image.image_id.startswith("m-")
    assert seen["ImageOwnerAlias"] == "others"
    assert seen["ImageOwnerId"] == int(OPS)
    assert describe(world, "dev", RegionId="cn-shanghai", ImageId=image.image_id) == []
    assert describe(world, "dev", RegionId=HZ, ImageOwnerAlias="self") == []
    assert describe(world, "partner", RegionId=HZ, ImageId=image.image_id) == []


# -- Other DescribeImages filters and the response shape ------------------------------------


def test_describe_images_sorts_newest_first_with_stable_ties(world: World) -> None:
    a = world.image(image_id="m-aaaaaaaaaaaaaaaaaaaa", creation_time="2025-06-01T00:00:00Z")
    b = world.image(image_id="m-bbbbbbbbbbbbbbbbbbbb", creation_time="2025-06-01T00:00:00Z")
    c = world.image(creation_time="2025-07-01T00:00:00Z")
    assert describe(world) == [c.image_id, b.image_id, a.image_id]
    paged = [ids(world.call("DescribeImages", PageSize=1, PageNumber=n))[0] for n in (1, 2, 3)]
    assert paged == [c.image_id, b.image_id, a.image_id]


def test_describe_images_by_scope_and_status_agrees_with_a_scan_of_every_image(
        world: World) -> None:
    # Scope and status alone are answered from rows kept newest first and counted by group;
    # a filter that lets everything through (NetworkType) makes the same call scan.
    now = world.clock.now
    world.public_image()
    world.marketplace_image()
    for n in range(24):
        day = f"2025-06-{1 + n % 5:02d}T00:00:00Z"  # ties in creation time
        kind = n % 6
        if kind == 0:
            world.image(creation_time=day, status=(m.AVAILABLE, m.DEPRECATED)[n % 2])
        elif kind == 1:
            world.image(owner=DEV, creation_time=day,
                        shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
        elif kind == 2:
            world.image(owner=PARTNER, creation_time=day, is_public=True)
        elif kind == 3:
            world.image(owner=DEV, creation_time=day, status=m.CREATE_FAILED)
        elif kind == 4:
            world.image(creation_time=day, pending_start=now - 10 + n, pending_end=now + 10 + n)
        else:
            world.image(creation_time=day, shares=(m.SharePermission(DEV, "2025-07-02T00:00:00Z"),))
    world.advance(5)  # some pending windows end, some start
    queries: list[dict[str, Any]] = [
        {}, {"Status": "ALL"}, {"Status": "Creating,Waiting,Deprecated"},
        {"ImageOwnerAlias": "self", "Status": "ALL"}, {"ImageOwnerAlias": "others"},
        {"ImageOwnerAlias": "others", "IsPublic": True}, {"ImageOwnerAlias": "system"},
        {"ImageOwnerAlias": "marketplace"}, {"Usable": False}, {"Usable": True},
        {"ImageOwnerId": int(OPS), "Status": "ALL"},
    ]
    for profile in ("default", "dev"):
        for query in queries:
            for page in (1, 2, 3):
                asked = {"RegionId": HZ, "PageSize": 4, "PageNumber": page, **query}
                fast = world.call("DescribeImages", asked, profile=profile)
                scanned = world.call("DescribeImages", {**asked, "Filter.1.Key": "NetworkType",
                                                        "Filter.1.Value": "vpc"},
                                     profile=profile)
                assert (fast["TotalCount"], ids(fast)) == (
                    scanned["TotalCount"], ids(scanned)), (profile, query, page)


def test_describe_images_image_id_list_family_and_tags(world: World) -> None:
    one = world.image(image_family="web", tags=(m.Tag("env", "prod"), m.Tag("team", "ops")))
    two = world.image(tags=(m.Tag("env", "dev"),))
    world.image()
    assert set(describe(world, ImageId=f"{one.image_id}, {two.image_id}")) == {
        one.image_id, two.image_id}
    assert describe(world, ImageFamily="web") == [one.image_id]
    assert describe(world, **{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == [one.image_id]
    assert set(describe(world, **{"Tag.1.Key": "env"})) == {one.image_id, two.image_id}
    assert describe(world, **{"Tag.1.Key": "env", "Tag.2.Key": "team"}) == [one.image_id]
    err = world.error("DescribeImages", {"Tag.1.Value": "prod"})
    assert (err.code, err.http_status) == ("InvalidTagKey.Malformed", 400)
    too_many = {f"Tag.{n}.Key": f"k{n}" for n in range(1, 22)}
    assert world.error("DescribeImages", too_many).code == "InvalidTagCount"


def test_describe_images_instance_type_filter_follows_architecture_and_memory(
        world: World) -> None:
    x86 = world.image()
    arm = world.image(architecture="arm64")
    i386 = world.image(architecture="i386")
    windows = world.image(os_type="windows")
    assert set(describe(world, InstanceType="ecs.g8y.large")) == {arm.image_id}
    assert set(describe(world, InstanceType="ecs.g7.large")) == {x86.image_id, windows.image_id}
    assert set(describe(world, InstanceType="ecs.n4.small")) == {
        x86.image_id, i386.image_id, windows.image_id}
    assert set(describe(world, InstanceType="ecs.t5-lc2m1.nano")) == {x86.image_id, i386.image_id}
    err = world.error("DescribeImages", InstanceType="ecs.nope.large")
    assert (err.code, err.http_status) == ("InvalidInstanceType.ValueNotSupported", 400)


def test_describe_images_action_type_change_os_skips_images_with_data_disks(
        world: World) -> None:
    single = world.image()
    world.image(data_disks=(50,))
    assert describe(world, ActionType="ChangeOS") == [single.image_id]
    assert len(describe(world, ActionType="CreateEcs")) == 2
    assert world.error("DescribeImages", ActionType="Explode").code == "InvalidParameter"


def test_describe_images_owner_id_and_flags(world: World) -> None:
    shared = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
    no_cloudinit = world.image(is_support_cloudinit=False)
    assert describe(world, ImageOwnerId=DEV) == [shared.image_id]
    assert describe(world, IsSupportCloudinit=False) == [no_cloudinit.image_id]
    assert no_cloudinit.image_id not in describe(world, IsSupportCloudinit=True)
    assert world.error("DescribeImages", ImageOwnerId="abc").code == "InvalidParameter"
    assert world.error("DescribeImages", ShowExpired="maybe").code == "InvalidParameter"


def test_describe_images_response_has_the_sdk_shape(world: World) -> None:
    image = world.image(image_family="web", tags=(m.Tag("env", "prod"),),
                        shares=(m.SharePermission(DEV, "2025-07-01T00:00:00Z"),))
    body = world.call("DescribeImages", ImageId=image.image_id)
    assert set(body) == {"RequestId", "RegionId", "TotalCount", "PageNumber", "PageSize",
                         "Images"}
    [item] = body["Images"]["Image"]
    assert item["IsSelfShared"] == "True"
    assert item["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "prod"}]}
    mapping = item["DiskDeviceMappings"]["DiskDeviceMapping"][0]
    assert mapping["Size"] == "40" and mapping["Type"] == "system"
    assert isinstance(item["ImageOwnerId"], int) and item["Progress"] == "100%"


def test_describe_images_rejects_huge_and_control_character_input(world: World) -> None:
    assert world.error("DescribeImages", PageNumber="9" * 5000).code == "InvalidParameter"
    assert describe(world, ImageName="\x1b[31m\x00") == []


# -- DescribeImageSharePermission (Rule 55) ---------------------------------------------------


def test_rule_055_share_permission_lists_accounts_paged(world: World) -> None:
    accounts = [str(6000000000000000 + n) for n in range(1, 13)]
    shares = tuple(m.SharePermission(a, f"2025-07-{n:02d}T00:00:00Z")
                   for n, a in enumerate(accounts, 1))
    image = world.image(shares=shares)
    body = world.call("DescribeImageSharePermission", ImageId=image.image_id)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (12, 1, 10)
    assert body["Accounts"]["Account"][0] == {"AliyunId": accounts[0],
                                              "SharedTime": "2025-07-01T00:00:00Z"}
    assert body["ShareGroups"] == {"ShareGroup": []}
    assert body["ImageId"] == image.image_id and body["RegionId"] == HZ
    page2 = world.call("DescribeImageSharePermission", ImageId=image.image_id, PageNumber=2)
    assert [a["AliyunId"] for a in page2["Accounts"]["Account"]] == accounts[10:]
    err = world.error("DescribeImageSharePermission", ImageId=image.image_id, PageSize=101)
    assert (err.code, err.http_status) == ("InvalidParameter", 400)


def test_rule_055_community_image_has_share_group_all(world: World) -> None:
    image = world.image(is_public=True)
    body = world.call("DescribeImageSharePermission", ImageId=image.image_id)
    assert body["ShareGroups"] == {"ShareGroup": [{"Group": "all"}]}


def test_rule_055_only_the_owner_sees_share_permissions(world: World) -> None:
    image = world.image(shares=(m.SharePermission(DEV, "2025-07-01T00:00:00Z"),))
    err = world.error("DescribeImageSharePermission", RegionId=HZ, ImageId=image.image_id,
                      profile="dev")
    assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404)
    public = world.public_image()
    assert world.error("DescribeImageSharePermission",
                       ImageId=public.image_id).code == "InvalidImageId.NotFound"
    assert world.error("DescribeImageSharePermission").code == "MissingParameter"


# -- DescribeImageFromFamily (Rule 44) ------------------------------------------------------


def test_rule_044_from_family_returns_newest_available_own_image(world: World) -> None:
    older = world.image(image_family="web", creation_time="2025-06-01T00:00:00Z")
    newest = world.image(image_family="web", creation_time="2025-06-05T00:00:00Z")
    world.image(image_family="web", status=m.DEPRECATED, creation_time="2025-06-09T00:00:00Z")
    world.image(image_family="web", creation_time="2025-06-10T00:00:00Z",
                pending_start=world.clock.now, pending_end=world.clock.now + 100)
    world.image(owner=DEV, image_family="web", creation_time="2025-06-11T00:00:00Z",
                shares=(m.SharePermission(OPS, "2025-07-01T00:00:00Z"),))
    world.image(image_family="web", region="cn-beijing", creation_time="2025-06-12T00:00:00Z")
    body = world.call("DescribeImageFromFamily", ImageFamily="web")
    assert body["Image"]["ImageId"] == newest.image_id
    assert body["Image"]["ImageOwnerAlias"] == "self"
    assert "Features" not in body["Image"] and "Usable" not in body["Image"]
    assert set(body["Image"]["DiskDeviceMappings"]["DiskDeviceMapping"][0]) == {
        "Device", "Format", "ImportOSSBucket", "ImportOSSObject", "Size", "SnapshotId", "Type"}
    world.update(tables.IMAGES, world.get_image(newest.image_id), status=m.DEPRECATED)
    after = world.call("DescribeImageFromFamily", ImageFamily="web")
    assert after["Image"]["ImageId"] == older.image_id


def test_rule_044_from_family_without_available_image_is_empty(world: World) -> None:
    world.image(image_family="web", status=m.DEPRECATED)
    assert world.call("DescribeImageFromFamily", ImageFamily="web")["Image"] == {}
    assert world.call("DescribeImageFromFamily", ImageFamily="none")["Image"] == {}
    err = world.error("DescribeImageFromFamily", ImageFamily="web", RegionId="xx-nowhere-1")
    assert (err.code, err.http_status) == ("InvalidRegionId.NotFound", 404)
    assert world.error("DescribeImageFromFamily").code == "MissingParameter"


# -- DescribeImageSupportInstanceTypes and DescribeInstanceTypes ----------------------------


def support(world: World, image_id: str, **params: Any) -> set[str]:
    body = world.call("DescribeImageSupportInstanceTypes", ImageId=image_id, **params)
    return {t["InstanceTypeId"] for t in body["InstanceTypes"]["InstanceType"]}


def test_image_support_instance_types_follow_architecture_and_memory(world: World) -> None:
    arm = world.image(architecture="arm64")
    assert support(world, arm.image_id) == {"ecs.g8y.large", "ecs.g8y.xlarge", "ecs.c8y.large"}
    i386 = world.image(architecture="i386")
    assert support(world, i386.image_id) == {"ecs.t5-lc2m1.nano", "ecs.t6-c1m1.large",
                                             "ecs.n4.small"}
    windows = world.public_image(os_type="windows", image_id="win2022_64_dtc_40G_alibase.vhd")
    found = support(world, windows.image_id)
    assert "ecs.t5-lc2m1.nano" not in found and "ecs.t6-c1m1.large" in found
    assert not found & {"ecs.g8y.large", "ecs.c8y.large"}


def test_image_support_instance_types_response_and_errors(world: World) -> None:
    image = world.image()
    body = world.call("DescribeImageSupportInstanceTypes",
                      {"Filter.1.Key": "imageId", "Filter.1.Value": image.image_id})
    assert body["ImageId"] == image.image_id and body["RegionId"] == HZ
    first = body["InstanceTypes"]["InstanceType"][0]
    assert set(first) == {"InstanceTypeId", "InstanceTypeFamily", "CpuCoreCount", "MemorySize"}
    assert isinstance(first["MemorySize"], float)
    missing = world.error("DescribeImageSupportInstanceTypes")
    assert (missing.code, missing.http_status) == ("MissingParameter", 400)
    hidden = world.image(owner=DEV)
    err = world.error("DescribeImageSupportInstanceTypes", ImageId=hidden.image_id)
    assert (err.code, err.http_status) == ("InvalidImageId.NotFound", 404)


def test_describe_instance_types_filters(world: World) -> None:
    def type_ids(**params: Any) -> list[str]:
        body = world.call("DescribeInstanceTypes", params)
        return [t["InstanceTypeId"] for t in body["InstanceTypes"]["InstanceType"]]

    assert len(type_ids()) == 14
    assert type_ids(**{"InstanceTypes.1": "ecs.g7.large", "InstanceTypes.2": "ecs.c8y.large"}) == [
        "ecs.c8y.large", "ecs.g7.large"]
    assert type_ids(InstanceTypeFamily="ecs.g8y") == ["ecs.g8y.large", "ecs.g8y.xlarge"]
    assert set(type_ids(CpuArchitecture="ARM")) == {"ecs.g8y.large", "ecs.g8y.xlarge",
                                                    "ecs.c8y.large"}
    assert type_ids(MinimumMemorySize=100) == ["ecs.g7.16xlarge"]
    assert type_ids(MinimumGPUAmount=1) == []
    body = world.call("DescribeInstanceTypes", {"InstanceTypes.1": "ecs.g7.large"})
    [item] = body["InstanceTypes"]["InstanceType"]
    assert item["MemorySize"] == 8.0 and isinstance(item["MemorySize"], float)
    assert item["CpuArchitecture"] == "X86" and item["CpuCoreCount"] == 2
    assert world.error("DescribeInstanceTypes", CpuArchitecture="MIPS").code == "InvalidParameter"


def test_describe_instance_types_pages_with_next_token(world: World) -> None:
    first = world.call("DescribeInstanceTypes", MaxResults=10)
    assert len(first["InstanceTypes"]["InstanceType"]) == 10 and first["NextToken"]
    second = world.call("DescribeInstanceTypes", MaxResults=10, NextToken=first["NextToken"])
    assert len(second["InstanceTypes"]["InstanceType"]) == 4 and second["NextToken"] == ""
    assert world.error("DescribeInstanceTypes", NextToken="garbage").code == "InvalidParameter"
    assert world.error("DescribeInstanceTypes", MaxResults=0).code == "InvalidParameter"
