"""CopyImage and CancelCopyImage (Rules 26, 29, 31, 43, 60-72)."""

from __future__ import annotations

from typing import Any

import pytest

from ecsimg.domain import models as m
from ecsimg.domain.ids import RESOURCE_ID
from ecsimg.service.images.visibility import state
from ecsimg.store import tables
from tests.world import DEV, OPS, T0, World

HZ, SH, BJ = "cn-hangzhou", "cn-shanghai", "cn-beijing"


def images_in(world: World, region: str) -> list[m.Image]:
    with world.repo.read() as view:
        return view.group(tables.IMAGES, region)


def snapshots_in(world: World, region: str) -> list[m.Snapshot]:
    with world.repo.read() as view:
        return [s for s in view.all(tables.SNAPSHOTS) if s.region_id == region]


def copy(world: World, image_id: str, dest: str = SH, **params: Any) -> str:
    body = world.call("CopyImage", RegionId=HZ, ImageId=image_id, DestinationRegionId=dest,
                      **params)
    return str(body["ImageId"])


def expect(world: World, code: str, status: int, action: str = "CopyImage",
           **params: Any) -> None:
    """The call fails with ``code``/``status`` and leaves images and snapshots as they were."""
    with world.repo.read() as view:
        before = (sorted(i.key for i in view.all(tables.IMAGES)),
                  sorted(s.snapshot_id for s in view.all(tables.SNAPSHOTS)))
    err = world.error(action, **params)
    assert (err.code, err.http_status) == (code, status), err.message
    with world.repo.read() as view:
        after = (sorted(i.key for i in view.all(tables.IMAGES)),
                 sorted(s.snapshot_id for s in view.all(tables.SNAPSHOTS)))
    assert after == before


def test_rule_069_copy_is_a_new_copied_image_with_its_own_snapshots(world: World) -> None:
    source = world.image(size=40, data_disks=(100,), image_family="web", description="base")
    copy_id = copy(world, source.image_id, DestinationImageName="web-sh",
                   **{"Tag.1.Key": "env", "Tag.1.Value": "prod"})
    assert RESOURCE_ID.match(copy_id) and copy_id != source.image_id
    made = world.get_image(copy_id, SH)
    assert made is not None
    assert made.is_copied and made.copied_from == f"{HZ}/{source.image_id}"
    assert (made.owner_kind, made.owner_id, made.image_name) == ("custom", OPS, "web-sh")
    assert (made.size, made.os_type, made.image_family) == (40, "linux", "web")
    assert made.description == "base" and made.tags == (m.Tag("env", "prod"),)
    new_snapshots = {s.snapshot_id: s for s in snapshots_in(world, SH)}
    assert [d.snapshot_id in new_snapshots for d in made.disk_mappings] == [True, True]
    assert [new_snapshots[d.snapshot_id].size for d in made.disk_mappings] == [40, 100]
    # Pace 1 s/GiB over 140 GiB of disks: Creating with progress on the disk mappings.
    assert (made.pending_start, made.pending_end) == (T0, T0 + 140)
    world.advance(70)
    body = world.call("DescribeImages", RegionId=SH, ImageId=copy_id, Status="ALL")
    shown = body["Images"]["Image"][0]
    assert (shown["IsCopied"], shown["Status"], shown["Progress"]) == (True, "Creating", "50%")
    mapping = shown["DiskDeviceMappings"]["DiskDeviceMapping"][0]
    assert (mapping["Progress"], mapping["RemainTime"]) == ("50%", 70)
    world.advance(70)
    assert state(world.get_image(copy_id, SH), world.clock.now)[0] == "Available"  # type: ignore[arg-type]


def test_rule_069_one_copy_per_destination_region_runs_at_a_time(world: World) -> None:
    first, second, third = (world.image(size=10) for _ in range(3))
    a = copy(world, first.image_id, SH)
    b = copy(world, second.image_id, SH)
    c = copy(world, third.image_id, BJ)
    copies = {k: world.get_image(i, r) for k, i, r in (("a", a, SH), ("b", b, SH), ("c", c, BJ))}
    assert copies["a"].pending_start == T0  # type: ignore[union-attr]
    assert copies["b"].pending_start == copies["a"].pending_end  # type: ignore[union-attr]
    assert copies["c"].pending_start == T0  # type: ignore[union-attr]
    now = world.clock.now
    assert [state(copies[k], now)[0] for k in "abc"] == ["Creating", "Waiting", "Creating"]  # type: ignore[arg-type]
    world.advance(15)
    now = world.clock.now
    assert [state(copies[k], now)[0] for k in "abc"] == ["Available", "Creating", "Available"]  # type: ignore[arg-type]


