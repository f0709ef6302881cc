"""A second Backend: fixed answers and a record of every call, with no catalogue behind it.

The UI and the CLI running on it show that they need the Backend protocol alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecsimg.domain import costs
from ecsimg.domain import models as m
from ecsimg.domain.errors import ApiError
from ecsimg.domain.fees import FeePreview
from ecsimg.service.backend import (
    Backend,
    Buckets,
    Limits,
    PlannedCall,
    ProfileInfo,
    Session,
    UnknownProfile,
)
from ecsimg.service.images.load import LOAD_ACTION
from ecsimg.service.reads.browse import ImageDetails
from ecsimg.service.reads.image_rows import ALL_REGIONS, ImageRow, RegionRows
from ecsimg.service.reads.tasks import TaskRow
from ecsimg.service.reads.versions import Fingerprint, fingerprint

NOW = 1_767_225_600.0
ACCOUNT = "1111222233334444"
REGION = "xx-test-1"
PROFILES = (m.Profile("main", ACCOUNT, REGION), m.Profile("viewer", ACCOUNT, REGION, True))


def fixed_image(n: int) -> m.Image:
    return m.Image(region_id=REGION, image_id=f"m-fixed{n:015d}", image_name=f"fixed-{n}",
                   owner_kind="custom", owner_id=ACCOUNT, os_type="linux", platform="Ubuntu",
                   os_name="Ubuntu 24.04", os_name_en="Ubuntu 24.04", architecture="x86_64",
                   size=20 + n, creation_time=f"2026-01-0{n}T00:00:00Z",
                   tags=(m.Tag("env", "prod"),))


IMAGES = tuple(fixed_image(n) for n in (1, 2, 3))
ELSEWHERE = dataclasses.replace(fixed_image(4), region_id="xx-test-2")
"""An image of another region: only the every-region listing has it."""
TASKS = (
    TaskRow("t-fixed-copy", REGION, "CopyImage", IMAGES[0].image_id, "Processing", 40, 90,
            "2026-01-01T00:00:00Z", "to xx-test-2"),
    TaskRow("t-fixed-export", REGION, "ExportImage", IMAGES[1].image_id, "Finished", 100, 0,
            "2025-12-31T00:00:00Z", ""),
)


@dataclass
class Record:
    """What the backends of one test were asked, in order, shared by every derived backend."""

    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    checks: list[list[tuple[str, dict[str, str]]]] = field(default_factory=list)
    refused: dict[str, ApiError] = field(default_factory=dict)
    """Action name to the error its checks and calls raise."""
    tasks: list[TaskRow] = field(default_factory=lambda: list(TASKS))
    """The account's tasks as the backend reports them now."""
    gone: set[str] = field(default_factory=set)
    """Keys of images deleted behind the UI's back."""


