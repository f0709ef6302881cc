"""Adding images from saved DescribeImages responses, as the real API or the aliyun CLI wrote them.

Every field of the file is untrusted: each is checked for type and bounds, and a file with any
problem is refused whole, with one message naming the file and the field, before anything is
written. A file is read image by image (see ``load_file``), and the images are checked against
the catalogue and written a chunk at a time, so memory does not grow with the file but for the
transaction's own writes (see the TinyDB repository's ``PACK_AFTER``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso, parse_iso
from ecsimg.domain.ids import is_account_id
from ecsimg.service.images import load_file
from ecsimg.service.images.load_fields import Fields, LoadError, type_name
from ecsimg.service.images.load_file import MAX_FILE_BYTES, MAX_TOTAL_BYTES, ResponseFile
from ecsimg.service.images.visibility import alias_of, pace
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request
from ecsimg.service.machinery.registry import action
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

__all__ = ["LOAD_ACTION", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "LoadError", "ResponseFile",
           "load_params", "parse_response", "read_files"]

LOAD_ACTION = "ecsimg:LoadImages"
"""``ecsimg load`` as an action of the service (ecsimg's own, not an ECS API action)."""
MAX_FILES_TEXT = 4096
CHUNK_IMAGES = 5000
"""Images checked against the catalogue at once: one lookup a shard for the chunk, instead of
one per image (a catalogue copied elsewhere has no spans to read single images by)."""
MAX_IMAGE_SIZE_GIB = 1 << 20
OWNER_ALIASES = ("system", "self", "others", "marketplace")
_IMAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
_CUSTOM_IMAGE_ID = re.compile(r"m-[a-z0-9]{8,40}\Z")
_PAID_PLATFORMS = (("red hat", "rhel"), ("rhel", "rhel"), ("suse", "suse"), ("sles", "suse"))


def stream_response(file: ResponseFile, ctx: Context, tx: Transaction) -> Iterator[m.Image]:
    """The images of a saved response, read from its file one by one, checked as
    ``parse_response`` checks them; LoadError at the first problem."""
    source = file.source
    region = load_file.region_value(file)
    if not load_file.has_region(region):
        problem = load_file.shape_problem(file)
        if problem is not None:
            raise problem
    top = Fields({"RegionId": region} if load_file.has_region(region) else {}, source)
    region_id = top.text("RegionId", required=True, limit=64)
    if tx.get(tables.REGIONS, region_id) is None:
        raise LoadError(f"{source}: field 'RegionId' is {region_id[:40]!r}, not a known region")
    now = ctx.now()
    seconds_per_gib = pace(ctx, tx)
    listed = 0
    for item in load_file.images(file):
        yield _image(Fields(item, source, f"Images.Image[{listed}]"), region_id,
                     ctx.account_id, now, seconds_per_gib)
        listed += 1
    if not listed:
        problem = load_file.shape_problem(file)
        if problem is not None:
            raise problem


def parse_response(data: Any, source: str, ctx: Context, tx: Transaction) -> list[m.Image]:
    """The images of one parsed DescribeImages response, mapped back to catalogue records."""
    if not isinstance(data, dict):
        raise LoadError(f"{source}: not a DescribeImages response (top level is "
                        f"{type_name(data)}, not an object)")
    top = Fields(data, source)
    if "Images" not in data:
        raise LoadError(f"{source}: not a DescribeImages response (no Images.Image list)")
    region_id = top.text("RegionId", required=True, limit=64)
    if tx.get(tables.REGIONS, region_id) is None:
        raise LoadError(f"{source}: field 'RegionId' is {region_id[:40]!r}, not a known region")
    now = ctx.now()
    seconds_per_gib = pace(ctx, tx)
    return [
        _image(item, region_id, ctx.account_id, now, seconds_per_gib)
        for item in top.objects("Images", "Image")
    ]


def _image(f: Fields, region_id: str, account_id: str, now: float, seconds_per_gib: float
           ) -> m.Image:
    image_id = f.text("ImageId", required=True, limit=128)
    if not _IMAGE_ID.match(image_id):
        raise f.problem("ImageId", f"is {image_id[:40]!r}, not an image ID")
    f.path = f"{f.path} ({image_id})"
    alias = f.choice("ImageOwnerAlias", OWNER_ALIASES, required=True)
    owner_kind, owner_id = _owner(f, alias, account_id)
    if owner_kind != "system" and not _CUSTOM_IMAGE_ID.match(image_id):
        raise f.problem("ImageId", f"is {image_id!r}; {alias} image IDs look like m-xxxxxxxx")
    is_public = f.boolean("IsPublic")
    size = f.integer("Size", minimum=0, maximum=MAX_IMAGE_SIZE_GIB)
    os_type = f.choice("OSType", ("linux", "windows"), "linux", fold_case=True)
    platform = f.text("Platform", limit=128)
    status = f.choice("Status", m.IMAGE_STATUSES, m.AVAILABLE)
    pending_start = pending_end = 0.0
    if status in (m.WAITING, m.CREATING):
        # The file cannot say when the task started here, so it starts now at today's pace.
        status, pending_start, pending_end = m.AVAILABLE, now, now + size * seconds_per_gib
    listed = f.objects("DiskDeviceMappings", "DiskDeviceMapping")
    disks = tuple(_disk(d, n, size) for n, d in enumerate(listed)) or (
        m.DiskMapping("/dev/xvda", "system", size),)
    encrypted = any(d.encrypted for d in disks)
    shared_with_caller = alias == "others" and not is_public and owner_id != account_id
    return m.Image(
        region_id=region_id,
        image_id=image_id,
        image_name=f.text("ImageName", image_id, limit=256),
        owner_kind=owner_kind,
        owner_id=owner_id,
        os_type=os_type,  # type: ignore[arg-type]
        platform=platform,
        os_name=f.text("OSName", limit=256),
        os_name_en=f.text("OSNameEn", limit=256),
        architecture=f.choice(  # type: ignore[arg-type]
            "Architecture", ("i386", "x86_64", "arm64"), "x86_64", fold_case=True),
        size=size,
        creation_time=_time(f, now),
        status=status,
        description=f.text("Description"),
        image_version=f.text("ImageVersion", limit=128),
        image_family=f.text("ImageFamily", limit=128),
        disk_mappings=disks,
        tags=tuple(_tag(t) for t in f.objects("Tags", "Tag")),
        shares=(m.SharePermission(account_id, iso(now)),) if shared_with_caller else (),
        is_public=is_public,
        is_copied=f.boolean("IsCopied"),
        product_code=f.text("ProductCode", limit=128),
        supplier_name=f.text("SupplierName", limit=256),
        license_type=f.text("LicenseType", "Auto", limit=64),
        license_os=_license_os(os_type, platform),
        boot_mode=f.text("BootMode", "BIOS", limit=64),
        is_support_cloudinit=f.boolean("IsSupportCloudinit", True),
        is_support_io_optimized=f.boolean("IsSupportIoOptimized", True),
        login_as_non_root=f.boolean("LoginAsNonRootSupported"),
        resource_group_id=f.text("ResourceGroupId", limit=128),
        encrypted=encrypted,
        # The response does not say which key encrypted it; the service key is the safe guess
        # because it forbids sharing rather than allowing a share the real service would refuse.
        key_kind="service" if encrypted else "",
        pending_start=pending_start,
        pending_end=pending_end,
    )


def _owner(f: Fields, alias: str, account_id: str) -> tuple[m.OwnerKind, str]:
    if alias == "system":
        return "system", ""
    if alias == "marketplace":
        return "marketplace", ""
    if alias == "self":
        return "custom", account_id
    owner = str(f.integer("ImageOwnerId", minimum=0, maximum=10**16 - 1))
    if not is_account_id(owner):
        raise f.problem("ImageOwnerId", "is not a 16-digit account UID")
    return "custom", owner


def _time(f: Fields, now: float) -> str:
    text = f.text("CreationTime", limit=64)
    if not text:
        return iso(now)
    try:
        return iso(parse_iso(text))
    except (ValueError, OverflowError, OSError):
        raise f.problem("CreationTime", f"is {text[:40]!r}, not yyyy-MM-ddTHH:mm:ssZ") from None


def _disk(f: Fields, index: int, image_size: int) -> m.DiskMapping:
    disk_type = f.choice("Type", ("system", "data"), "system" if index == 0 else "data")
    return m.DiskMapping(
        device=f.text("Device", f"/dev/xvd{chr(ord('a') + min(index, 25))}", limit=64),
        disk_type=disk_type,  # type: ignore[arg-type]
        size=f.integer("Size", image_size if disk_type == "system" else 0,
                       maximum=MAX_IMAGE_SIZE_GIB),
        snapshot_id=f.text("SnapshotId", limit=128),
        format=f.text("Format", limit=32),
        import_oss_bucket=f.text("ImportOSSBucket", limit=256),
        import_oss_object=f.text("ImportOSSObject", limit=1024),
        encrypted=f.boolean("Encrypted"),
    )


def _tag(f: Fields) -> m.Tag:
    return m.Tag(f.text("TagKey", required=True, limit=128), f.text("TagValue", limit=256))


def _license_os(os_type: str, platform: str) -> str:
    if os_type == "windows":
        return "windows"
    lowered = platform.lower()
    return next((paid for marker, paid in _PAID_PLATFORMS if marker in lowered), "")


def read_files(paths: Sequence[Path]) -> list[tuple[str, ResponseFile]]:
    """(file name, file) of every file, each checked to be a regular file within the limits
    before anything is loaded (the files are read during the load); the files together may
    hold at most MAX_TOTAL_BYTES."""
    documents = []
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            info = os.stat(path)
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                total += info.st_size  # a larger one is refused by check, by itself
        if total > MAX_TOTAL_BYTES:
            raise LoadError(f"{path}: the files up to this one hold more than "
                            f"{MAX_TOTAL_BYTES >> 20} MiB together; load them in several runs")
        file = load_file.check(path)
        documents.append((file.source, file))
    return documents


def load_params(documents: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """The parameters of a load of ``documents``: the files' names, for the activity log."""
    return {"Files": ", ".join(source for source, _ in documents)[:MAX_FILES_TEXT]}


@action(LOAD_ACTION, Param("Files"), mutating=True, logged=("Added", "Updated"))
def load_images(ctx: Context, req: Request, tx: Transaction) -> dict[str, Any]:
    """Add or replace the images of DescribeImages responses: all of them or none.

    The payload is the list of (file name, file) that ``read_files`` returns, or of (file
    name, parsed JSON). A file listing an image twice loads the last of them.
    """
    documents: Sequence[tuple[str, Any]] = req.payload or ()
    added = updated = 0
    counted: set[str] = set()
    for source, data in documents:
        found: Iterable[m.Image] = (stream_response(data, ctx, tx)
                                    if isinstance(data, ResponseFile)
                                    else parse_response(data, source, ctx, tx))
        for chunk in _chunks(found):
            latest = {image.key: image for image in chunk}
            existing = tx.get_many(tables.IMAGES, latest)
            for key, image in latest.items():
                record, existed = _merge(ctx, tx, source, image, existing[key])
                if record is None:
                    continue
                tx.put(tables.IMAGES, record)
                if key not in counted:
                    counted.add(key)
                    added, updated = (added, updated + 1) if existed else (added + 1, updated)
    return {"Added": added, "Updated": updated, "Files": len(documents)}


def _chunks(found: Iterable[m.Image]) -> Iterator[list[m.Image]]:
    images = iter(found)
    while chunk := list(itertools.islice(images, CHUNK_IMAGES)):
        yield chunk


def _merge(ctx: Context, tx: Transaction, source: str, image: m.Image,
           existing: m.Image | None) -> tuple[m.Image | None, bool]:
    """The record to write (None: keep the catalogue's) and whether it replaces one.

    A file may claim only what the caller's own DescribeImages could show. Only the caller's
    own images are written over. An image of an account this catalogue holds comes from that
    account, never from another's file: the file is refused. Public, marketplace and shared
    images already here are the catalogue's and are kept as they are; one the caller cannot
    see is refused, so a file can neither change nor reveal another account's image.
    """
    account_id = ctx.account_id
    if image.owner_kind == "custom" and image.owner_id != account_id and tx.get(
            tables.ACCOUNTS, image.owner_id) is not None:
        raise LoadError(f"{source}: image {image.image_id} in {image.region_id} is listed as "
                        f"owned by account {image.owner_id}, an account of this catalogue: its "
                        "images are its own, not loaded from another's file; nothing was "
                        "loaded")
    if existing is None:
        return image, False
    if (existing.owner_kind, existing.owner_id) != (image.owner_kind, image.owner_id) or (
            alias_of(existing, account_id) is None):
        raise LoadError(f"{source}: image {image.image_id} in {image.region_id} is already in "
                        "the catalogue with another owner; nothing was loaded")
    if existing.owner_id != account_id or existing.owner_kind != "custom":
        return None, False
    # A response lists the caller's view only: keep the shares the catalogue already knows.
    known = {s.account_id for s in existing.shares}
    shares = existing.shares + tuple(s for s in image.shares if s.account_id not in known)
    return dataclasses.replace(image, shares=shares), True
