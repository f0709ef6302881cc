"""The list's rows kept per shard (``row_table.ROWS_KEPT``): a load that reads them gives the
rows a cold read gives, for each account and region, after each kind of commit they depend on
(images, instances, snapshots), and never rows from a kept file written by hand."""

from __future__ import annotations

import dataclasses
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg.bootstrap import make_context
from ecsimg.domain import models as m
from ecsimg.service.reads import browse, fees, image_rows
from ecsimg.service.reads.fees import SnapshotSizes
from ecsimg.service.reads.row_table import ROWS_KEPT, STORED
from ecsimg.service.simulator import SimulatorBackend
from ecsimg.store import projections, tables
from ecsimg.store.repository import Repository
from tests.ui.test_browse import ROW_FIELDS
from tests.ui.test_main_screen import image_list, running, settle
from tests.world import World, demo_repository

ALL = image_rows.ALL_REGIONS
Fields = list[list[Any]]


def _fields(repo: Repository, profile: str = "default", region: str | None = ALL,
            sizes: SnapshotSizes | None = None) -> Fields:
    loaded = browse.load(make_context(repo, profile), region, sizes=sizes)
    if loaded.keep is not None:
        loaded.keep()  # as the list does once it has shown them
    return [[getattr(row, name) for name in ROW_FIELDS] for row in loaded.rows]


def _cold(repo: Repository, profile: str = "default", region: str | None = ALL) -> Fields:
    """The rows as a load with nothing kept reads them (it keeps them again)."""
    shutil.rmtree(repo.location / projections.FOLDER, ignore_errors=True)
    return _fields(repo, profile, region)


def _kept_files(repo: Repository) -> dict[str, int]:
    folder = repo.location / projections.FOLDER / ROWS_KEPT
    return {path.name: path.stat().st_ino for path in folder.glob("*.marshal")}


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return demo_repository(tmp_path / "catalogue", "tinydb", images=400, random_seed=3)


def test_kept_rows_are_a_cold_reads_and_are_read_without_the_projections(
        repo: Repository) -> None:
    """Each account's and region's rows are kept side by side; a load that finds them all
    reads neither the list's projection nor the snapshots' sizes: the first details read them
    all, from their kept projection."""
    loads = [(profile, region) for profile in ("default", "dev") for region in (None, ALL)]
    cold = {load: _fields(repo, *load) for load in loads}
    assert cold[("default", ALL)] != cold[("dev", ALL)]  # kinds differ by account
    for name in (image_rows.LIST_FIELDS, fees.SNAPSHOT_SIZES):
        shutil.rmtree(repo.location / projections.FOLDER / name)
    kept = _kept_files(repo)
    with repo.read() as view:
        snapshot_ids = [snapshot.snapshot_id for snapshot in view.all(tables.SNAPSHOTS)]
    assert snapshot_ids
    for load in loads:
        sizes = SnapshotSizes()
        assert _fields(repo, *load, sizes=sizes) == cold[load], load
        assert not any(map(sizes.known, snapshot_ids))
    assert not (repo.location / projections.FOLDER / image_rows.LIST_FIELDS).exists()
    assert not (repo.location / projections.FOLDER / fees.SNAPSHOT_SIZES).exists()
    assert _kept_files(repo) == kept
    # The details' sizes: those of the shards they need, read as kept, not the records.
    wanted = snapshot_ids[0]
    same_shard = [i for i in snapshot_ids
                  if tables.SNAPSHOTS.shard_of(i) == tables.SNAPSHOTS.shard_of(wanted)]
    gone = next(i for i in (f"s-gone{n:016d}" for n in range(1000))
                if tables.SNAPSHOTS.shard_of(i) == tables.SNAPSHOTS.shard_of(wanted))
    sizes.fetch(repo, [wanted, gone])
    assert all(map(sizes.known, same_shard))
    assert not any(map(sizes.known, set(snapshot_ids) - set(same_shard)))
    assert gone in sizes and not sizes.known(gone)
    with repo.read() as view:
        assert all(sizes.get(i) == view.get(tables.SNAPSHOTS, i).size  # type: ignore[union-attr]
                   for i in same_shard)
    sizes.fetch(repo, snapshot_ids)
    assert all(map(sizes.known, snapshot_ids))
    assert not (repo.location / projections.FOLDER / fees.SNAPSHOT_SIZES).exists()


