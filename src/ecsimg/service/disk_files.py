"""Image files in OSS buckets: format and size read from headers (ImportImage), archives
written (ExportImage)."""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
from pathlib import Path

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError
from ecsimg.service.context import Context

GIB = 1 << 30
QCOW2_MAGIC = b"QFI\xfb"
VHD_COOKIE = b"conectix"
VHD_FOOTER = 512
ISO_MAGIC_OFFSET = 0x8001
ISO_MAGIC = b"CD001"
VMDK_MAGICS = (b"KDMV", b"COWD", b"# Disk DescriptorFile")
PROBE_HEAD = ISO_MAGIC_OFFSET + len(ISO_MAGIC)
"""Bytes read from the start of a file: enough to see an ISO 9660 volume descriptor."""
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")


def probe(path: Path) -> tuple[bytes, bytes, int]:
    """The first PROBE_HEAD bytes, the last VHD_FOOTER bytes and the size of a file, without
    reading the rest (image files can be large)."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(PROBE_HEAD)
        handle.seek(max(0, size - VHD_FOOTER))
        tail = handle.read(VHD_FOOTER)
    return head, tail, size


def detect(head: bytes, tail: bytes, file_size: int) -> tuple[str, int]:
    """(format, virtual size in whole GiB, at least 1) of a disk image.

    QCOW2 by its magic (size: header offset 24), VHD by its footer cookie (size: footer offset
    48; a dynamic VHD also has a copy at the start), ISO 9660 and VMDK by theirs, else RAW
    (size: the file's). ISO and VMDK come back with size 0: they cannot be imported.
    """
    if head.startswith(QCOW2_MAGIC) and len(head) >= 32:
        return "QCOW2", _gib(int.from_bytes(head[24:32], "big"))
    for footer in (tail, head[:VHD_FOOTER]):
        if len(footer) == VHD_FOOTER and footer.startswith(VHD_COOKIE):
            return "VHD", _gib(int.from_bytes(footer[48:56], "big"))
    if head[ISO_MAGIC_OFFSET:ISO_MAGIC_OFFSET + len(ISO_MAGIC)] == ISO_MAGIC:
        return "ISO", 0
    if head.startswith(VMDK_MAGICS):
        return "VMDK", 0
    return "RAW", _gib(file_size)


def _gib(size_bytes: int) -> int:
    return max(1, -(-size_bytes // GIB))


def bucket_folder(ctx: Context, region_id: str, bucket: str) -> Path:
    """The bucket's folder, or InvalidOSSBucket.NotFound if there is none in the region."""
    folder = ctx.oss_root / region_id / bucket
    if not _BUCKET.match(bucket) or not folder.is_dir():
        raise ApiError("InvalidOSSBucket.NotFound",
                       f"The OSS bucket {bucket!r} does not exist in {region_id}.")
    return folder


def export_name(prefix: str, image: m.Image, disk: m.DiskMapping, image_format: str) -> str:
    """``<prefix>_<image>_system.raw.tar.gz``; data disks carry their device (``data_xvdb``)."""
    role = "system" if disk.disk_type == "system" else f"data_{disk.device.rsplit('/', 1)[-1]}"
    stem = f"{image.image_id}_{role}.{image_format}.tar.gz"
    return f"{prefix}_{stem}" if prefix else stem


def write_exports(folder: Path, image: m.Image, image_format: str,
                   files: dict[str, m.DiskMapping], now: float) -> None:
    """Write each disk's file: a real .tar.gz whose one member describes the disk in JSON
    (a simulator has no disk bytes to export); each is renamed into place whole."""
    written: list[Path] = []
    try:
        for name, disk in files.items():
            path = folder / name
            tmp = folder / f".{name}.exporting"
            tmp.write_bytes(_export_archive(image, disk, image_format, now))
            os.replace(tmp, path)
            written.append(path)
    except OSError as err:
        for path in written:
            path.unlink(missing_ok=True)
        raise ApiError("InternalError", f"Writing the export to {folder} failed: "
                       f"{err.strerror or err}.", 500) from None


def _export_archive(image: m.Image, disk: m.DiskMapping, image_format: str, now: float) -> bytes:
    header = {
        "Producer": "ecsimg (simulated export: no disk content)",
        "RegionId": image.region_id, "ImageId": image.image_id, "ImageName": image.image_name,
        "OSType": image.os_type, "Platform": image.platform, "Architecture": image.architecture,
        "Device": disk.device, "Type": disk.disk_type, "SizeGiB": disk.size,
        "SnapshotId": disk.snapshot_id, "ImageFormat": image_format, "ExportTime": iso(now),
    }
    data = json.dumps(header, ensure_ascii=False, indent=2).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        member = tarfile.TarInfo("disk.json")
        member.size = len(data)
        member.mtime = int(now)
        archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()
