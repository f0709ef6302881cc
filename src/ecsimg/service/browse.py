"""What the TUI reads besides the API: compact image rows, counts per tab, an image's details."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from ecsimg.domain import models as m
from ecsimg.domain.filtering import KINDS, Query
from ecsimg.domain.models import Image
from ecsimg.service.context import Context
from ecsimg.service.images import kind_of, state, used_image_ids
from ecsimg.store import tables
from ecsimg.store.repository import View

HOURS_PER_MONTH = 730
EVENTS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class ImageRow:
    """One image as the list shows it; status and progress are read live with ``row_state``."""

    image: Image
    kind: str
    usage: str
    """``instance`` when an instance uses the image, else ``none``."""
    monthly_cost: float | None
    """CNY per month of holding or using the image, None when it has no fixed monthly cost."""
    search_text: str

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
        return len(self.image.shares)

    @property
    def tags(self) -> Sequence[tuple[str, str]]:
        return [(t.key, t.value) for t in self.image.tags]


@dataclass(frozen=True)
class Browse:
    """The rows the current profile sees in the current region, with who and where it is."""

    profile_name: str
    account_id: str
    account_name: str
    region_id: str
    region_name: str
    location: str
    read_only: bool
    rows: tuple[ImageRow, ...]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: float | None
    """CNY; None when the line is information, not money."""
    note: str = ""


@dataclass(frozen=True)
class MappingDetail:
    mapping: m.DiskMapping
    snapshot: m.Snapshot | None


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
    return bool(image.pending_end) and now < image.pending_end


FIRST_ROWS_SHARDS = 4
"""Image shards read before the first rows are shown: 1/16 of a large catalogue."""


def load(
    ctx: Context,
    region_id: str | None = None,
    on_partial: Callable[[Browse, float], None] | None = None,
) -> Browse:
    """The rows of ``region_id`` (default: the profile's region) that the caller can see.

    With ``on_partial``, a large catalogue is read in steps and the rows read so far are
    passed to it once, with the fraction done, so the first screen need not wait for all.
    """
    region_id = region_id or ctx.region_id

    def progress(done: int, total: int, view: View) -> None:
        if on_partial is not None and done == FIRST_ROWS_SHARDS:
            on_partial(_build(ctx, view, region_id), done / total)

    ctx.repo.preload(tables.IMAGES, progress)
    with ctx.repo.read() as view:
        return _build(ctx, view, region_id)


def _build(ctx: Context, view: View, region_id: str) -> Browse:
    account = view.get(tables.ACCOUNTS, ctx.account_id)
    region = view.get(tables.REGIONS, region_id)
    used = used_image_ids(view, region_id)
    snapshot_price = _snapshot_price(view, region_id)
    products = {p.product_code: p for p in view.all(tables.PRODUCTS)}
    rows: list[ImageRow] = []
    counts = dict.fromkeys(KINDS, 0)
    for image in view.iter_group(tables.IMAGES, region_id):
        kind = kind_of(image, ctx.account_id)
        if kind is None:
            continue
        counts[kind] += 1
        rows.append(ImageRow(
            image, kind, "instance" if image.image_id in used else "none",
            _monthly_cost(image, kind, snapshot_price, products), _search_text(image)))
    counts["all"] = len(rows)
    rows.sort(key=lambda r: (r.image.creation_time, r.image.image_id), reverse=True)
    return Browse(ctx.profile.name, ctx.account_id, account.name if account else "",
                  region_id, region.local_name if region else "", str(ctx.repo.location),
                  ctx.is_read_only, tuple(rows), counts)


def select(rows: Sequence[ImageRow], query: Query, kind: str, now: float) -> list[ImageRow]:
    """The rows of tab ``kind`` that pass ``query``."""
    if kind == "all" and query.is_empty:
        return list(rows)
    chosen = rows if kind == "all" else [r for r in rows if r.kind == kind]
    if query.is_empty:
        return list(chosen)
    if not query.terms:
        # The common case, a few words typed: a plain substring test per row.
        words = query.words
        return [r for r in chosen if all(word in r.search_text for word in words)]
    if not query.needs_status:
        return [r for r in chosen if query.matches(r, "")]
    return [r for r in chosen if query.matches(r, row_state(r, now)[0])]


def count_kinds(rows: Sequence[ImageRow]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for row in rows:
        counts[row.kind] += 1
    counts["all"] = len(rows)
    return counts


def details(ctx: Context, row: ImageRow, *, full: bool = False) -> ImageDetails:
    """An image's disks, shares, instances and lineage; ``full`` adds copies and events."""
    image = row.image
    status, progress, remain = state(image, ctx.now())
    with ctx.repo.read() as view:
        mappings = tuple(MappingDetail(d, view.get(tables.SNAPSHOTS, d.snapshot_id)
                                       if d.snapshot_id else None) for d in image.disk_mappings)
        shares = tuple(ShareDetail(s.account_id, _account_name(view, s.account_id), s.shared_time)
                       for s in image.shares)
        instances = tuple(i for i in view.all(tables.INSTANCES)
                          if i.region_id == image.region_id and i.image_id == image.image_id)
        source = (view.get(tables.INSTANCES, image.source_instance_id)
                  if image.source_instance_id else None)
        copied_exists = bool(image.copied_from) and view.get(
            tables.IMAGES, image.copied_from) is not None
        copies: tuple[str, ...] = ()
        events: tuple[m.Event, ...] = ()
        if full:
            copies = tuple(sorted(i.key for i in view.all(tables.IMAGES)
                                  if i.copied_from == image.key))
            touching = [e for e in view.all(tables.EVENTS) if image.image_id in e.resource_ids]
            touching.sort(key=lambda e: e.event_id, reverse=True)
            events = tuple(touching[:EVENTS_SHOWN])
        fees = tuple(fee_lines(view, row))
    return ImageDetails(row, status, progress, remain, mappings, shares, instances, source,
                        image.source_instance_id, image.copied_from, copied_exists, copies,
                        events, fees)


def fee_lines(view: View, row: ImageRow) -> list[FeeLine]:
    """The fee preview for a row: the price module's when it offers one, else list prices."""
    price = _price_module()
    preview = getattr(price, "image_fee_lines", None) if price else None
    if callable(preview):
        return list(preview(view, row.image))
    image = row.image
    book = view.get(tables.PRICE_BOOK, "price_book") or m.PriceBook()
    lines: list[FeeLine] = []
    if image.license_os:
        hourly = book.licence_per_vcpu_hour.get(image.license_os)
        if hourly is not None:
            lines.append(FeeLine(f"{image.license_os} licence", hourly * HOURS_PER_MONTH,
                                 "per vCPU per month"))
    if image.owner_kind == "marketplace" and image.product_code:
        product = view.get(tables.PRODUCTS, image.product_code)
        if product is not None:
            lines.append(FeeLine(f"marketplace ({product.pricing_model})", product.price,
                                 product.supplier_name))
    snapshot_gib = sum(d.size for d in image.disk_mappings if d.snapshot_id)
    if row.kind == "custom" and snapshot_gib:
        lines.append(FeeLine(f"snapshots {snapshot_gib} GiB",
                             snapshot_gib * _snapshot_price(view, image.region_id), "per month"))
    if not lines:
        lines.append(FeeLine("no image fees", None, "instance and disk prices apply"))
    return lines


def region_ids(ctx: Context) -> list[tuple[str, str]]:
    """(region id, local name) of every region, for the palette and the region switcher."""
    with ctx.repo.read() as view:
        return [(r.region_id, r.local_name) for r in view.all(tables.REGIONS)]


def profiles(ctx: Context) -> list[tuple[m.Profile, str]]:
    """Every profile with its account's name."""
    with ctx.repo.read() as view:
        return [(p, _account_name(view, p.account_id))
                for p in sorted(view.all(tables.PROFILES), key=lambda p: p.name)]


def _price_module() -> ModuleType | None:
    # service/price.py is written separately; browse works with list prices until it offers more.
    try:
        return importlib.import_module("ecsimg.service.price")
    except ImportError:
        return None


def _snapshot_price(view: View, region_id: str) -> float:
    book = view.get(tables.PRICE_BOOK, "price_book") or m.PriceBook()
    prices = book.snapshot_per_gib_month
    return prices.get(region_id, prices.get("*", 0.0))


def _monthly_cost(image: Image, kind: str, snapshot_price: float,
                  products: dict[str, m.MarketplaceProduct]) -> float | None:
    if kind == "custom":
        return sum(d.size for d in image.disk_mappings if d.snapshot_id) * snapshot_price
    if kind == "marketplace":
        product = products.get(image.product_code)
        if product is None or product.pricing_model == "free":
            return 0.0 if product else None
        if product.pricing_model == "subscription":
            return product.price
        if product.pricing_model == "hourly":
            return product.price * HOURS_PER_MONTH
    return None


def _search_text(image: Image) -> str:
    parts = [image.image_name, image.image_id, image.os_name, image.os_name_en,
             image.description, image.platform]
    parts.extend(d.snapshot_id for d in image.disk_mappings if d.snapshot_id)
    return "\n".join(parts).casefold()


def _account_name(view: View, account_id: str) -> str:
    account = view.get(tables.ACCOUNTS, account_id)
    return account.name if account else ""


def busy_status(status: str) -> bool:
    return status in (m.WAITING, m.CREATING)


def recent_events(ctx: Context, limit: int = 200) -> list[m.Event]:
    """The catalogue's latest mutating calls (every profile's), newest first, for the log."""
    with ctx.repo.read() as view:
        found = sorted(view.all(tables.EVENTS), key=lambda e: e.event_id, reverse=True)
    return found[:max(limit, 0)]