def test_rule_061_copy_of_an_unfinished_image_is_incorrect_status(world: World) -> None:
    creating = world.image(pending_start=T0 - 10, pending_end=T0 + 100)
    expect(world, "IncorrectImageStatus", 400, RegionId=HZ, ImageId=creating.image_id,
           DestinationRegionId=SH)
    failed = world.image(status=m.CREATE_FAILED)
    expect(world, "IncorrectImageStatus", 400, RegionId=HZ, ImageId=failed.image_id,
           DestinationRegionId=SH)


def test_rule_043_copy_of_a_deprecated_image_is_incorrect_status(world: World) -> None:
    old = world.image(status=m.DEPRECATED)
    expect(world, "IncorrectImageStatus", 400, RegionId=HZ, ImageId=old.image_id,
           DestinationRegionId=SH)


def test_rule_062_destination_equal_to_source_region_is_refused(world: World) -> None:
    own = world.image()
    expect(world, "IncorrectDestinationRegion", 403, RegionId=HZ, ImageId=own.image_id,
           DestinationRegionId=HZ)
    # DestinationRegionId defaults to RegionId.
    expect(world, "IncorrectDestinationRegion", 403, RegionId=HZ, ImageId=own.image_id)


def test_rule_063_unknown_destination_region(world: World) -> None:
    own = world.image()
    expect(world, "DestinationRegion.NotFound", 400, RegionId=HZ, ImageId=own.image_id,
           DestinationRegionId="mars-north-1")


def test_rule_064_kms_key_needs_encrypted_true(world: World) -> None:
    own = world.image()
    expect(world, "InvalidParameter.EncryptedIllegal", 400, RegionId=HZ,
           ImageId=own.image_id, DestinationRegionId=SH, KMSKeyId="key-123")
    expect(world, "InvalidParameter.EncryptedIllegal", 400, RegionId=HZ,
           ImageId=own.image_id, DestinationRegionId=SH, KMSKeyId="key-123", Encrypted=False)
    with_cmk = world.get_image(copy(world, own.image_id, SH, Encrypted=True, KMSKeyId="key-1"), SH)
    with_service = world.get_image(copy(world, own.image_id, BJ, Encrypted=True), BJ)
    assert with_cmk is not None and with_service is not None
    assert (with_cmk.encrypted, with_cmk.key_kind) == (True, "cmk")
    assert (with_service.encrypted, with_service.key_kind) == (True, "service")
    assert all(d.encrypted for d in with_cmk.disk_mappings)


def test_rule_065_shared_image_copies_only_within_its_region(world: World) -> None:
    theirs = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-06-01T00:00:00Z"),))
    expect(world, "OperationDenied.SameRegionOnly", 403, RegionId=HZ,
           ImageId=theirs.image_id, DestinationRegionId=SH)
    # Newer rule: the recipient may copy it into its own account in the same region.
    mine = world.get_image(copy(world, theirs.image_id, HZ), HZ)
    assert mine is not None
    assert (mine.owner_id, mine.owner_kind, mine.is_copied) == (OPS, "custom", True)
    assert mine.shares == ()


def test_rule_066_public_marketplace_and_community_images_cannot_be_copied(world: World) -> None:
    public = world.public_image()
    market = world.marketplace_image(regions=(HZ, SH))
    community = world.image(owner=DEV, is_public=True)
    for image in (public, market, community):
        expect(world, "InvalidImageId.NotFound", 404, RegionId=HZ, ImageId=image.image_id,
               DestinationRegionId=SH)
    expect(world, "InvalidImageId.NotFound", 404, RegionId=HZ, ImageId="m-doesnotexist0000000",
           DestinationRegionId=SH)


def test_rule_060_own_community_image_cannot_be_copied(world: World) -> None:
    published = world.image(is_public=True)
    expect(world, "OperationDenied", 403, RegionId=HZ, ImageId=published.image_id,
           DestinationRegionId=SH)


def test_rule_067_marketplace_derived_copy_needs_the_product_in_the_destination(
        world: World) -> None:
    world.marketplace_image(product_code="cmjj000777", regions=(HZ, SH))
    derived = world.image(product_code="cmjj000777")
    expect(world, "OperationDenied.NotPublished", 403, RegionId=HZ, ImageId=derived.image_id,
           DestinationRegionId=BJ)
    made = world.get_image(copy(world, derived.image_id, SH), SH)
    assert made is not None and made.product_code == "cmjj000777"


def test_rule_068_images_over_500_gib_are_not_copied(world: World) -> None:
    big = world.image(size=501)
    expect(world, "SizeExceed.Image", 403, RegionId=HZ, ImageId=big.image_id,
           DestinationRegionId=SH)
    assert world.get_image(copy(world, world.image(size=500).image_id), SH) is not None


