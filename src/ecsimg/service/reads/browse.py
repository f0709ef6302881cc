"""What the TUI reads besides the API: compact image rows, counts per tab, an image's details."""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ecsimg.domain import models as m
from ecsimg.domain.clock import pending_at
from ecsimg.domain.filtering import KINDS, Query
from ecsimg.domain.models import Image
from ecsimg.service.images.visibility import (
    alias_of,
    kind_of,
    not_shareable_reason,
    state,
    used_image_ids,
)
from ecsimg.service.machinery.context import Context
from ecsimg.service.market import price
from ecsimg.service.reads.display_names import public_display_name
from ecsimg.service.reads.fees import FeeLine, SnapshotSizes, fee_lines, monthly_cost
from ecsimg.store import tables
from ecsimg.store.repository import View

__all__ = ["FeeLine", "SnapshotSizes"]

EVENTS_SHOWN = 50
COST_PENDING = math.nan
"""The monthly cost of a row read before the snapshot sizes (the first rows of a large load)."""


@functools.lru_cache(maxsize=4096)
def _os_text(os_name: str, os_name_en: str, platform: str, os_type: str) -> str:
    """One casefolded string per distinct set of OS fields (few in a catalogue)."""
    return f"{os_name}\n{os_name_en}\n{platform}\n{os_type}".casefold()


@dataclass(frozen=True, slots=True, eq=False)
class ImageRow:
    """One image as the list shows it; status and progress are read live with ``row_state``.

    Rows compare by identity: the list finds the cursor's row among 100,000 without comparing
    records field by field.
    """

    image: Image
    kind: str
    usage: str
    """``instance`` when an instance uses the image, else ``none``."""
    monthly_cost: float | None
    """CNY per month of holding or using the image, None when it has no fixed monthly cost,
    ``COST_PENDING`` until the snapshot sizes are read."""
    own_text: str
    """Casefolded name, ID and snapshot IDs: what free text is matched against per image."""
    common_text: str
    """Casefolded OS names, platform and description: one string shared by every image
    with the same ones, so 100,000 rows do not each hold a copy."""
    os_text: str = field(init=False)
    """The OS names (Chinese and English), platform and OS type, casefolded: one shared string
    per distinct set, kept on the row because an ``os:`` term reads it on every row."""

    def __post_init__(self) -> None:
        image = self.image
        object.__setattr__(self, "os_text", _os_text(image.os_name, image.os_name_en,
                                                     image.platform, image.os_type))

    @property
    def search_text(self) -> str:
        return f"{self.own_text}\n{self.common_text}"

    @property
    def key(self) -> str:
        return self.image.key

    @property
    def image_id(self) -> str:
        return self.image.image_id

    @property
    def name(self) -> str:
        return self.image.image_name

    @property
    def os_type(self) -> str:
        return self.image.os_type

    @property
    def display_name(self) -> str:
        """The name the list shows: a public image's short name (its name is its long ID)."""
        if self.kind == "public":
            return public_display_name(self.image.image_id)
        return self.image.image_name

    @property
    def not_shareable_reason(self) -> str:
        """Why the caller cannot share this image ('' for their own custom image)."""
        return not_shareable_reason(self.kind)

    @property
    def os_label(self) -> str:
        return self.image.platform or self.image.os_type

    @property
    def platform(self) -> str:
        return self.image.platform

    @property
    def architecture(self) -> str:
        return self.image.architecture

    @property
    def family(self) -> str:
        return self.image.image_family

    @property
    def size(self) -> int:
        return self.image.size

    @property
    def region_id(self) -> str:
        return self.image.region_id

    @property
    def share_count(self) -> int:
        """How many accounts the image is shared with: only its owner may know (0 else)."""
        return len(self.image.shares) if self.kind == "custom" else 0

    @property
    def tags(self) -> Sequence[tuple[str, str]]:
        return [(t.key, t.value) for t in self.image.tags]


