"""``ecsimg seed``: the demo catalogue, or a catalogue of N images, written in one transaction.

The same ``random_seed`` (and ``now``) gives the same catalogue byte for byte: every ID and
choice comes from seeded sources, and creation times count back from a fixed base date; only
the windows of images still being created or copied are placed relative to ``now``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecsimg.domain.errors import CatalogueError
from ecsimg.domain.ids import IdFactory
from ecsimg.domain.models import Account
from ecsimg.domain.regions import REGIONS
from ecsimg.store import swap, tables
from ecsimg.store.demo import base
from ecsimg.store.demo.activity import add_events, add_tasks
from ecsimg.store.demo.bucket import write_demo_bucket
from ecsimg.store.demo.builder import DemoBuilder
from ecsimg.store.demo.bulk import add_bulk_images
from ecsimg.store.demo.custom import add_custom_images
from ecsimg.store.demo.fleet import add_fleet
from ecsimg.store.demo.market import add_marketplace
from ecsimg.store.demo.public import add_public_images
from ecsimg.store.files import check_folder, read_json
from ecsimg.store.indexes import SPANS
from ecsimg.store.lock import CatalogueLock
from ecsimg.store.repository import Repository, Transaction
from ecsimg.store.tinystore import FORMAT, TinyRepository

QUOTA_HEADROOM = 100
"""Room left above the largest regional holding when an account's quota is raised."""


def build_demo(*, images: int | None = None, random_seed: int = 0, now: float | None = None,
               task_seconds_per_gib: float = 0.5) -> DemoBuilder:
    """The whole catalogue in memory, reference data excepted (see ``seed_catalogue``)."""
    b = DemoBuilder(rng=random.Random(random_seed), ids=IdFactory(seed=random_seed),
                    now=time.time() if now is None else now, pace=task_seconds_per_gib)
    add_public_images(b)
    market = add_marketplace(b)
    handles = add_custom_images(b)
    instances = add_fleet(b, handles, market)
    add_tasks(b, handles)
    add_events(b, handles, instances)
    held = len(b.records[tables.IMAGES.name])
    if images is not None and images > held:
        add_bulk_images(b, images - held)
    elif images is not None and images < held:
        trim(b, max(images, 0))
    return b


def seed_catalogue(repo: TinyRepository, *, images: int | None = None, random_seed: int = 0,
                   now: float | None = None, task_seconds_per_gib: float = 0.5,
                   replace: bool = False) -> None:
    """Write the reference data and the demo into the empty ``repo``, in one transaction.

    ``images`` is the total number of image records (public, marketplace and custom; shared
    and community images are custom images seen by others). Above the demo's own count,
    generated custom images make up the rest; below it, the demo keeps its first ``images``
    images (custom ones first, then those of the profiles' regions) and drops what used the
    others.

    The catalogue is built in a folder beside ``repo`` and swapped in whole (see ``swap``):
    interrupted, the old catalogue (or none) is left, never a half-built one. With ``replace``
    an existing ecsimg catalogue is replaced; without, one is refused.
    """
    if not replace and not repo.is_empty():
        raise CatalogueError(f"{repo.location}: already holds a catalogue; wipe it first")
    with _gc_paused():
        b = build_demo(images=images, random_seed=random_seed, now=now,
                       task_seconds_per_gib=task_seconds_per_gib)
        with swap.building(repo.location) as work:
            with TinyRepository(work).transaction() as tx:
                write_demo(tx, b, task_seconds_per_gib)
            if not repo.replace_with(work, replace=replace):
                raise CatalogueError(f"{repo.location}: already holds a catalogue; wipe it "
                                     "first")
    with contextlib.suppress(OSError):  # the samples are a convenience, never a failure
        write_demo_bucket(repo.location.parent / "oss")


def fill_demo(repo: Repository, *, images: int | None = None, random_seed: int = 0,
              now: float | None = None, task_seconds_per_gib: float = 0.5) -> None:
    """Write the reference data and the demo into ``repo`` in one transaction (arguments as
    for ``seed_catalogue``); a TinyDB catalogue is seeded by ``seed_catalogue`` instead, which
    fills a folder aside and swaps it in."""
    if not repo.is_empty():
        raise CatalogueError(f"{repo.location}: already holds a catalogue")
    with _gc_paused():
        b = build_demo(images=images, random_seed=random_seed, now=now,
                       task_seconds_per_gib=task_seconds_per_gib)
        with repo.transaction() as tx:
            write_demo(tx, b, task_seconds_per_gib)


