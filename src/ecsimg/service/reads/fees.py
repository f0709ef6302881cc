"""What the list and the fee pane say an image costs, from the price module's rules (Rule 110).

The list shows a monthly cost for every row, so snapshot sizes for 100,000 images are read as
one field per snapshot into a map of sizes instead of keeping every Snapshot record in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import countOf
from typing import Any

from ecsimg.domain import fees
from ecsimg.domain.errors import ApiError
from ecsimg.domain.models import Image, MarketplaceProduct, PriceBook, Snapshot
from ecsimg.service.market import price
from ecsimg.service.market import purchases as market
from ecsimg.store import tables
from ecsimg.store.columns import Accepted, Column, Derivation
from ecsimg.store.repository import Repository, View

PER_MONTH = "CNY/mo"
ONE_TIME = "CNY one-time"
ESTIMATE_TITLE = (f"Fees: {fees.ESTIMATE_VCPUS} vCPU x 1 month ({fees.HOURS_PER_MONTH} h), "
                  f"{PER_MONTH}")
"""The one question the list's CNY/mo column, the fee pane and the detail view answer."""


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: float | None
    """CNY; None when the line is information, not money."""
    note: str = ""
    unit: str = PER_MONTH
    """The amount's unit and period: CNY/mo, or CNY one-time."""
    total: bool = False
    how: str = ""
    """The kind of ``note`` when it is a domain fee line's detail (see ``fees.DETAILS``)."""
    values: tuple[tuple[str, fees.DetailValue], ...] = ()


SNAPSHOT_SIZES = "snapshot-sizes-2"
"""The name of the kept projection of ``_snapshot_size``: a new name whenever it changes."""


def _snapshot_size(key: str, doc: dict[str, Any]) -> list[Any]:
    return [key, doc["size"]]


SNAPSHOT_TYPES: tuple[Accepted, ...] = (frozenset({str}), frozenset({int}))
"""The types of what ``_snapshot_size`` gives: a snapshot ID and its GiB."""

SIZES_KEPT = "snapshot-gib-1"
"""The name the sizes of each shard's snapshots are kept under as ``marshal`` (``SIZES``),
read back several times quicker than their projection: a new name whenever they change."""


def _sizes_of(part: list[Column]) -> list[list[Any]]:
    """A shard's snapshot IDs and their GiB, as two lists."""
    snapshot_ids, gib = part
    return [list(snapshot_ids.values), list(gib.values)]


def _accepted_sizes(value: Any) -> list[list[Any]] | None:
    """What ``_sizes_of`` gave, read back: two lists as long, of text and of whole GiB."""
    if (type(value) is not list or len(value) != 2 or countOf(map(type, value), list) != 2
            or len(value[0]) != len(value[1])
            or countOf(map(type, value[1]), int) != len(value[1])):
        return None
    try:  # a C loop that stops at the first ID that is not text
        "".join(value[0])
    except TypeError:
        return None
    return value


SIZES = Derivation(SIZES_KEPT, (), (), _sizes_of, _accepted_sizes)


class SnapshotSizes:
    """GiB of snapshots by ID (None: no such snapshot), read as one field per snapshot so the
    list's costs need not hold 140,000 Snapshot records."""

    def __init__(self) -> None:
        self._sizes: dict[str, int | None] = {}
        self._by_shard: set[str] | None = None
        """After ``fetch_later``, the shards whose sizes were read since."""

    def __contains__(self, snapshot_id: object) -> bool:
        return snapshot_id in self._sizes

    def get(self, snapshot_id: str) -> int | None:
        return self._sizes.get(snapshot_id)

    @property
    def lookup(self) -> Callable[[str], int | None]:
        """``get`` as the mapping's own method: called per image without a call of ours."""
        return self._sizes.get

    def known(self, snapshot_id: str) -> bool:
        """Whether the snapshot exists (as far as the last read knew)."""
        return self._sizes.get(snapshot_id) is not None

    def fetch_later(self) -> None:
        """Forget every size read: ``fetch`` then reads the sizes of every snapshot of each
        shard it needs, as kept by the store (``SIZES``: 17,500 sizes in 7 ms at 100,000
        images), not the shard's whole records (5 MB of JSON, 35 MB once parsed)."""
        self._sizes = {}
        self._by_shard = set()

    def fetch(self, repo: Repository, snapshot_ids: Iterable[str]) -> None:
        """Read the sizes of the snapshots not read before."""
        missing = [i for i in snapshot_ids if i not in self._sizes]
        if missing and self._by_shard is not None:
            shards = {tables.SNAPSHOTS.shard_of(i) for i in missing} - self._by_shard
            if shards:
                self._project(repo, shards, self._sizes)
                self._by_shard |= shards
            # Every snapshot of those shards is known now: one not among them is none.
            self._sizes.update((i, None) for i in missing if i not in self._sizes)
        elif missing:
            self._sizes.update(repo.field_values(tables.SNAPSHOTS, "size", missing))

    def fetch_all(self, repo: Repository) -> None:
        """Read the size of every snapshot, forgetting what was known (a snapshot deleted
        since is then unknown): kept by the store, cheap after the first read."""
        sizes: dict[str, int | None] = {}
        self._project(repo, None, sizes)
        self._sizes, self._by_shard = sizes, None

    @staticmethod
    def _project(repo: Repository, shards: Collection[str] | None,
                 sizes: dict[str, int | None]) -> None:
        """Add to ``sizes`` the size of every snapshot of ``shards`` (None: of all)."""

        def collect(part: list[list[Any]], done: int, total: int) -> None:
            snapshot_ids, gib = part
            sizes.update(zip(snapshot_ids, gib, strict=True))

        repo.project_derived(tables.SNAPSHOTS, None, _snapshot_size, SNAPSHOT_TYPES, SIZES,
                             collect, cache=SNAPSHOT_SIZES, only=shards)

    def records(self, repo: Repository, snapshot_ids: Iterable[str]) -> dict[str, Snapshot]:
        """The snapshot records themselves (read again even when their sizes are known)."""
        kept: dict[str, Snapshot] = {}
        with repo.read() as view:
            for snapshot_id in snapshot_ids:
                found = view.get(tables.SNAPSHOTS, snapshot_id)
                self._sizes[snapshot_id] = found.size if found is not None else None
                if found is not None:
                    kept[snapshot_id] = found
        return kept


