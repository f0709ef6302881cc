"""A small seeded demo catalogue on disk, and one audited call: the harness of the fuzz tests."""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecsimg import service
from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.domain.ids import IdFactory
from ecsimg.service.machinery.params import UnknownParameter
from ecsimg.store import tables
from ecsimg.store.demo.seed import seed_catalogue
from ecsimg.store.tinystore import TinyRepository
from tests.fuzz import invariants
from tests.world import T0, FakeClock

DEMO_IMAGES = 80
"""Images in the fuzzed catalogue: every kind of record, small enough to check after each call."""

PROFILES = ("default", "dev", "partner")
QUOTA_HEADROOM = 3
_TEMPLATES: dict[int, Path] = {}


def template(images: int = DEMO_IMAGES) -> Path:
    """A seeded catalogue folder made once per process; each test works on a copy of it."""
    found = _TEMPLATES.get(images)
    if found is None:
        folder = Path(tempfile.mkdtemp(prefix="ecsimg-fuzz-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        found = folder / "catalogue"
        repo = TinyRepository(found)
        seed_catalogue(repo, images=images, random_seed=0, now=T0, task_seconds_per_gib=0)
        tighten_quotas(repo)
        repo.close()
        _TEMPLATES[images] = found
    return found


def tighten_quotas(repo: TinyRepository, headroom: int = QUOTA_HEADROOM) -> None:
    """Lower each account's image quota to just above what it holds, so that a short run
    reaches QuotaExceed.Image."""
    with repo.transaction() as tx:
        held = Counter((i.owner_id, i.region_id) for i in tx.all(tables.IMAGES)
                       if i.owner_kind == "custom")
        for account in tx.all(tables.ACCOUNTS):
            most = max((n for (owner, _), n in held.items() if owner == account.account_id),
                       default=0)
            tx.put(tables.ACCOUNTS, dataclasses.replace(account, image_quota=most + headroom))


@dataclass
class Outcome:
    """What one call did: its response or its error, and the rule it broke if any."""

    action: str
    profile: str
    params: dict[str, str]
    body: dict[str, Any] | None = None
    error: ApiError | None = None
    unknown_parameter: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.body is not None


def is_dry_run(params: Mapping[str, str]) -> bool:
    """A DryRun changes nothing and is left out of the event log."""
    return params.get("DryRun", "").strip().lower() == "true"


class FuzzCatalogue:
    """A copy of the template catalogue, a settable clock and the demo profiles."""

    def __init__(self, root: Path, pace: float = 0.0) -> None:
        self.root = root
        shutil.copytree(template(), root / "catalogue")
        self.repo = TinyRepository(root / "catalogue")
        self.clock = FakeClock(T0)
        self.ids = IdFactory(seed=11)
        self.pace = pace
        with self.repo.read() as view:
            self.profiles = {p.name: p for p in view.all(tables.PROFILES)}
        self.calls = 0
        self.check_holdings = True

    @classmethod
    def in_temp(cls, pace: float = 0.0) -> FuzzCatalogue:
        return cls(Path(tempfile.mkdtemp(prefix="ecsimg-fuzz-")), pace)

    def remove(self) -> None:
        self.repo.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def ctx(self, profile: str, read_only: bool = False) -> service.Context:
        return service.Context(self.repo, self.profiles[profile], read_only=read_only,
                               clock=self.clock, ids=self.ids, task_seconds_per_gib=self.pace)

    def call(self, action: str, params: Mapping[str, str], profile: str = "default",
             read_only: bool = False) -> Outcome:
        """Call through the service and check everything a single call must respect."""
        ctx = self.ctx(profile, read_only)
        act = service.ACTIONS[action]
        outcome = Outcome(action, profile, dict(params))
        with self.repo.read() as view:
            events_before = invariants.event_count(view)
            others_before = (invariants.holdings_of_others(view, ctx.account_id)
                             if self.check_holdings else None)
        self.calls += 1
        try:
            outcome.body = service.call(ctx, action, params)
        except UnknownParameter:
            outcome.unknown_parameter = True
        except ApiError as err:
            outcome.error = err
            outcome.problems += invariants.api_error_problems(err)
        if outcome.body is not None:
            outcome.problems += invariants.response_problems(outcome.body)
        with self.repo.read() as view:
            events_after = invariants.event_count(view)
            if others_before is not None:
                changed = invariants.holdings_of_others(view, ctx.account_id).changed_since(
                    others_before)
                if changed:
                    outcome.problems.append(f"changed others' records: {changed[:5]}")
            outcome.problems += self._event_problems(
                view, act.mutating and not ctx.is_read_only and not outcome.unknown_parameter
                and not is_dry_run(params), events_before, events_after, outcome)
        return outcome

    @staticmethod
    def _event_problems(view: Any, audited: bool, before: int, after: int,
                        outcome: Outcome) -> list[str]:
        expected = before + 1 if audited else before
        if after != expected:
            return [f"{after - before} events written, {expected - before} expected"]
        if not audited:
            return []
        request_id = (outcome.body or {}).get("RequestId") or (
            outcome.error.request_id if outcome.error else "")
        code = "Success" if outcome.ok else (outcome.error.code if outcome.error else "")
        events = [e for e in view.all(tables.EVENTS) if e.request_id == request_id]
        if len(events) != 1 or events[0].code != code or events[0].action != outcome.action:
            return [f"event for {request_id} is {events!r}, expected one {code}"]
        return []

    def violations(self) -> list[str]:
        with self.repo.read() as view:
            return invariants.catalogue_violations(view)

    def reopened_violations(self) -> list[str]:
        """The invariants on what is on disk, read by a fresh repository."""
        fresh = TinyRepository(self.repo.location)
        try:
            with fresh.read() as view:
                for table in tables.ALL_TABLES:
                    view.all(table)
                return invariants.catalogue_violations(view)
        finally:
            fresh.close()

    # -- what the generators pick from --------------------------------------------------------

    def records(self, table: tables.Table[Any]) -> list[Any]:
        with self.repo.read() as view:
            return view.all(table)

    def account_of(self, profile: str) -> str:
        return self.profiles[profile].account_id

    def own_images(self, profile: str) -> list[m.Image]:
        account_id = self.account_of(profile)
        return [i for i in self.records(tables.IMAGES)
                if i.owner_kind == "custom" and i.owner_id == account_id]