def write_demo(tx: Transaction, b: DemoBuilder, task_seconds_per_gib: float) -> None:
    """Put the reference data and the built demo ``b`` into an empty catalogue."""
    base.write_base(tx, task_seconds_per_gib=task_seconds_per_gib)
    for account in _accounts(b):
        tx.put(tables.ACCOUNTS, account)
    b.write(tx)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector: the records form no cycles, and its passes over hundreds of
    thousands of new objects would otherwise take about half the time of a large seed."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _accounts(b: DemoBuilder) -> list[Account]:
    """Accounts whose demo data asks more than the defaults: quotas raised to fit their
    images, and DEV, which published a community image, has signed the terms."""
    held = Counter((i.owner_id, i.region_id) for i in b.all(tables.IMAGES)
                   if i.owner_kind == "custom")
    most: Counter[str] = Counter()
    for (owner_id, _), count in held.items():
        most[owner_id] = max(most[owner_id], count)
    changed = []
    for account in base.ACCOUNTS:
        fields: dict[str, object] = {}
        if most[account.account_id] > (account.image_quota or 0):
            fields["image_quota"] = (math.ceil(most[account.account_id] / 100) * 100
                                     + QUOTA_HEADROOM)
        if account.account_id == base.DEV:
            fields["community_terms_signed"] = True
        if fields:
            changed.append(dataclasses.replace(account, **fields))  # type: ignore[arg-type]
    return changed


def trim(b: DemoBuilder, keep: int) -> None:
    """Keep ``keep`` images, and only instances, tasks and purchases that still make sense."""
    profile_regions = {p.region_id for p in base.PROFILES}
    region_order = {r.region_id: n for n, r in enumerate(REGIONS)}
    images = b.all(tables.IMAGES)
    ranked = sorted(range(len(images)), key=lambda n: (
        images[n].owner_kind != "custom",
        images[n].region_id not in profile_regions,
        region_order.get(images[n].region_id, 99),
        n,
    ))
    for n in ranked[keep:]:
        b.drop(tables.IMAGES, images[n].key)
    kept = {i.key for i in b.all(tables.IMAGES)}
    for inst in b.all(tables.INSTANCES):
        if f"{inst.region_id}/{inst.image_id}" in kept:
            continue
        b.drop(tables.INSTANCES, inst.instance_id)
        for disk in b.all(tables.DISKS):
            if disk.instance_id == inst.instance_id:
                b.drop(tables.DISKS, disk.disk_id)
        for purchase in b.all(tables.PURCHASES):
            if purchase.used_by_instance_id == inst.instance_id:
                b.put(tables.PURCHASES, dataclasses.replace(purchase, used_by_instance_id=""))
    for task in b.all(tables.TASKS):
        if f"{task.region_id}/{task.resource_id}" not in kept:
            b.drop(tables.TASKS, task.task_id)


def wipe(repo_root: Path) -> None:
    """Delete a catalogue folder's files, refusing anything that is not an ecsimg catalogue.

    Only the files a catalogue is made of are removed (meta.json last, so an interrupted wipe
    can be run again); the folder itself goes if nothing else is left in it.
    """
    root = Path(repo_root)
    if root.is_symlink():
        check_folder(root)  # refuses it, naming it
    if not root.exists():
        return
    if not root.is_dir():
        raise CatalogueError(f"{root}: is a file, not an ecsimg catalogue folder; not wiping it")
    meta_path = root / "meta.json"
    if not meta_path.exists():
        if any(not p.name.startswith(".") for p in root.iterdir()):
            raise CatalogueError(f"{root}: not an ecsimg catalogue (no meta.json); not wiping it")
        _remove_lock_and_folder(root)
        return
    meta = read_json(meta_path)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CatalogueError(f"{meta_path}: not an ecsimg catalogue (format is not "
                             f"{FORMAT!r}); not wiping it")
    # Hold the writer lock so no ecsimg process commits into the folder while it goes.
    lock = CatalogueLock(root / ".lock", 30.0)
    lock.acquire(exclusive=True)
    try:
        for name in (*(t.name for t in (*tables.ALL_TABLES, *tables.INDEX_TABLES)), SPANS):
            folder = root / name
            if folder.is_dir():
                _remove_shards(folder)
        for name in ("journal.json", "journal.rejected.json"):
            (root / name).unlink(missing_ok=True)
        for stray in root.glob(".*.tmp"):
            stray.unlink()
        meta_path.unlink()
    finally:
        lock.release()
    _remove_lock_and_folder(root)


def _remove_shards(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file() and (path.suffix == ".json" or path.name.endswith(".tmp")):
            path.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def _remove_lock_and_folder(root: Path) -> None:
    if {p.name for p in root.iterdir()} <= {".lock"}:
        (root / ".lock").unlink(missing_ok=True)
        root.rmdir()