def snapshot_gib(image: Image, sizes: SnapshotSizes) -> int:
    """The GiB of snapshot storage an image holds (``disks_gib`` of its disks)."""
    return disks_gib([(d.device, d.size, d.snapshot_id) for d in image.disk_mappings], sizes)


def disks_gib(disks: Iterable[Sequence[Any]], sizes: SnapshotSizes) -> int:
    """The GiB of snapshot storage of an image's disks, (device, GiB, snapshot ID) each, as
    ``fees.image_snapshot_gib`` counts it: each snapshot once, a disk whose snapshot is
    unknown at the disk's size."""
    counted: dict[str, int] = {}
    for device, disk_gib, snapshot_id in disks:
        size = sizes.get(snapshot_id) if snapshot_id else None
        if size is not None:
            counted[snapshot_id] = size
        else:
            counted[f"#{device}"] = disk_gib
    return sum(counted.values())


def estimate(image: Image, account_id: str, book: PriceBook, sizes: SnapshotSizes,
             product: MarketplaceProduct | None) -> fees.MonthlyEstimate:
    """The month of one 1-vCPU instance from ``image`` (fees.monthly_estimate)."""
    own = image.owner_kind == "custom" and image.owner_id == account_id
    return fees.monthly_estimate(image, account_id=account_id, book=book,
                                 storage_gib=snapshot_gib(image, sizes) if own else 0,
                                 product=product)


def monthly_cost(image: Image, kind: str, account_id: str, book: PriceBook,
                 sizes: SnapshotSizes,
                 products: Mapping[str, MarketplaceProduct]) -> float | None:
    """The list's CNY/mo: the estimate's recurring total, None when nothing recurs or a
    price is unknown (shown as ``-``, never 0)."""
    own = image.owner_kind == "custom" and image.owner_id == account_id
    return estimated_cost(image, account_id, book, snapshot_gib(image, sizes) if own else 0,
                          products)


def estimated_cost(image: Image, account_id: str, book: PriceBook, storage_gib: int,
                   products: Mapping[str, MarketplaceProduct]) -> float | None:
    """``monthly_cost`` with the snapshot GiB the caller owns already counted."""
    product = products.get(image.product_code) if image.product_code else None
    found = fees.monthly_estimate(image, account_id=account_id, book=book,
                                  storage_gib=storage_gib, product=product)
    return found.per_month or None


def fee_lines(view: View, account_id: str, image: Image, sizes: SnapshotSizes) -> list[FeeLine]:
    """The fee pane: licence, snapshot storage, marketplace, the monthly total and, apart,
    any one-time price; every amount with its unit."""
    book = price.price_book(view)
    product, problem = _product(view, image)
    found = estimate(image, account_id, book, sizes, product)
    licence = found.licence
    unknown = f"price unknown: {fees.unknown_why(book)}"
    if licence.amount is None:
        lines = [FeeLine("licence", None, unknown)]
    elif licence.amount or image.license_os.lower() in fees.PAID_LICENCE_OSES:
        # The price, or why a paid OS costs nothing here.
        lines = [FeeLine("licence", licence.amount, licence.detail, how=licence.how,
                         values=licence.values)]
    else:
        lines = [FeeLine("licence", None, "none")]
    if image.owner_kind != "custom":
        lines.append(FeeLine("snapshots", None, "none"))
    elif not found.owner_pays:
        lines.append(FeeLine("snapshots", None, "paid by the owner"))
    elif found.storage is None:
        lines.append(FeeLine(f"snapshots {found.storage_gib} GiB", None, unknown))
    else:
        # A price the user wrote is named as theirs; the demo's book goes unnamed.
        lines.append(FeeLine(f"snapshots {found.storage_gib} GiB", found.storage,
                             fees.USER_BOOK if book.source else ""))
    market = found.marketplace
    if market is None or product is None:
        lines.append(FeeLine("marketplace", None, problem or "none"))
    elif market.one_time:
        lines.append(FeeLine("marketplace", market.amount, product.supplier_name, ONE_TIME))
    else:
        lines.append(FeeLine(f"marketplace ({product.pricing_model})", market.amount,
                             product.supplier_name))
    per_month = found.per_month
    lines.append(FeeLine("per month", per_month, "price unknown" if per_month is None else "",
                         total=True))
    if found.one_time:
        lines.append(FeeLine("once per instance", found.one_time, unit=ONE_TIME, total=True))
    return lines


def _product(view: View, image: Image) -> tuple[MarketplaceProduct | None, str]:
    """The image's marketplace product, or None with the reason it has none."""
    if not image.product_code:
        return None, ""
    try:
        return market.product_of(view, image), ""
    except ApiError as err:
        return None, err.code
