"""Disks and snapshots: CreateSnapshot, DescribeSnapshots, disk lookups and disk release."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from ecsimg.domain import validation
from ecsimg.domain.clock import iso, pending_at
from ecsimg.domain.errors import ApiError, invalid, not_found
from ecsimg.domain.models import Disk, Snapshot
from ecsimg.service.account.regions import known_region
from ecsimg.service.images.visibility import pace
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.paging import (
    PAGE_PARAMS,
    TAG_FILTER_PARAMS,
    TOKEN_PARAMS,
    TokenLimits,
    page,
    tag_filters,
)
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

T = TypeVar("T")

DISK_CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto",
                   "cloud_essd_entry")
MAX_IDS = 100
_PROGRESSING, _ACCOMPLISHED = "progressing", "accomplished"


def id_list(req: Request, name: str) -> list[str] | None:
    """A JSON-array ID filter (``DiskIds``) of at most 100 IDs, or None when absent."""
    found = req.json_list(name)
    if found is not None and len(found) > MAX_IDS:
        raise invalid(name, f"it may hold at most {MAX_IDS} IDs")
    return found


def disk_not_found(disk_id: str) -> ApiError:
    return not_found("InvalidDiskId.NotFound", f"The specified DiskId '{disk_id}' does not exist.")


def own_disk(view: View, account_id: str, disk_id: str) -> Disk:
    disk = view.get(tables.DISKS, disk_id)
    if disk is None or disk.owner_id != account_id:
        raise disk_not_found(disk_id)
    return disk


def releases_with_instance(disk: Disk) -> bool:
    """Whether releasing the disk's instance releases the disk too."""
    if disk.delete_with_instance is None:
        return disk.disk_type == "system"
    return disk.delete_with_instance


def release_disk(tx: Transaction, disk: Disk) -> None:
    """Remove a disk: its automatic release-with-disk snapshots go, the others are kept.

    A snapshot an image is built on stays whatever its policy: an image never loses its disks.
    """
    tx.delete(tables.DISKS, disk.disk_id)
    in_images = {
        mapping.snapshot_id
        for image in tx.group(tables.IMAGES, disk.region_id)
        for mapping in image.disk_mappings
        if mapping.snapshot_id
    }
    for snap in tx.all(tables.SNAPSHOTS):
        if snap.source_disk_id != disk.disk_id:
            continue
        if snap.automatic and snap.release_with_disk and snap.snapshot_id not in in_images:
            tx.delete(tables.SNAPSHOTS, snap.snapshot_id)
        else:
            tx.put(tables.SNAPSHOTS, dataclasses.replace(snap, source_disk_released=True))


def check_snapshot_name(value: str) -> None:
    """2-128 characters like an image name, and never starting with ``auto`` (kept for policies)."""
    problem = validation.name_problem(value)
    if problem is None and value.lower().startswith("auto"):
        problem = "it cannot start with 'auto'"
    if problem:
        raise ApiError("InvalidSnapshotName.Malformed",
                       f"The specified SnapshotName is malformed: {problem}.")


@action("CreateSnapshot", Param("DiskId", required=True), Param("SnapshotName"),
        Param("Description"), Param("ClientToken"), Param("RetentionDays", int),
        mutating=True)
