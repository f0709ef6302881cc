"""CopyImage and CancelCopyImage (Rules 26, 29, 31, 43, 60-72)."""

from __future__ import annotations

import dataclasses

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.errors import ApiError, denied, image_not_found
from ecsimg.domain.validation import check_description, check_image_name, check_tags
from ecsimg.service.images import tasks
from ecsimg.service.images import visibility as images
from ecsimg.service.images.modify import check_family_capacity, check_name_unique
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction, View

COPY_SIZE_LIMIT_GIB = 500
"""Larger images need a ticket to be copied (Rule 68)."""


@action(
    "CopyImage",
    Param("ImageId", required=True), Param("DestinationRegionId"),
    Param("DestinationImageName"), Param("DestinationDescription"),
    Param("Encrypted", bool), Param("KMSKeyId"), Param("EncryptAlgorithm"),
    Param("ResourceGroupId"), Param("ClientToken"), Param("Tag.N.Key"), Param("Tag.N.Value"),
    mutating=True,
)
def copy_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Copy a custom image to another region, or a shared image into the caller's account."""
    region_id = req.required("RegionId")
    if tx.get(tables.REGIONS, region_id) is None:
        raise ApiError("SourceRegion.NotFound", f"The source region '{region_id}' does not exist.")
    token, digest = tasks.client_token(req)
    earlier = tasks.replayed(tx, ctx.account_id, req.str("DestinationRegionId", region_id),
                             token, digest)
    if earlier is not None:
        return {"ImageId": earlier.image_id}
    now = ctx.now()
    source = _copyable_source(tx, ctx.account_id, region_id, req.required("ImageId"), now)
    own = source.owner_id == ctx.account_id
    dest_id = req.str("DestinationRegionId", region_id)
    if tx.get(tables.REGIONS, dest_id) is None:
        raise ApiError("DestinationRegion.NotFound",
                       f"The destination region '{dest_id}' does not exist.")
    if not own and dest_id != region_id:
        raise denied("OperationDenied.SameRegionOnly",
                     "The image shared from others can not be copied to another region directly; "
                     "copy it into your account in its own region first.")
    if own and dest_id == region_id:
        raise denied("IncorrectDestinationRegion",
                     "The destination region must differ from the source region.")
    encrypt = req.bool("Encrypted")
    kms_key_id = req.str("KMSKeyId")
    if kms_key_id and not encrypt:
        raise ApiError("InvalidParameter.EncryptedIllegal",
                       "KMSKeyId can only be given together with Encrypted=true.")
    _check_published(tx, source, dest_id)
    total_gib = image_gib(source)
    if total_gib > COPY_SIZE_LIMIT_GIB:
        raise denied("SizeExceed.Image",
                     f"The image's disks hold {total_gib} GiB; images over "
                     f"{COPY_SIZE_LIMIT_GIB} GiB can be copied only after a support ticket.")
    name = req.str("DestinationImageName", source.image_name)
    if req.has("DestinationImageName"):
        check_image_name(name, "DestinationImageName")
    description = req.str("DestinationDescription", source.description)
    if req.has("DestinationDescription"):
        check_description(description, "DestinationDescription")
    tags = check_tags([(f.get("Key", ""), f.get("Value", "")) for _, f in req.records("Tag")])
    resource_group_id = tasks.resource_group(req)
    images.check_image_quota(tx, ctx.account_id, dest_id)
    if name:
        check_name_unique(tx, ctx.account_id, dest_id, name)
    if source.image_family:
        check_family_capacity(tx, ctx.account_id, dest_id, source.image_family)

    copy_id = ctx.ids.image()
    start = tasks.copy_queue_end(tx, ctx.account_id, dest_id, now)
    end = start + tasks.transfer_gib(source) * images.pace(ctx, tx)
    task = tasks.new_task(ctx, dest_id, tasks.COPY, copy_id, start, end,
                          detail=f"{region_id}/{source.image_id}")
    if end <= now:
        start = end = 0.0  # a zero pace: the copy is Available at once, with no window
    encrypted = encrypt or source.encrypted
    key_kind: m.KeyKind = ("cmk" if kms_key_id else "service") if encrypt else source.key_kind
    mappings = tuple(
        _copy_disk(ctx, tx, disk, dest_id, encrypted, start, end) for disk in source.disk_mappings
    )
    copy = dataclasses.replace(
        source, region_id=dest_id, image_id=copy_id, image_name=name, description=description,
        owner_kind="custom", owner_id=ctx.account_id, creation_time=iso(now),
        status=m.AVAILABLE, disk_mappings=mappings, tags=tags, shares=(), is_public=False,
        is_copied=True, copied_from=f"{region_id}/{source.image_id}", source_instance_id="",
        resource_group_id=resource_group_id, encrypted=encrypted, key_kind=key_kind,
        pending_start=start, pending_end=end, task_id=task.task_id,
        client_token=token, client_token_digest=digest,
    )
    tx.put(tables.TASKS, task)
    tx.put(tables.IMAGES, copy)
    return {"ImageId": copy_id}


