"""ImportImage and ExportImage: images from and to OSS buckets (Rules 26, 60, 73-85).

A bucket is the folder ``<oss_root>/<region>/<bucket>/`` (see Context.oss_root).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, denied, invalid, missing
from ecsimg.domain.validation import OSS_PREFIX, check_description, check_image_name, check_tags
from ecsimg.service.account.regions import check_region
from ecsimg.service.images import tasks
from ecsimg.service.images import visibility as images
from ecsimg.service.images.create import PLATFORMS
from ecsimg.service.images.disk_files import (
    bucket_exists,
    detect,
    export_name,
    open_bucket,
    open_object,
    probe,
    write_exports,
)
from ecsimg.service.images.modify import check_name_unique
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

MAX_IMPORT_DISKS = 17
"""DiskDeviceMapping.1 is the system disk, 2-17 are data disks (Rule 76)."""
IMPORT_SIZE_RANGE = (1, 2048)
"""DiskImageSize in GiB, the newer SDK's range for system and data disks (Rule 77)."""
IMPORT_FORMATS = ("RAW", "VHD", "QCOW2")
EXPORT_FORMATS = ("raw", "vhd", "qcow2", "vmdk", "vdi")
EXPORT_MAX_DATA_DISKS = 4
EXPORT_MAX_DATA_DISK_GIB = 500
LICENSE_TYPES = ("Auto", "Aliyun", "BYOL")
_PLATFORM_BY_LOWER = {p.lower(): p for p in PLATFORMS}
_DEVICE = re.compile(r"/dev/xvd[a-z]\Z")
_IMPORT_ROLE = "AliyunECSImageImportDefaultRole"
_EXPORT_ROLE = "AliyunECSImageExportDefaultRole"
OsType = Literal["linux", "windows"]
Arch = Literal["i386", "x86_64", "arm64"]


@dataclasses.dataclass(frozen=True)
class _Disk:
    """One DiskDeviceMapping.N of an import, checked."""

    index: int
    device: str
    bucket: str
    object_name: str
    format: str
    size: int | None

    @property
    def size_param(self) -> str:
        return f"DiskDeviceMapping.{self.index}.DiskImageSize"

    @property
    def size_error(self) -> str:
        return "InvalidImageSize" if self.index == 1 else "InvalidDataDiskSize"


