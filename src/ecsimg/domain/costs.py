"""What the account's custom images cost to hold: per region, per family, per image, per week.

Pure: built from the images, their snapshot sizes and the price book, with the money model of
``fees`` (snapshot storage for a 730 h month, each stored snapshot counted once).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from ecsimg.domain import fees
from ecsimg.domain.clock import parse_iso
from ecsimg.domain.models import Image, PriceBook

WEEKS_KEPT = 104
"""At most how many weeks the images-created-per-week counts cover, ending with this week."""
SECONDS_PER_WEEK = 7 * 24 * 3600
NO_FAMILY = "(no family)"


@dataclass(frozen=True, slots=True)
class ImageHolding:
    """One custom image and the snapshot storage it holds."""

    key: str
    image_id: str
    image_name: str
    region_id: str
    family: str
    snapshot_gib: int
    per_month: float | None
    """Its snapshots' storage for a month: the fee pane's snapshot line for this image (None
    when the price book has no price for its region)."""
    snapshots: tuple[tuple[str, int], ...]
    """(stored snapshot key, GiB): what deleting the image and its snapshots would free."""


@dataclass(frozen=True, slots=True)
class Group:
    """A region or family: what its images' snapshots cost, each snapshot counted once."""

    name: str
    per_month: float | None
    """None when any of its snapshots' price is unknown."""
    snapshot_gib: int
    images: int


@dataclass(frozen=True, slots=True)
class Savings:
    """What deleting some images would save per month."""

    images: int
    """How many of the images asked about are the account's own custom images."""
    image_only: float
    """Deleting the images alone: nothing, their snapshots stay and are billed (Rule 89)."""
    with_snapshots: float | None
    """Deleting them and then the snapshots that no other image of the account holds."""
    freed_gib: int


@dataclass(frozen=True)
class CostReport:
    """The holding costs of an account's custom images in every region, per month."""

    currency: str
    images: tuple[ImageHolding, ...]
    """Most expensive first."""
    regions: tuple[Group, ...]
    families: tuple[Group, ...]
    created_per_week: tuple[int, ...]
    """Custom images created in each week from the oldest image's (at most WEEKS_KEPT weeks
    ago) to the week ending at ``now``, oldest first."""
    book: PriceBook
    now: float

    @property
    def per_month(self) -> float | None:
        """None when any region's price is unknown: a total over unknown parts is unknown."""
        return fees.add_known(group.per_month for group in self.regions)

    @property
    def priced(self) -> bool:
        """Whether every figure is known (False: the book lacks a price, see ``unknown_why``)."""
        return self.per_month is not None

    @property
    def unknown_why(self) -> str:
        """Why a price is unknown: no price book, or a region the user's book does not name."""
        return fees.unknown_why(self.book)

    @property
    def source(self) -> str:
        """The user's price book and where it is; empty for the catalogue's own book."""
        return fees.source_of(self.book)

    @property
    def snapshot_gib(self) -> int:
        return sum(group.snapshot_gib for group in self.regions)

    def top(self, count: int = 10) -> tuple[ImageHolding, ...]:
        return self.images[:count]

    def savings(self, keys: Collection[str]) -> Savings:
        """What deleting the images at ``keys`` (``region/image_id``) would save per month."""
        chosen = [h for h in self.images if h.key in keys]
        freed_gib = 0
        saved: float | None = 0.0
        for region_id in sorted({h.region_id for h in chosen}):
            kept = {key for h in self.images if h.region_id == region_id and h.key not in keys
                    for key, _ in h.snapshots}
            freed = {key: gib for h in chosen if h.region_id == region_id
                     for key, gib in h.snapshots if key not in kept}
            gib = sum(freed.values())
            freed_gib += gib
            saved = fees.add_known((saved, fees.snapshot_monthly_cost(gib, region_id, self.book)))
        return Savings(len(chosen), 0.0, saved, freed_gib)


def _group(name: str, members: list[ImageHolding], region_of: Mapping[str, str],
           book: PriceBook) -> Group:
    """A group's cost: each stored snapshot once, priced in its own region."""
    stored: dict[tuple[str, str], int] = {}
    for holding in members:
        for key, gib in holding.snapshots:
            stored[(region_of[holding.key], key)] = gib
    per_month = fees.add_known(fees.snapshot_monthly_cost(gib, region_id, book)
                               for (region_id, _), gib in stored.items())
    return Group(name, per_month, sum(stored.values()), len(members))


def _dearest_first(per_month: float | None) -> tuple[bool, float]:
    """A sort key: dearest first, unknown prices last."""
    return (per_month is None, -(per_month or 0.0))


def created_per_week(creation_times: Iterable[str], now: float,
                     weeks: int = WEEKS_KEPT) -> tuple[int, ...]:
    """How many of ``creation_times`` fall in each week ending at ``now``, oldest first: from
    the oldest one's week, at most ``weeks`` weeks."""
    ages: list[int] = []
    for text in creation_times:
        try:
            age = now - parse_iso(text)
        except ValueError:
            continue
        # A clock a little behind the image's counts it in this week.
        ages.append(max(int(age // SECONDS_PER_WEEK), 0))
    shown = min(max(ages, default=0) + 1, weeks)
    counts = [0] * shown
    for index in ages:
        if index < shown:
            counts[shown - 1 - index] += 1
    return tuple(counts)


def cost_report(images: Iterable[Image], snapshots: Mapping[str, fees.Sized], book: PriceBook,
                account_id: str, now: float) -> CostReport:
    """The report over the account's own custom images among ``images``."""
    mine = [i for i in images if i.owner_kind == "custom" and i.owner_id == account_id]
    holdings = []
    for image in mine:
        stored = fees.snapshot_gib_by_key(image, snapshots)
        gib = sum(stored.values())
        holdings.append(ImageHolding(
            image.key, image.image_id, image.image_name, image.region_id, image.image_family,
            gib, fees.snapshot_monthly_cost(gib, image.region_id, book),
            tuple(sorted(stored.items()))))
    holdings.sort(key=lambda h: (_dearest_first(h.per_month), h.key))
    region_of = {h.key: h.region_id for h in holdings}
    by_region: dict[str, list[ImageHolding]] = {}
    by_family: dict[str, list[ImageHolding]] = {}
    for holding in holdings:
        by_region.setdefault(holding.region_id, []).append(holding)
        by_family.setdefault(holding.family or NO_FAMILY, []).append(holding)
    regions = sorted((_group(name, members, region_of, book)
                      for name, members in by_region.items()),
                     key=lambda g: (_dearest_first(g.per_month), g.name))
    families = sorted((_group(name, members, region_of, book)
                       for name, members in by_family.items()),
                      key=lambda g: (_dearest_first(g.per_month), g.name))
    return CostReport(book.currency, tuple(holdings), tuple(regions), tuple(families),
                      created_per_week((i.creation_time for i in mine), now), book, now)