def image_gib(image: m.Image) -> int:
    """The image's size for Rule 68: its system disk and every data disk together."""
    return sum(disk.size for disk in image.disk_mappings) or image.size


def _copyable_source(view: View, account_id: str, region_id: str, image_id: str,
                     now: float) -> m.Image:
    """The source image, if the caller may copy it: own custom or shared with the caller
    (Rules 60, 66), and Available (Rules 43, 61)."""
    image = view.get(tables.IMAGES, f"{region_id}/{image_id}")
    if image is None or image.owner_kind != "custom":
        raise image_not_found(image_id)
    own = image.owner_id == account_id
    if not own and not images.is_shared_with(image, account_id):
        raise image_not_found(image_id)  # community images of others are not copyable
    if own and image.is_public:
        raise denied("OperationDenied",
                     "A community image cannot be copied; unpublish it first (IsPublic=false).")
    status = images.status_of(image, now)
    if status != m.AVAILABLE:
        raise ApiError("IncorrectImageStatus",
                       f"The image {image_id} is {status}; only an Available image can be copied.")
    return image


def _check_published(view: View, source: m.Image, dest_id: str) -> None:
    """A Marketplace-derived image may go only where its product is published (Rule 67)."""
    if not source.product_code or dest_id == source.region_id:
        return
    product = view.get(tables.PRODUCTS, source.product_code)
    if product is None or product.removed or dest_id not in product.regions:
        raise denied("OperationDenied.NotPublished",
                     f"The marketplace product {source.product_code} is not published in "
                     f"{dest_id}.")


def _copy_disk(ctx: Context, tx: Transaction, disk: m.DiskMapping, dest_id: str,
               encrypted: bool, start: float, end: float) -> m.DiskMapping:
    """The copy's disk, with a new snapshot in the destination that is ready when the copy is."""
    original = tx.get(tables.SNAPSHOTS, disk.snapshot_id) if disk.snapshot_id else None
    snap = m.Snapshot(
        snapshot_id=ctx.ids.snapshot(), region_id=dest_id, owner_id=ctx.account_id,
        source_disk_id=original.source_disk_id if original else "",
        source_disk_type=disk.disk_type, size=disk.size, creation_time=iso(ctx.now()),
        snapshot_name=f"copy-of-{disk.snapshot_id}" if disk.snapshot_id else "",
        encrypted=encrypted or disk.encrypted, pending_start=start, pending_end=end,
    )
    tx.put(tables.SNAPSHOTS, snap)
    return dataclasses.replace(disk, snapshot_id=snap.snapshot_id,
                               encrypted=encrypted or disk.encrypted)


@action("CancelCopyImage", Param("ImageId", required=True), mutating=True)
def cancel_copy_image(ctx: Context, req: Request, tx: Transaction) -> Response:
    """Cancel an unfinished copy: the copy and its snapshots go, later copies move up."""
    region_id = req.required("RegionId")
    copy = images.get_own(tx, ctx.account_id, region_id, req.required("ImageId"))
    now = ctx.now()
    if not copy.is_copied or not images.is_busy(copy, now):
        raise ApiError("IncorrectImageStatus",
                       f"The image {copy.image_id} is not a copy in progress.")
    tasks.cancel_copy(tx, copy, now)
    return {}
