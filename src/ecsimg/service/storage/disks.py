"""DescribeDisks: the caller's disks with their filters and both ways of paging."""

from __future__ import annotations

from typing import Any

from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Disk
from ecsimg.service.account.regions import known_region
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.paging import (
    PAGE_PARAMS,
    TAG_FILTER_PARAMS,
    TOKEN_PARAMS,
    TokenLimits,
    has_tags,
    page,
    tag_filters,
    tags_to_api,
)
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.service.storage.snapshots import DISK_CATEGORIES, id_list, releases_with_instance
from ecsimg.store import tables
from ecsimg.store.repository import Transaction


def disk_to_api(disk: Disk) -> dict[str, Any]:
    """The disk as DescribeDisks returns it."""
    attached = bool(disk.instance_id)
    attachments = ([{"InstanceId": disk.instance_id, "Device": disk.device,
                     "AttachedTime": disk.creation_time}] if attached else [])
    return {
        "DiskId": disk.disk_id,
        "DiskName": disk.disk_name,
        "Description": disk.description,
        "RegionId": disk.region_id,
        "ZoneId": disk.zone_id or f"{disk.region_id}-a",
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
        "DeleteWithInstance": releases_with_instance(disk),
        "DeleteAutoSnapshot": True,
        "EnableAutoSnapshot": False,
        "Portable": disk.disk_type == "data",
        "PerformanceLevel": disk.performance_level
        or ("PL1" if disk.category == "cloud_essd" else ""),
        "MultiAttach": "Disabled",
        "ResourceGroupId": "",
        "Attachments": {"Attachment": attachments},
        "OperationLocks": {"OperationLock": []},
        "Tags": tags_to_api(disk.tags),
    }


DISK_PAGES = TokenLimits(default=10, floor=10, cap=500)
"""DescribeDisks' MaxResults: below 10 means 10, above 500 means 500 (as the SDK says)."""


@action("DescribeDisks", Param("DiskIds"), Param("InstanceId"), Param("DiskType"),
        Param("Category"), Param("Status"), Param("SnapshotId"), Param("DiskName"),
        Param("ZoneId"), Param("PerformanceLevel"), Param("Portable", bool),
        Param("DeleteWithInstance", bool), Param("Encrypted", bool), *TAG_FILTER_PARAMS,
        *PAGE_PARAMS, *TOKEN_PARAMS)
def describe_disks(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the caller's disks in a region, filtered, paged by number or by token."""
    region_id = req.str("RegionId")
    known_region(tx, region_id)
    disk_ids = id_list(req, "DiskIds")
    disk_type = req.choice("DiskType", ("all", "system", "data"), ApiError(
        "InvalidDiskType.ValueNotSupported", "DiskType must be all, system or data."))
    category = req.choice("Category", ("all", *DISK_CATEGORIES), ApiError(
        "InvalidDiskCategory.ValueNotSupported",
        f"Category must be one of all, {', '.join(DISK_CATEGORIES)}."))
    status = req.str("Status")
    tags = tag_filters(req)
    # Filters on fields as the reply shows them (a zone or level may be implied by default).
    shown_filters: dict[str, object] = {
        name: req.bool(name) for name in ("Portable", "DeleteWithInstance", "Encrypted")
        if req.has(name)}
    shown_filters.update({name: req.str(name) for name in ("ZoneId", "PerformanceLevel")
                          if req.has(name)})
    exact = {field: req.str(name) for name, field in (
        ("InstanceId", "instance_id"), ("SnapshotId", "source_snapshot_id"),
        ("DiskName", "disk_name")) if req.has(name)}
    found = []
    for disk in tx.all(tables.DISKS):
        if disk.owner_id != ctx.account_id or disk.region_id != region_id:
            continue
        if disk_ids is not None and disk.disk_id not in disk_ids:
            continue
        if any(getattr(disk, field) != value for field, value in exact.items()):
            continue
        if disk_type not in ("", "all") and disk.disk_type != disk_type:
            continue
        if category not in ("", "all") and disk.category != category:
            continue
        if status and status != "All" and disk.status != status:
            continue
        if shown_filters and any(disk_to_api(disk)[name] != wanted
                                 for name, wanted in shown_filters.items()):
            continue
        if tags and not has_tags(disk.tags, tags):
            continue
        found.append(disk)
    found.sort(key=_newest_first, reverse=True)
    listed = page(req, found, _newest_first, DISK_PAGES)
    return {"Disks": {"Disk": [disk_to_api(d) for d in listed.items]}, **listed.reply_fields()}


def _newest_first(disk: Disk) -> tuple[str, str]:
    return disk.creation_time, disk.disk_id