@pytest.mark.parametrize(("system", "data", "copies"), [
    ((40,), (600,), False), ((40,), (460,), True), ((40,), (461,), False),
    ((20,), (100, 200, 180), True), ((20,), (100, 200, 181), False),
])
def test_rule_068_counts_every_disk_of_the_image(world: World, system: tuple[int, ...],
                                                 data: tuple[int, ...], copies: bool) -> None:
    image = world.image(size=system[0], data_disks=data)
    if copies:
        assert world.get_image(copy(world, image.image_id), SH) is not None
    else:
        expect(world, "SizeExceed.Image", 403, RegionId=HZ, ImageId=image.image_id,
               DestinationRegionId=SH)


def test_rule_026_copy_counts_against_the_destination_quota(world: World) -> None:
    with world.repo.read() as view:
        account = view.get(tables.ACCOUNTS, OPS)
    world.update(tables.ACCOUNTS, account, image_quota=2)
    source = world.image()
    world.image(region=SH)
    # Images shared with the caller do not count (Rule 26's last sentence), nor do other regions.
    world.image(owner=DEV, region=SH, shares=(m.SharePermission(OPS, "2025-06-01T00:00:00Z"),))
    world.image()
    copy(world, source.image_id, SH)
    expect(world, "QuotaExceed.Image", 403, RegionId=HZ, ImageId=source.image_id,
           DestinationRegionId=SH)
    assert len([i for i in images_in(world, SH) if i.owner_id == OPS]) == 2


def test_rule_029_destination_image_name_is_checked(world: World) -> None:
    own = world.image()
    for bad in ("x", "1abc", "aliyun-copy", "http://x", "a b", "名" * 129):
        expect(world, "InvalidImageName.Malformed", 400, RegionId=HZ, ImageId=own.image_id,
               DestinationRegionId=SH, DestinationImageName=bad)
    world.image(region=SH, image_name="taken")
    expect(world, "InvalidImageName.Duplicated", 400, RegionId=HZ, ImageId=own.image_id,
           DestinationRegionId=SH, DestinationImageName="taken")
    made = world.get_image(copy(world, own.image_id, DestinationImageName="网站-v2.0"), SH)
    assert made is not None and made.image_name == "网站-v2.0"


def test_rule_031_destination_description_is_checked(world: World) -> None:
    own = world.image()
    for bad in ("x", "https://example.com", "d" * 257):
        expect(world, "InvalidDescription.Malformed", 400, RegionId=HZ, ImageId=own.image_id,
               DestinationRegionId=SH, DestinationDescription=bad)


def test_rule_070_source_cannot_be_deleted_while_copying(world: World) -> None:
    source = world.image(size=20)
    copy(world, source.image_id, SH)
    expect(world, "OperationDenied.ImageCopying", 403, action="DeleteImage", RegionId=HZ,
           ImageId=source.image_id)
    assert world.get_image(source.image_id) is not None


def test_rule_071_cancel_copy_removes_it_and_moves_the_queue_up(world: World) -> None:
    first, second, third = (world.image(size=10) for _ in range(3))
    a, b, c = (copy(world, i.image_id, SH) for i in (first, second, third))
    snapshots_of_b = {d.snapshot_id for d in world.get_image(b, SH).disk_mappings}  # type: ignore[union-attr]
    world.advance(5)
    world.call("CancelCopyImage", RegionId=SH, ImageId=b)
    assert world.get_image(b, SH) is None
    assert snapshots_of_b.isdisjoint(s.snapshot_id for s in snapshots_in(world, SH))
    moved = world.get_image(c, SH)
    assert moved is not None
    assert (moved.pending_start, moved.pending_end) == (T0 + 10, T0 + 20)
    with world.repo.read() as view:
        task_of_c = view.get(tables.TASKS, moved.task_id)
        task_of_b = [t for t in view.all(tables.TASKS) if t.resource_id == b]
    assert task_of_c is not None and (task_of_c.start_at, task_of_c.end_at) == (T0 + 10, T0 + 20)
    assert [t.status for t in task_of_b] == ["Cancelled"]
    assert world.get_image(a, SH).pending_end == T0 + 10  # type: ignore[union-attr]
    # The source is free to delete again once nothing copies it.
    world.call("CancelCopyImage", RegionId=SH, ImageId=a)
    world.call("DeleteImage", RegionId=HZ, ImageId=first.image_id)
    assert world.get_image(first.image_id) is None


def test_rule_071_only_an_unfinished_copy_can_be_cancelled(world: World) -> None:
    source = world.image(size=10)
    done = copy(world, source.image_id, SH)
    world.advance(11)
    expect(world, "IncorrectImageStatus", 400, action="CancelCopyImage", RegionId=SH,
           ImageId=done)
    not_a_copy = world.image(region=SH, pending_start=T0, pending_end=T0 + 10_000)
    expect(world, "IncorrectImageStatus", 400, action="CancelCopyImage", RegionId=SH,
           ImageId=not_a_copy.image_id)
    theirs = world.image(owner=DEV, region=SH, is_copied=True, pending_start=T0,
                         pending_end=T0 + 10_000)
    expect(world, "InvalidImageId.NotFound", 404, action="CancelCopyImage", RegionId=SH,
           ImageId=theirs.image_id)


