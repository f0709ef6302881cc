"""Read-only image queries: DescribeImages, share permissions, families and instance types."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.clock import parse_iso
from ecsimg.domain.errors import ApiError, invalid, not_found
from ecsimg.domain.models import Image, InstanceType
from ecsimg.service.account.regions import check_region
from ecsimg.service.images.visibility import (
    ONLINE_FEATURES,
    alias_of,
    get_own,
    image_to_api,
    is_shared_with,
    state,
    used_image_ids,
)
from ecsimg.service.machinery.context import Context
from ecsimg.service.machinery.params import Param, Request, paging
from ecsimg.service.machinery.registry import Response, action
from ecsimg.store import tables
from ecsimg.store.indexes import Listing, OrderedListing
from ecsimg.store.repository import Transaction, View

OWNER_ALIASES = ("system", "self", "others", "marketplace")
DEFAULT_ALIASES = frozenset({"system", "self", "others"})
STATUS_ALL = "ALL"
MAX_TAG_FILTERS = 20
THIRTY_TWO_BIT_MEMORY_LIMIT_GIB = 4.0
WINDOWS_MIN_MEMORY_GIB = 1.0
ACTION_TYPES = ("CreateEcs", "ChangeOS")
_FEATURE_FILTER_KEYS = frozenset({"CpuOnlineUpgrade", "CpuOnlineDowngrade",
                                  "MemoryOnlineUpgrade", "MemoryOnlineDowngrade"})
FILTER_KEYS = (frozenset({"CreationStartTime", "CreationEndTime", "NetworkType"})
               | _FEATURE_FILTER_KEYS)

ImagePredicate = Callable[[Image], bool]


def image_fits_type(image: Image, instance_type: InstanceType) -> bool:
    """Whether an instance of ``instance_type`` can run ``image``.

    The CPU architecture must match, 32-bit images need under 4 GiB of memory and Windows needs
    at least 1 GiB.
    """
    if (instance_type.architecture == "ARM") != (image.architecture == "arm64"):
        return False
    memory = instance_type.memory_size
    if image.architecture == "i386" and memory >= THIRTY_TWO_BIT_MEMORY_LIMIT_GIB:
        return False
    return not (image.os_type == "windows" and memory < WINDOWS_MIN_MEMORY_GIB)


# -- DescribeImages -------------------------------------------------------------------------


def _owner_scope(req: Request) -> tuple[frozenset[str], bool]:
    """(aliases wanted, community only) from ImageOwnerAlias and IsPublic (Rules 3, 4, 6)."""
    alias = req.str("ImageOwnerAlias")
    if alias and alias not in OWNER_ALIASES:
        raise ApiError("InvalidImageOwnerAlias.ValueNotSupported",
                       f"The specified ImageOwnerAlias '{alias}' is not supported.", 400)
    community = req.bool("IsPublic")
    if community and alias != "others":
        # The code for this conflict is unconfirmed; the SDK only says IsPublic needs others.
        raise invalid("IsPublic", "IsPublic=true lists community images and needs "
                      "ImageOwnerAlias=others")
    return (frozenset({alias}) if alias else DEFAULT_ALIASES), community


def _statuses(req: Request) -> frozenset[str] | None:
    """The Status filter (Rule 5): None means every status."""
    values = [v.strip() for v in req.str("Status").split(",") if v.strip()]
    if not values:
        # With Usable set the SDK gives Status no default.
        return None if req.has("Usable") else frozenset({m.AVAILABLE})
    if STATUS_ALL in values:
        if len(values) > 1:
            raise ApiError("InvalidStatus.ValueNotSupported",
                           "Status ALL cannot be combined with other values.", 400)
        return None
    for value in values:
        if value not in m.IMAGE_STATUSES:
            raise ApiError("InvalidStatus.ValueNotSupported",
                           f"The specified Status '{value}' is not supported.", 400)
    return frozenset(values)


def _choice(req: Request, name: str, choices: tuple[str, ...], code: str, status: int) -> str:
    value = req.str(name)
    if value and value not in choices:
        raise ApiError(code, f"The specified {name} '{value}' is not supported.", status)
    return value


def _created_at(image: Image) -> float:
    try:
        return parse_iso(image.creation_time)
    except ValueError:
        return 0.0


def _created_within(bound: float, *, after: bool) -> ImagePredicate:
    if after:
        return lambda image: _created_at(image) >= bound
    return lambda image: _created_at(image) <= bound


def _flag_is(attribute: str, wanted: bool) -> ImagePredicate:
    return lambda image: bool(getattr(image, attribute)) == wanted


def _has_tag(key: str, value: str | None) -> ImagePredicate:
    """Images carrying tag ``key`` (with exactly ``value`` unless it is None)."""
    return lambda image: any(t.key == key and (value is None or t.value == value)
                             for t in image.tags)


def _feature_is(field: str, value: str) -> ImagePredicate:
    return lambda image: bool(getattr(image, field) == value)


def _filter_predicates(req: Request) -> list[ImagePredicate]:
    """Predicates for ``Filter.N`` (Rule 10): creation-time windows and feature filters."""
    predicates: list[ImagePredicate] = []
    for n, fields in req.records("Filter"):
        key, value = fields.get("Key", ""), fields.get("Value", "")
        if key not in FILTER_KEYS:
            raise not_found("InvalidFilterKey.NotFound",
                            f"The specified Filter.{n}.Key '{key}' is not supported.")
        if not value:
            continue
        if key in ("CreationStartTime", "CreationEndTime"):
            try:
                bound = parse_iso(value)
            except ValueError:
                raise invalid(f"Filter.{n}.Value", "expected yyyy-MM-ddTHH:mmZ") from None
            predicates.append(_created_within(bound, after=key == "CreationStartTime"))
        elif key == "NetworkType":
            if value not in ("vpc", "classic"):
                raise invalid(f"Filter.{n}.Value", "NetworkType is vpc or classic")
            # Every image in the catalogue runs on both network types.
        else:
            if value not in ("supported", "unsupported"):
                raise invalid(f"Filter.{n}.Value", f"{key} is supported or unsupported")
            predicates.append(_feature_is(ONLINE_FEATURES[key], value))
    return predicates


def _tag_predicates(req: Request) -> list[ImagePredicate]:
    """One predicate per ``Tag.N`` filter; the lower-case ``key``/``value`` form is accepted too."""
    records = req.records("Tag")
    if len(records) > MAX_TAG_FILTERS:
        raise ApiError("InvalidTagCount",
                       f"At most {MAX_TAG_FILTERS} tag filters are allowed.", 400)
    predicates: list[ImagePredicate] = []
    for n, fields in records:
        key = fields.get("Key", fields.get("key", ""))
        if not key:
            raise ApiError("InvalidTagKey.Malformed", f"Tag.{n}.Key must not be empty.", 400)
        if "Value" in fields or "value" in fields:
            predicates.append(_has_tag(key, fields.get("Value", fields.get("value", ""))))
        else:
            predicates.append(_has_tag(key, None))
    return predicates


def _predicates(ctx: Context, req: Request, view: View, region_id: str,
                used: set[str]) -> list[ImagePredicate]:
    """Every DescribeImages filter, validated before any image is looked at."""
    caller = ctx.account_id
    aliases, community = _owner_scope(req)
    statuses = _statuses(req)
    usage = _choice(req, "Usage", ("instance", "none"), "InvalidUsage", 404)
    os_type = _choice(req, "OSType", ("windows", "linux"), "InvalidOSType", 404)
    architecture = _choice(req, "Architecture", ("i386", "x86_64", "arm64"),
                           "InvalidArchitecture", 404)
    action_type = req.choice("ActionType", ACTION_TYPES)
    owner_id = req.int("ImageOwnerId")
    now = ctx.now()

    def in_scope(image: Image) -> bool:
        alias = alias_of(image, caller)
        if alias not in aliases:
            return False
        if alias == "others":
            return image.is_public if community else is_shared_with(image, caller)
        return True

    predicates: list[ImagePredicate] = [in_scope]
    if statuses is not None:
        predicates.append(lambda i: state(i, now)[0] in statuses)
    if req.has("Usable"):
        usable = req.bool("Usable")
        predicates.append(lambda i: (state(i, now)[0] in (m.AVAILABLE, m.DEPRECATED)) == usable)
    if usage:
        predicates.append(lambda i: (i.image_id in used) == (usage == "instance"))
    if os_type:
        predicates.append(lambda i: i.os_type == os_type)
    if architecture:
        predicates.append(lambda i: i.architecture == architecture)
    if owner_id is not None:
        predicates.append(lambda i: i.owner_id == str(owner_id))
    image_ids = {v.strip() for v in req.str("ImageId").split(",") if v.strip()}
    if image_ids:
        predicates.append(lambda i: i.image_id in image_ids)
    name_part = req.str("ImageName").lower()
    if name_part:
        predicates.append(lambda i: name_part in i.image_name.lower())
    snapshot_id = req.str("SnapshotId")
    if snapshot_id:
        predicates.append(lambda i: any(d.snapshot_id == snapshot_id for d in i.disk_mappings))
    family = req.str("ImageFamily")
    if family:
        predicates.append(lambda i: i.image_family == family)
    group = req.str("ResourceGroupId")
    if group:
        predicates.append(lambda i: i.resource_group_id == group)
    for flag, attribute in (("IsSupportCloudinit", "is_support_cloudinit"),
                            ("IsSupportIoOptimized", "is_support_io_optimized")):
        if req.has(flag):
            wanted = req.bool(flag)
            predicates.append(_flag_is(attribute, wanted))
    req.bool("ShowExpired")  # no image in the catalogue expires; validated only
    type_id = req.str("InstanceType")
    if type_id:
        instance_type = view.get(tables.INSTANCE_TYPES, type_id)
        if instance_type is None:
            raise ApiError("InvalidInstanceType.ValueNotSupported",
                           f"The specified InstanceType '{type_id}' does not exist.", 400)
        predicates.append(lambda i: image_fits_type(i, instance_type))
    if action_type == "ChangeOS":
        # An image with data disks cannot replace a system disk (Rule 94).
        predicates.append(lambda i: all(d.disk_type == "system" for d in i.disk_mappings))
    predicates.extend(_filter_predicates(req))
    predicates.extend(_tag_predicates(req))
    return predicates


def _age_key(image: Image) -> tuple[str, str]:
    return image.creation_time, image.image_id


def newest_first(images: list[Image], limit: int | None = None) -> list[Image]:
    """Newest CreationTime first, ties by descending ImageId so pages are stable.

    With ``limit`` only that many come back, picked without sorting the whole list: the first
    pages of a large region are what is asked for most.
    """
    if limit is not None and limit * 4 < len(images):
        return heapq.nlargest(limit, images, key=_age_key)
    ordered = sorted(images, key=_age_key, reverse=True)
    return ordered if limit is None else ordered[:limit]


def _all_of(predicates: list[ImagePredicate]) -> ImagePredicate:
    def matches(image: Image) -> bool:
        # A plain loop, not all(...): a generator per image costs a third of a large listing.
        for predicate in predicates:  # noqa: SIM110
            if not predicate(image):
                return False
        return True

    return matches


_BEYOND_ROWS = ("Tag.", "Filter.", "SnapshotId", "InstanceType", "ActionType")
"""Parameters whose filters read image fields that listing rows do not keep."""


def _match_listing(listing: Listing, matches: ImagePredicate, memo_key: tuple[Any, ...],
                   now: float, start: int, size: int) -> tuple[Sequence[Any], list[Any]]:
    """(every match, the page's rows), reusing the ordered matches of the rows whose status
    no longer depends on the clock while the listing is unchanged; the few rows still
    pending are matched on every call."""
    rows: list[Any] = listing  # rows stand in for images: the predicates read fields only
    memo = listing.memo.get(memo_key)
    if memo is not None and now < memo[2]:
        memo = None  # the clock went back: a row taken as settled may be pending again
    if memo is None and listing.memo.setdefault(("asked", memo_key), False) is False:
        # Asked once so far (a one-shot command asks once): match without keeping anything.
        listing.memo[("asked", memo_key)] = True
        matched = [row for row in rows if matches(row)]
        return matched, newest_first(matched, start + size)[start:]
    if memo is None:
        if len(listing.memo) >= MEMO_ENTRIES:
            listing.memo.clear()
        settled = [row for row in rows if not row.pending_end or row.pending_end <= now]
        pending = [row for row in rows if row.pending_end and row.pending_end > now]
        memo = listing.memo[memo_key] = (newest_first([r for r in settled if matches(r)]),
                                         pending, now)
    ordered, pending, _ = memo
    if not pending:
        return ordered, ordered[start:start + size]
    moving: list[Any] = [row for row in pending if matches(row)]
    top = newest_first([*ordered[:start + size], *moving])[start:start + size]
    return [*ordered, *moving], top


MEMO_ENTRIES = 64
"""Ordered matches a listing keeps, one per caller and set of filters."""


def _memo_key(ctx: Context, req: Request, used: set[str]) -> tuple[Any, ...]:
    """What an ordered match depends on besides the listing and the clock."""
    filters = tuple(sorted((k, v) for k, v in req.raw.items()
                           if k not in ("PageNumber", "PageSize")))
    return ctx.account_id, filters, frozenset(used) if req.has("Usage") else None


_SCOPE_AND_STATUS = frozenset({"RegionId", "PageNumber", "PageSize", "ImageOwnerAlias", "IsPublic",
                               "Status", "Usable", "ImageOwnerId", "ShowExpired"})
"""Parameters whose filters read only an image's owner, visibility, recipients and status
(with its pending window): rows alike in those answer alike, so they are counted by group."""


def _match_ordered(listing: OrderedListing, matches: ImagePredicate, start: int,
                   size: int) -> tuple[int, list[Any]]:
    """(how many match, the page's rows) from rows kept newest first: the count from the
    groups of plain rows and the others one by one, the page by reading only as far as it."""
    fits: Callable[[Any], bool] = matches  # rows stand in for images: fields are read only
    total = 0
    for count, row in listing.groups:
        if fits(row):
            total += count
    total += sum(1 for row in listing.special if fits(row))
    if start >= total:  # past the last page (a PageNumber of any size): no row to read
        return total, []
    wanted = (row for row in listing.newest() if fits(row))
    return total, list(itertools.islice(wanted, start, start + size))


def _candidates(req: Request, view: View, region_id: str) -> list[Any]:
    """The region's images for matching: the store's listing rows where they hold every field
    the request filters on (no image is read whole), else stand-ins that read fields on
    demand. Either way only the page is decoded in full."""
    if not any(name.startswith(_BEYOND_ROWS) for name in req.raw):
        rows = view.listing(region_id)
        if rows is not None:
            return rows
    return view.scan(tables.IMAGES, region_id)


@action(
    "DescribeImages",
    Param("ActionType"), Param("Architecture"), Param("Filter.N.Key"), Param("Filter.N.Value"),
    Param("ImageFamily"), Param("ImageId"), Param("ImageName"), Param("ImageOwnerAlias"),
    Param("ImageOwnerId", int), Param("InstanceType"), Param("IsPublic", bool),
    Param("IsSupportCloudinit", bool), Param("IsSupportIoOptimized", bool), Param("OSType"),
    Param("PageNumber", int), Param("PageSize", int), Param("ResourceGroupId"),
    Param("ShowExpired", bool), Param("SnapshotId"), Param("Status"), Param("Tag.N.Key"),
    Param("Tag.N.Value"), Param("Tag.N.key"), Param("Tag.N.value"), Param("Usable", bool),
    Param("Usage"),
)
def describe_images(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the images the caller can see in a region, filtered and paged, newest first."""
    region_id = check_region(tx, req)
    page_number, page_size = paging(req)
    used = used_image_ids(tx, region_id)
    predicates = _predicates(ctx, req, tx, region_id, used)
    start = (page_number - 1) * page_size
    now = ctx.now()
    matches = _all_of(predicates)
    ordered = tx.ordered(region_id) if _SCOPE_AND_STATUS.issuperset(req.raw) else None
    if ordered is not None:
        total, shown = _match_ordered(ordered, matches, start, page_size)
        return _page(ctx, tx, region_id, req, total, shown, used, now)
    candidates = _candidates(req, tx, region_id)
    if isinstance(candidates, Listing):
        matched, shown = _match_listing(candidates, matches, _memo_key(ctx, req, used), now,
                                        start, page_size)
    else:
        matched = [image for image in candidates if matches(image)]
        shown = newest_first(matched, start + page_size)[start:]
    return _page(ctx, tx, region_id, req, len(matched), shown, used, now)


def _page(ctx: Context, tx: Transaction, region_id: str, req: Request, total: int,
          shown: Sequence[Any], used: set[str], now: float) -> Response:
    page_number, page_size = paging(req)
    page = [record for image in shown
            if (record := tx.get(tables.IMAGES, image.key)) is not None]
    return {
        "RegionId": region_id,
        "TotalCount": total,
        "PageNumber": page_number,
        "PageSize": page_size,
        "Images": {"Image": [image_to_api(i, ctx.account_id, now, i.image_id in used)
                             for i in page]},
    }


# -- DescribeImageSharePermission and DescribeImageFromFamily -------------------------------


@action("DescribeImageSharePermission", Param("ImageId", required=True),
        Param("PageNumber", int), Param("PageSize", int))
def describe_image_share_permission(ctx: Context, req: Request, tx: Transaction) -> Response:
    """List the accounts the caller's image is shared with, and whether it is a community image."""
    region_id = check_region(tx, req)
    page_number, page_size = paging(req)
    image = get_own(tx, ctx.account_id, region_id, req.required("ImageId"))
    start = (page_number - 1) * page_size
    page = image.shares[start:start + page_size]
    return {
        "ImageId": image.image_id,
        "RegionId": region_id,
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": len(image.shares),
        "Accounts": {"Account": [{"AliyunId": s.account_id, "SharedTime": s.shared_time}
                                 for s in page]},
        "ShareGroups": {"ShareGroup": [{"Group": "all"}] if image.is_public else []},
    }


_FAMILY_IMAGE_FIELDS = (
    "Architecture", "CreationTime", "Description", "DiskDeviceMappings", "ImageFamily", "ImageId",
    "ImageName", "ImageOwnerAlias", "ImageVersion", "IsCopied", "IsSelfShared", "IsSubscribed",
    "IsSupportCloudinit", "IsSupportIoOptimized", "OSName", "OSType", "Platform", "ProductCode",
    "Progress", "Size", "Status", "Tags", "Usage",
)
_FAMILY_MAPPING_FIELDS = ("Device", "Format", "ImportOSSBucket", "ImportOSSObject", "Size",
                          "SnapshotId", "Type")


def _family_image_to_api(full: dict[str, Any]) -> dict[str, Any]:
    """The narrower Image object of DescribeImageFromFamily, cut from DescribeImages' one."""
    shaped = {key: full[key] for key in _FAMILY_IMAGE_FIELDS}
    shaped["DiskDeviceMappings"] = {"DiskDeviceMapping": [
        {key: mapping[key] for key in _FAMILY_MAPPING_FIELDS}
        for mapping in full["DiskDeviceMappings"]["DiskDeviceMapping"]
    ]}
    return shaped


@action("DescribeImageFromFamily", Param("ImageFamily", required=True))
def describe_image_from_family(ctx: Context, req: Request, tx: Transaction) -> Response:
    """The newest Available custom image of the caller in a family, or an empty Image (Rule 44)."""
    region_id = check_region(tx, req)
    family = req.required("ImageFamily")
    now = ctx.now()
    candidates = [
        i for i in tx.iter_group(tables.IMAGES, region_id)
        if i.owner_kind == "custom" and i.owner_id == ctx.account_id
        and i.image_family == family and state(i, now)[0] == m.AVAILABLE
    ]
    if not candidates:
        return {"Image": {}}
    newest = newest_first(candidates, 1)[0]
    used = newest.image_id in used_image_ids(tx, region_id)
    return {"Image": _family_image_to_api(image_to_api(newest, ctx.account_id, now, used))}
