"""Running a sync plan: every page of every listing, a bounded number of calls at once.

The SDK blocks, so pages are sent from a thread pool. The unit of work is one page: once
the first page of a numbered listing gives its TotalCount, the other pages go out together
(a region of 10,000 images is 100 pages, and the cloud answers each in ~0.1-0.3 s); NextToken
listings go page after page. A region whose call fails is dropped whole (a cache never holds
half a region) and reported; the other regions are kept. Progress is reported after every page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.errors import BadResponse, CloudError
from ecsimg.domain.errors import ApiError

Invoke = Callable[[str, Mapping[str, str]], dict[str, Any]]
"""Sends one action with its flattened parameters and returns the body (EcsClient.invoke)."""
OnListing = Callable[[str, str, list[dict[str, Any]]], None]
"""Told (region, kind, pages) as each listing is read to its end, in the calling thread."""
ACCOUNT = ""
"""The region key of the account-wide listings (instance types)."""
DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class Progress:
    """Where a sync stands, after each page."""

    calls: int
    listings_done: int
    listings_known: int
    """Grows as regions and own images are found."""
    region_id: str
    kind: str


@dataclass
class SyncResult:
    """Every page each listing returned, by region and kind, and the regions that failed."""

    pages: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    """region (``""`` for the account) -> listing kind -> response bodies, in page order."""
    failures: dict[str, str] = field(default_factory=dict)
    """region -> one line saying what failed; those regions are absent from ``pages``."""
    calls: int = 0

    @property
    def regions(self) -> list[str]:
        return [r for r in self.pages if r != ACCOUNT]


@dataclass
class _Reading:
    """A listing being read: the pages so far, by number, and how many are still out."""

    listing: plan.Listing
    pages: dict[int, tuple[dict[str, str], dict[str, Any]]] = field(default_factory=dict)
    outstanding: int = 0


PageFuture = Future[dict[str, Any]]


class _Sync:
    def __init__(self, invoke: Invoke, pool: ThreadPoolExecutor,
                 progress: Callable[[Progress], None] | None,
                 on_listing: OnListing | None = None) -> None:
        self.invoke = invoke
        self.on_listing = on_listing
        self.pool = pool
        self.progress = progress
        self.result = SyncResult()
        self.collected: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.running: dict[PageFuture, tuple[_Reading, int, dict[str, str]]] = {}
        self.done = 0
        self.known = 0

    def start(self, listings: list[plan.Listing]) -> None:
        self.known += len(listings)
        for listing in listings:
            self.send(_Reading(listing), 1, listing.first_page())

    def send(self, reading: _Reading, number: int, params: dict[str, str]) -> None:
        reading.outstanding += 1
        future = self.pool.submit(self.invoke, reading.listing.action, params)
        self.running[future] = (reading, number, params)

    def run(self) -> None:
        while self.running:
            finished, _ = wait(self.running, return_when=FIRST_COMPLETED)
            for future in finished:
                reading, number, params = self.running.pop(future)
                reading.outstanding -= 1
                region = reading.listing.region_id
                if region in self.result.failures or future.cancelled():
                    continue
                try:
                    self.received(reading, number, params, future.result())
                except (ApiError, CloudError) as err:
                    self.fail(region, _failure(reading.listing, err))

    def received(self, reading: _Reading, number: int, sent: dict[str, str],
                 body: dict[str, Any]) -> None:
        listing = reading.listing
        plan.items(listing, body)  # a page without its list is refused here, not later
        reading.pages[number] = (sent, body)
        self.result.calls += 1
        if self.progress is not None:
            self.progress(Progress(self.result.calls, self.done, self.known, listing.region_id,
                                   listing.kind))
        if listing.paging == "page" and number == 1:
            for following in range(2, _page_count(listing, body) + 1):
                self.send(reading, following, {**sent, "PageNumber": str(following)})
        if reading.outstanding:
            return
        # Every page asked for has come; a listing that grew meanwhile goes on one by one.
        last = max(reading.pages)
        following_params = listing.next_page(*reading.pages[last])
        if following_params is not None:
            self.send(reading, last + 1, following_params)
            return
        self.finished(reading)

    def finished(self, reading: _Reading) -> None:
        self.done += 1
        listing = reading.listing
        pages = [body for _, (_, body) in sorted(reading.pages.items())]
        self.collected.setdefault(listing.region_id, {})[listing.kind] = pages
        if listing.kind == "images:self":
            self.start(plan.share_listings(listing.region_id, plan.shared_image_ids(pages)))
        if self.on_listing is not None:
            self.on_listing(listing.region_id, listing.kind, pages)

    def fail(self, region: str, message: str) -> None:
        self.result.failures[region] = message
        self.collected.pop(region, None)
        for future, (reading, _, _) in list(self.running.items()):
            if reading.listing.region_id == region:
                future.cancel()


def _page_count(listing: plan.Listing, first: dict[str, Any]) -> int:
    if not plan.items(listing, first):
        return 1
    total = plan.total_count(listing, first)
    count = max(1, math.ceil(total / plan.PAGE_SIZE))
    if count > plan.MAX_PAGES:
        raise BadResponse(f"{listing.action} in {listing.region_id or 'the account'} claims "
                          f"{total} items, more than {plan.MAX_PAGES} pages")
    return count


def run_sync(invoke: Invoke, *, regions: Sequence[str] = (), workers: int = DEFAULT_WORKERS,
             progress: Callable[[Progress], None] | None = None,
             on_listing: OnListing | None = None) -> SyncResult:
    """Read the account's regions (all, or ``regions``) and every listing in each.

    DescribeRegions failing fails the sync (its error is raised); any later failure is
    confined to its region. ``on_listing`` lets the caller work on each listing (the regions
    first) while the others are still being read.
    """
    regions_body = invoke("DescribeRegions", plan.regions_listing().first_page())
    listed = plan.region_ids(regions_body)
    if on_listing is not None:
        on_listing(ACCOUNT, "regions", [regions_body])
    chosen = list(dict.fromkeys(regions)) or listed
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ecsimg-sync"
                            ) as pool:
        sync = _Sync(invoke, pool, progress, on_listing)
        sync.result.calls = 1
        sync.collected[ACCOUNT] = {"regions": [regions_body]}
        for unknown in [r for r in chosen if r not in listed]:
            sync.result.failures[unknown] = f"{unknown}: not a region of this account"
        sync.start(plan.account_listings())
        for region_id in chosen:
            if region_id in listed:
                sync.collected[region_id] = {}
                sync.start(plan.region_listings(region_id))
        sync.run()
    result = sync.result
    result.pages = {k: v for k, v in sync.collected.items() if k not in result.failures}
    return result


def _failure(listing: plan.Listing, err: Exception) -> str:
    where = listing.region_id or "account"
    if isinstance(err, ApiError):
        return f"{where}: {listing.action} failed: {err.code}: {err.message}"
    return f"{where}: {listing.action} failed: {err}"