@action(
    "ImportImage",
    Param("DiskDeviceMapping.N.OSSBucket"), Param("DiskDeviceMapping.N.OSSObject"),
    Param("DiskDeviceMapping.N.Format"), Param("DiskDeviceMapping.N.DiskImageSize", int),
    Param("DiskDeviceMapping.N.DiskImSize", int), Param("DiskDeviceMapping.N.Device"),
    Param("ImageName"), Param("Description"), Param("OSType"), Param("Platform"),
    Param("Architecture"), Param("BootMode"), Param("LicenseType"), Param("RoleName"),
    Param("ClientToken"), Param("DetectionStrategy"), Param("Features.ImdsSupport"),
    Param("Features.NvmeSupport"), Param("ResourceGroupId"), Param("StorageLocationArn"),
    Param("Tag.N.Key"), Param("Tag.N.Value"),
    mutating=True,
)
def import_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Import an image file (RAW, VHD or QCOW2) from an OSS bucket in the same region."""
    region_id = check_region(tx, req)
    name = req.str("ImageName")
    if name:
        check_image_name(name)
    description = req.str("Description")
    if description:
        check_description(description)
    tags = check_tags([(f.get("Key", ""), f.get("Value", "")) for _, f in req.records("Tag")])
    os_type, platform = _os_and_platform(req)
    architecture = _architecture(req.str("Architecture", "x86_64"))
    boot_mode = _boot_mode(req, architecture)
    license_type = _license_type(req.str("LicenseType", "Auto"))
    imds_support = req.choice("Features.ImdsSupport", ("v1", "v2"), default="v1")
    nvme_support = req.choice("Features.NvmeSupport", ("supported", "unsupported"),
                              default="supported")
    req.choice("DetectionStrategy", ("Standard",))
    resource_group_id = tasks.resource_group(req)
    token, digest = tasks.client_token(req)
    earlier = tasks.replayed(tx, ctx.account_id, region_id, token, digest)
    if earlier is not None:
        return {"ImageId": earlier.image_id, "RegionId": region_id, "TaskId": earlier.task_id}
    disks = _import_disks(req)
    account = tx.get(tables.ACCOUNTS, ctx.account_id)
    if account is None or not account.import_role_authorized:
        raise denied("NoSetRoletoECSServiceAcount",
                     f"ECS is not authorized to read your OSS buckets: grant the RAM role "
                     f"{_IMPORT_ROLE} first.")
    found = [_detected(ctx, region_id, disk) for disk in disks]
    sizes = [_checked_size(disk, gib) for disk, (_, gib) in zip(disks, found, strict=True)]
    images.check_image_quota(tx, ctx.account_id, region_id)
    if name:
        check_name_unique(tx, ctx.account_id, region_id, name)

    now = ctx.now()
    image_id = ctx.ids.image()
    end = now + sum(sizes) * images.pace(ctx, tx)
    start, end = (now, end) if end > now else (0.0, 0.0)
    task = tasks.new_task(ctx, region_id, tasks.IMPORT, image_id, now, max(now, end),
                          detail=f"oss://{disks[0].bucket}/{disks[0].object_name}")
    mappings = []
    for disk, (file_format, _), size in zip(disks, found, sizes, strict=True):
        snap = m.Snapshot(
            snapshot_id=ctx.ids.snapshot(), region_id=region_id, owner_id=ctx.account_id,
            source_disk_id="", source_disk_type="system" if disk.index == 1 else "data",
            size=size, creation_time=iso(now), snapshot_name=f"ImportedForImage-{image_id}",
            pending_start=start, pending_end=end,
        )
        tx.put(tables.SNAPSHOTS, snap)
        mappings.append(m.DiskMapping(
            device=disk.device, disk_type="system" if disk.index == 1 else "data", size=size,
            snapshot_id=snap.snapshot_id, format=file_format.lower(),
            import_oss_bucket=disk.bucket, import_oss_object=disk.object_name,
        ))
    bits = "32" if architecture == "i386" else "64"
    tx.put(tables.IMAGES, m.Image(
        region_id=region_id, image_id=image_id, image_name=name, owner_kind="custom",
        owner_id=ctx.account_id, os_type=os_type, platform=platform,
        os_name=f"{platform} {bits}位", os_name_en=f"{platform} {bits} bit",
        architecture=architecture, size=sizes[0], creation_time=iso(now),
        description=description, disk_mappings=tuple(mappings), tags=tags,
        license_type=license_type, license_os=_license_os(os_type, platform, license_type),
        boot_mode=boot_mode, resource_group_id=resource_group_id, imds_support=imds_support,
        nvme_support=nvme_support, pending_start=start, pending_end=end, task_id=task.task_id,
        client_token=token, client_token_digest=digest,
    ))
    tx.put(tables.TASKS, task)
    return {"ImageId": image_id, "RegionId": region_id, "TaskId": task.task_id}


def _os_and_platform(req: Request) -> tuple[OsType, str]:
    """OSType and Platform, each defaulting from the other; Windows defaults to Server 2022."""
    os_type = req.str("OSType").lower()
    if os_type and os_type not in ("windows", "linux"):
        raise ApiError("InvalidOSType.Malformed", "The specified OSType is not windows or linux.")
    platform = req.str("Platform")
    if platform:
        if platform.lower() not in _PLATFORM_BY_LOWER:
            raise ApiError("InvalidPlatform.Malformed",
                           f"The specified Platform {platform!r} is not supported.")
        platform = _PLATFORM_BY_LOWER[platform.lower()]
    else:
        platform = "Windows Server 2022" if os_type == "windows" else "Others Linux"
    platform_os = "windows" if platform.lower().startswith("windows") else "linux"
    if os_type and os_type != platform_os:
        raise ApiError("InvalidPlatform.Malformed",
                       f"The Platform {platform!r} is not a {os_type} platform.")
    return ("windows" if platform_os == "windows" else "linux"), platform


def _architecture(value: str) -> Arch:
    lowered = value.lower()
    if lowered == "i386":
        return "i386"
    if lowered == "x86_64":
        return "x86_64"
    if lowered == "arm64":
        return "arm64"
    raise ApiError("InvalidArchitecture.Malformed",
                   "The specified Architecture is not one of i386, x86_64, arm64.")


def _boot_mode(req: Request, architecture: str) -> str:
    """BIOS by default, UEFI for arm64, which cannot boot with BIOS."""
    value = req.str("BootMode")
    modes = {"bios": "BIOS", "uefi": "UEFI"}
    if value and value.lower() not in modes:
        raise invalid("BootMode", f"{value!r} is not BIOS or UEFI")
    mode = modes.get(value.lower(), "UEFI" if architecture == "arm64" else "BIOS")
    if architecture == "arm64" and mode != "UEFI":
        raise invalid("BootMode", "an arm64 image must boot with UEFI")
    return mode


def _license_type(value: str) -> str:
    for known in LICENSE_TYPES:
        if value.lower() == known.lower():
            return known
    raise ApiError("InvalidLicenseType.NotSupported",
                   f"The specified LicenseType {value!r} is not one of Auto, Aliyun, BYOL.")


def _license_os(os_type: str, platform: str, license_type: str) -> str:
    """The paid OS whose licence Alibaba Cloud provides: none when the user brings their own."""
    if license_type == "BYOL":
        return ""
    if os_type == "windows":
        return "windows"
    return {"RedHat": "rhel", "SUSE": "suse"}.get(platform, "")


def _import_disks(req: Request) -> list[_Disk]:
    """DiskDeviceMapping.N, checked without touching OSS: N, bucket, object, format, size."""
    records = req.records("DiskDeviceMapping")
    if not records:
        raise denied("MissingParameter.DiskDeviceMapping",
                     "The input parameter 'DiskDeviceMapping' is mandatory.")
    if records[-1][0] > MAX_IMPORT_DISKS:
        raise invalid(f"DiskDeviceMapping.{records[-1][0]}",
                      f"N must be 1 to {MAX_IMPORT_DISKS} (1 is the system disk)")
    if records[0][0] != 1:
        raise missing("DiskDeviceMapping.1.OSSBucket")
    disks = []
    devices: set[str] = set()
    for index, fields in records:
        prefix = f"DiskDeviceMapping.{index}"
        bucket = fields.get("OSSBucket", "")
        object_name = fields.get("OSSObject", "")
        if not bucket:
            raise missing(f"{prefix}.OSSBucket")
        if not object_name:
            raise missing(f"{prefix}.OSSObject")
        _check_object_name(object_name)
        image_format = str(fields.get("Format", "")).upper()
        if image_format and image_format not in IMPORT_FORMATS:
            raise ApiError("InvalidImageFormat.Malformed",
                           f"The specified {prefix}.Format is not one of RAW, VHD, QCOW2.")
        device = fields.get("Device", "") or f"/dev/xvd{chr(ord('a') + index - 1)}"
        if not _DEVICE.match(device) or (device == "/dev/xvda") != (index == 1):
            raise ApiError("InvalidDevice.Malformed", f"The specified {prefix}.Device {device!r} "
                           "is malformed: /dev/xvda is the system disk, /dev/xvdb-z data disks.")
        if device in devices:
            raise ApiError("InvalidDevice.InUse", f"The device {device} is given twice.")
        devices.add(device)
        disk = _Disk(index, device, bucket, object_name, image_format, None)
        size = _size_param(req, disk, fields)
        disks.append(dataclasses.replace(disk, size=size))
    return disks


def _size_param(req: Request, disk: _Disk, fields: dict[str, str]) -> int | None:
    """DiskImageSize (or its older alias DiskImSize), within the newer 1-2048 GiB range."""
    name = disk.size_param if fields.get("DiskImageSize") else (
        f"DiskDeviceMapping.{disk.index}.DiskImSize")
    size = req.int(name)
    low, high = IMPORT_SIZE_RANGE
    if size is not None and not low <= size <= high:
        raise ApiError(disk.size_error, f"The specified {name} must be {low} to {high} GiB.")
    return size


def _check_object_name(name: str) -> None:
    """An OSS object key that is also a safe relative path: no '..', no absolute paths."""
    parts = name.split("/")
    if (len(name.encode()) > 1023 or "\\" in name
            or any(not p or p in (".", "..") for p in parts)
            or any(not ch.isprintable() for ch in name)):
        raise ApiError("InvalidOSSObject.Malformed",
                       f"The specified OSSObject {name!r} is malformed.")


def _detected(ctx: Context, region_id: str, disk: _Disk) -> tuple[str, int]:
    """The disk file's format and virtual size in GiB, read from the file's headers; refuses
    a file that is no disk image, ISO, VMDK and a file contradicting the declared Format."""
    with open_bucket(ctx, region_id, disk.bucket) as folder, open_object(
            folder, disk.object_name) as found:
        if found is None:
            raise ApiError("InvalidOSSObject.NotFound",
                           f"The OSS object {disk.object_name!r} does not exist in bucket "
                           f"{disk.bucket!r}.")
        try:
            head, tail, file_size = probe(found)
        except OSError as err:
            raise ApiError("InvalidOSSObject.NotFound",
                           f"The OSS object {disk.object_name!r} cannot be read "
                           f"({err.strerror or err}).") from None
    found_format, virtual_gib = detect(head, tail, file_size)
    prefix = f"DiskDeviceMapping.{disk.index}"
    if found_format == "UNKNOWN":
        raise ApiError("InvalidImageFormat.Malformed",
                       f"{disk.object_name!r} is not a disk image: it has no QCOW2 or VHD "
                       "header and, as RAW, no partition table or file system in whole "
                       "512-byte sectors.")
    if found_format == "GZIP":
        raise ApiError("InvalidImageFormat.Malformed",
                       f"{disk.object_name!r} is a compressed archive; decompress it and "
                       "import the RAW, VHD or QCOW2 file inside.")
    if found_format not in IMPORT_FORMATS:
        raise ApiError("InvalidImageFormat.Malformed",
                       f"{disk.object_name!r} is a {found_format} file; only RAW, VHD and "
                       "QCOW2 can be imported: convert it first.")
    if disk.format and disk.format != found_format:
        raise ApiError("InvalidImageFormat.Malformed",
                       f"{prefix}.Format is {disk.format} but {disk.object_name!r} is "
                       f"{found_format}.")
    return found_format, virtual_gib


def _checked_size(disk: _Disk, detected_gib: int) -> int:
    """The disk's size: the detected size unless a larger DiskImageSize is given (Rule 77)."""
    if disk.size is None:
        if detected_gib > IMPORT_SIZE_RANGE[1]:
            raise ApiError(disk.size_error, f"The image file is {detected_gib} GiB; at most "
                           f"{IMPORT_SIZE_RANGE[1]} GiB can be imported.")
        return detected_gib
    if disk.size < detected_gib:
        raise ApiError(disk.size_error, f"The specified {disk.size_param} ({disk.size} GiB) is "
                       f"smaller than the image file's virtual size ({detected_gib} GiB).")
    return disk.size


