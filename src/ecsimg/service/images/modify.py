"""ModifyImageAttribute, and the name and family checks that creating images shares."""

from __future__ import annotations

import dataclasses
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError, denied, invalid
from ecsimg.domain.validation import check_description, check_family, check_image_name
from ecsimg.service.account.regions import check_region
from ecsimg.service.images.visibility import get_own, status_of
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

FAMILY_IMAGE_LIMIT = 100
"""Images one family may hold (Rule 36)."""
REGION_FAMILY_LIMIT = 100
"""Non-empty families one account may hold in a region (Rule 37)."""
SETTABLE_STATUSES = (m.DEPRECATED, m.AVAILABLE)
BOOT_MODES = ("BIOS", "UEFI", "UEFI-Preferred")
LICENSE_TYPES = ("Auto", "Aliyun", "BYOL")
NVME_SUPPORT = ("supported", "unsupported")
IMDS_SUPPORT = ("v1", "v2")


def _own_custom_images(view: View, account_id: str, region_id: str,
                       exclude_key: str | None) -> list[m.Image]:
    return [i for i in view.iter_group(tables.IMAGES, region_id)
            if i.owner_kind == "custom" and i.owner_id == account_id and i.key != exclude_key]


def check_name_unique(tx: View, account_id: str, region_id: str, name: str,
                      exclude_key: str | None = None) -> None:
    """Refuse ``name`` if another custom image of the account in the region has it (Rule 30).

    ``exclude_key`` (``region/image_id``) is the image being renamed, which may keep its name.
    """
    for image in _own_custom_images(tx, account_id, region_id, exclude_key):
        if image.image_name == name:
            raise ApiError("InvalidImageName.Duplicated",
                           "The specified Image name has already bean used.", 400)


def check_family_capacity(tx: View, account_id: str, region_id: str, family: str,
                          exclude_key: str | None = None) -> None:
    """Refuse one more image in ``family``: 100 images per family, 100 families per region.

    ``exclude_key`` is an image moving into the family, which must not count where it is now.
    Both limits answer QuotaExceed.ImageFamily (the real code is unconfirmed, Rules 36-37).
    """
    if not family:
        return
    members = 0
    families: set[str] = set()
    for image in _own_custom_images(tx, account_id, region_id, exclude_key):
        if image.image_family:
            families.add(image.image_family)
            members += image.image_family == family
    if members >= FAMILY_IMAGE_LIMIT:
        raise denied("QuotaExceed.ImageFamily",
                     f"The image family '{family}' already holds {FAMILY_IMAGE_LIMIT} images.")
    if family not in families and len(families) >= REGION_FAMILY_LIMIT:
        raise denied("QuotaExceed.ImageFamily",
                     f"The region {region_id} already holds {REGION_FAMILY_LIMIT} image families.")


def _choice(req: Request, name: str, choices: tuple[str, ...],
            code: str = "InvalidParameter") -> str:
    value = req.str(name)
    if value and value not in choices:
        raise ApiError(code, f"The specified {name} '{value}' is not one of "
                       f"{', '.join(choices)}.", 400)
    return value


def _check_status_change(image: m.Image, new_status: str, now: float) -> None:
    """Only Available and Deprecated swap (Rule 39); a shared image is not deprecated (Rule 40)."""
    current = status_of(image, now)
    if current == new_status:
        return
    if current not in SETTABLE_STATUSES:
        raise ApiError("IncorrectImageStatus",
                       f"The image is {current}: only Available and Deprecated images change "
                       "status.", 400)
    if new_status == m.DEPRECATED and (image.shares or image.is_public):
        # The real code is unconfirmed. A community image counts as shared: it is shared with
        # every account of the region, and a Deprecated image may not be shared (Rule 42).
        raise denied("OperationDenied.ImageShared",
                     "The image is shared with other accounts or published as a community "
                     "image; unshare it before deprecating it.")


@action(
    "ModifyImageAttribute",
    Param("ImageId", required=True), Param("ImageName"), Param("Description"),
    Param("ImageFamily"), Param("Status"), Param("BootMode"), Param("LicenseType"),
    Param("Features.NvmeSupport"), Param("Features.ImdsSupport"),
    mutating=True,
)
def modify_image_attribute(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Change a custom image's name, description, family, status, boot mode, licence or features.

    An empty value leaves the attribute unchanged, so a family can be changed but never cleared.
    """
    region_id = check_region(tx, req)
    image = get_own(tx, ctx.account_id, region_id, req.required("ImageId"))
    changes: dict[str, Any] = {}

    name = req.str("ImageName")
    if name:
        check_image_name(name)
        check_name_unique(tx, ctx.account_id, region_id, name, exclude_key=image.key)
        changes["image_name"] = name
    description = req.str("Description")
    if description:
        check_description(description)
        changes["description"] = description
    family = req.str("ImageFamily")
    if family and family != image.image_family:
        check_family(family)
        check_family_capacity(tx, ctx.account_id, region_id, family, exclude_key=image.key)
        changes["image_family"] = family
    status = _choice(req, "Status", SETTABLE_STATUSES, "InvalidStatus.ValueNotSupported")
    if status:
        _check_status_change(image, status, ctx.now())
        changes["status"] = status
    boot_mode = _choice(req, "BootMode", BOOT_MODES)
    if boot_mode:
        if image.architecture == "arm64" and boot_mode == "BIOS":
            raise invalid("BootMode", "arm64 images boot with UEFI only")
        changes["boot_mode"] = boot_mode
    license_type = _choice(req, "LicenseType", LICENSE_TYPES, "InvalidLicenseType.NotSupported")
    if license_type:
        changes["license_type"] = license_type
    nvme = _choice(req, "Features.NvmeSupport", NVME_SUPPORT)
    if nvme:
        changes["nvme_support"] = nvme
    imds = _choice(req, "Features.ImdsSupport", IMDS_SUPPORT)
    if imds:
        changes["imds_support"] = imds

    if changes:
        tx.put(tables.IMAGES, dataclasses.replace(image, **changes))
    return {}