def create_snapshot(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Snapshot one of the caller's disks; it is progressing for size x pace seconds."""
    disk = own_disk(tx, ctx.account_id, req.required("DiskId"))
    name = req.str("SnapshotName")
    if name:
        check_snapshot_name(name)
    description = req.str("Description")
    if description:
        validation.check_description(description)
    retention = req.int("RetentionDays")
    if retention is not None and not 1 <= retention <= 65536:
        raise invalid("RetentionDays", "it must be 1 to 65536")
    if disk.status not in ("In_use", "Available"):
        raise ApiError("IncorrectDiskStatus",
                       f"The disk {disk.disk_id} is {disk.status}: it cannot be snapshotted now.",
                       403)
    now = ctx.now()
    seconds = disk.size * pace(ctx, tx)
    snap = Snapshot(
        snapshot_id=ctx.ids.snapshot(), region_id=disk.region_id, owner_id=ctx.account_id,
        source_disk_id=disk.disk_id, source_disk_type=disk.disk_type, size=disk.size,
        creation_time=iso(now), snapshot_name=name, encrypted=disk.encrypted,
        pending_start=now if seconds > 0 else 0.0,
        pending_end=now + seconds if seconds > 0 else 0.0,
        description=description,
    )
    tx.put(tables.SNAPSHOTS, snap)
    return {"SnapshotId": snap.snapshot_id}


def snapshot_state(snap: Snapshot, now: float) -> tuple[str, int, int]:
    """(Status, progress percent, seconds remaining) at ``now``, derived from the pending window."""
    if pending_at(snap.creation_time, snap.pending_end, now):
        span = max(snap.pending_end - snap.pending_start, 1e-9)
        progress = max(0, min(99, int((now - snap.pending_start) / span * 100)))
        return _PROGRESSING, progress, int(snap.pending_end - now + 0.999)
    return _ACCOMPLISHED, 100, 0


def _snapshot_usage(snap: Snapshot, image_snapshot_ids: set[str],
                    disk_snapshot_ids: set[str]) -> str:
    in_image = snap.snapshot_id in image_snapshot_ids
    in_disk = snap.snapshot_id in disk_snapshot_ids
    if in_image and in_disk:
        return "image_disk"
    return "image" if in_image else ("disk" if in_disk else "none")


def snapshot_to_api(snap: Snapshot, now: float, usage: str) -> dict[str, Any]:
    """The snapshot as DescribeSnapshots returns it."""
    status, progress, remain = snapshot_state(snap, now)
    return {
        "SnapshotId": snap.snapshot_id,
        "SnapshotName": snap.snapshot_name,
        "Description": snap.description,
        "RegionId": snap.region_id,
        "SourceDiskId": snap.source_disk_id,
        "SourceDiskType": snap.source_disk_type,
        "SourceDiskSize": str(snap.size),
        "SourceStorageType": "disk",
        "SnapshotType": "auto" if snap.automatic else "user",
        "Category": "standard",
        "Status": status,
        "Progress": f"{progress}%",
        "RemainTime": remain,
        "Available": status == _ACCOMPLISHED,
        "CreationTime": snap.creation_time,
        "LastModifiedTime": snap.creation_time,
        "Encrypted": snap.encrypted,
        "Usage": usage,
        "RetentionDays": 0,
        "InstantAccess": False,
        "ProductCode": "",
        "ResourceGroupId": "",
        "Tags": {"Tag": []},
    }


SNAPSHOT_PAGES = TokenLimits(default=10, floor=1, cap=100)
SNAPSHOT_USAGES = ("image", "disk", "image_disk", "none")


@action("DescribeSnapshots", Param("SnapshotIds"), Param("DiskId"), Param("InstanceId"),
        Param("SnapshotType"), Param("Status"), Param("SnapshotName"), Param("SourceDiskType"),
        Param("Encrypted", bool), Param("Usage"), *TAG_FILTER_PARAMS, *PAGE_PARAMS,
        *TOKEN_PARAMS)
def describe_snapshots(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's snapshots in a region, filtered, paged by number or by token."""
    region_id = req.str("RegionId")
    known_region(tx, region_id)
    snapshot_ids = id_list(req, "SnapshotIds")
    snapshot_type = req.choice("SnapshotType", ("auto", "user", "all"), ApiError(
        "InvalidSnapshotType.ValueNotSupported", "SnapshotType must be auto, user or all."))
    status = req.choice("Status", (_PROGRESSING, _ACCOMPLISHED, "failed", "all"), ApiError(
        "InvalidStatus.ValueNotSupported",
        "Status must be progressing, accomplished, failed or all."))
    source_type = req.str("SourceDiskType").lower()
    if source_type and source_type not in ("system", "data"):
        raise ApiError("InvalidSourceDiskType.ValueNotSupported",
                       "SourceDiskType must be System or Data.")
    usage = req.choice("Usage", SNAPSHOT_USAGES, ApiError(
        "InvalidUsage.ValueNotSupported", f"Usage must be one of {', '.join(SNAPSHOT_USAGES)}."))
    encrypted = req.bool("Encrypted") if req.has("Encrypted") else None
    # Snapshots carry no tags in this catalogue, so any tag filter matches none.
    tagged_only = bool(tag_filters(req))
    instance_disks: set[str] | None = None
    if req.has("InstanceId"):
        instance_id = req.str("InstanceId")
        instance_disks = {d.disk_id for d in tx.all(tables.DISKS)
                          if d.instance_id == instance_id and d.owner_id == ctx.account_id}
    image_snapshot_ids = {
        mapping.snapshot_id for image in tx.group(tables.IMAGES, region_id)
        if image.owner_id == ctx.account_id for mapping in image.disk_mappings
    }
    disk_snapshot_ids = {d.source_snapshot_id for d in tx.all(tables.DISKS) if d.source_snapshot_id}
    now = ctx.now()
    found = []
    for snap in tx.all(tables.SNAPSHOTS):
        if snap.owner_id != ctx.account_id or snap.region_id != region_id or tagged_only:
            continue
        if snapshot_ids is not None and snap.snapshot_id not in snapshot_ids:
            continue
        if req.has("DiskId") and snap.source_disk_id != req.str("DiskId"):
            continue
        if instance_disks is not None and snap.source_disk_id not in instance_disks:
            continue
        if snapshot_type in ("auto", "user") and snap.automatic != (snapshot_type == "auto"):
            continue
        if status not in ("", "all") and snapshot_state(snap, now)[0] != status:
            continue
        if req.has("SnapshotName") and snap.snapshot_name != req.str("SnapshotName"):
            continue
        if source_type and snap.source_disk_type != source_type:
            continue
        if encrypted is not None and snap.encrypted != encrypted:
            continue
        if usage and _snapshot_usage(snap, image_snapshot_ids, disk_snapshot_ids) != usage:
            continue
        found.append(snap)
    found.sort(key=_newest_first, reverse=True)
    shown = page(req, found, _newest_first, SNAPSHOT_PAGES)
    return {
        "Snapshots": {"Snapshot": [
            snapshot_to_api(s, now, _snapshot_usage(s, image_snapshot_ids, disk_snapshot_ids))
            for s in shown.items
        ]},
        **shown.reply_fields(),
    }


def _newest_first(snap: Snapshot) -> tuple[str, str]:
    return snap.creation_time, snap.snapshot_id
