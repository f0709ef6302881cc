"""The simulator backend: the Backend protocol over a Context and the service's functions.

The read models (browse, prices, costs, tasks) are imported by the members that use them: a
command-line call needs none of them, and importing them is most of its start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ecsimg.domain.models import Event, Image, PriceBook
from ecsimg.service.backend import (
    Backend,
    Buckets,
    Limits,
    PlannedCall,
    ProfileInfo,
    Session,
    UnknownProfile,
)
from ecsimg.service.images.share import ACCOUNTS_PER_CALL
from ecsimg.service.images.visibility import SHARE_ACCOUNTS_LIMIT
from ecsimg.service.machinery import door
from ecsimg.service.machinery.context import Context
from ecsimg.store import tables

if TYPE_CHECKING:
    from ecsimg.domain.costs import CostReport
    from ecsimg.domain.fees import FeePreview
    from ecsimg.service.reads.browse import ImageDetails, SnapshotSizes
    from ecsimg.service.reads.image_rows import ImageRow, RegionRows
    from ecsimg.service.reads.tasks import TaskRow
    from ecsimg.service.reads.versions import Fingerprint

MAX_OBJECTS = 500
"""Objects listed per bucket; a bucket with more is typed in by name."""
LIMITS = Limits(share_accounts_per_image=SHARE_ACCOUNTS_LIMIT,
                share_accounts_per_call=ACCOUNTS_PER_CALL)


class SimulatorBackend:
    """The catalogue on this machine: every member is a service function on ``ctx``.

    The snapshot sizes read for the list are kept between reads (and shared with the
    backends of other regions and profiles), so a reload reads only new snapshots.
    """

    def __init__(self, ctx: Context, sizes: SnapshotSizes | None = None) -> None:
        self.ctx = ctx
        self._shared_sizes = sizes
        self._account_name: str | None = None

    @property
    def _sizes(self) -> SnapshotSizes:
        if self._shared_sizes is None:
            from ecsimg.service.reads.browse import SnapshotSizes

            self._shared_sizes = SnapshotSizes()
        return self._shared_sizes

    @property
    def session(self) -> Session:
        ctx = self.ctx
        if self._account_name is None:
            with ctx.repo.read() as view:
                account = view.get(tables.ACCOUNTS, ctx.account_id)
            self._account_name = account.name if account is not None else ""
        return Session(ctx.profile.name, ctx.account_id, self._account_name, ctx.region_id,
                       ctx.is_read_only, str(ctx.repo.location))

    @property
    def limits(self) -> Limits:
        return LIMITS

    def now(self) -> float:
        return self.ctx.now()

    def call(self, action: str, params: Mapping[str, str], payload: Any = None
             ) -> dict[str, Any]:
        return door.call(self.ctx, action, params, payload)

    def check(self, calls: Sequence[PlannedCall]) -> None:
        door.check(self.ctx, calls)

    def images(self, *, refresh: bool = False,
               on_partial: Callable[[RegionRows, float], None] | None = None) -> RegionRows:
        from ecsimg.service.reads import browse

        if refresh:
            self.ctx.repo.refresh()
            self._shared_sizes = None
        return browse.load(self.ctx, on_partial=on_partial, sizes=self._sizes)

    def all_region_images(
        self, *, refresh: bool = False,
        on_partial: Callable[[RegionRows, float], None] | None = None,
    ) -> RegionRows:
        from ecsimg.service.reads import browse, image_rows

        if refresh:
            self.ctx.repo.refresh()
            self._shared_sizes = None
        return browse.load(self.ctx, image_rows.ALL_REGIONS, on_partial=on_partial,
                           sizes=self._sizes)

    def row_of(self, row: ImageRow) -> ImageRow | None:
        from ecsimg.service.reads import browse

        return browse.row_of(self.ctx, row)

    def details(self, row: ImageRow, *, full: bool = False) -> ImageDetails:
        from ecsimg.service.reads import browse

        if full:
            return browse.details(self.ctx, row, full=True)
        return browse.details(self.ctx, row, sizes=self._sizes)

    def fingerprints(self, keys: Sequence[str]) -> dict[str, Fingerprint | None]:
        from ecsimg.service.reads import versions

        return versions.read(self.ctx, list(keys))

    def fee_preview(self, image: Image, instance_type: str, count: int, period: int,
                    price_unit: str) -> FeePreview:
        from ecsimg.service.market import price

        with self.ctx.repo.read() as view:
            return price.preview_image_fees(self.ctx, view, image, instance_type, count,
                                            period, price_unit)

    def holding_costs(self) -> dict[str, float | None]:
        from ecsimg.service.market import price

        with self.ctx.repo.read() as view:
            return price.holding_costs(self.ctx, view)

    def price_book(self) -> PriceBook:
        from ecsimg.service.market import price

        with self.ctx.repo.read() as view:
            return price.price_book(view)

    def cost_report(self) -> CostReport:
        from ecsimg.service.reads import costs

        return costs.cost_report(self.ctx)

    def image_records(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        from ecsimg.service.reads import image_records

        return image_records.image_records(self.ctx, keys)

    def regions(self) -> list[tuple[str, str]]:
        from ecsimg.service.reads import browse

        return browse.region_ids(self.ctx)

    def profiles(self) -> list[ProfileInfo]:
        with self.ctx.repo.read() as view:
            found = []
            for profile in sorted(view.all(tables.PROFILES), key=lambda p: p.name):
                account = view.get(tables.ACCOUNTS, profile.account_id)
                found.append(ProfileInfo(profile, account.name if account else "",
                                         account.site if account else ""))
        return found

    def events(self, limit: int) -> list[Event]:
        from ecsimg.service.reads import browse

        return browse.recent_events(self.ctx, limit)

    def tasks(self, task_ids: Sequence[str] | None = None) -> list[TaskRow]:
        from ecsimg.service.reads import tasks

        if task_ids is None:
            return tasks.account_tasks(self.ctx)
        return tasks.tasks_by_id(self.ctx, task_ids)

    def buckets(self, region_id: str) -> Buckets:
        """The folders ``<oss_root>/<region>/<bucket>/`` and the files under them."""
        root = self.ctx.oss_root / region_id
        found: dict[str, list[str]] = {}
        if root.is_dir():
            for folder in sorted(p for p in root.iterdir() if p.is_dir()):
                objects = sorted(str(f.relative_to(folder)) for f in folder.rglob("*")
                                 if f.is_file())
                found[folder.name] = objects[:MAX_OBJECTS]
        return Buckets(str(root), found)

    def in_region(self, region_id: str) -> Backend:
        ctx = self.ctx
        return SimulatorBackend(dataclasses.replace(
            ctx, profile=dataclasses.replace(ctx.profile, region_id=region_id)), self._sizes)

    def for_profile(self, name: str) -> Backend:
        with self.ctx.repo.read() as view:
            found = view.get(tables.PROFILES, name)
            known = [] if found is not None else sorted(p.name for p in view.all(tables.PROFILES))
        if found is None:
            raise UnknownProfile(name, known, "the profile switcher")
        return SimulatorBackend(dataclasses.replace(self.ctx, profile=found), self._sizes)
