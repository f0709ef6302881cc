"""CreateImage: a custom image from an instance, from snapshots, or from one system snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, invalid
from ecsimg.domain.models import Image, Snapshot, Tag
from ecsimg.domain.validation import check_description, check_family, check_image_name, check_tags
from ecsimg.service.account.regions import check_region
from ecsimg.service.images import tasks
from ecsimg.service.images import visibility as images
from ecsimg.service.images.create_sources import (
    SYSTEM_DEVICE,
    Source,
    from_instance,
    from_mappings,
    from_snapshot,
)
from ecsimg.service.images.modify import check_family_capacity, check_name_unique
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

ARCHITECTURES = ("i386", "x86_64", "arm64")
PLATFORMS = (
    "CentOS", "CentOS Stream", "Ubuntu", "SUSE", "OpenSUSE", "RedHat", "Debian", "CoreOS",
    "Fedora CoreOS", "Aliyun", "Anolis", "FreeBSD", "Kylin", "UOS", "Fedora", "AlmaLinux",
    "Rocky Linux", "Customized Linux", "Others Linux", "Windows Server 2003",
    "Windows Server 2008", "Windows Server 2012", "Windows Server 2016", "Windows Server 2019",
    "Windows Server 2022", "Windows 7",
)
_PLATFORM_BY_LOWER = {p.lower(): p for p in PLATFORMS}
BOOT_MODES = ("BIOS", "UEFI", "UEFI-Preferred")
Architecture = Literal["i386", "x86_64", "arm64"]
_RESOURCE_GROUP = re.compile(r"rg-[a-z0-9]{1,64}\Z")
# Parameters that do not describe the image: a retry may differ in them.


@dataclass(frozen=True)
class _Options:
    """The request's descriptive parameters, validated."""

    name: str
    description: str
    family: str
    version: str
    tags: tuple[Tag, ...]
    platform: str
    architecture: str
    boot_mode: str
    imds_support: str
    resource_group_id: str
    detection_strategy: str
    secure_boot_support: str


