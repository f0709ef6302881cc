"""What CreateImage builds an image from: an instance's disks, snapshots, or one snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecsimg.domain.clock import parse_iso, pending_at
from ecsimg.domain.errors import ApiError, not_found
from ecsimg.domain.models import Disk, DiskMapping, Image, Snapshot
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

SYSTEM_DEVICE = "/dev/xvda"
DATA_DEVICES = tuple(f"/dev/xvd{letter}" for letter in "bcdefghijklmnopqrstuvwxyz")
_DEVICE = re.compile(r"/dev/xvd[a-z]\Z")
MAX_DATA_DISKS = 16
MAX_DISK_SIZE = 32768
# No request field carries a disk category, so an empty disk follows the range of the
# non-basic categories (20-32768 GiB, default 20) rather than the basic one (5-2000).
EMPTY_DISK_MIN_SIZE = 20
# Snapshots taken on or before 2013-07-15 cannot make images (Rule 20).
TOO_OLD_BEFORE = parse_iso("2013-07-16T00:00:00Z")
_INSTANCE_ARCH = {"X86": "x86_64", "ARM": "arm64"}


@dataclass(frozen=True)
class Source:
    """The disks of the image to be, and what it inherits from."""

    mappings: tuple[DiskMapping, ...]
    """System disk first; for an instance, snapshot IDs are filled in once they are taken."""
    disks_to_snapshot: tuple[Disk, ...] = ()
    """The instance's disks, in the order of ``mappings``: each gets a new snapshot."""
    base_image: Image | None = None
    """The image the source was made from: platform, OS and ProductCode come from it."""
    instance_id: str = ""
    data_as_system: bool = False
    """A data-disk snapshot is the system disk, so Platform and Architecture must be given."""
    fallback_platform: str = "Others Linux"
    fallback_architecture: str = "x86_64"


# -- from an instance -------------------------------------------------------------------------

def from_instance(tx: Transaction, account_id: str, region_id: str, instance_id: str) -> Source:
    """A new snapshot of every attached disk of a Running or Stopped instance (Rules 17-18)."""
    instance = tx.get(tables.INSTANCES, instance_id)
    if instance is None or instance.owner_id != account_id or instance.region_id != region_id:
        raise not_found("InvalidInstanceId.NotFound",
                        f"The specified InstanceId '{instance_id}' does not exist.")
    if instance.locked_for_security:
        raise ApiError("InstanceLockedForSecurity", "The specified instance is locked for "
                       "security reasons.", 400)
    if instance.status not in ("Running", "Stopped"):
        raise ApiError("IncorrectInstanceStatus", "The current status of the instance "
                       f"({instance.status}) does not support this action: it must be "
                       "Running or Stopped.", 400)
    if instance.expired:
        raise ApiError("InstanceExpiredOrInArrears", "The instance has expired; create the "
                       "image from its system-disk snapshot instead.", 403)
    attached = [d for d in tx.all(tables.DISKS) if d.instance_id == instance.instance_id]
    systems = [d for d in attached if d.disk_type == "system"]
    if not systems:
        raise ApiError("IncorrectInstanceStatus", "The instance has no system disk.", 400)
    data_disks = sorted((d for d in attached if d.disk_type == "data"),
                        key=lambda d: (d.device or "~", d.disk_id))
    mappings = [DiskMapping(SYSTEM_DEVICE, "system", systems[0].size,
                            encrypted=systems[0].encrypted)]
    devices = _instance_data_devices(data_disks)
    mappings += [DiskMapping(device, "data", disk.size, encrypted=disk.encrypted)
                 for disk, device in zip(data_disks, devices, strict=True)]
    base = tx.get(tables.IMAGES, f"{region_id}/{instance.image_id}") if instance.image_id else None
    instance_type = tx.get(tables.INSTANCE_TYPES, instance.instance_type)
    architecture = _INSTANCE_ARCH.get(instance_type.architecture, "x86_64") if instance_type \
        else "x86_64"
    return Source(
        mappings=tuple(mappings), disks_to_snapshot=(systems[0], *data_disks),
        base_image=base, instance_id=instance.instance_id,
        fallback_platform="Windows Server 2022" if instance.os_type == "windows"
        else "Others Linux",
        fallback_architecture=architecture,
    )