def _own_image_of_one_snapshot(repo: Repository) -> m.Image:
    ctx = make_context(repo)
    for row in browse.load(ctx, ALL).rows:
        image = row.image
        snapshots = [d.snapshot_id for d in image.disk_mappings if d.snapshot_id]
        if (row.kind == "custom" and row.usage == "none" and row.status == "Available"
                and not row.pending_end
                and len(snapshots) == 1):
            return image
    raise AssertionError("the demo has no image of one snapshot")


def _share(repo: Repository, image: m.Image) -> None:
    dev = make_context(repo, "dev").account_id
    SimulatorBackend(make_context(repo)).call("ModifyImageSharePermission", {
        "RegionId": image.region_id, "ImageId": image.image_id, "AddAccount.1": dev})


def _run_instance(repo: Repository, image: m.Image) -> None:
    with repo.transaction() as tx:
        tx.put(tables.INSTANCES, m.Instance(
            "i-keptrows0000000001", image.region_id, image.owner_id, "web-1", "ecs.g7.large",
            image.image_id, "Stopped", image.os_type, "2025-06-01T00:00:00Z"))


def _resize_snapshot(repo: Repository, image: m.Image) -> None:
    snapshot_id = next(d.snapshot_id for d in image.disk_mappings if d.snapshot_id)
    with repo.read() as view:
        snapshot = view.get(tables.SNAPSHOTS, snapshot_id)
    assert snapshot is not None
    with repo.transaction() as tx:
        tx.put(tables.SNAPSHOTS, dataclasses.replace(snapshot, size=snapshot.size + 500))


def _delete_snapshot(repo: Repository, image: m.Image) -> None:
    snapshot_id = next(d.snapshot_id for d in image.disk_mappings if d.snapshot_id)
    with repo.transaction() as tx:
        tx.delete(tables.SNAPSHOTS, snapshot_id)


def _nothing(repo: Repository, image: m.Image) -> None:
    return None


@pytest.mark.parametrize(("setup", "change"), [
    (_nothing, _share), (_nothing, _run_instance), (_nothing, _resize_snapshot),
    # Resized first: a disk whose snapshot is gone counts at the disk's own size.
    (_resize_snapshot, _delete_snapshot)])
def test_a_commit_the_rows_depend_on_is_read_by_the_next_load(
        repo: Repository, setup: Callable[[Repository, m.Image], None],
        change: Callable[[Repository, m.Image], None]) -> None:
    image = _own_image_of_one_snapshot(repo)
    setup(repo, image)
    before = {profile: _fields(repo, profile) for profile in ("default", "dev")}
    change(repo, image)
    after = {profile: _fields(repo, profile) for profile in ("default", "dev")}
    assert after != before  # the change shows in the rows of one account at least
    for profile in ("default", "dev"):
        assert after[profile] == _cold(repo, profile), profile


def test_a_share_makes_the_rows_of_one_shard_again(repo: Repository) -> None:
    image = _own_image_of_one_snapshot(repo)
    _fields(repo)
    kept = _kept_files(repo)
    _share(repo, image)
    _fields(repo)
    again = _kept_files(repo)
    assert again.keys() == kept.keys()
    assert len([name for name in kept if again[name] != kept[name]]) == 1


def _forged(value: list[list[Any]], form: str) -> Any:
    def at(name: str) -> list[Any]:
        return value[STORED.index(name)]

    if form == "not-a-list":
        return {"columns": value}
    if form == "a-column-missing":
        return value[:-1]
    if form == "a-column-short":
        at("image_name").pop()
    elif form == "text-holding-a-number":
        at("image_name")[0] = 5
    elif form == "a-count-holding-text":
        at("share_count")[0] = "3"
    elif form == "gib-holding-a-bool":
        at("storage_gib")[0] = True
    elif form == "seconds-holding-text":
        at("pending_end")[0] = "0"
    elif form == "a-kind-no-row-has":
        at("kind")[0] = "all"
    elif form == "a-use-no-row-has":
        at("usage")[0] = "running"
    elif form == "tags-not-pairs":
        at("tags")[0] = "[[1, 2]]"
    elif form == "tags-not-json":
        at("tags")[0] = "[["
    return value