@action(
    "CreateImage",
    Param("InstanceId"), Param("SnapshotId"),
    Param("DiskDeviceMapping.N.SnapshotId"), Param("DiskDeviceMapping.N.Size"),
    Param("DiskDeviceMapping.N.DiskType"), Param("DiskDeviceMapping.N.Device"),
    Param("ImageName"), Param("Description"), Param("ImageFamily"), Param("ImageVersion"),
    Param("Platform"), Param("Architecture"), Param("BootMode"), Param("ClientToken"),
    Param("DetectionStrategy"), Param("Features.ImdsSupport"),
    Param("SecureBootOptions.SecureBootSupport"), Param("ResourceGroupId"),
    Param("Tag.N.Key"), Param("Tag.N.Value"),
    mutating=True,
)
def create_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Create a custom image from an instance, several snapshots or a system-disk snapshot."""
    region_id = check_region(tx, req)
    token, digest = tasks.client_token(req)
    earlier = tasks.replayed(tx, ctx.account_id, region_id, token, digest)
    if earlier is not None:
        return {"ImageId": earlier.image_id}
    options = _options(req)
    now = ctx.now()
    source = _source(ctx, req, tx, region_id, now)
    if source.data_as_system and not (options.platform and options.architecture):
        missing_name = "Platform" if not options.platform else "Architecture"
        raise ApiError("MissingParameter", f"The input parameter '{missing_name}' is mandatory "
                       "when a data-disk snapshot is used as the system disk.", 400)
    _check_capacity(tx, ctx.account_id, region_id, options)
    image = _build(ctx, tx, region_id, source, options, now)
    if token:
        image = replace(image, client_token=token, client_token_digest=digest)
    snapshots = _new_snapshots(ctx, source, image, now)
    if snapshots:
        image = replace(image, disk_mappings=tuple(
            replace(mapping, snapshot_id=snapshot.snapshot_id)
            for mapping, snapshot in zip(image.disk_mappings, snapshots, strict=True)))
    for snapshot in snapshots:
        tx.put(tables.SNAPSHOTS, snapshot)
    tx.put(tables.IMAGES, image)
    return {"ImageId": image.image_id}


def _options(req: Request) -> _Options:
    name = req.str("ImageName")
    if name:
        check_image_name(name)
    description = req.str("Description")
    if description:
        check_description(description)
    family = req.str("ImageFamily")
    if family:
        check_family(family)
    tags = check_tags([(fields.get("Key", ""), fields.get("Value", ""))
                       for _, fields in req.records("Tag")])
    platform = req.str("Platform")
    if platform:
        if platform.lower() not in _PLATFORM_BY_LOWER:
            raise ApiError("InvalidPlatform.Malformed", f"The specified Platform {platform!r} "
                           "is not supported.", 400)
        platform = _PLATFORM_BY_LOWER[platform.lower()]
    architecture = req.choice("Architecture", ARCHITECTURES, ApiError(
        "InvalidArchitecture.Malformed", "The specified Architecture is not one of "
        f"{', '.join(ARCHITECTURES)}.", 400))
    boot_mode = req.choice("BootMode", BOOT_MODES)
    imds_support = req.choice("Features.ImdsSupport", ("v1", "v2"))
    detection_strategy = req.choice("DetectionStrategy", ("Standard",))
    secure_boot = req.choice("SecureBootOptions.SecureBootSupport", ("true", "false"))
    resource_group_id = req.str("ResourceGroupId")
    if resource_group_id and not _RESOURCE_GROUP.match(resource_group_id):
        raise ApiError("InvalidResourceGroup.NotFound", "The specified ResourceGroupId "
                       f"{resource_group_id!r} does not exist.", 404)
    version = req.str("ImageVersion")
    if len(version) > 40 or not version.isprintable():
        raise invalid("ImageVersion", "it must be at most 40 printable characters")
    return _Options(name, description, family, version, tags, platform, architecture,
                    boot_mode, imds_support, resource_group_id, detection_strategy,
                    secure_boot)


def _source(ctx: Context, req: Request, tx: Transaction, region_id: str, now: float) -> Source:
    """The source by priority: InstanceId, then DiskDeviceMapping, then SnapshotId (Rule 16)."""
    if req.has("InstanceId"):
        return from_instance(tx, ctx.account_id, region_id, req.str("InstanceId"))
    records = req.records("DiskDeviceMapping")
    if records:
        return from_mappings(tx, ctx.account_id, region_id, records, now)
    if req.has("SnapshotId"):
        return from_snapshot(tx, ctx.account_id, region_id, req.str("SnapshotId"), now)
    raise ApiError("MissingParameter", "One of the input parameters 'InstanceId', "
                   "'DiskDeviceMapping' and 'SnapshotId' must be supplied.", 400)


def _check_capacity(tx: Transaction, account_id: str, region_id: str, options: _Options) -> None:
    """Quota (Rule 26), name uniqueness (Rule 30) and family capacity (Rules 36-37)."""
    images.check_image_quota(tx, account_id, region_id)
    if options.name:
        check_name_unique(tx, account_id, region_id, options.name)
    if options.family:
        check_family_capacity(tx, account_id, region_id, options.family)


def _build(ctx: Context, tx: Transaction, region_id: str, source: Source, options: _Options,
           now: float) -> Image:
    """The image record; its OS comes from the image the source was made from, if known."""
    base = source.base_image
    if base is not None and not source.data_as_system:
        # Platform and Architecture only describe a system disk whose OS is not known.
        platform, architecture = base.platform, str(base.architecture)
        os_type, os_name, os_name_en = base.os_type, base.os_name, base.os_name_en
    else:
        platform = options.platform or source.fallback_platform
        architecture = options.architecture or source.fallback_architecture
        os_type = "windows" if platform.lower().startswith("windows") else "linux"
        bits = "32" if architecture == "i386" else "64"
        os_name, os_name_en = f"{platform} {bits}位", f"{platform} {bits} bit"
    system = next(d for d in source.mappings if d.device == SYSTEM_DEVICE)
    start = now
    end = start + system.size * images.pace(ctx, tx)
    encrypted = any(d.encrypted for d in source.mappings)
    return Image(
        region_id=region_id, image_id=ctx.ids.image(), image_name=options.name,
        owner_kind="custom", owner_id=ctx.account_id,
        os_type="windows" if os_type == "windows" else "linux",
        platform=platform, os_name=os_name, os_name_en=os_name_en,
        architecture=_architecture(architecture), size=system.size, creation_time=iso(now),
        description=options.description, image_version=options.version,
        image_family=options.family, disk_mappings=source.mappings, tags=options.tags,
        source_instance_id=source.instance_id,
        product_code=base.product_code if base else "",
        supplier_name=base.supplier_name if base else "",
        license_os=base.license_os if base else "",
        boot_mode=options.boot_mode or (base.boot_mode if base else "BIOS"),
        imds_support=options.imds_support or "v1",
        # A custom image runs what its base ran: online resizing comes with the base OS.
        cpu_online_upgrade=base.cpu_online_upgrade if base else "unsupported",
        cpu_online_downgrade=base.cpu_online_downgrade if base else "unsupported",
        memory_online_upgrade=base.memory_online_upgrade if base else "unsupported",
        memory_online_downgrade=base.memory_online_downgrade if base else "unsupported",
        secure_boot_support=options.secure_boot_support
        or (base.secure_boot_support if base else "false"),
        detection_strategy=options.detection_strategy,
        resource_group_id=options.resource_group_id,
        encrypted=encrypted,
        key_kind=(base.key_kind if base and base.encrypted else "service") if encrypted else "",
        # A zero pace makes the image Available at once; a window is only kept when it has length.
        pending_start=start if end > start else 0.0,
        pending_end=end if end > start else 0.0,
    )


def _architecture(value: str) -> Architecture:
    if value == "i386":
        return "i386"
    return "arm64" if value == "arm64" else "x86_64"


def _new_snapshots(ctx: Context, source: Source, image: Image, now: float) -> list[Snapshot]:
    """One new snapshot per disk of the source instance, pending until the image is done."""
    return [
        Snapshot(
            snapshot_id=ctx.ids.snapshot(), region_id=image.region_id, owner_id=image.owner_id,
            source_disk_id=disk.disk_id, source_disk_type=disk.disk_type, size=disk.size,
            creation_time=iso(now), snapshot_name=f"CreatedForImage-{image.image_id}",
            encrypted=disk.encrypted, pending_start=image.pending_start,
            pending_end=image.pending_end,
        )
        for disk in source.disks_to_snapshot
    ]