@dataclass(frozen=True)
class RegionRows:
    """The rows the current profile sees in one region (or every region), and where that is."""

    region_id: str
    region_name: str
    account_name: str
    rows: tuple[ImageRow, ...]
    common_texts: frozenset[str] = frozenset()
    """The distinct ``common_text`` of the rows."""

    @property
    def counts(self) -> dict[str, int]:
        """Rows per tab."""
        return count_kinds(self.rows)

    @property
    def every_region(self) -> bool:
        """The rows are of every region (``region_id`` is ``ALL_REGIONS``)."""
        return self.region_id == ALL_REGIONS


@dataclass(frozen=True)
class MappingDetail:
    mapping: m.DiskMapping
    snapshot: m.Snapshot | None
    """The snapshot record (full details only)."""
    snapshot_gib: int | None = None
    """The snapshot's size; None when the disk has no snapshot or it does not exist."""

    @property
    def snapshot_exists(self) -> bool:
        return self.snapshot_gib is not None


@dataclass(frozen=True)
class ShareDetail:
    account_id: str
    account_name: str
    shared_time: str


@dataclass(frozen=True)
class ImageDetails:
    """Everything known about one image, for the details pane and the detail screen."""

    row: ImageRow
    status: str
    progress: int
    remain_seconds: int
    mappings: tuple[MappingDetail, ...]
    shares: tuple[ShareDetail, ...]
    instances: tuple[m.Instance, ...]
    source_instance: m.Instance | None
    source_instance_id: str
    copied_from: str
    copied_from_exists: bool
    copies: tuple[str, ...] = ()
    """``region/image_id`` of copies made from this image (full details only)."""
    events: tuple[m.Event, ...] = ()
    """Newest first (full details only)."""
    fees: tuple[FeeLine, ...] = ()


def row_state(row: ImageRow, now: float) -> tuple[str, int]:
    """Live (status, progress percent) of a row."""
    status, progress, _ = state(row.image, now)
    return status, progress


def is_busy(row: ImageRow, now: float) -> bool:
    image = row.image
    return pending_at(image.creation_time, image.pending_end, now)


FIRST_ROWS_SHARDS = 4
"""Image shards read before the first rows are shown: 1/16 of a large catalogue."""


ALL_REGIONS = "*"
"""The region of a load that reads every region's images (the list's every-region mode)."""


def load(
    ctx: Context,
    region_id: str | None = None,
    on_partial: Callable[[RegionRows, float], None] | None = None,
    sizes: SnapshotSizes | None = None,
) -> RegionRows:
    """The rows of ``region_id`` (default: the profile's region; ``ALL_REGIONS``: every
    region) that the caller can see.

    With ``on_partial``, a large catalogue is read in steps and the rows read so far are
    passed to it once, with the fraction done, so the first screen need not wait for all.
    ``sizes`` keeps the snapshot sizes an earlier load read: only new snapshots are read.
    """
    region_id = region_id or ctx.region_id
    sizes = sizes if sizes is not None else SnapshotSizes()

    def progress(done: int, total: int, view: View) -> None:
        if on_partial is not None and done == FIRST_ROWS_SHARDS:
            on_partial(_build(ctx, view, region_id, None), done / total)

    ctx.repo.preload(tables.IMAGES, progress)
    with ctx.repo.read() as view:
        snapshot_ids = [disk.snapshot_id for image in _images(view, region_id)
                        for disk in image.disk_mappings if disk.snapshot_id]
    sizes.fetch(ctx.repo, snapshot_ids)
    del snapshot_ids
    with ctx.repo.read() as view:
        return _build(ctx, view, region_id, sizes)


def _images(view: View, region_id: str) -> Iterator[Image]:
    """The images of ``region_id``, or of every region (region by region)."""
    if region_id != ALL_REGIONS:
        yield from view.iter_group(tables.IMAGES, region_id)
        return
    for region in view.all(tables.REGIONS):
        yield from view.iter_group(tables.IMAGES, region.region_id)