def test_rule_072_deleting_the_source_after_the_copy_leaves_the_copy(world: World) -> None:
    source = world.image(size=10)
    copy_id = copy(world, source.image_id, SH)
    world.advance(10)
    world.call("DeleteImage", RegionId=HZ, ImageId=source.image_id)
    assert world.get_image(source.image_id) is None
    left = world.get_image(copy_id, SH)
    assert left is not None and state(left, world.clock.now)[0] == "Available"


def test_cancel_task_on_a_copy_task_cancels_the_copy(world: World) -> None:
    copy_id = copy(world, world.image(size=10).image_id, SH)
    task_id = world.get_image(copy_id, SH).task_id  # type: ignore[union-attr]
    body = world.call("DescribeTasks", RegionId=SH, TaskIds=task_id)
    assert body["TaskSet"]["Task"][0]["TaskAction"] == "CopyImage"
    world.call("CancelTask", RegionId=SH, TaskId=task_id)
    assert world.get_image(copy_id, SH) is None


def test_copy_dry_run_creates_nothing(world: World) -> None:
    own = world.image()
    expect(world, "DryRunOperation", 400, RegionId=HZ, ImageId=own.image_id,
           DestinationRegionId=SH, DryRun=True)


@pytest.mark.parametrize("params", [
    {"ImageId": "m-\u202e\x00\x1b[31m"},
    {"Encrypted": "maybe"},
    {"ClientToken": "令牌"},
    {"ResourceGroupId": "../etc"},
    {"Tag.1.Key": "aliyun-x"},
])
def test_bad_copy_input_is_an_api_error(world: World, params: dict[str, str]) -> None:
    own = world.image()
    err = world.error("CopyImage", {"RegionId": HZ, "ImageId": own.image_id,
                                    "DestinationRegionId": SH, **params})
    assert 400 <= err.http_status < 500
    assert [i for i in images_in(world, SH)] == []


def test_copy_with_zero_pace_is_available_at_once(world: World) -> None:
    world.pace = 0.0
    made = world.get_image(copy(world, world.image(size=10).image_id, SH), SH)
    assert made is not None and state(made, world.clock.now)[0] == "Available"


def test_copy_retried_with_its_client_token_returns_the_same_copy(world: World) -> None:
    source = world.image(size=10)
    first = copy(world, source.image_id, SH, ClientToken="copy-1")
    assert copy(world, source.image_id, SH, ClientToken="copy-1") == first
    assert len(images_in(world, SH)) == 1
    expect(world, "IdempotenceParamNotMatch", 400, RegionId=HZ, ImageId=source.image_id,
           DestinationRegionId=SH, ClientToken="copy-1", DestinationImageName="other")


def test_a_copy_s_task_and_image_give_the_same_progress_and_time_left(world: World) -> None:
    """The tasks view and the image's details read one window with one formula: at every
    moment (whole and fractional seconds) they say the same percent and seconds left, and so
    do DescribeTaskAttribute's TaskProcess and DescribeImages' Progress."""
    from ecsimg.service.reads.tasks import account_tasks

    first = world.image(image_name="first", size=40)
    second = world.image(image_name="second", size=20)
    copies = [world.call("CopyImage", ImageId=image.image_id,
                         DestinationRegionId="cn-shanghai")["ImageId"]
              for image in (first, second)]  # the second waits behind the first (Rule 69)
    seen: set[str] = set()
    for _ in range(90):
        world.advance(1.37)
        rows = {row.resource_id: row for row in account_tasks(world.ctx())}
        for copy_id in copies:
            image = world.get_image(copy_id, "cn-shanghai")
            assert image is not None
            status, progress, left = state(image, world.clock.now)
            task = rows[copy_id]
            seen.add(status)
            if status == m.AVAILABLE:
                assert task.status == "Finished" and task.progress == 100
                continue
            assert (task.progress, task.remain_seconds) == (progress, left), status
            attribute = world.call("DescribeTaskAttribute", RegionId="cn-shanghai",
                                   TaskId=task.task_id)
            described = world.call("DescribeImages", RegionId="cn-shanghai", ImageId=copy_id,
                                   Status="Waiting,Creating")["Images"]["Image"][0]
            assert attribute["TaskProcess"] == described["Progress"] == f"{progress}%"
    assert {m.WAITING, m.CREATING, m.AVAILABLE} <= seen
