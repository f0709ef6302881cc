"""Running a sync plan: listings read to their end, a bounded number of calls at once.

The SDK blocks, so listings run on a thread pool; each listing reads its pages in order.
A region whose listing fails is dropped whole (a cache never holds half a region) and
reported; the other regions are kept. Progress is reported after every page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ecsimg.cloud import sync_plan as plan
from ecsimg.cloud.errors import CloudError
from ecsimg.domain.errors import ApiError

Invoke = Callable[[str, Mapping[str, str]], dict[str, Any]]
"""Sends one action with its flattened parameters and returns the body (EcsClient.invoke)."""
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


class _Run:
    def __init__(self, invoke: Invoke, progress: Callable[[Progress], None] | None) -> None:
        self.invoke = invoke
        self.progress = progress
        self.result = SyncResult()
        self.lock = threading.Lock()
        self.done = 0
        self.known = 0

    def read(self, listing: plan.Listing) -> list[dict[str, Any]]:
        """Every page of ``listing``, in order."""
        pages: list[dict[str, Any]] = []
        sent: dict[str, str] | None = listing.first_page()
        while sent is not None:
            body = self.invoke(listing.action, sent)
            plan.items(listing, body)  # a page without its list is refused here, not later
            pages.append(body)
            with self.lock:
                self.result.calls += 1
                calls = self.result.calls
            self._report(calls, listing)
            sent = listing.next_page(sent, body)
        return pages

    def _report(self, calls: int, listing: plan.Listing) -> None:
        if self.progress is not None:
            self.progress(Progress(calls, self.done, self.known, listing.region_id, listing.kind))


def run_sync(invoke: Invoke, *, regions: Sequence[str] = (), workers: int = DEFAULT_WORKERS,
             progress: Callable[[Progress], None] | None = None) -> SyncResult:
    """Read the account's regions (all, or ``regions``) and every listing in each."""
    run = _Run(invoke, progress)
    listed = plan.region_ids(run.read(plan.regions_listing())[0])
    chosen = list(regions) or listed
    for unknown in [r for r in chosen if r not in listed]:
        run.result.failures[unknown] = f"{unknown}: not a region of this account"
    chosen = [r for r in chosen if r in listed]
    collected: dict[str, dict[str, list[dict[str, Any]]]] = {r: {} for r in chosen}
    collected[ACCOUNT] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ecsimg-sync"
                            ) as pool:
        running: dict[Future[list[dict[str, Any]]], plan.Listing] = {}

        def start(listings: list[plan.Listing]) -> None:
            run.known += len(listings)
            for listing in listings:
                running[pool.submit(run.read, listing)] = listing

        start(plan.account_listings())
        for region_id in chosen:
            start(plan.region_listings(region_id))
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                listing = running.pop(future)
                run.done += 1
                key = listing.region_id
                if key in run.result.failures:
                    continue
                try:
                    pages = future.result()
                except (ApiError, CloudError) as err:
                    run.result.failures[key] = _failure(listing, err)
                    collected.pop(key, None)
                    for other, other_listing in list(running.items()):
                        if other_listing.region_id == key and other.cancel():
                            running.pop(other)
                            run.done += 1
                    continue
                collected[key][listing.kind] = pages
                if listing.kind == "images:self":
                    start(plan.share_listings(key, plan.own_image_ids(pages)))
    run.result.pages = {k: v for k, v in collected.items() if k not in run.result.failures}
    return run.result


def _failure(listing: plan.Listing, err: Exception) -> str:
    where = listing.region_id or "account"
    if isinstance(err, ApiError):
        return f"{where}: {listing.action} failed: {err.code}: {err.message}"
    return f"{where}: {listing.action} failed: {err}"
