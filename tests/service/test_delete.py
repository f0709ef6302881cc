from __future__ import annotations

from ecsimg.domain import models as m
from ecsimg.store import tables
from tests.world import DEV, OPS, World


def refused(world: World, image: m.Image, code: str, status: int, force: bool = False) -> None:
    """DeleteImage fails with ``code``/``status`` and the image is still there, unchanged."""
    err = world.error("DeleteImage", ImageId=image.image_id, RegionId=image.region_id,
                      Force=force)
    assert (err.code, err.http_status) == (code, status), err.message
    assert world.get_image(image.image_id, image.region_id) == image


def deleted(world: World, image: m.Image, force: bool = False) -> None:
    body = world.call("DeleteImage", ImageId=image.image_id, RegionId=image.region_id,
                      Force=force)
    assert set(body) == {"RequestId"}
    assert world.get_image(image.image_id, image.region_id) is None


def test_own_unused_image_is_deleted_and_the_call_is_audited(world: World) -> None:
    image = world.image()
    other = world.image()
    deleted(world, image)
    assert world.get_image(other.image_id) == other
    with world.repo.read() as view:
        events = [e for e in view.all(tables.EVENTS) if e.action == "DeleteImage"]
    assert [(e.code, e.resource_ids) for e in events] == [("Success", (image.image_id,))]


def test_rule_086_non_existent_image_id_is_ignored(world: World) -> None:
    kept = world.image()
    body = world.call("DeleteImage", ImageId="m-doesnotexist00000000")
    assert set(body) == {"RequestId"}
    assert world.get_image(kept.image_id) == kept


def test_rule_086_an_image_of_another_region_is_not_touched(world: World) -> None:
    image = world.image(region="cn-shanghai")
    world.call("DeleteImage", ImageId=image.image_id, RegionId="cn-hangzhou")
    assert world.get_image(image.image_id, "cn-shanghai") == image


def test_public_marketplace_and_others_images_are_not_found(world: World) -> None:
    public = world.public_image()
    market = world.marketplace_image()
    theirs = world.image(owner=DEV)
    shared_to_me = world.image(owner=DEV, shares=(m.SharePermission(OPS, "2025-06-01T00:00:00Z"),))
    for image in (public, market, theirs, shared_to_me):
        refused(world, image, "InvalidImageId.NotFound", 404, force=True)


def test_missing_image_id_and_unknown_region_are_refused(world: World) -> None:
    err = world.error("DeleteImage")
    assert (err.code, err.http_status) == ("MissingParameter", 400)
    err = world.error("DeleteImage", ImageId="m-doesnotexist00000000", RegionId="mars-1")
    assert (err.code, err.http_status) == ("InvalidRegionId.NotFound", 404)
    err = world.error("DeleteImage", ImageId="m-doesnotexist00000000", Force="maybe")
    assert (err.code, err.http_status) == ("InvalidParameter", 400)


def test_rule_087_image_used_by_instances_needs_force(world: World) -> None:
    image = world.image()
    inst = world.instance(image_id=image.image_id, status="Running")
    refused(world, image, "ImageUsingByInstance", 403)
    deleted(world, image, force=True)
    with world.repo.read() as view:
        assert view.get(tables.INSTANCES, inst.instance_id) == inst


def test_rule_087_instances_in_another_region_do_not_block(world: World) -> None:
    image = world.image()
    world.instance(image_id=image.image_id, region="cn-shanghai")
    deleted(world, image)


def test_rule_088_shared_image_is_refused_even_with_force(world: World) -> None:
    image = world.image(shares=(m.SharePermission(DEV, "2025-06-01T00:00:00Z"),))
    refused(world, image, "ImageUseShared", 403)
    refused(world, image, "ImageUseShared", 403, force=True)
    unshared = world.update(tables.IMAGES, image, shares=())
    deleted(world, unshared)


def test_rule_088_community_image_is_refused_until_unpublished(world: World) -> None:
    image = world.image(is_public=True)
    refused(world, image, "ImageUseShared", 403, force=True)


def test_rule_089_snapshots_stay_after_delete(world: World) -> None:
    image = world.image(data_disks=(100,))
    snapshot_ids = [d.snapshot_id for d in image.disk_mappings]
    deleted(world, image)
    with world.repo.read() as view:
        assert all(view.get(tables.SNAPSHOTS, s) is not None for s in snapshot_ids)


def test_rule_070_source_of_a_running_copy_cannot_be_deleted(world: World) -> None:
    source = world.image()
    now = world.clock.now
    copy = world.image(region="cn-shanghai", is_copied=True, copied_from=source.key,
                       pending_start=now, pending_end=now + 40)
    refused(world, source, "OperationDenied.ImageCopying", 403, force=True)
    world.advance(40)
    deleted(world, source)
    assert world.get_image(copy.image_id, "cn-shanghai") == copy  # Rule 72


def test_rule_079_importing_image_cannot_be_deleted(world: World) -> None:
    now = world.clock.now
    image = world.image(pending_start=now + 10, pending_end=now + 50, disk_mappings=(
        m.DiskMapping("/dev/xvda", "system", 40, format="QCOW2", import_oss_bucket="bkt",
                      import_oss_object="centos.qcow2"),))
    refused(world, image, "ImageIsImporting", 403, force=True)  # Waiting
    world.advance(20)
    refused(world, image, "ImageIsImporting", 403, force=True)  # Creating
    world.advance(30)
    deleted(world, image)


def test_rule_085_exporting_image_cannot_be_deleted(world: World) -> None:
    image = world.image()
    now = world.clock.now
    task = world.put(tables.TASKS, m.Task(
        "t-export00000000000001", "cn-hangzhou", OPS, "ExportImage", image.image_id,
        "2026-01-01T00:00:00Z", start_at=now, end_at=now + 60))
    refused(world, image, "ImageIsExporting", 403, force=True)
    world.update(tables.TASKS, task, status="Cancelled")
    deleted(world, image)


def test_rule_085_a_finished_export_does_not_block(world: World) -> None:
    image = world.image()
    now = world.clock.now
    world.put(tables.TASKS, m.Task(
        "t-export00000000000002", "cn-hangzhou", OPS, "ExportImage", image.image_id,
        "2026-01-01T00:00:00Z", start_at=now - 60, end_at=now - 1))
    deleted(world, image)


def test_image_still_being_created_cannot_be_deleted(world: World) -> None:
    snap = world.snapshot(size=40)
    image_id = world.call("CreateImage", SnapshotId=snap.snapshot_id)["ImageId"]
    image = world.get_image(image_id)
    assert image is not None
    refused(world, image, "IncorrectImageStatus", 403, force=True)
    world.advance(40)
    deleted(world, image)


def test_dry_run_deletes_nothing(world: World) -> None:
    image = world.image()
    err = world.error("DeleteImage", ImageId=image.image_id, DryRun=True)
    assert (err.code, err.http_status) == ("DryRunOperation", 400)
    assert world.get_image(image.image_id) == image


def test_read_only_profile_cannot_delete(world: World) -> None:
    image = world.image()
    err = world.error("DeleteImage", ImageId=image.image_id, profile="audit")
    assert (err.code, err.http_status) == ("Forbidden.ReadOnly", 403)
    assert world.get_image(image.image_id) == image
