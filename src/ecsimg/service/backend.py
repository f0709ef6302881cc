"""The door to the service: the Backend protocol the UI, the CLI and the server run on.

Callers above the service hold a Backend and nothing else: API calls go through ``call`` (one
read-only refusal, one RequestId, one transaction, one event), plans of several calls through
``check``, and what the screens show comes from read models. Today's catalogue is the
simulator backend; an account reached through the official SDK can implement the same members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ecsimg.domain.models import Event, Image, PriceBook, Profile
from ecsimg.service.machinery.door import PlannedCall

if TYPE_CHECKING:
    # Types only: the read models are imported by whoever builds them, not by every caller.
    from ecsimg.domain.costs import CostReport
    from ecsimg.domain.fees import FeePreview
    from ecsimg.service.reads.browse import ImageDetails
    from ecsimg.service.reads.image_rows import ImageRow, RegionRows
    from ecsimg.service.reads.tasks import TaskRow
    from ecsimg.service.reads.versions import Fingerprint

__all__ = ["Backend", "Buckets", "Limits", "PlannedCall", "ProfileInfo", "Session",
           "UnknownProfile"]


class UnknownProfile(Exception):
    """A profile name the catalogue does not hold: a usage error naming the known ones."""

    def __init__(self, name: str, known: list[str], source: str) -> None:
        listed = ", ".join(known) if known else "none"
        super().__init__(f"unknown profile {name!r} (from {source}); profiles: {listed}")
        self.name = name
        self.known = known


@dataclass(frozen=True)
class Session:
    """Who the backend acts as and where: what the header and the prompts show."""

    profile_name: str
    account_id: str
    account_name: str
    region_id: str
    read_only: bool
    """The profile is read-only, or the process was started with --read-only."""
    location: str
    """Where the images live: the catalogue folder here, an endpoint for a cloud account."""
    cloud: bool = False
    """A real account: the images are a cache of it, refreshed in the background."""
    offline_reason: str = ""
    """Why the account's endpoint cannot be reached (empty while it answers)."""
    last_sync: float | None = None
    """When the cache was last filled from the account (epoch seconds); None if never."""


@dataclass(frozen=True)
class ProfileInfo:
    """A profile with its account's name and site, for the profile list and the switcher."""

    profile: Profile
    account_name: str
    site: str

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass(frozen=True)
class Limits:
    """The API's limits a form shows before it plans its calls (Rules 46, 52)."""

    share_accounts_per_image: int
    share_accounts_per_call: int


@dataclass(frozen=True)
class Buckets:
    """Object storage buckets of a region with their objects, and where they are."""

    where: str
    objects: dict[str, list[str]] = field(default_factory=dict)


class Backend(Protocol):
    """Everything a caller above the service may do: calls, checks and read models."""

    @property
    def session(self) -> Session: ...

    @property
    def limits(self) -> Limits: ...

    def now(self) -> float:
        """The backend's clock (image progress is derived from it)."""
        ...

    def call(self, action: str, params: Mapping[str, str], payload: Any = None
             ) -> dict[str, Any]:
        """One action through the door; its response body, or ApiError."""
        ...

    def check(self, calls: Sequence[PlannedCall]) -> None:
        """Check a plan of calls together, nothing written; ApiError of the first that fails,
        with ``call_index`` set."""
        ...

    def images(self, *, refresh: bool = False,
               on_partial: Callable[[RegionRows, float], None] | None = None) -> RegionRows:
        """The images the session sees in its region, newest first (``RegionRows.rows``);
        ``refresh`` first picks up other writers' changes."""
        ...

    def all_region_images(
        self, *, refresh: bool = False,
        on_partial: Callable[[RegionRows, float], None] | None = None,
    ) -> RegionRows:
        """The images the session sees in every region (region ``ALL_REGIONS``); a cloud
        backend answers from its cache of each region's DescribeImages."""
        ...

    def row_of(self, row: ImageRow) -> ImageRow | None:
        """``row`` read again (after a dialog changed it); None once the image is gone."""
        ...

    def details(self, row: ImageRow, *, full: bool = False) -> ImageDetails: ...

    def fingerprints(self, keys: Sequence[str]) -> dict[str, Fingerprint | None]:
        """The images at ``keys`` as stored now, to tell that someone else changed them."""
        ...

    def fee_preview(self, image: Image, instance_type: str, count: int, period: int,
                    price_unit: str) -> FeePreview: ...

    def holding_costs(self) -> dict[str, float | None]:
        """CNY per month of the session's custom images' snapshots, by region."""
        ...

    def price_book(self) -> PriceBook:
        """The book the holding costs are priced from: the catalogue's, or a real account's
        from the config file (``source`` set), or an empty one (every such price unknown)."""
        ...

    def cost_report(self) -> CostReport:
        """What the account's custom images in every region cost to hold per month, per
        region, family and image (the same figures as ``holding_costs``)."""
        ...

    def image_records(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The images at ``keys`` (``region/image_id``) as DescribeImages returns them to this
        caller, in the order asked; images gone are left out."""
        ...

    def regions(self) -> list[tuple[str, str]]:
        """(region id, local name) of every region."""
        ...

    def profiles(self) -> list[ProfileInfo]: ...

    def events(self, limit: int) -> list[Event]:
        """The latest mutating calls, newest first."""
        ...

    def tasks(self, task_ids: Sequence[str] | None = None) -> list[TaskRow]:
        """The account's tasks in every region, unfinished first, then the newest; with
        ``task_ids``, those tasks alone (the ones that still exist)."""
        ...

    def buckets(self, region_id: str) -> Buckets: ...

    def in_region(self, region_id: str) -> Backend:
        """The same session working in another region."""
        ...

    def for_profile(self, name: str) -> Backend:
        """A session as profile ``name`` on the same catalogue (UnknownProfile if none)."""
        ...
