"""The demo catalogue held in memory while it is built, then written in one transaction."""

from __future__ import annotations

import dataclasses
import random
import string
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ecsimg.domain import models as m
from ecsimg.domain.clock import iso
from ecsimg.domain.ids import IdFactory
from ecsimg.store import tables
from ecsimg.store.repository import Transaction

BASE_EPOCH = 1_751_328_000.0
"""2025-07-01T00:00:00Z: every demo creation time counts back from here, never the wall clock."""

DAY = 86_400.0
T = TypeVar("T")
_ID_LETTERS = bytes((string.ascii_lowercase + string.digits)[n % 36].encode()[0]
                    for n in range(256))
"""A byte -> ID character table; the slight bias of 256 % 36 does not matter for a demo."""

_ZONES = {
    "cn-hangzhou": "cn-hangzhou-h",
    "cn-shanghai": "cn-shanghai-l",
    "cn-beijing": "cn-beijing-k",
    "ap-southeast-1": "ap-southeast-1-a",
}


def zone_of(region_id: str) -> str:
    return _ZONES.get(region_id, f"{region_id}-a")


@dataclass(frozen=True, slots=True)
class DiskSpec:
    """One disk of a custom image to build: its size and the snapshot's (may be smaller)."""

    size: int
    snapshot_size: int = 0


@dataclass
class DemoBuilder:
    """Records of every table, keyed as the store keys them, plus the seeded sources."""

    rng: random.Random
    ids: IdFactory
    now: float
    pace: float
    """Seconds per GiB of an image task, for the pending windows of busy images."""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    fast_ids: bool = False
    """Draw IDs from ``rng`` in bulk (generated images) rather than one letter at a time."""

    def new_id(self, prefix: str) -> str:
        """``prefix-`` + 20 lowercase letters and digits, seeded either way."""
        if self.fast_ids:
            return f"{prefix}-{self.rng.randbytes(20).translate(_ID_LETTERS).decode()}"
        return self.ids.resource(prefix)

    def put(self, table: tables.Table[T], obj: T) -> T:
        self.records.setdefault(table.name, {})[table.key(obj)] = obj
        return obj

    def drop(self, table: tables.Table[Any], key: str) -> None:
        self.records.get(table.name, {}).pop(key, None)

    def all(self, table: tables.Table[T]) -> list[T]:
        return list(self.records.get(table.name, {}).values())

    def get(self, table: tables.Table[T], key: str) -> T | None:
        found: T | None = self.records.get(table.name, {}).get(key)
        return found

    def write(self, tx: Transaction) -> None:
        for table in tables.ALL_TABLES:
            for obj in self.records.get(table.name, {}).values():
                tx.put(table, obj)

    # -- time --------------------------------------------------------------------------------

    @staticmethod
    def days_ago(days: float) -> str:
        """An ISO time ``days`` before the demo's base date."""
        return iso(BASE_EPOCH - days * DAY)

    # -- custom images with their snapshots --------------------------------------------------

    def custom_image(
        self,
        owner_id: str,
        region_id: str,
        name: str,
        base: m.Image,
        *,
        age_days: float,
        disks: tuple[DiskSpec, ...] = (),
        image_id: str = "",
        source_disk_ids: tuple[str, ...] = (),
        snapshot_window: tuple[float, float] = (0.0, 0.0),
        **fields: Any,
    ) -> m.Image:
        """A custom image of ``owner_id`` built on ``base``'s OS, with one snapshot per disk.

        ``disks`` lists the system disk first; every mapping gets a snapshot in the table.
        """
        system = disks[0] if disks else DiskSpec(base.size)
        all_disks = (system, *disks[1:])
        created = fields.pop("creation_time", None) or self.days_ago(age_days)
        snap_created = created if snapshot_window[1] else self.days_ago(age_days + 0.01)
        encrypted = bool(fields.get("encrypted", False))
        mappings: list[m.DiskMapping] = []
        for n, disk in enumerate(all_disks):
            disk_type: Any = "system" if n == 0 else "data"
            device = "/dev/xvda" if n == 0 else f"/dev/xvd{chr(ord('b') + n - 1)}"
            source_disk = source_disk_ids[n] if n < len(source_disk_ids) else self.new_id("d")
            snap = m.Snapshot(
                snapshot_id=self.new_id("s"),
                region_id=region_id,
                owner_id=owner_id,
                source_disk_id=source_disk,
                source_disk_type=disk_type,
                size=disk.snapshot_size or disk.size,
                creation_time=snap_created,
                snapshot_name=f"img-{name}-{device.rsplit('/', 1)[-1]}"[:128],
                encrypted=encrypted,
                source_disk_released=n >= len(source_disk_ids),
                pending_start=snapshot_window[0],
                pending_end=snapshot_window[1],
            )
            self.put(tables.SNAPSHOTS, snap)
            mappings.append(m.DiskMapping(device, disk_type, disk.size, snap.snapshot_id,
                                          encrypted=encrypted))
        image = m.Image(
            region_id=region_id,
            image_id=image_id or self.new_id("m"),
            image_name=name,
            owner_kind="custom",
            owner_id=owner_id,
            os_type=base.os_type,
            platform=base.platform,
            os_name=base.os_name,
            os_name_en=base.os_name_en,
            architecture=base.architecture,
            size=system.size,
            creation_time=created,
            disk_mappings=tuple(mappings),
            license_os=base.license_os,
            boot_mode=base.boot_mode,
            is_support_cloudinit=base.is_support_cloudinit,
            login_as_non_root=base.login_as_non_root,
            cpu_online_upgrade=base.cpu_online_upgrade,
            memory_online_upgrade=base.memory_online_upgrade,
            imds_support=base.imds_support,
            secure_boot_support=base.secure_boot_support,
            **fields,
        )
        return self.put(tables.IMAGES, image)

    def share(self, image: m.Image, account_ids: tuple[str, ...] | list[str],
              age_days: float) -> m.Image:
        """Share ``image`` with more accounts, each at its own time after ``age_days`` ago."""
        added = tuple(
            m.SharePermission(uid, self.days_ago(age_days - n * 0.01))
            for n, uid in enumerate(account_ids)
            if uid not in {s.account_id for s in image.shares}
        )
        shared = dataclasses.replace(image, shares=image.shares + added)
        return self.put(tables.IMAGES, shared)

    def pending_window(self, size: int, started_ago: float = 0.0,
                       start_at: float | None = None) -> tuple[float, float]:
        """(start, end) of a task on ``size`` GiB: started ``started_ago`` s before now,
        or starting at ``start_at``.

        A pace of 0 means tasks finish at once: the window is then the fixed base date, so
        the catalogue no longer depends on ``now`` at all.
        """
        if self.pace == 0:
            return BASE_EPOCH, BASE_EPOCH
        start = start_at if start_at is not None else self.now - started_ago
        return start, start + size * self.pace
