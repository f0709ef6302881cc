"""What a caller sees of an image: its owner alias, its live status, its API shape."""

from __future__ import annotations

from typing import Any, Protocol

from ecsimg.domain import models as m
from ecsimg.domain.clock import pending_at, seconds_left, window_progress
from ecsimg.domain.errors import denied, image_not_found
from ecsimg.domain.models import Image
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables
from ecsimg.store.repository import View

SHARED_RECEIVE_LIMIT = 100
SHARE_ACCOUNTS_LIMIT = 50


def is_shared_with(image: Image, account_id: str) -> bool:
    return any(share.account_id == account_id for share in image.shares)


def alias_of(image: Image, account_id: str) -> str | None:
    """The image's ImageOwnerAlias for this caller, or None if the caller cannot see it."""
    if image.owner_kind in ("system", "marketplace") or image.owner_id == account_id:
        return alias_from(image.owner_kind, image.owner_id, image.is_public, False, account_id)
    return alias_from(image.owner_kind, image.owner_id, image.is_public,
                      is_shared_with(image, account_id), account_id)


def alias_from(owner_kind: str, owner_id: str, is_public: bool, shared_with_caller: bool,
               account_id: str) -> str | None:
    """``alias_of`` from the fields it reads (``shared_with_caller``: the image is shared
    with the caller's account)."""
    if owner_kind == "system":
        return "system"
    if owner_kind == "marketplace":
        return "marketplace"
    if owner_id == account_id:
        return "self"
    if is_public or shared_with_caller:
        return "others"
    return None


def kind_of(image: Image, account_id: str) -> str | None:
    """The console tab: public, custom, shared, marketplace, community (None if invisible)."""
    shared = image.owner_kind == "custom" and image.owner_id != account_id and (
        is_shared_with(image, account_id))
    return kind_from(image.owner_kind, image.owner_id, image.is_public, shared, account_id)


def kind_from(owner_kind: str, owner_id: str, is_public: bool, shared_with_caller: bool,
              account_id: str) -> str | None:
    """``kind_of`` from the fields it reads."""
    alias = alias_from(owner_kind, owner_id, is_public, shared_with_caller, account_id)
    if alias == "others":
        return "shared" if shared_with_caller else "community"
    return _KINDS.get(alias or "")


_KINDS = {"system": "public", "marketplace": "marketplace", "self": "custom"}


NOT_SHAREABLE = {
    "public": "is a public image",
    "marketplace": "is a marketplace image",
    "shared": "is shared with you by its owner",
    "community": "is a community image of another account",
}
"""Why an image the caller can see but does not own cannot be shared."""


def not_shareable_reason(kind: str | None) -> str:
    """Why an image of ``kind`` cannot be shared by the caller, or '' for their own image."""
    return NOT_SHAREABLE.get(kind or "", "")


