"""Disks and snapshots: DescribeDisks, CreateSnapshot, DescribeSnapshots, and disk release."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, TypeVar

from ecsimg.domain import validation
from ecsimg.domain.clock import iso, pending_at
from ecsimg.domain.errors import ApiError, invalid, not_found
from ecsimg.domain.models import Disk, Snapshot
from ecsimg.service.context import Context
from ecsimg.service.images import pace
from ecsimg.service.params import Param, Request, paging
from ecsimg.service.regions import known_region
from ecsimg.service.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

T = TypeVar("T")

DISK_CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto",
                   "cloud_essd_entry")
MAX_IDS = 100
_PROGRESSING, _ACCOMPLISHED = "progressing", "accomplished"


def page_of(items: Sequence[T], number: int, size: int) -> list[T]:
    start = (number - 1) * size
    return list(items[start:start + size])




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


def disk_to_api(disk: Disk) -> dict[str, Any]:
    """The disk as DescribeDisks returns it."""
    attached = bool(disk.instance_id)
    attachments = ([{"InstanceId": disk.instance_id, "Device": disk.device,
                     "AttachedTime": disk.creation_time}] if attached else [])
    return {
        "DiskId": disk.disk_id,
        "DiskName": disk.disk_name,
        "Description": "",
        "RegionId": disk.region_id,
        "ZoneId": f"{disk.region_id}-a",
        "Type": disk.disk_type,
        "Category": disk.category,
        "Size": disk.size,
        "Status": disk.status,
        "InstanceId": disk.instance_id,
        "Device": disk.device,
        "ImageId": disk.image_id,
        "SourceSnapshotId": disk.source_snapshot_id,
        "Encrypted": disk.encrypted,
        "CreationTime": disk.creation_time,
        "AttachedTime": disk.creation_time if attached else "",
        "DetachedTime": "",
        "DiskChargeType": "PostPaid",
        "DeleteWithInstance": disk.disk_type == "system",
        "DeleteAutoSnapshot": True,
        "EnableAutoSnapshot": False,
        "Portable": disk.disk_type == "data",
        "PerformanceLevel": "PL1" if disk.category == "cloud_essd" else "",
        "MultiAttach": "Disabled",
        "ResourceGroupId": "",
        "Attachments": {"Attachment": attachments},
        "OperationLocks": {"OperationLock": []},
        "Tags": {"Tag": []},
    }


@action("DescribeDisks", Param("DiskIds"), Param("InstanceId"), Param("DiskType"),
        Param("Category"), Param("Status"), Param("SnapshotId"), Param("DiskName"),
        Param("PageNumber", int), Param("PageSize", int))
def describe_disks(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's disks in a region, filtered and paged."""
    region_id = req.str("RegionId")
    known_region(tx, region_id)
    disk_ids = id_list(req, "DiskIds")
    disk_type = req.choice("DiskType", ("all", "system", "data"), ApiError(
        "InvalidDiskType.ValueNotSupported", "DiskType must be all, system or data."))
    category = req.choice("Category", ("all", *DISK_CATEGORIES), ApiError(
        "InvalidDiskCategory.ValueNotSupported",
        f"Category must be one of all, {', '.join(DISK_CATEGORIES)}."))
    status = req.str("Status")
    number, size = paging(req)
    found = []
    for disk in tx.all(tables.DISKS):
        if disk.owner_id != ctx.account_id or disk.region_id != region_id:
            continue
        if disk_ids is not None and disk.disk_id not in disk_ids:
            continue
        if req.has("InstanceId") and disk.instance_id != req.str("InstanceId"):
            continue
        if disk_type not in ("", "all") and disk.disk_type != disk_type:
            continue
        if category not in ("", "all") and disk.category != category:
            continue
        if status and status != "All" and disk.status != status:
            continue
        if req.has("SnapshotId") and disk.source_snapshot_id != req.str("SnapshotId"):
            continue
        if req.has("DiskName") and disk.disk_name != req.str("DiskName"):
            continue
        found.append(disk)
    found.sort(key=lambda d: (d.creation_time, d.disk_id), reverse=True)
    return {
        "Disks": {"Disk": [disk_to_api(d) for d in page_of(found, number, size)]},
        "TotalCount": len(found),
        "PageNumber": number,
        "PageSize": size,
        "NextToken": "",
    }


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


@action("DescribeSnapshots", Param("SnapshotIds"), Param("DiskId"), Param("InstanceId"),
        Param("SnapshotType"), Param("Status"), Param("SnapshotName"), Param("SourceDiskType"),
        Param("PageNumber", int), Param("PageSize", int))
def describe_snapshots(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's snapshots in a region, filtered and paged."""
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
    number, size = paging(req)
    instance_disks: set[str] | None = None
    if req.has("InstanceId"):
        instance_id = req.str("InstanceId")
        instance_disks = {d.disk_id for d in tx.all(tables.DISKS)
                          if d.instance_id == instance_id and d.owner_id == ctx.account_id}
    now = ctx.now()
    found = []
    for snap in tx.all(tables.SNAPSHOTS):
        if snap.owner_id != ctx.account_id or snap.region_id != region_id:
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
        found.append(snap)
    found.sort(key=lambda s: (s.creation_time, s.snapshot_id), reverse=True)
    shown = page_of(found, number, size)
    image_snapshot_ids = {
        mapping.snapshot_id for image in tx.group(tables.IMAGES, region_id)
        if image.owner_id == ctx.account_id for mapping in image.disk_mappings
    } if shown else set()
    disk_snapshot_ids = {d.source_snapshot_id for d in tx.all(tables.DISKS) if d.source_snapshot_id}
    return {
        "Snapshots": {"Snapshot": [
            snapshot_to_api(s, now, _snapshot_usage(s, image_snapshot_ids, disk_snapshot_ids))
            for s in shown
        ]},
        "TotalCount": len(found),
        "PageNumber": number,
        "PageSize": size,
        "NextToken": "",
    }