FORMS = ["not-a-list", "a-column-missing", "a-column-short", "text-holding-a-number",
         "a-count-holding-text", "gib-holding-a-bool", "seconds-holding-text",
         "a-kind-no-row-has", "a-use-no-row-has", "tags-not-pairs", "tags-not-json",
         "not-marshal"]


@pytest.mark.parametrize("form", FORMS)
def test_a_kept_file_written_by_hand_is_made_again(repo: Repository, form: str) -> None:
    """Files the store would read (the shard's stamp, a checksum that agrees) holding what
    ``derive`` never gives: the rows are a cold read's, and the files are made again."""
    cold = _fields(repo)
    folder = repo.location / projections.FOLDER / ROWS_KEPT
    cache = projections.ProjectionCache(folder.parents[1], ROWS_KEPT, projections.MARSHAL)
    forged = 0
    for path in sorted(folder.glob("*.marshal")):
        header, _, body = path.read_bytes().partition(b"\n")
        stamp = orjson.loads(header)["stamp"]
        value = cache.get(path.stem, stamp)
        assert value is not None
        if not value[0]:
            continue  # a shard without rows for this account
        if form == "not-marshal":
            body = b"\x00" + body
            path.write_bytes(orjson.dumps({"stamp": stamp, "crc": zlib.crc32(body)}) + b"\n"
                             + body)
        else:
            cache.put(path.stem, stamp, _forged(value, form))
        forged += 1
    assert forged > 10
    assert _fields(repo) == cold
    for path in sorted(folder.glob("*.marshal")):
        stamp = orjson.loads(path.read_bytes().partition(b"\n")[0])["stamp"]
        value = cache.get(path.stem, stamp)
        assert type(value) is list and len(value) == len(STORED)  # made again


def test_rows_made_are_kept_by_keep_and_only_while_current(repo: Repository) -> None:
    """A load keeps nothing itself: its ``keep`` does, later, and only what a commit since
    has not made stale (a share rewrites one shard; an instance makes every row stale)."""
    ctx = make_context(repo)
    loaded = browse.load(ctx, ALL)
    assert loaded.keep is not None and not _kept_files(repo)
    image = _own_image_of_one_snapshot(repo)  # its load keeps nothing either
    _share(repo, image)
    loaded.keep()
    kept = _kept_files(repo)
    assert len(kept) == len(list((repo.location / "images").glob("*.json"))) - 1
    loaded.keep()  # once only: what it kept is not held any longer
    assert _kept_files(repo) == kept
    again = browse.load(ctx, ALL)  # the shard the share rewrote is made again
    assert again.keep is not None
    _run_instance(repo, image)
    again.keep()
    assert _kept_files(repo) == kept  # nothing written: every row is stale now
    fresh = browse.load(ctx, ALL)
    assert fresh.keep is not None
    fresh.keep()
    assert browse.load(ctx, ALL).keep is None  # every row read back
    assert _fields(repo) == _cold(repo)


async def test_the_list_keeps_its_rows_once_shown_and_the_next_start_reads_them_back(
        world: World) -> None:
    """The main list calls ``keep`` after showing the rows: the next start reads them back
    (its load has nothing to keep) and shows the same rows, every region's too."""
    world.image(image_name="hz-web", creation_time="2025-06-01T00:00:00Z")
    world.image(image_name="sh-web", region="cn-shanghai", creation_time="2025-06-02T00:00:00Z")
    world.public_image()
    shown: list[list[str]] = []
    for _ in range(2):
        async with running(world, size=(80, 24)) as (app, pilot):
            await settle(app, pilot)
            names = [row.image_name for row in image_list(app).rows]
            await pilot.press("A")
            await settle(app, pilot)
            shown.append([*names, "|", *(row.image_name for row in image_list(app).rows)])
        assert _kept_files(world.repo)
        for region in (None, ALL):
            assert browse.load(world.ctx(), region).keep is None
    assert shown[0] == shown[1] and "sh-web" in shown[0]