def _instance_data_devices(data_disks: list[Disk]) -> list[str]:
    """Each data disk keeps its device when it is a free data device, else the next free one."""
    taken: set[str] = set()
    chosen: list[str | None] = []
    for disk in data_disks:
        if disk.device in DATA_DEVICES and disk.device not in taken:
            taken.add(disk.device)
            chosen.append(disk.device)
        else:
            chosen.append(None)
    free = iter(d for d in DATA_DEVICES if d not in taken)
    # An instance has at most 16 data disks, so the 25 data devices never run out.
    return [device or next(free) for device in chosen]


# -- from one system-disk snapshot ------------------------------------------------------------

def from_snapshot(tx: Transaction, account_id: str, region_id: str, snapshot_id: str,
                  now: float) -> Source:
    """A system-disk snapshot becomes the image's only disk (Rules 19-20)."""
    snapshot = _usable_snapshot(tx, account_id, region_id, snapshot_id, now)
    if snapshot.source_disk_type != "system":
        raise ApiError("OperationDenied", "The specified snapshot is not from system disk.", 403)
    mapping = DiskMapping(SYSTEM_DEVICE, "system", snapshot.size, snapshot.snapshot_id,
                          encrypted=snapshot.encrypted)
    return Source(mappings=(mapping,), base_image=base_image_of(tx, snapshot))


def _usable_snapshot(view: View, account_id: str, region_id: str, snapshot_id: str,
                     now: float) -> Snapshot:
    """The caller's finished snapshot in the region (Rule 20 and the NotFound/NotReady errors)."""
    snapshot = view.get(tables.SNAPSHOTS, snapshot_id)
    if snapshot is None or snapshot.owner_id != account_id or snapshot.region_id != region_id:
        raise not_found("InvalidSnapshotId.NotFound",
                        f"The specified SnapshotId '{snapshot_id}' does not exist.")
    if pending_at(snapshot.creation_time, snapshot.pending_end, now):
        raise ApiError("InvalidSnapshotId.NotReady", f"The specified snapshot "
                       f"'{snapshot_id}' has not completed yet.", 403)
    try:
        taken = parse_iso(snapshot.creation_time)
    except ValueError:
        taken = TOO_OLD_BEFORE
    if taken < TOO_OLD_BEFORE:
        raise ApiError("InvalidSnapshot.TooOld", "The specified snapshot was created on or "
                       "before 2013-07-15 and cannot be used to create an image.", 403)
    return snapshot


def base_image_of(view: View, snapshot: Snapshot) -> Image | None:
    """The image the snapshot's disk came from, or a custom image built on the snapshot."""
    disk = view.get(tables.DISKS, snapshot.source_disk_id)
    if disk is not None and disk.image_id:
        found = view.get(tables.IMAGES, f"{snapshot.region_id}/{disk.image_id}")
        if found is not None:
            return found
    for image in view.iter_group(tables.IMAGES, snapshot.region_id):
        if any(d.snapshot_id == snapshot.snapshot_id for d in image.disk_mappings):
            return image
    return None


# -- from several snapshots (DiskDeviceMapping.N) ---------------------------------------------

@dataclass(frozen=True)
class _Requested:
    """One DiskDeviceMapping.N entry, parsed."""

    index: int
    disk_type: str
    device: str
    size: int | None
    snapshot: Snapshot | None


def from_mappings(tx: Transaction, account_id: str, region_id: str,
                  records: list[tuple[int, dict[str, str]]], now: float) -> Source:
    """One system disk with a snapshot plus up to 16 data disks (Rules 21-25)."""
    requested = [_parse(tx, account_id, region_id, n, fields, now) for n, fields in records]
    systems = [r for r in requested if r.disk_type == "system"]
    if len(systems) >= 2:
        raise ApiError("OperationDenied", "The specified DiskDeviceMapping contains two or more "
                       "system disk snapshots.", 400)
    if not systems or systems[0].snapshot is None:
        raise ApiError("OperationDenied", "The specified DiskDeviceMapping does not contain "
                       "system disk snapshot.", 400)
    system, system_snapshot = systems[0], systems[0].snapshot
    data = [r for r in requested if r.disk_type == "data"]
    if len(data) > MAX_DATA_DISKS:
        # The code is not documented; the limit of 16 is (newer SDK).
        raise ApiError("InvalidParameter.DataDiskCount", f"At most {MAX_DATA_DISKS} data disks "
                       f"may be given in DiskDeviceMapping; {len(data)} were.", 400)
    if system.device and system.device != SYSTEM_DEVICE:
        raise _malformed_device(system)
    mappings = [_mapping(system, SYSTEM_DEVICE)]
    devices = _data_devices(data)
    mappings += sorted((_mapping(r, devices[r.index]) for r in data), key=lambda d: d.device)
    data_as_system = system_snapshot.source_disk_type == "data"
    return Source(
        mappings=tuple(mappings),
        base_image=None if data_as_system else base_image_of(tx, system_snapshot),
        data_as_system=data_as_system,
    )


