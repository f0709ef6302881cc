"""Who is calling, on which catalogue, at what time: what every action receives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ecsimg.domain.clock import Clock, system_clock
from ecsimg.domain.ids import IdFactory
from ecsimg.domain.models import Profile
from ecsimg.store.repository import Repository

TASK_PACE_ENV = "ECSIMG_TASK_SECONDS_PER_GIB"


@dataclass
class Context:
    """The caller's profile and the catalogue; passed in, never read from globals."""

    repo: Repository
    profile: Profile
    read_only: bool = False
    """Set by --read-only; a read-only profile is read-only whatever this says."""
    clock: Clock = system_clock
    ids: IdFactory = field(default_factory=IdFactory)
    task_seconds_per_gib: float | None = None
    """Overrides the catalogue's pace when set (the environment variable sets it)."""
    fill_region: bool = True
    """A missing RegionId takes the profile's region, as the aliyun CLI does; the HTTP server
    turns this off, because the real API requires RegionId (Rule 1)."""

    @property
    def account_id(self) -> str:
        return self.profile.account_id

    @property
    def region_id(self) -> str:
        return self.profile.region_id

    @property
    def is_read_only(self) -> bool:
        return self.read_only or self.profile.read_only

    @property
    def oss_root(self) -> Path:
        """Where buckets live: ``oss/<region>/<bucket>/`` beside the catalogue."""
        return self.repo.location.parent / "oss"

    def now(self) -> float:
        return self.clock()


def pace_from_env() -> float | None:
    """ECSIMG_TASK_SECONDS_PER_GIB as a number, or None when unset or not a number >= 0."""
    value = os.environ.get(TASK_PACE_ENV, "").strip()
    if not value:
        return None
    try:
        pace = float(value)
    except ValueError:
        return None
    return pace if pace >= 0 else None
