"""What the TUI reads besides the API: its rows (read from the kept projections as a table of
columns, see ``row_table``), an image's details, the activity log. The rows are filtered by
``row_filter``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecsimg.domain import models as m
from ecsimg.domain.models import Image
from ecsimg.service.images.visibility import (
    alias_of,
    kind_of,
    state,
    used_image_ids,
)
from ecsimg.service.machinery.context import Context
from ecsimg.service.market import price
from ecsimg.service.reads.fees import (
    FeeLine,
    SnapshotSizes,
    fee_lines,
    monthly_cost,
)
from ecsimg.service.reads.image_rows import (
    ALL_REGIONS,
    FIELD_TYPES,
    LIST_FIELDS,
    Costs,
    ImageRow,
    ImageSource,
    RegionRows,
    common_text,
    document_fields,
    own_text,
)
from ecsimg.service.reads.row_table import RowTable, TableBuilder
from ecsimg.store import tables
from ecsimg.store.repository import View

__all__ = ["FeeLine", "SnapshotSizes"]

EVENTS_SHOWN = 50


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


FIRST_ROWS_SHARDS = 1
"""Image shards read before the first rows are shown: 1/64 of a large catalogue, over a
thousand rows at 100,000 images, more than a screen; the rest follow in the same read."""


def load(
    ctx: Context,
    region_id: str | None = None,
    on_partial: Callable[[RegionRows, float], None] | None = None,
    sizes: SnapshotSizes | None = None,
) -> RegionRows:
    """The rows of ``region_id`` (default: the profile's region; ``ALL_REGIONS``: every
    region) that the caller can see.

    The rows are read from the stored documents a shard at a time, a few fields each, with no
    image record decoded or kept (``ImageRow.image`` reads one on demand). With
    ``on_partial``, the rows read so far are passed to it once, with the fraction done, so
    the first screen need not wait for all.

    A shard's rows, worked out from its fields, the instances and the snapshots' sizes, are
    kept by the store and read back while none of these changed (``TableBuilder``): 0.3 s
    instead of 1.3 at 100,000 images. Rows worked out are kept by the result's ``keep``,
    which the caller calls once it has shown them (writing them all is 0.15 s at 100,000).

    ``sizes`` is filled with every snapshot's size when a shard's rows are made again; when
    none was, it is read on the first ``fetch`` (the details').
    """
    region_id = region_id or ctx.region_id
    sizes = sizes if sizes is not None else SnapshotSizes()
    every = region_id == ALL_REGIONS
    with ctx.repo.read() as view:
        account = view.get(tables.ACCOUNTS, ctx.account_id)
        region = None if every else view.get(tables.REGIONS, region_id)
        costs = Costs(ctx.account_id, price.price_book(view),
                       {p.product_code: p for p in view.all(tables.PRODUCTS)})

    def inputs() -> tuple[set[tuple[str, str]], SnapshotSizes]:
        with ctx.repo.read() as view:
            used = {(i.region_id, i.image_id) for i in view.all(tables.INSTANCES)
                    if every or i.region_id == region_id}
        sizes.fetch_all(ctx.repo)
        return used, sizes

    builder = TableBuilder(ctx.account_id, costs, _image_source(ctx), inputs)

    def collect(part: list[list[Any]], done: int, total: int) -> None:
        builder.extend(part)
        if on_partial is not None and done == FIRST_ROWS_SHARDS and done < total:
            on_partial(_region_rows(region_id, region, account, builder.table(copy=True),
                                    builder.common_texts), done / total)

    group = None if every else region_id
    later: list[Callable[[], None]] = []
    ctx.repo.project_derived(tables.IMAGES, group, document_fields, FIELD_TYPES,
                             builder.derivation([group], (tables.INSTANCES, tables.SNAPSHOTS)),
                             collect, cache=LIST_FIELDS, check=builder.read_tags, later=later)
    if not builder.read_inputs:
        sizes.fetch_later()  # every shard's rows were kept: the details read the sizes

    def keep() -> None:
        while later:  # once: what was made is let go as it is kept
            later.pop()()

    return _region_rows(region_id, region, account, builder.table(), builder.common_texts,
                        keep if later else None)


def _region_rows(region_id: str, region: m.Region | None, account: m.Account | None,
                 rows: RowTable, common: set[str],
                 keep: Callable[[], None] | None = None) -> RegionRows:
    every = region_id == ALL_REGIONS
    region_name = "every region" if every else (region.local_name if region else "")
    return RegionRows(region_id, region_name, account.name if account else "", rows,
                      frozenset(common), keep)


def _image_source(ctx: Context) -> ImageSource:
    def read(key: str) -> Image | None:
        with ctx.repo.read() as view:
            return view.get(tables.IMAGES, key)
    return read


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
        text = own_text(image.image_name, image.image_id,
                        [d.snapshot_id for d in image.disk_mappings if d.snapshot_id])
        return ImageRow(image, kind, "instance" if used else "none", cost, text,
                        common_text(image, {}))


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