@action(
    "ExportImage",
    Param("ImageId", required=True), Param("OSSBucket", required=True), Param("OSSPrefix"),
    Param("ImageFormat"), Param("RoleName"),
    mutating=True,
)
def export_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Export a custom image to an OSS bucket in the same region, one file per disk."""
    region_id = check_region(tx, req)
    image_format = req.str("ImageFormat", "raw").lower()
    if image_format not in EXPORT_FORMATS:
        raise ApiError("InvalidImageFormat.Malformed",
                       "The specified ImageFormat is not one of raw, vhd, qcow2, vmdk, vdi.")
    prefix = req.str("OSSPrefix")
    if prefix and not OSS_PREFIX.match(prefix):
        raise ApiError("InvalidOSSPrefix.Malformed",
                       "The specified OSSPrefix must be 1 to 30 letters or digits.")
    now = ctx.now()
    image = images.get_own(tx, ctx.account_id, region_id, req.required("ImageId"))
    _check_exportable(tx, image, now)
    account = tx.get(tables.ACCOUNTS, ctx.account_id)
    if account is None or not account.export_role_authorized:
        raise denied("NoSetRoletoECSServiceAcount",
                     f"ECS is not authorized to write your OSS buckets: grant the RAM role "
                     f"{_EXPORT_ROLE} first.")
    bucket = req.required("OSSBucket")
    bucket_exists(ctx, region_id, bucket)
    files = {export_name(prefix, image, disk, image_format): disk
             for disk in image.disk_mappings}
    end = now + tasks.transfer_gib(image) * images.pace(ctx, tx)
    task = tasks.new_task(ctx, region_id, tasks.EXPORT, image.image_id, now, end,
                          detail=tasks.export_detail(bucket, sorted(files)))
    tx.put(tables.TASKS, task)
    if not req.bool("DryRun"):
        write_exports(ctx, region_id, bucket, image, image_format, files, now)
    return {"TaskId": task.task_id, "RegionId": region_id}


def _check_exportable(tx: Transaction, image: m.Image, now: float) -> None:
    """Rules 60 and 80-82, the older console's Windows rule, and one export at a time."""
    if image.is_public:
        raise denied("ImageNotSupported", "A community image cannot be exported.")
    status = images.status_of(image, now)
    if status != m.AVAILABLE:
        raise ApiError("IncorrectImageStatus",
                       f"The image {image.image_id} is {status}; only an Available image can "
                       "be exported.")
    if image.product_code:
        raise denied("ImageNotSupported",
                     "An image derived from a Marketplace image cannot be exported.")
    if image.encrypted or any(d.encrypted for d in image.disk_mappings):
        raise ApiError("ImageNotSupported",
                       "An image with encrypted snapshots cannot be exported.")
    if image.os_type == "windows":
        raise denied("ImageNotSupported", "An image with a Windows Server OS cannot be exported.")
    data_disks = [d for d in image.disk_mappings if d.disk_type == "data"]
    if (len(data_disks) > EXPORT_MAX_DATA_DISKS
            or any(d.size > EXPORT_MAX_DATA_DISK_GIB for d in data_disks)):
        raise ApiError("InvalidImage.DiskAmountOrSize",
                       f"An exported image may hold at most {EXPORT_MAX_DATA_DISKS} data disks "
                       f"of at most {EXPORT_MAX_DATA_DISK_GIB} GiB each.")
    if tasks.image_task(tx, image.region_id, image.image_id, tasks.EXPORT, now) is not None:
        raise denied("ImageIsExporting", f"The image {image.image_id} is already being exported.")
