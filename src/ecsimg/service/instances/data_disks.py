"""RunInstances' ``DataDisk.N``: checking the requested data disks and creating them.

The ranges are the SDK's for ``DataDisk.N.Size``; a disk from a snapshot is at least the
snapshot's size and defaults to it, as an image's disks do (reference §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecsimg.domain import models as m
from ecsimg.domain.clock import parse_iso
from ecsimg.domain.errors import ApiError, denied, invalid, missing, not_found
from ecsimg.domain.validation import check_description, name_problem
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.storage.snapshots import DISK_CATEGORIES, snapshot_state
from ecsimg.store import tables
from ecsimg.store.repository import View

MAX_DATA_DISKS = 16
DEFAULT_DATA_CATEGORY = "cloud_efficiency"
PERFORMANCE_LEVELS = ("PL0", "PL1", "PL2", "PL3")
_ESSD_MIN_SIZE = {"PL0": 1, "PL1": 20, "PL2": 461, "PL3": 1261}
_SIZE_RANGE = {
    "cloud": (5, 2000), "cloud_efficiency": (20, 32768), "cloud_ssd": (20, 32768),
    "cloud_auto": (1, 65536), "cloud_essd_entry": (10, 32768),
}
_OLDEST_SNAPSHOT = "2013-07-15T23:59:59Z"  # snapshots up to this day cannot make disks

DATA_DISK_PARAMS = (
    Param("DataDisk.N.Size", int), Param("DataDisk.N.Category"), Param("DataDisk.N.SnapshotId"),
    Param("DataDisk.N.DeleteWithInstance", bool), Param("DataDisk.N.DiskName"),
    Param("DataDisk.N.Description"), Param("DataDisk.N.Encrypted", bool),
    Param("DataDisk.N.PerformanceLevel"),
)


@dataclass(frozen=True)
class DataDiskRequest:
    """One checked ``DataDisk.N``: what each launched instance gets."""

    category: str
    size: int
    snapshot_id: str
    delete_with_instance: bool
    disk_name: str
    description: str
    encrypted: bool
    performance_level: str


def data_disk_requests(req: Request, view: View, account_id: str,
                       region_id: str) -> list[DataDiskRequest]:
    """The request's data disks in N order; any bad field is the API's error."""
    records = req.records("DataDisk")
    if len(records) > MAX_DATA_DISKS or any(n > MAX_DATA_DISKS for n, _ in records):
        raise invalid("DataDisk.N", f"N is 1 to {MAX_DATA_DISKS}: at most {MAX_DATA_DISKS} "
                      "data disks", "InvalidDataDiskCount.Exceeded" if len(records) >
                      MAX_DATA_DISKS else "InvalidParameter")
    return [_one(req, n, view, account_id, region_id) for n, _ in records]


def _one(req: Request, n: int, view: View, account_id: str, region_id: str) -> DataDiskRequest:
    prefix = f"DataDisk.{n}."
    category = req.choice(prefix + "Category", DISK_CATEGORIES, ApiError(
        "InvalidDataDiskCategory.ValueNotSupported",
        f"{prefix}Category must be one of {', '.join(DISK_CATEGORIES)}."),
        default=DEFAULT_DATA_CATEGORY)
    level = req.choice(prefix + "PerformanceLevel", PERFORMANCE_LEVELS, ApiError(
        "InvalidPerformanceLevel.Malformed",
        f"{prefix}PerformanceLevel must be one of {', '.join(PERFORMANCE_LEVELS)}."))
    if level and category != "cloud_essd":
        raise invalid(prefix + "PerformanceLevel", "it applies only to cloud_essd disks",
                      "InvalidParameter.Conflict")
    if category == "cloud_essd":
        level = level or "PL1"
    snapshot_id = req.str(prefix + "SnapshotId")
    snapshot_size = _snapshot_size(view, account_id, region_id, snapshot_id) if snapshot_id else 0
    size = req.int(prefix + "Size")
    if size is None:
        if not snapshot_id:
            raise missing(prefix + "Size")
        size = snapshot_size
    low, high = (_ESSD_MIN_SIZE[level], 65536) if category == "cloud_essd" \
        else _SIZE_RANGE[category]
    if size < snapshot_size:
        raise ApiError("InvalidDataDiskSize.ValueNotSupported",
                       f"{prefix}Size ({size} GiB) is smaller than the snapshot {snapshot_id} "
                       f"({snapshot_size} GiB).")
    if not low <= size <= high:
        raise ApiError("InvalidDataDiskSize.ValueNotSupported",
                       f"{prefix}Size must be {low} to {high} GiB for {category}"
                       f"{' ' + level if category == 'cloud_essd' else ''}.")
    disk_name = req.str(prefix + "DiskName")
    problem = name_problem(disk_name) if disk_name else None
    if problem:
        raise ApiError("InvalidDiskName.Malformed",
                       f"The specified {prefix}DiskName is malformed: {problem}.")
    description = req.str(prefix + "Description")
    if description:
        check_description(description, prefix + "Description")
    return DataDiskRequest(
        category=category, size=size, snapshot_id=snapshot_id,
        delete_with_instance=req.bool(prefix + "DeleteWithInstance", True),
        disk_name=disk_name, description=description,
        encrypted=req.bool(prefix + "Encrypted"), performance_level=level,
    )


def _snapshot_size(view: View, account_id: str, region_id: str, snapshot_id: str) -> int:
    """The size of the caller's finished snapshot in the region, which a disk may start from."""
    snap = view.get(tables.SNAPSHOTS, snapshot_id)
    if snap is None or snap.owner_id != account_id or snap.region_id != region_id:
        raise not_found("InvalidSnapshotId.NotFound",
                        f"The specified SnapshotId '{snapshot_id}' does not exist.")
    if parse_iso(snap.creation_time) <= parse_iso(_OLDEST_SNAPSHOT):
        raise denied("InvalidSnapshot.TooOld",
                     f"The snapshot {snapshot_id} was created on or before 2013-07-15.")
    return snap.size


def check_snapshots_ready(view: View, disks: list[DataDiskRequest], now: float) -> None:
    """A disk can start only from a finished snapshot."""
    for disk in disks:
        snap = view.get(tables.SNAPSHOTS, disk.snapshot_id) if disk.snapshot_id else None
        if snap is not None and snapshot_state(snap, now)[0] != "accomplished":
            raise denied("InvalidSnapshotId.NotReady",
                         f"The snapshot {disk.snapshot_id} is not finished yet.")


def device_names(taken: int, count: int) -> list[str]:
    """``/dev/xvdb`` onwards, after the ``taken`` data devices the image already uses."""
    return [_device(taken + i) for i in range(count)]


def _device(index: int) -> str:
    """The 0-based data disk's device: xvdb-xvdz, then xvdaa, xvdab and on, as the API has it."""
    if index < 25:
        return f"/dev/xvd{chr(ord('b') + index)}"
    first, second = divmod(index - 25, 26)
    return f"/dev/xvd{chr(ord('a') + first)}{chr(ord('a') + second)}"


def make_disk(spec: DataDiskRequest, disk_id: str, inst: m.Instance, device: str,
              tags: tuple[m.Tag, ...]) -> m.Disk:
    return m.Disk(
        disk_id, inst.region_id, inst.owner_id, "data", spec.category, spec.size,
        inst.creation_time, instance_id=inst.instance_id, device=device,
        encrypted=spec.encrypted, disk_name=spec.disk_name,
        source_snapshot_id=spec.snapshot_id, delete_with_instance=spec.delete_with_instance,
        tags=tags, description=spec.description, performance_level=spec.performance_level,
        zone_id=inst.zone_id,
    )
