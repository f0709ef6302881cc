"""What an image costs: licence, snapshot storage and marketplace price, from the price book.

Pure: every price comes from the PriceBook passed in (Rules 108-113), nothing is read or written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ecsimg.domain.models import Image, MarketplaceProduct, PriceBook
from ecsimg.domain.regions import is_mainland

HOURS_PER_MONTH = 730
"""A calendar month of instance time (8,760 h / 12): how periods convert to hours."""
SNAPSHOT_HOURS_PER_MONTH = 720
"""Snapshot storage converts its monthly price with a 30-day month: the billing doc's
0.12 CNY/GiB/month is 0.000166667 CNY/GiB/hour, which is 0.12 / 720 (Rule 110)."""
PAID_LICENCE_OSES = ("windows", "rhel", "suse")

LICENCE = "Licence"
SNAPSHOT_STORAGE = "Snapshot storage"
MARKETPLACE = "Marketplace"

SUBSCRIPTION_NEEDS_PREPAID = "InvalidMarketImageChargeType.NotSupport"

NO_PRICE_BOOK = "no price book for this account: prices come from DescribePrice in the fee dialog"
"""Why a figure is unknown when the book has no entry (a real account's cache has no book)."""


USER_BOOK = "your price book"
"""How the screens name a price book the user wrote (``PriceBook.source`` says where)."""


def unknown_why(book: PriceBook) -> str:
    """Why the book gives no price: there is no book, or the user's book lacks this price."""
    if not book.source:
        return NO_PRICE_BOOK
    return f"not in {USER_BOOK} ({book.source})"


def source_of(book: PriceBook) -> str:
    """The user's price book and where it is, or empty for the catalogue's own book."""
    return f"{USER_BOOK} ({book.source})" if book.source else ""


def add_known(amounts: Iterable[float | None]) -> float | None:
    """The sum, or None when any part is unknown: a total over an unknown price is unknown."""
    total = 0.0
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


class Sized(Protocol):
    """What fees need of a snapshot: its size (a Snapshot, or just its size read alone)."""

    @property
    def size(self) -> int: ...


class SnapshotSize(NamedTuple):
    """A snapshot's size alone, for callers that read sizes without whole records."""

    size: int



DETAILS = {
    "no_licence_fee": "{os}: no OS licence fee",
    "byol": "BYOL: the licence is your own",
    "windows_mainland": "Windows licence is charged only in cn-hongkong and outside mainland "
                        "China",
    "no_licence_price": "no {os} licence price: {why}",
    "licence_price": "{os} {unit:g}/vCPU/h x {vcpus} vCPU x {hours:g} h x {count}",
    "owner_pays": "the image's owner pays its snapshot storage",
    "no_snapshot_price": "{gib} GiB: {why}",
    "snapshot_price": "{gib} GiB x {price:g}/GiB/month / {month_hours} h x {hours} h",
    "snapshot_price_own": "{gib} GiB x {price:g}/GiB/month / {month_hours} h x {hours} h "
                          "(your price book)",
    "market_free": "{name}: free, still bought per instance and region",
    "market_one_time": "{name}: {price:g} one-time per instance x {count}",
    "market_subscription": "{name}: {price:g}/month x {months:g} months x {count}",
    "market_hourly": "{name}: {price:g}/h x {hours:g} h x {count}",
}
"""How each kind of fee line's amount was reached, in English; ``FeeLine.how`` names the kind
and ``FeeLine.values`` fills it in, so the interface can say it in its own language."""

DetailValue = str | int | float


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One priced item of a preview; ``detail`` says how the amount was reached."""

    label: str
    amount: float | None
    """None when the price book has no price for it (unknown, never 0)."""
    detail: str = ""
    one_time: bool = False
    """Paid once per instance (a one-time marketplace price), not for the period."""
    how: str = ""
    """The kind of ``detail`` (a key of ``DETAILS``), or empty for a detail of no kind."""
    values: tuple[tuple[str, DetailValue], ...] = ()
    """What ``DETAILS[how]`` is filled in with."""


def _line(label: str, amount: float | None, how: str, one_time: bool = False,
          **values: DetailValue) -> FeeLine:
    """A fee line whose detail is ``DETAILS[how]`` filled in with ``values``."""
    return FeeLine(label, amount, DETAILS[how].format(**values), one_time, how,
                   tuple(values.items()))


@dataclass(frozen=True, slots=True)
class FeePreview:
    """The image-related fees of one launch, in the price book's currency."""

    lines: tuple[FeeLine, ...]
    total: float | None
    currency: str
    holding_per_month: float | None = 0.0
    """Monthly snapshot storage of a custom image the caller owns (0 for any other image,
    None when its price is unknown)."""

    def amount_of(self, label: str) -> float | None:
        return add_known(line.amount for line in self.lines if line.label == label)

    @property
    def recurring(self) -> float | None:
        """What the usage's period costs, without one-time prices."""
        return add_known(line.amount for line in self.lines if not line.one_time)

    @property
    def one_time(self) -> float | None:
        return add_known(line.amount for line in self.lines if line.one_time)


@dataclass(frozen=True, slots=True)
class FeeProblem:
    """A combination that cannot be priced because it cannot be bought (Rule 113)."""

    code: str
    message: str
    http_status: int = 400


@dataclass(frozen=True, slots=True)
class Usage:
    """How the image would be used: instance size, how long, how many, how paid."""

    vcpus: int
    hours: float
    count: int = 1
    prepaid: bool = False
    """A subscription (Week/Month/Year) rather than a pay-as-you-go (Hour) instance."""

    @property
    def months(self) -> float:
        return self.hours / HOURS_PER_MONTH


def licence_line(image: Image, region_id: str, book: PriceBook, usage: Usage) -> FeeLine:
    """The OS licence: price per vCPU-hour x vCPU x hours x count, or 0 with the reason."""
    paid_os = image.license_os.lower()
    if paid_os not in PAID_LICENCE_OSES:
        return _line(LICENCE, 0.0, "no_licence_fee", os=image.os_name_en or image.platform)
    if image.license_type.upper() == "BYOL":
        return _line(LICENCE, 0.0, "byol")
    outside_only = book.windows_licence_outside_mainland_only
    if paid_os == "windows" and outside_only and is_mainland(region_id):
        return _line(LICENCE, 0.0, "windows_mainland")
    unit = book.licence_per_vcpu_hour.get(paid_os)
    if unit is None:
        return _line(LICENCE, None, "no_licence_price", os=paid_os, why=unknown_why(book))
    amount = unit * usage.vcpus * usage.hours * usage.count
    return _line(LICENCE, amount, "licence_price", os=paid_os, unit=unit, vcpus=usage.vcpus,
                 hours=usage.hours, count=usage.count)


def snapshot_price(book: PriceBook, region_id: str) -> float | None:
    """Snapshot storage per GiB per month in a region (the ``*`` entry is the default); None
    when the book has neither (a book's 0 is a price, a missing entry is not)."""
    return book.snapshot_per_gib_month.get(region_id, book.snapshot_per_gib_month.get("*"))


def snapshot_hourly_cost(gib: float, region_id: str, book: PriceBook) -> float | None:
    price = snapshot_price(book, region_id)
    return None if price is None else gib * price / SNAPSHOT_HOURS_PER_MONTH


def snapshot_monthly_cost(gib: float, region_id: str, book: PriceBook) -> float | None:
    """Storage for a month of 730 h, billed by the hour (Rule 110): the one month every
    monthly figure uses, so holding costs agree with the list, the pane and DescribePrice."""
    hourly = snapshot_hourly_cost(gib, region_id, book)
    return None if hourly is None else hourly * HOURS_PER_MONTH


def snapshot_storage_cost(gib: float, region_id: str, book: PriceBook,
                          hours: float) -> float | None:
    """Storage for ``hours``: billed by the hour, a started hour counting whole (Rule 110)."""
    hourly = snapshot_hourly_cost(gib, region_id, book)
    return None if hourly is None else hourly * math.ceil(max(hours, 0.0))


def _snapshot_keys(image: Image, snapshots: Mapping[str, Sized]) -> dict[str, int]:
    """GiB per snapshot the image holds; a disk without a known snapshot counts at its size."""
    sizes: dict[str, int] = {}
    for disk in image.disk_mappings:
        found = snapshots.get(disk.snapshot_id) if disk.snapshot_id else None
        if found is not None:
            sizes[disk.snapshot_id] = found.size
        else:
            sizes[f"{image.key}#{disk.device}"] = disk.size
    return sizes


def snapshot_gib_by_key(image: Image, snapshots: Mapping[str, Sized]) -> dict[str, int]:
    """GiB per stored snapshot of the image: keys that two images share are stored once."""
    return _snapshot_keys(image, snapshots)


def image_snapshot_gib(image: Image, snapshots: Mapping[str, Sized]) -> int:
    return sum(_snapshot_keys(image, snapshots).values())


def snapshot_line(image: Image, account_id: str, book: PriceBook, usage: Usage,
                  snapshots: Mapping[str, Sized]) -> FeeLine | None:
    """Storage of a custom image's snapshots: the owner pays, a recipient never (Rule 111)."""
    if image.owner_kind != "custom":
        return None
    if image.owner_id != account_id:
        return _line(SNAPSHOT_STORAGE, 0.0, "owner_pays")
    gib = image_snapshot_gib(image, snapshots)
    price = snapshot_price(book, image.region_id)
    hours = math.ceil(max(usage.hours, 0.0))
    amount = snapshot_storage_cost(gib, image.region_id, book, usage.hours)
    if price is None:
        return _line(SNAPSHOT_STORAGE, None, "no_snapshot_price", gib=gib, why=unknown_why(book))
    return _line(SNAPSHOT_STORAGE, amount,
                 "snapshot_price_own" if book.source else "snapshot_price", gib=gib,
                 price=price, month_hours=SNAPSHOT_HOURS_PER_MONTH, hours=hours)


def marketplace_line(product: MarketplaceProduct, usage: Usage) -> FeeLine | FeeProblem:
    """The ISV's price by pricing model (Rule 112); subscriptions need a prepaid instance (113)."""
    model = product.pricing_model
    if model == "subscription" and not usage.prepaid:
        return FeeProblem(SUBSCRIPTION_NEEDS_PREPAID,
                          f"The marketplace product {product.product_code} is sold by "
                          "subscription and cannot be used by a pay-as-you-go instance.")
    name = f"{product.product_name} ({product.product_code})"
    if model == "free":
        return _line(MARKETPLACE, 0.0, "market_free", name=name)
    if model == "one_time":
        return _line(MARKETPLACE, product.price * usage.count, "market_one_time", True,
                     name=name, price=product.price, count=usage.count)
    if model == "subscription":
        return _line(MARKETPLACE, product.price * usage.months * usage.count,
                     "market_subscription", name=name, price=product.price,
                     months=usage.months, count=usage.count)
    return _line(MARKETPLACE, product.price * usage.hours * usage.count, "market_hourly",
                 name=name, price=product.price, hours=usage.hours, count=usage.count)


def image_fees(
    image: Image, *, account_id: str, book: PriceBook, usage: Usage,
    snapshots: Mapping[str, Sized], product: MarketplaceProduct | None,
) -> FeePreview | FeeProblem:
    """The fees of launching ``usage.count`` instances from ``image`` in the image's region."""
    lines = [licence_line(image, image.region_id, book, usage)]
    storage = snapshot_line(image, account_id, book, usage, snapshots)
    if storage is not None:
        lines.append(storage)
    if product is not None:
        market = marketplace_line(product, usage)
        if isinstance(market, FeeProblem):
            return market
        lines.append(market)
    holding: float | None = 0.0
    if image.owner_kind == "custom" and image.owner_id == account_id:
        holding = snapshot_monthly_cost(image_snapshot_gib(image, snapshots), image.region_id, book)
    return FeePreview(tuple(lines), add_known(line.amount for line in lines), book.currency,
                      holding)


def holding_cost_per_region(
    images: Iterable[Image], snapshots: Mapping[str, Sized], book: PriceBook, account_id: str,
) -> dict[str, float | None]:
    """Monthly snapshot storage of every custom image the account holds, per region (None
    where the book has no price). A snapshot several images share is stored (and paid) once.
    """
    per_region: dict[str, dict[str, int]] = {}
    for image in images:
        if image.owner_kind != "custom" or image.owner_id != account_id:
            continue
        per_region.setdefault(image.region_id, {}).update(_snapshot_keys(image, snapshots))
    return {
        region_id: snapshot_monthly_cost(sum(sizes.values()), region_id, book)
        for region_id, sizes in sorted(per_region.items())
    }


ESTIMATE_VCPUS = 1
"""The list, the fee pane and the detail view price one 1-vCPU instance for one month."""


@dataclass(frozen=True, slots=True)
class MonthlyEstimate:
    """What one instance of ``vcpus`` vCPUs running a month (730 h) from an image costs.

    Recurring amounts are CNY/month; a one-time marketplace price is kept apart, never added
    to the month. Storage is None when the caller does not pay it (not their image) or,
    when ``owner_pays``, when the price book has no price for it.
    """

    licence: FeeLine
    storage: float | None
    storage_gib: int
    marketplace: FeeLine | None
    vcpus: int = ESTIMATE_VCPUS
    owner_pays: bool = False
    """The caller owns the image and so pays its snapshot storage (Rule 111)."""

    @property
    def marketplace_per_month(self) -> float | None:
        market = self.marketplace
        return market.amount if market is not None and not market.one_time else 0.0

    @property
    def one_time(self) -> float | None:
        market = self.marketplace
        return market.amount if market is not None and market.one_time else 0.0

    @property
    def per_month(self) -> float | None:
        """None when any recurring part's price is unknown."""
        storage = self.storage if self.owner_pays else 0.0
        return add_known((self.licence.amount, storage, self.marketplace_per_month))


def monthly_estimate(image: Image, *, account_id: str, book: PriceBook, storage_gib: int,
                     product: MarketplaceProduct | None,
                     vcpus: int = ESTIMATE_VCPUS) -> MonthlyEstimate:
    """The month of one instance from ``image``: licence for 730 h, the owner's snapshot
    storage (``storage_gib``), the product's monthly price; a one-time price apart."""
    usage = Usage(vcpus, HOURS_PER_MONTH, 1, prepaid=True)
    licence = licence_line(image, image.region_id, book, usage)
    storage = None
    if image.owner_kind == "custom" and image.owner_id == account_id:
        storage = snapshot_monthly_cost(storage_gib, image.region_id, book)
    market = marketplace_line(product, usage) if product is not None else None
    return MonthlyEstimate(licence, storage, storage_gib,
                           market if isinstance(market, FeeLine) else None, vcpus,
                           owner_pays=image.owner_kind == "custom" and image.owner_id == account_id)