def _build(ctx: Context, view: View, region_id: str, sizes: SnapshotSizes | None) -> RegionRows:
    """The rows; without ``sizes`` the costs of one's own images are ``COST_PENDING``."""
    account = view.get(tables.ACCOUNTS, ctx.account_id)
    every = region_id == ALL_REGIONS
    region = None if every else view.get(tables.REGIONS, region_id)
    used = {(i.region_id, i.image_id) for i in view.all(tables.INSTANCES)
            if every or i.region_id == region_id}
    book = price.price_book(view)
    products = {p.product_code: p for p in view.all(tables.PRODUCTS)}
    account_id = ctx.account_id
    known = sizes or SnapshotSizes()
    common: dict[tuple[str, ...], str] = {}
    rows: list[ImageRow] = []
    for image in _images(view, region_id):
        kind = kind_of(image, account_id)
        if kind is None:
            continue
        cost = (COST_PENDING if sizes is None and kind == "custom"
                else monthly_cost(image, kind, account_id, book, known, products))
        in_use = (image.region_id, image.image_id) in used
        rows.append(ImageRow(image, kind, "instance" if in_use else "none",
                             cost, _own_text(image), _common_text(image, common)))
    rows.sort(key=lambda r: (r.image.creation_time, r.image_id), reverse=True)
    region_name = "every region" if every else (region.local_name if region else "")
    return RegionRows(region_id, region_name, account.name if account else "", tuple(rows),
                      frozenset(common.values()))


def row_of(ctx: Context, row: ImageRow) -> ImageRow | None:
    """``row`` read again (after a dialog changed it); None when the image is gone."""
    with ctx.repo.read() as view:
        image = view.get(tables.IMAGES, row.key)
        if image is None:
            return None
        kind = kind_of(image, ctx.account_id)
        if kind is None:
            return None
        used = image.image_id in used_image_ids(view, image.region_id)
        products = ({image.product_code: p} if image.product_code and (
            p := view.get(tables.PRODUCTS, image.product_code)) is not None else {})
        sizes = SnapshotSizes()
        sizes.fetch(ctx.repo, [d.snapshot_id for d in image.disk_mappings if d.snapshot_id])
        cost = monthly_cost(image, kind, ctx.account_id, price.price_book(view), sizes, products)
        return ImageRow(image, kind, "instance" if used else "none", cost, _own_text(image),
                        _common_text(image, {}))


def select(rows: Sequence[ImageRow], query: Query, kind: str, now: float) -> list[ImageRow]:
    """The rows of tab ``kind`` that pass ``query``."""
    if kind == "all" and query.is_empty:
        return list(rows)
    chosen = rows if kind == "all" else [r for r in rows if r.kind == kind]
    if query.is_empty:
        return list(chosen)
    return refine(chosen, query, now)


def refine(rows: Sequence[ImageRow], query: Query, now: float,
           common_texts: Collection[str] | None = None) -> list[ImageRow]:
    """The rows that pass ``query``; ``common_texts``: the distinct common texts of ``rows``
    (or more), so that they need not be collected again."""
    if common_texts is None:
        common_texts = set(map(attrgetter("common_text"), rows))
    found = list(rows)
    for word in query.words:
        found = _with_text(found, word, common_texts)
    for word in query.excluded:
        found = _without_text(found, word, common_texts)
    # One pass per term, the live status read only for a status term; the rows left shrink.
    for term in query.terms:
        hit = term.predicate()
        if term.field == "status":
            found = [r for r in found if hit(r, row_state(r, now)[0])]
        else:
            found = [r for r in found if hit(r, "")]
    return found


def _with_text(rows: list[ImageRow], word: str,
               common_texts: Collection[str]) -> list[ImageRow]:
    """The rows whose text holds ``word``: a substring test per row on its own text, and one
    per distinct common text."""
    hits = {text for text in common_texts if word in text}
    if hits:
        return [r for r in rows if word in r.own_text or r.common_text in hits]
    return [r for r in rows if word in r.own_text]


def _without_text(rows: list[ImageRow], word: str,
                  common_texts: Collection[str]) -> list[ImageRow]:
    """The rows whose text does not hold ``word`` (the complement of ``_with_text``)."""
    hits = {text for text in common_texts if word in text}
    if hits:
        return [r for r in rows if word not in r.own_text and r.common_text not in hits]
    return [r for r in rows if word not in r.own_text]


