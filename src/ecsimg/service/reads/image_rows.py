"""The list's rows: one image as the list shows, sorts and filters it, read from the few fields
of its stored document that the list needs (``document_fields``), its record read on demand."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from ecsimg.domain import models as m
from ecsimg.domain.clock import pending_at
from ecsimg.domain.filtering import KINDS
from ecsimg.domain.models import Image
from ecsimg.service.images.visibility import not_shareable_reason, state
from ecsimg.service.reads.display_names import public_display_name
from ecsimg.service.reads.fees import estimated_cost
from ecsimg.store import tables
from ecsimg.store.columns import Accepted, ListOf


@functools.lru_cache(maxsize=4096)
def os_text_of(os_name: str, os_name_en: str, platform: str, os_type: str) -> str:
    """One casefolded string per distinct set of OS fields (few in a catalogue)."""
    return f"{os_name}\n{os_name_en}\n{platform}\n{os_type}".casefold()


_TAG_SETS: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
"""One tuple per distinct set of tags: 100,000 images carry a few hundred sets."""
_TAG_SETS_KEPT = 1 << 16


def shared_tags(tags: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    found = _TAG_SETS.get(tags)
    if found is None:
        if len(_TAG_SETS) >= _TAG_SETS_KEPT:
            _TAG_SETS.clear()
        found = _TAG_SETS[tags] = tags
    return found

ImageSource = Callable[[str], "Image | None"]
"""Reads the stored image record under a key (for a row's full record, on demand)."""


_OWNER_KINDS: dict[str, m.OwnerKind] = {
    "public": "system", "marketplace": "marketplace", "custom": "custom"}
_ARCHITECTURES: dict[str, Literal["i386", "x86_64", "arm64"]] = {
    "i386": "i386", "x86_64": "x86_64", "arm64": "arm64"}


class ImageRow:
    """One image as the list shows it: the few fields the list shows, sorts and filters on,
    read from the stored document without decoding the record; the record itself is read
    on demand (``image``). Status and progress are read live with ``row_state``.

    Rows compare by identity: the list finds the cursor's row among 100,000 without comparing
    records field by field.
    """

    __slots__ = (
        "_at", "_image", "_source", "architecture", "common_text", "creation_time", "family",
        "image_id", "image_name", "key", "kind", "monthly_cost", "os_name", "os_name_en",
        "os_text", "os_type", "own_text", "pending_end", "pending_start", "platform",
        "product_code", "region_id", "share_count", "size", "status", "tags", "usage",
    )

    kind: str
    usage: str
    """``instance`` when an instance uses the image, else ``none``."""
    monthly_cost: float | None
    """CNY per month of holding or using the image, None when it has no fixed monthly cost."""
    own_text: str
    """Casefolded name, ID and snapshot IDs: what free text is matched against per image."""
    common_text: str
    """Casefolded OS names, platform and description: one string shared by every image
    with the same ones, so 100,000 rows do not each hold a copy."""
    os_text: str
    """The OS names (Chinese and English), platform and OS type, casefolded: one shared string
    per distinct set, kept on the row because an ``os:`` term reads it on every row."""
    tags: tuple[tuple[str, str], ...]
    os_type: str
    architecture: str
    share_count: int
    """How many accounts the image is shared with: only its owner may know (0 else)."""

    def __init__(self, image: Image, kind: str, usage: str, monthly_cost: float | None,
                 own_text: str, common_text: str, source: ImageSource | None = None) -> None:
        """The row of ``image`` (a record, or a stand-in that reads fields on demand);
        ``source`` reads the record again for ``image`` (else ``image`` is kept)."""
        self.key = f"{image.region_id}/{image.image_id}"
        self.image_id = image.image_id
        self.region_id = image.region_id
        self.image_name = image.image_name
        self.kind = kind
        self.usage = usage
        self.monthly_cost = monthly_cost
        self.own_text = own_text
        self.common_text = common_text
        self.os_name = image.os_name
        self.os_name_en = image.os_name_en
        self.os_type = image.os_type
        self.platform = image.platform
        self.os_text = os_text_of(self.os_name, self.os_name_en, self.platform, self.os_type)
        self.architecture = image.architecture
        self.family = image.image_family
        self.size = image.size
        self.creation_time = image.creation_time
        self.status = image.status
        self.pending_start = image.pending_start
        self.pending_end = image.pending_end
        self.product_code = image.product_code
        self.tags = tuple((t.key, t.value) for t in image.tags) if image.tags else ()
        self.share_count = len(image.shares) if kind == "custom" else 0
        self._source = source
        self._image = None if source is not None else image
        self._at = -1
        """Where a ``RowTable`` keeps the row (-1: in none)."""

    @property
    def image(self) -> Image:
        """The full stored record, read on first use and kept. An image deleted since the row
        was read gives a record of the row's own fields (what acts on it is then refused by
        the service as for any image that does not exist)."""
        image = self._image
        if image is None:
            source = self._source
            image = source(self.key) if source is not None else None
            if image is None:
                image = self._as_record()
            self._image = image
        return image

    def _as_record(self) -> Image:
        return Image(
            region_id=self.region_id, image_id=self.image_id, image_name=self.image_name,
            owner_kind=_OWNER_KINDS.get(self.kind, "custom"), owner_id="",
            os_type="windows" if self.os_type == "windows" else "linux",
            platform=self.platform, os_name=self.os_name, os_name_en=self.os_name_en,
            architecture=_ARCHITECTURES.get(self.architecture, "x86_64"), size=self.size,
            creation_time=self.creation_time, status=self.status,
            image_family=self.family, product_code=self.product_code,
            tags=tuple(m.Tag(k, v) for k, v in self.tags),
            pending_start=self.pending_start, pending_end=self.pending_end)

    @property
    def search_text(self) -> str:
        return f"{self.own_text}\n{self.common_text}"

    @property
    def name(self) -> str:
        return self.image_name

    @property
    def display_name(self) -> str:
        """The name the list shows: a public image's short name (its name is its long ID)."""
        if self.kind == "public":
            return public_display_name(self.image_id)
        return self.image_name

    @property
    def not_shareable_reason(self) -> str:
        """Why the caller cannot share this image ('' for their own custom image)."""
        return not_shareable_reason(self.kind)

    @property
    def os_label(self) -> str:
        return self.platform or self.os_type


@dataclass(frozen=True)
class RegionRows:
    """The rows the current profile sees in one region (or every region), and where that is."""

    region_id: str
    region_name: str
    account_name: str
    rows: Sequence[ImageRow]
    """Newest first (by creation time, then image ID); a ``RowTable`` as loaded."""
    common_texts: frozenset[str] = frozenset()
    """The distinct ``common_text`` of the rows."""
    keep: Callable[[], None] | None = field(default=None, compare=False)
    """Keeps the rows worked out for this load beside the catalogue, for the next load to
    read back (``browse.load``); for the caller to call once it has shown them. None when
    every row was read back."""

    @property
    def counts(self) -> dict[str, int]:
        """Rows per tab."""
        from ecsimg.service.reads.row_table import columns_of
        return count_kinds(columns_of(self.rows, "kind"))

    @property
    def every_region(self) -> bool:
        """The rows are of every region (``region_id`` is ``ALL_REGIONS``)."""
        return self.region_id == ALL_REGIONS


def row_progress(row: ImageRow, now: float) -> tuple[str, int, int]:
    """Live (status, progress percent, seconds left) of a row, as its details give them."""
    return state(row, now)


def row_state(row: ImageRow, now: float) -> tuple[str, int]:
    """Live (status, progress percent) of a row."""
    status, progress, _ = row_progress(row, now)
    return status, progress


def is_busy(row: ImageRow, now: float) -> bool:
    return pending_at(row.creation_time, row.pending_end, now)


def is_busy_status(status: str) -> bool:
    """``status`` is one an image has only while it is being made (Waiting, Creating)."""
    return status in (m.WAITING, m.CREATING)


ALL_REGIONS = "*"
"""The region of a load that reads every region's images (the list's every-region mode)."""


LIST_FIELDS = "list-columns-1"
"""The name of the kept projection of ``document_fields`` (as columns, see
``store.columns``): a new name whenever either changes."""


FIELD_COUNT = 27
"""How many fields ``document_fields`` gives."""


class Field:
    """Where each field is in the lists ``document_fields`` gives."""

    (ID, REGION, NAME, OWNER_KIND, OWNER_ID, PUBLIC, SHARED_WITH, OS_NAME, OS_NAME_EN, OS_TYPE,
     PLATFORM, ARCH, FAMILY, SIZE, CREATED, STATUS, PENDING_START, PENDING_END, PRODUCT, TAGS,
     DESCRIPTION, LICENSE_OS, LICENSE_TYPE, DISK_SNAPSHOT, DISK_GIB, DISKS,
     OWN_TEXT) = range(FIELD_COUNT)


_TEXT: Accepted = frozenset({str})
_WHOLE: Accepted = frozenset({int})
_SECONDS: Accepted = frozenset({float, int})
"""Epoch seconds: a float, or an int where a whole second was stored."""

_NOT_TEXT: dict[int, Accepted] = {
    Field.PUBLIC: frozenset({bool}), Field.SHARED_WITH: ListOf(_TEXT), Field.SIZE: _WHOLE,
    Field.PENDING_START: _SECONDS, Field.PENDING_END: _SECONDS, Field.DISK_GIB: _WHOLE,
    Field.DISKS: ListOf(ListOf((_TEXT, _WHOLE, _TEXT))),  # (device, GiB, snapshot ID) each
}
FIELD_TYPES: tuple[Accepted, ...] = tuple(_NOT_TEXT.get(field, _TEXT)
                                          for field in range(FIELD_COUNT))
"""The types of each field ``document_fields`` gives, in ``Field``'s order (text but for
``_NOT_TEXT``): a kept projection with values of others is not used."""


def document_fields(key: str, doc: dict[str, Any]) -> list[Any]:
    """What the list reads of a stored image document, the same for every caller (so it can
    be kept per shard, see ``Repository.project``): its fields in ``Field``'s order, the
    accounts it is shared with, its disks, its own text. An image of one disk (most) gives
    that disk's snapshot ID and GiB and no list of disks; another, its disks as (device, GiB,
    snapshot ID), so that the snapshot GiB of most images is worked out column-wise."""
    get = doc.get
    defaults = _IMAGE_DEFAULTS
    disks = get("disk_mappings") or ()
    disk_fields = [[d.get("device", ""), d.get("size", 0), d.get("snapshot_id", "")]
                   for d in disks]
    image_id = doc["image_id"]
    return [
        image_id, doc["region_id"], doc["image_name"], doc["owner_kind"], doc["owner_id"],
        get("is_public", False), [s["account_id"] for s in get("shares") or ()],
        doc["os_name"], doc["os_name_en"], doc["os_type"], doc["platform"],
        doc["architecture"], get("image_family", defaults["image_family"]), doc["size"],
        doc["creation_time"], get("status", defaults["status"]),
        get("pending_start", 0.0), get("pending_end", 0.0), get("product_code", ""),
        _tags_text(get("tags")),
        get("description", ""), get("license_os", ""),
        get("license_type", defaults["license_type"]),
        *((disk_fields[0][2], disk_fields[0][1], []) if len(disk_fields) == 1
          else ("", 0, disk_fields)),
        own_text(doc["image_name"], image_id, [sid for _, _, sid in disk_fields if sid]),
    ]


_IMAGE_DEFAULTS = tables.IMAGES.codec.defaults


def _tags_text(tags: list[dict[str, str]] | None) -> str:
    """The tags as JSON text (``[[key, value], ...]``, '' for none): one string per image,
    so that a load finds each distinct set by a dictionary lookup, not by building lists."""
    if not tags:
        return ""
    pairs = [[t["key"], t.get("value", "")] for t in tags]
    if not all(type(key) is str and type(value) is str for key, value in pairs):
        raise TypeError("a tag's key and value are text")  # the record is named by the store
    return orjson.dumps(pairs).decode()


def own_text(name: str, image_id: str, snapshot_ids: list[str]) -> str:
    return "\n".join((name, image_id, *snapshot_ids)).casefold()


def common_text(image: Image, known: dict[tuple[str, ...], str]) -> str:
    """The casefolded OS names, description and platform, one string per distinct set."""
    return common_text_of((image.os_name, image.os_name_en, image.description, image.platform),
                           known)


def common_text_of(key: tuple[str, ...], known: dict[tuple[str, ...], str]) -> str:
    found = known.get(key)
    if found is None:
        found = known[key] = "\n".join(key).casefold()
    return found


def count_kinds(kinds: Collection[str]) -> dict[str, int]:
    """Rows per tab, from the rows' kinds."""
    counts = dict.fromkeys(KINDS, 0)
    counts.update(Counter(kinds))
    counts["all"] = len(kinds)
    return counts


class Costs:
    """The list's CNY/mo, computed once per distinct set of what it depends on (the 88,330
    rows of the benchmark's 100,000 images have 3,886), by the fee module's rules
    (``fees.monthly_cost``)."""

    def __init__(self, account_id: str, book: m.PriceBook,
                 products: dict[str, m.MarketplaceProduct]) -> None:
        self.account_id = account_id
        self.book = book
        self.products = products
        self._memo: dict[tuple[Any, ...], float | None] = {}

    def of(self, key: tuple[Any, ...], storage_gib: int) -> float | None:
        memo_key = (*key, storage_gib)
        if memo_key in self._memo:
            return self._memo[memo_key]
        own, region_id, license_os, license_type, product_code = key
        # An image that holds only what the cost depends on.
        probe = Image(region_id=region_id, image_id="", image_name="",
                      owner_kind="custom" if own else "system",
                      owner_id=self.account_id if own else "", os_type="linux", platform="",
                      os_name="", os_name_en="", architecture="x86_64", size=0,
                      creation_time="", license_os=license_os, license_type=license_type,
                      product_code=product_code)
        cost = self._memo[memo_key] = estimated_cost(probe, self.account_id, self.book,
                                                     storage_gib, self.products)
        return cost
