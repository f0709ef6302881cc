"""What the list and the fee pane say an image costs, from the price module's rules (Rule 110).

The list shows a monthly cost for every row, so snapshot sizes for 100,000 images are read as
one field per snapshot into a map of sizes instead of keeping every Snapshot record in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ecsimg.domain import fees
from ecsimg.domain.errors import ApiError
from ecsimg.domain.fees import Usage
from ecsimg.domain.models import Image, MarketplaceProduct, PriceBook, Snapshot
from ecsimg.service import market, price
from ecsimg.store import tables
from ecsimg.store.repository import Repository, View

PANE_USAGE = Usage(vcpus=1, hours=fees.HOURS_PER_MONTH, count=1, prepaid=True)
"""The fee pane prices one vCPU for one month: a licence per vCPU, storage and products per
month."""
MONTHLY_MODELS = ("subscription", "hourly", "free")
"""Marketplace pricing models with a monthly price (a one-time price is not monthly)."""


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: float | None
    """CNY; None when the line is information, not money."""
    note: str = ""


class SnapshotSizes:
    """GiB of snapshots by ID (None: no such snapshot), read as one field per snapshot so the
    list's costs need not hold 140,000 Snapshot records."""

    def __init__(self) -> None:
        self._sizes: dict[str, int | None] = {}

    def __contains__(self, snapshot_id: object) -> bool:
        return snapshot_id in self._sizes

    def get(self, snapshot_id: str) -> int | None:
        return self._sizes.get(snapshot_id)

    def known(self, snapshot_id: str) -> bool:
        """Whether the snapshot exists (as far as the last read knew)."""
        return self._sizes.get(snapshot_id) is not None

    def fetch(self, repo: Repository, snapshot_ids: Iterable[str]) -> None:
        """Read the sizes of the snapshots not read before."""
        missing = [i for i in snapshot_ids if i not in self._sizes]
        if missing:
            self._sizes.update(repo.field_values(tables.SNAPSHOTS, "size", missing))

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
    """The GiB of snapshot storage an image holds, as ``fees.image_snapshot_gib`` counts it:
    each snapshot once, a disk whose snapshot is unknown at the disk's size."""
    counted: dict[str, int] = {}
    for disk in image.disk_mappings:
        size = sizes.get(disk.snapshot_id) if disk.snapshot_id else None
        if size is not None:
            counted[disk.snapshot_id] = size
        else:
            counted[f"#{disk.device}"] = disk.size
    return sum(counted.values())


def holding_per_month(image: Image, account_id: str, book: PriceBook,
                      sizes: SnapshotSizes) -> float | None:
    """Monthly snapshot storage the caller pays for ``image``: only an owner pays (Rule 111)."""
    if image.owner_kind != "custom" or image.owner_id != account_id:
        return None
    return fees.snapshot_monthly_cost(snapshot_gib(image, sizes), image.region_id, book)


def marketplace_per_month(product: MarketplaceProduct | None) -> float | None:
    """A product's price for one instance-month, None when it has no monthly price."""
    if product is None or product.pricing_model not in MONTHLY_MODELS:
        return None
    line = fees.marketplace_line(product, PANE_USAGE)
    return line.amount if isinstance(line, fees.FeeLine) else None


def monthly_cost(image: Image, kind: str, account_id: str, book: PriceBook,
                 sizes: SnapshotSizes,
                 products: Mapping[str, MarketplaceProduct]) -> float | None:
    """The list's CNY/month: snapshot storage of one's own image, or a product's price."""
    if kind == "custom":
        return holding_per_month(image, account_id, book, sizes)
    if kind == "marketplace":
        return marketplace_per_month(products.get(image.product_code))
    return None


def fee_lines(view: View, account_id: str, image: Image, sizes: SnapshotSizes) -> list[FeeLine]:
    """The fee pane: licence, snapshot storage and marketplace, always these three lines."""
    book = price.price_book(view)
    licence = fees.licence_line(image, image.region_id, book, PANE_USAGE)
    if licence.amount:
        lines = [FeeLine("licence", licence.amount, "per vCPU")]
    elif image.license_os.lower() in fees.PAID_LICENCE_OSES:
        lines = [FeeLine("licence", 0.0, licence.detail)]  # why a paid OS costs nothing here
    else:
        lines = [FeeLine("licence", None, "none")]
    if image.owner_kind != "custom":
        lines.append(FeeLine("snapshots", None, "none"))
    elif image.owner_id != account_id:
        lines.append(FeeLine("snapshots", None, "paid by the owner"))
    else:
        gib = snapshot_gib(image, sizes)
        lines.append(FeeLine(f"snapshots {gib} GiB",
                             fees.snapshot_monthly_cost(gib, image.region_id, book)))
    lines.append(_marketplace_fee(view, image))
    return lines


def _marketplace_fee(view: View, image: Image) -> FeeLine:
    if not image.product_code:
        return FeeLine("marketplace", None, "none")
    try:
        product = market.product_of(view, image)
    except ApiError as err:
        return FeeLine("marketplace", None, err.code)
    if product is None:
        return FeeLine("marketplace", None, "none")
    if product.pricing_model == "one_time":
        return FeeLine("marketplace (one-time)", product.price, "per instance")
    return FeeLine(f"marketplace ({product.pricing_model})", marketplace_per_month(product),
                   product.supplier_name)