def _parse(view: View, account_id: str, region_id: str, index: int, fields: dict[str, str],
           now: float) -> _Requested:
    prefix = f"DiskDeviceMapping.{index}"
    disk_type = fields.get("DiskType", "")
    if disk_type not in ("", "system", "data"):
        raise ApiError("InvalidParameter", f"The specified parameter '{prefix}.DiskType' is not "
                       "valid: it must be system or data.", 400)
    device = fields.get("Device", "")
    if device and not _DEVICE.match(device):
        raise ApiError("InvalidDevice.Malformed", f"The specified {prefix}.Device {device!r} is "
                       "not a device name like /dev/xvdb.", 400)
    size_text = fields.get("Size", "").strip()
    size: int | None = None
    if size_text:
        if not size_text.isascii() or not size_text.isdigit() or len(size_text) > 9:
            raise _bad_size(prefix, size_text, "it is not a whole number of GiB")
        size = int(size_text)
    snapshot_id = fields.get("SnapshotId", "")
    snapshot = (_usable_snapshot(view, account_id, region_id, snapshot_id, now)
                if snapshot_id else None)
    if not disk_type:
        if snapshot is not None:
            disk_type = snapshot.source_disk_type
        else:
            disk_type = "system" if device == SYSTEM_DEVICE else "data"
    return _Requested(index, disk_type, device, size, snapshot)


def _data_devices(data: list[_Requested]) -> dict[int, str]:
    """Given devices must be distinct data devices; the others take the next free ones."""
    chosen: dict[int, str] = {}
    for requested in data:
        if not requested.device:
            continue
        if requested.device not in DATA_DEVICES:
            raise _malformed_device(requested)
        if requested.device in chosen.values():
            raise ApiError("InvalidDevice.InUse", f"The device {requested.device} is given to "
                           "more than one data disk.", 400)
        chosen[requested.index] = requested.device
    free = iter(d for d in DATA_DEVICES if d not in chosen.values())
    for requested in data:
        if requested.index not in chosen:
            # At most 16 data disks were allowed, so the 25 data devices never run out.
            chosen[requested.index] = next(free)
    return chosen


def _mapping(requested: _Requested, device: str) -> DiskMapping:
    """The disk with its size checked (Rule 25)."""
    prefix = f"DiskDeviceMapping.{requested.index}"
    snapshot = requested.snapshot
    if snapshot is not None:
        size = snapshot.size if requested.size is None else requested.size
        if not snapshot.size <= size <= MAX_DISK_SIZE:
            raise _bad_size(prefix, str(size), f"it must be from the snapshot's {snapshot.size} "
                            f"to {MAX_DISK_SIZE} GiB")
    else:
        size = EMPTY_DISK_MIN_SIZE if requested.size is None else requested.size
        if not EMPTY_DISK_MIN_SIZE <= size <= MAX_DISK_SIZE:
            raise _bad_size(prefix, str(size), f"an empty disk must be {EMPTY_DISK_MIN_SIZE} "
                            f"to {MAX_DISK_SIZE} GiB")
    return DiskMapping(
        device, "system" if device == SYSTEM_DEVICE else "data", size,
        snapshot.snapshot_id if snapshot else "",
        encrypted=snapshot.encrypted if snapshot else False,
    )


def _malformed_device(requested: _Requested) -> ApiError:
    wanted = SYSTEM_DEVICE if requested.disk_type == "system" else "/dev/xvdb to /dev/xvdz"
    return ApiError("InvalidDevice.Malformed", f"The specified DiskDeviceMapping."
                    f"{requested.index}.Device {requested.device!r} is not valid for a "
                    f"{requested.disk_type} disk: use {wanted}.", 400)


def _bad_size(prefix: str, value: str, detail: str) -> ApiError:
    return ApiError("InvalidSize.ValueNotSupported", f"The specified {prefix}.Size "
                    f"{value!r} is not supported: {detail}.", 400)
