"""Image files in OSS buckets: format and size read from headers (ImportImage), archives
written (ExportImage), every path opened without following a symbolic link.

A bucket is the folder ``<oss_root>/<region>/<bucket>/``. From ``oss`` down, every folder and
file is opened relative to its parent's descriptor with O_NOFOLLOW: a bucket, a folder or an
object that is a symbolic link does not exist as far as ImportImage and ExportImage know, so
nothing outside the OSS folder is read or written.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import secrets
import stat
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.disk_images import (
    GIB,
    MBR_SIGNATURE,
    QCOW2_MAGIC,
    SECTOR,
    VHD_COOKIE,
    VHD_FOOTER,
    sample_disk_header,
)
from ecsimg.domain.errors import ApiError
from ecsimg.service.machinery.context import Context

__all__ = ["GIB", "detect", "probe", "sample_disk_header"]

ISO_MAGIC_OFFSET = 0x8001
ISO_MAGIC = b"CD001"
VMDK_MAGICS = (b"KDMV", b"COWD", b"# Disk DescriptorFile")
GZIP_MAGIC = b"\x1f\x8b"
GPT_SIGNATURE = (512, b"EFI PART")
EXT_MAGIC = (0x438, b"\x53\xef")
XFS_MAGIC = (0, b"XFSB")
PROBE_HEAD = ISO_MAGIC_OFFSET + len(ISO_MAGIC)
"""Bytes read from the start of a file: enough to see an ISO 9660 volume descriptor."""
EXPORT_PRODUCER = "ecsimg (simulated export: no disk content)"
MAX_ARCHIVE_HEADER = 1 << 16
"""Bytes of an export archive decompressed to read its descriptor: bounded on a gzip bomb."""
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def probe(fd: int) -> tuple[bytes, bytes, int]:
    """The first PROBE_HEAD bytes, the last VHD_FOOTER bytes and the size of an open file,
    without reading the rest (image files can be large)."""
    size = os.fstat(fd).st_size
    head = os.pread(fd, PROBE_HEAD, 0)
    tail = os.pread(fd, VHD_FOOTER, max(0, size - VHD_FOOTER))
    return head, tail, size


def detect(head: bytes, tail: bytes, file_size: int) -> tuple[str, int]:
    """(format, virtual size in whole GiB, at least 1) of a disk image.

    QCOW2 by its magic (size: header offset 24), VHD by its footer cookie (size: footer offset
    48; a dynamic VHD also has a copy at the start), an archive ExportImage wrote by its
    descriptor, ISO 9660 and VMDK by theirs, RAW by a partition table or file system in whole
    sectors (size: the file's). ISO, VMDK and anything else ("UNKNOWN") come back with size 0:
    they cannot be imported.
    """
    if head.startswith(QCOW2_MAGIC) and len(head) >= 32:
        version = int.from_bytes(head[4:8], "big")
        virtual = int.from_bytes(head[24:32], "big")
        return ("QCOW2", _gib(virtual)) if version in (2, 3) and virtual else ("UNKNOWN", 0)
    for footer in (tail, head[:VHD_FOOTER]):
        if len(footer) == VHD_FOOTER and footer.startswith(VHD_COOKIE):
            virtual = int.from_bytes(footer[48:56], "big")
            return ("VHD", _gib(virtual)) if virtual else ("UNKNOWN", 0)
    if head.startswith(GZIP_MAGIC):
        return _exported(head)
    if head[ISO_MAGIC_OFFSET:ISO_MAGIC_OFFSET + len(ISO_MAGIC)] == ISO_MAGIC:
        return "ISO", 0
    if head.startswith(VMDK_MAGICS):
        return "VMDK", 0
    if file_size >= 2 * SECTOR and file_size % SECTOR == 0 and any(
            head[at:at + len(magic)] == magic
            for at, magic in (MBR_SIGNATURE, GPT_SIGNATURE, EXT_MAGIC, XFS_MAGIC)):
        return "RAW", _gib(file_size)
    return "UNKNOWN", 0


def _exported(head: bytes) -> tuple[str, int]:
    """The format and size an ExportImage archive describes (its disk is not in it)."""
    try:
        raw = zlib.decompressobj(wbits=31).decompress(head, MAX_ARCHIVE_HEADER)
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            member = archive.next()
            handle = archive.extractfile(member) if member is not None else None
            described = json.loads(handle.read(MAX_ARCHIVE_HEADER)) if handle else None
    except (zlib.error, tarfile.TarError, ValueError, EOFError, OSError):
        return "GZIP", 0
    if not isinstance(described, dict) or described.get("Producer") != EXPORT_PRODUCER:
        return "GZIP", 0
    image_format = str(described.get("ImageFormat", "")).upper()
    size = described.get("SizeGiB")
    if type(size) is not int or size <= 0:
        return "GZIP", 0
    return image_format, size


def _gib(size_bytes: int) -> int:
    return max(1, -(-size_bytes // GIB))


def _no_bucket(bucket: str, region_id: str) -> ApiError:
    return ApiError("InvalidOSSBucket.NotFound",
                    f"The OSS bucket {bucket!r} does not exist in {region_id}.")


@contextmanager
def open_bucket(ctx: Context, region_id: str, bucket: str) -> Iterator[int]:
    """A descriptor of the bucket's folder, reached without following any link below the
    catalogue's folder; InvalidOSSBucket.NotFound if there is none in the region."""
    if not _BUCKET.match(bucket):
        raise _no_bucket(bucket, region_id)
    try:
        fd = os.open(ctx.oss_root.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise _no_bucket(bucket, region_id) from None
    try:
        for part in (ctx.oss_root.name, region_id, bucket):
            following = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = following
    except OSError:
        os.close(fd)
        raise _no_bucket(bucket, region_id) from None
    try:
        yield fd
    finally:
        os.close(fd)


def bucket_exists(ctx: Context, region_id: str, bucket: str) -> None:
    """Raise InvalidOSSBucket.NotFound unless the bucket exists (and is no link)."""
    with open_bucket(ctx, region_id, bucket):
        pass


@contextmanager
def open_object(bucket_fd: int, object_name: str) -> Iterator[int | None]:
    """A read descriptor of a regular file in the bucket, or None: a link, a FIFO, a device
    or a folder anywhere on the object's path is not an object."""
    parts = object_name.split("/")
    fd = os.dup(bucket_fd)
    try:
        for part in parts[:-1]:
            following = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = following
        found = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                        dir_fd=fd)
    except OSError:
        os.close(fd)
        yield None
        return
    os.close(fd)
    try:
        yield found if stat.S_ISREG(os.fstat(found).st_mode) else None
    finally:
        os.close(found)


def export_name(prefix: str, image: m.Image, disk: m.DiskMapping, image_format: str) -> str:
    """``<prefix>_<image>_system.raw.tar.gz``; data disks carry their device (``data_xvdb``)."""
    role = "system" if disk.disk_type == "system" else f"data_{disk.device.rsplit('/', 1)[-1]}"
    stem = f"{image.image_id}_{role}.{image_format}.tar.gz"
    return f"{prefix}_{stem}" if prefix else stem


def write_exports(ctx: Context, region_id: str, bucket: str, image: m.Image,
                  image_format: str, files: dict[str, m.DiskMapping], now: float) -> None:
    """Write each disk's file: a real .tar.gz whose one member describes the disk in JSON
    (a simulator has no disk bytes to export); each is written under an unpredictable name
    created with O_EXCL, then renamed into place whole (a rename replaces a link, never
    follows it)."""
    written: list[str] = []
    with open_bucket(ctx, region_id, bucket) as folder:
        try:
            for name, disk in files.items():
                tmp = f".{name}.{secrets.token_hex(8)}.exporting"
                _write_new(folder, tmp, _export_archive(image, disk, image_format, now))
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
                written.append(name)
            os.fsync(folder)
        except OSError as err:
            for name in written:
                with suppress(OSError):
                    os.unlink(name, dir_fd=folder)
            reason = "no space left" if err.errno == errno.ENOSPC else (err.strerror or err)
            raise ApiError("InternalError", f"Writing the export to bucket {bucket!r} failed: "
                           f"{reason}.", 500) from None


def _write_new(folder: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o644, dir_fd=folder)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        with suppress(OSError):
            os.unlink(name, dir_fd=folder)
        raise


def remove_objects(ctx: Context, region_id: str, bucket: str, names: list[str]) -> None:
    """Delete objects of a bucket (a cancelled export's files); a missing one is skipped."""
    try:
        with open_bucket(ctx, region_id, bucket) as folder:
            for name in names:
                if "/" not in name and name not in ("", ".", ".."):
                    with suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=folder)
    except ApiError:
        return


def _export_archive(image: m.Image, disk: m.DiskMapping, image_format: str, now: float) -> bytes:
    header = {
        "Producer": EXPORT_PRODUCER,
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