class Timed(Protocol):
    """What the live status of an image is computed from (a record or a list row)."""

    @property
    def creation_time(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def pending_start(self) -> float: ...

    @property
    def pending_end(self) -> float: ...


def state(image: Timed, now: float) -> tuple[str, int, int]:
    """(Status, progress percent, seconds remaining) at ``now``; a pure function of the record."""
    if pending_at(image.creation_time, image.pending_end, now):
        left = seconds_left(image.pending_end, now)
        if now < image.pending_start:
            return m.WAITING, 0, left
        return m.CREATING, window_progress(image.pending_start, image.pending_end, now), left
    return image.status, 100, 0


def status_of(image: Image, now: float) -> str:
    return state(image, now)[0]


def is_busy(image: Timed, now: float) -> bool:
    return pending_at(image.creation_time, image.pending_end, now)


def used_image_ids(view: View, region_id: str) -> set[str]:
    """IDs of images in ``region_id`` that some instance was created from or runs."""
    return {
        inst.image_id for inst in view.all(tables.INSTANCES) if inst.region_id == region_id
    }


def find_visible(view: View, account_id: str, region_id: str, image_id: str) -> Image | None:
    image = view.get(tables.IMAGES, f"{region_id}/{image_id}")
    if image is None or alias_of(image, account_id) is None:
        return None
    return image


def get_visible(view: View, account_id: str, region_id: str, image_id: str) -> Image:
    image = find_visible(view, account_id, region_id, image_id)
    if image is None:
        raise image_not_found(image_id)
    return image


def get_own(view: View, account_id: str, region_id: str, image_id: str) -> Image:
    """The caller's own custom image; anything else is 'not found' (Rule 45)."""
    image = view.get(tables.IMAGES, f"{region_id}/{image_id}")
    if image is None or image.owner_kind != "custom" or image.owner_id != account_id:
        raise image_not_found(image_id)
    return image


def custom_count(view: View, account_id: str, region_id: str) -> int:
    """Custom images the account holds in a region (what the quota counts, Rule 26)."""
    return sum(1 for i in view.iter_group(tables.IMAGES, region_id)
               if i.owner_kind == "custom" and i.owner_id == account_id)


def check_image_quota(view: View, account_id: str, region_id: str) -> None:
    """QuotaExceed.Image when the account holds its quota of custom images in the region
    (Rule 26); nothing when the quota is unknown (a real account's cache)."""
    account = view.get(tables.ACCOUNTS, account_id)
    quota = account.image_quota if account is not None else m.Account("", "").image_quota
    if quota is not None and custom_count(view, account_id, region_id) >= quota:
        raise denied("QuotaExceed.Image", "The Image Quota exceeds.")


def pace(ctx: Context, view: View) -> float:
    """Seconds per GiB for image tasks: the environment, else the catalogue's setting."""
    if ctx.task_seconds_per_gib is not None:
        return ctx.task_seconds_per_gib
    settings = view.get(tables.SETTINGS, "settings")
    return settings.task_seconds_per_gib if settings else 0.5


def bool_str(value: bool) -> str:
    return "True" if value else "False"


def image_to_api(image: Image, account_id: str, now: float, used: bool) -> dict[str, Any]:
    """The image as DescribeImages returns it to this caller."""
    status, progress, remain = state(image, now)
    alias = alias_of(image, account_id) or ""
    mappings = []
    for disk in image.disk_mappings:
        mapping: dict[str, Any] = {
            "Device": disk.device,
            "Type": disk.disk_type,
            "Size": str(disk.size),
            "SnapshotId": disk.snapshot_id,
            "Format": disk.format,
            "ImportOSSBucket": disk.import_oss_bucket,
            "ImportOSSObject": disk.import_oss_object,
            "Progress": f"{progress}%",
            "RemainTime": remain,
            "Encrypted": disk.encrypted,
        }
        mappings.append(mapping)
    return {
        "ImageId": image.image_id,
        "ImageName": image.image_name,
        "ImageVersion": image.image_version,
        "ImageFamily": image.image_family,
        "Description": image.description,
        "ImageOwnerAlias": alias,
        "ImageOwnerId": int(image.owner_id) if image.owner_id.isdigit() else 0,
        "IsPublic": image.is_public,
        "IsSelfShared": bool_str(alias == "self" and bool(image.shares)),
        "IsCopied": image.is_copied,
        "IsSubscribed": False,
        "OSName": image.os_name,
        "OSNameEn": image.os_name_en,
        "OSType": image.os_type,
        "Platform": image.platform,
        "Architecture": image.architecture,
        "Size": image.size,
        "Status": status,
        "Progress": f"{progress}%",
        "CreationTime": image.creation_time,
        "Usage": "instance" if used else "none",
        "Usable": status in (m.AVAILABLE, m.DEPRECATED),
        "IsSupportCloudinit": image.is_support_cloudinit,
        "IsSupportIoOptimized": image.is_support_io_optimized,
        "LoginAsNonRootSupported": image.login_as_non_root,
        "BootMode": image.boot_mode,
        "ProductCode": image.product_code,
        "SupplierName": image.supplier_name,
        "LicenseType": image.license_type,
        "ResourceGroupId": image.resource_group_id,
        "Tags": {"Tag": [{"TagKey": t.key, "TagValue": t.value} for t in image.tags]},
        "DiskDeviceMappings": {"DiskDeviceMapping": mappings},
        "Features": {
            "NvmeSupport": image.nvme_support, "ImdsSupport": image.imds_support,
            "CpuOnlineUpgrade": image.cpu_online_upgrade,
            "CpuOnlineDowngrade": image.cpu_online_downgrade,
            "MemoryOnlineUpgrade": image.memory_online_upgrade,
            "MemoryOnlineDowngrade": image.memory_online_downgrade,
        },
        "SecureBootOptions": {"SecureBootSupport": image.secure_boot_support},
        "DetectionOptions": detection_options(image, status),
    }


ONLINE_FEATURES = {
    "CpuOnlineUpgrade": "cpu_online_upgrade", "CpuOnlineDowngrade": "cpu_online_downgrade",
    "MemoryOnlineUpgrade": "memory_online_upgrade",
    "MemoryOnlineDowngrade": "memory_online_downgrade",
}
"""Features.* names of online (hot) resizing, and the Image fields that hold them."""


def detection_options(image: Image, status: str) -> dict[str, Any]:
    """What an image check (DetectionStrategy=Standard) found: empty when none was asked for.

    The check runs while the image is made; a missing NVMe driver is the risk it reports.
    """
    if image.detection_strategy != "Standard":
        return {"Status": "", "Items": {"Item": []}}
    if status in (m.CREATING, m.WAITING):
        return {"Status": "Processing", "Items": {"Item": []}}
    items = []
    if image.nvme_support != "supported":
        # The code is spelled as in the API reference's own example.
        items.append({"Name": "Nvme", "Value": "Unsupported", "RiskLevel": "High",
                      "RiskCode": "NVMe.NotInstallded"})
    return {"Status": "Finished", "Items": {"Item": items}}