def count_kinds(rows: Sequence[ImageRow]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    counts.update(Counter(map(attrgetter("kind"), rows)))
    counts["all"] = len(rows)
    return counts


def details(ctx: Context, row: ImageRow, *, full: bool = False,
            sizes: SnapshotSizes | None = None) -> ImageDetails:
    """An image's disks, shares, instances and lineage; ``full`` adds copies and events.

    Only what the caller's account may see through the API: the share list of its own images
    (DescribeImageSharePermission answers only the owner), its own instances, the copies it
    can see and its own events.

    With ``sizes`` (the loaded rows' snapshot sizes) the pane's details read no snapshot
    record; the full details read the records, for their size and creation time.
    """
    image = row.image
    status, progress, remain = state(image, ctx.now())
    snapshot_ids = [d.snapshot_id for d in image.disk_mappings if d.snapshot_id]
    sizes = sizes if sizes is not None else SnapshotSizes()
    records: dict[str, m.Snapshot] = {}
    if full:
        records = sizes.records(ctx.repo, snapshot_ids)
    else:
        sizes.fetch(ctx.repo, snapshot_ids)
    with ctx.repo.read() as view:
        mappings = tuple(
            MappingDetail(d, records.get(d.snapshot_id),
                          sizes.get(d.snapshot_id) if d.snapshot_id else None)
            for d in image.disk_mappings)
        account_id = ctx.account_id
        own = image.owner_kind == "custom" and image.owner_id == account_id
        shares = tuple(ShareDetail(s.account_id, _account_name(view, s.account_id), s.shared_time)
                       for s in image.shares) if own else ()
        instances = tuple(i for i in view.all(tables.INSTANCES)
                          if i.region_id == image.region_id and i.image_id == image.image_id
                          and i.owner_id == account_id)
        source = (view.get(tables.INSTANCES, image.source_instance_id)
                  if image.source_instance_id else None)
        if source is not None and source.owner_id != account_id:
            source = None
        copied_exists = bool(image.copied_from) and view.get(
            tables.IMAGES, image.copied_from) is not None
        copies: tuple[str, ...] = ()
        events: tuple[m.Event, ...] = ()
        if full:
            copies = tuple(sorted(i.key for i in view.all(tables.IMAGES)
                                  if i.copied_from == image.key
                                  and alias_of(i, account_id) is not None))
            touching = [e for e in view.all(tables.EVENTS) if image.image_id in e.resource_ids
                        and e.account_id == account_id]
            touching.sort(key=lambda e: e.event_id, reverse=True)
            events = tuple(touching[:EVENTS_SHOWN])
        fees = tuple(fee_lines(view, ctx.account_id, image, sizes))
    return ImageDetails(row, status, progress, remain, mappings, shares, instances, source,
                        image.source_instance_id, image.copied_from, copied_exists, copies,
                        events, fees)


def region_ids(ctx: Context) -> list[tuple[str, str]]:
    """(region id, local name) of every region, for the palette and the region switcher."""
    with ctx.repo.read() as view:
        return [(r.region_id, r.local_name) for r in view.all(tables.REGIONS)]


def _own_text(image: Image) -> str:
    parts = [image.image_name, image.image_id]
    parts.extend(d.snapshot_id for d in image.disk_mappings if d.snapshot_id)
    return "\n".join(parts).casefold()


def _common_text(image: Image, known: dict[tuple[str, ...], str]) -> str:
    """The casefolded OS names, description and platform, one string per distinct set."""
    key = (image.os_name, image.os_name_en, image.description, image.platform)
    found = known.get(key)
    if found is None:
        found = known[key] = "\n".join(key).casefold()
    return found


def _account_name(view: View, account_id: str) -> str:
    account = view.get(tables.ACCOUNTS, account_id)
    return account.name if account else ""


def recent_events(ctx: Context, limit: int = 200) -> list[m.Event]:
    """The latest mutating calls of the caller's account (any of its profiles), newest first,
    for the log: another account's activity is not the caller's to see."""
    with ctx.repo.read() as view:
        found = sorted((e for e in view.all(tables.EVENTS) if e.account_id == ctx.account_id),
                       key=lambda e: e.event_id, reverse=True)
    return found[:max(limit, 0)]