class RecordingBackend:
    """Answers from IMAGES and PROFILES; records calls and checks instead of running them."""

    def __init__(self, profile: m.Profile = PROFILES[0], record: Record | None = None,
                 read_only: bool = False) -> None:
        self.profile = profile
        self.record = record if record is not None else Record()
        self.read_only = read_only

    @property
    def session(self) -> Session:
        return Session(self.profile.name, ACCOUNT, "fixed-account", self.profile.region_id,
                       self.read_only or self.profile.read_only, "recording backend")

    @property
    def limits(self) -> Limits:
        return Limits(share_accounts_per_image=5, share_accounts_per_call=2)

    def now(self) -> float:
        return NOW

    def call(self, action: str, params: Mapping[str, str], payload: Any = None
             ) -> dict[str, Any]:
        self.record.calls.append((action, dict(params)))
        refused = self.record.refused.get(action)
        if refused is not None:
            raise refused
        if action == LOAD_ACTION:
            return {"RequestId": "r-load", "Added": 0, "Updated": 0, "Files": len(payload)}
        if action == "DescribeImageSharePermission":
            return {"RequestId": "r-call", "Accounts": {"Account": []}, "TotalCount": 0}
        return {"RequestId": f"r-{len(self.record.calls)}"}

    def check(self, calls: Sequence[PlannedCall]) -> None:
        self.record.checks.append([(action, dict(params)) for action, params in calls])
        for index, (action, _) in enumerate(calls):
            refused = self.record.refused.get(action)
            if refused is not None:
                refused.call_index = index
                raise refused

    def images(self, *, refresh: bool = False,
               on_partial: Callable[[RegionRows, float], None] | None = None) -> RegionRows:
        rows = _newest_first(ImageRow(image, "custom", "none", 1.5, image.image_name.casefold(),
                                      image.os_name.casefold())
                             for image in IMAGES if image.region_id == self.profile.region_id
                             and image.key not in self.record.gone)
        return RegionRows(self.profile.region_id, "Test Region", "fixed-account", rows,
                          frozenset(r.common_text for r in rows))

    def all_region_images(self, *, refresh: bool = False,
                          on_partial: Callable[[RegionRows, float], None] | None = None
                          ) -> RegionRows:
        rows = _newest_first(ImageRow(image, "custom", "none", 1.5, image.image_name.casefold(),
                                      image.os_name.casefold())
                             for image in (*IMAGES, ELSEWHERE) if image.key not in self.record.gone)
        return RegionRows(ALL_REGIONS, "every region", "fixed-account", rows,
                          frozenset(r.common_text for r in rows))

    def row_of(self, row: ImageRow) -> ImageRow | None:
        return next((r for r in self.images().rows if r.key == row.key), None)

    def details(self, row: ImageRow, *, full: bool = False) -> ImageDetails:
        return ImageDetails(row, row.image.status, 100, 0, (), (), (), None, "", "", False)

    def fingerprints(self, keys: Sequence[str]) -> dict[str, Fingerprint | None]:
        by_key = {image.key: image for image in IMAGES}
        return {key: fingerprint(by_key.get(key)) for key in keys}

    def fee_preview(self, image: m.Image, instance_type: str, count: int, period: int,
                    price_unit: str) -> FeePreview:
        return FeePreview((), 0.0, "CNY")

    def holding_costs(self) -> dict[str, float | None]:
        return {REGION: 1.5 * len(IMAGES)}

    def price_book(self) -> m.PriceBook:
        return m.PriceBook(snapshot_per_gib_month={"*": 0.12})

    def cost_report(self) -> costs.CostReport:
        book = m.PriceBook(snapshot_per_gib_month={"*": 0.12})
        return costs.cost_report(IMAGES, {}, book, ACCOUNT, NOW)

    def image_records(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        by_key = {image.key: image for image in IMAGES if image.key not in self.record.gone}
        return [{"ImageId": by_key[key].image_id, "ImageName": by_key[key].image_name,
                 "RegionId": by_key[key].region_id} for key in keys if key in by_key]

    def regions(self) -> list[tuple[str, str]]:
        return [(REGION, "Test Region"), ("xx-test-2", "Second Region")]

    def profiles(self) -> list[ProfileInfo]:
        return [ProfileInfo(p, "fixed-account", "china") for p in PROFILES]

    def events(self, limit: int) -> list[m.Event]:
        return []

    def tasks(self, task_ids: Sequence[str] | None = None) -> list[TaskRow]:
        return [t for t in self.record.tasks if task_ids is None or t.task_id in task_ids]

    def buckets(self, region_id: str) -> Buckets:
        return Buckets(f"recorded buckets of {region_id}", {"bucket": ["disk.qcow2"]})

    def in_region(self, region_id: str) -> Backend:
        profile = m.Profile(self.profile.name, ACCOUNT, region_id, self.profile.read_only)
        return RecordingBackend(profile, self.record, self.read_only)

    def for_profile(self, name: str) -> Backend:
        found = next((p for p in PROFILES if p.name == name), None)
        if found is None:
            raise UnknownProfile(name, [p.name for p in PROFILES], "the test")
        return RecordingBackend(found, self.record, self.read_only)


def _newest_first(rows: Iterable[ImageRow]) -> tuple[ImageRow, ...]:
    """In the order the Backend gives rows: newest first, by creation time then image ID."""
    return tuple(sorted(rows, key=lambda r: (r.creation_time, r.image_id), reverse=True))
