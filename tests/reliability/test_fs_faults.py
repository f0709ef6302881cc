"""Filesystem faults: a full disk at every write step, a read-only filesystem, a user who may
read but not write, symbolic links on every catalogue path.

A write that fails is refused with one line and never applied later; a write that returned is
never lost; a read never needs write access or free space; no link is followed.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg import service
from ecsimg.domain.errors import CatalogueError
from ecsimg.service.images.load import LOAD_ACTION, load_params
from ecsimg.store import journal, tables
from ecsimg.store.demo.seed import seed_catalogue
from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import cli_env, run_ecsimg
from tests.reliability import fs
from tests.store.index_checks import index_disagreements
from tests.store.test_group_commit import _image, _wait_for
from tests.world import OPS, World

HZ = "cn-hangzhou"
PAGE = 4096


def _name(root: Path, image_id: str) -> str:
    with TinyRepository(root).read() as view:
        image = view.get(tables.IMAGES, f"{HZ}/{image_id}")
    assert image is not None
    return image.image_name


def _world(at: Path, images: int = 12) -> tuple[World, list[str]]:
    world = World(at)
    ids = [world.image(image_name=f"start-{n}").image_id for n in range(images)]
    return world, ids


def _load_file(image_id: str, name: str) -> dict[str, Any]:
    return {"RegionId": HZ, "Images": {"Image": [{
        "ImageId": image_id, "ImageName": name, "ImageOwnerAlias": "self",
        "ImageOwnerId": int(OPS), "Size": 40}]}}


Write = Callable[[World, str, str], None]


def _rename(world: World, image_id: str, name: str) -> None:
    world.call("ModifyImageAttribute", RegionId=HZ, ImageId=image_id, ImageName=name)


def _load(world: World, image_id: str, name: str) -> None:
    documents = [("f.json", _load_file(image_id, name))]
    service.call(world.ctx(), LOAD_ACTION, load_params(documents), documents)


WRITES: dict[str, Write] = {"ModifyImageAttribute": _rename, "load": _load}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_full_disk_at_every_write_step(tmp_path: Path, write: str) -> None:
    """Free space swept a page at a time, from none to enough: each write fails at a later
    step or succeeds; a failed one is not applied, then or after space is freed."""
    with fs.tmpfs(tmp_path / "mnt", "4m") as mnt:
        world, ids = _world(mnt)
        root = world.repo.location
        image_id, expected, failures, successes = ids[0], "start-0", 0, 0
        for leave in range(0, 48 * PAGE, PAGE):
            name = f"name-{leave}"
            fs.fill(mnt, leave)
            try:
                WRITES[write](world, image_id, name)
            except CatalogueError as err:
                failures += 1
                message = str(err)
                assert "\n" not in message and "no space left" in message, message
                assert "nothing was changed" in message
                assert fs.temp_files(root) == []  # nothing left to keep the disk full
                assert _name(root, image_id) == expected  # a read needs no space
            else:
                successes += 1
                expected = name
            fs.free(mnt)
            assert _name(root, image_id) == expected
            with TinyRepository(root).transaction() as tx:  # the next writer replays nothing
                tx.put(tables.SETTINGS, tables.SETTINGS.cls(current_profile="default"))
            assert _name(root, image_id) == expected
            if successes >= 3:
                break
        print(f"{write} on a full disk: {failures} refused, {successes} committed")
        assert failures >= 3 and successes == 3


def test_an_interrupted_seed_on_a_full_disk_leaves_the_old_catalogue(tmp_path: Path) -> None:
    with fs.tmpfs(tmp_path / "mnt", "6m") as mnt:
        root = mnt / "catalogue"
        seed_catalogue(TinyRepository(root), images=40, random_seed=1, now=1.7e9)
        before = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}
        fs.fill(mnt, 64 * PAGE)
        with pytest.raises(CatalogueError, match="no space left"):
            seed_catalogue(TinyRepository(root), images=40, random_seed=2, now=1.7e9,
                           replace=True)
        after = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}
        assert after == before
        assert [p.name for p in mnt.iterdir() if p.name.startswith(".catalogue.")] == []
        fs.free(mnt)


class _Faults:
    """Makes the n-th file-system call of a commit fail with ENOSPC (0: count only)."""

    CALLS = ("open", "write", "fsync", "replace", "rename", "unlink")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.fail_at = 0
        self.failed_call = ""
        self._lock = threading.Lock()  # the calls of several threads are counted
        for call in self.CALLS:
            monkeypatch.setattr(os, call, self._wrap(call, getattr(os, call)))

    def _wrap(self, call: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def faulty(*args: Any, **kwargs: Any) -> Any:
            if self.fail_at:
                with self._lock:
                    self.count += 1
                    fail = self.count == self.fail_at
                    if fail:
                        self.failed_call = call
                if fail:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)
        return faulty

    def arm(self, at: int) -> None:
        self.count, self.fail_at, self.failed_call = 0, at, ""


@pytest.mark.parametrize("write", list(WRITES))
def test_a_fault_at_each_file_system_call_of_a_commit(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      write: str) -> None:
    """Every open, write, fsync, rename and unlink of a commit made to fail in turn: the
    write raised and is absent for good, or returned and is present for good."""
    world, ids = _world(tmp_path)
    root = world.repo.location
    faults = _Faults(monkeypatch)
    expected, raised, returned = "start-0", 0, 0
    for at in range(1, 200):
        name = f"name-{at}"
        faults.arm(at)
        try:
            WRITES[write](world, ids[0], name)
        except CatalogueError as err:
            raised += 1
            assert "\n" not in str(err) and "no space left" in str(err), err
        else:
            returned += 1
            expected = name
        finished = not faults.failed_call
        faults.arm(0)
        assert _name(root, ids[0]) == expected, (at, faults.failed_call)
        with TinyRepository(root).transaction() as tx:
            tx.put(tables.SETTINGS, tables.SETTINGS.cls(current_profile="default"))
        assert _name(root, ids[0]) == expected, at
        assert not (root / journal.JOURNAL).exists()
        assert fs.temp_files(root) == []
        if finished:
            break
    print(f"{write}, a fault at each call: {raised} raised, {returned} returned")
    assert raised >= 4 and returned >= 2, (raised, returned)


BATCH_MEMBERS = 3
"""Threads that queue behind the one holding the batch open, as ``serve``'s workers do."""


def _batch_round(repo: TinyRepository, at: int) -> tuple[dict[int, BaseException | None], bool]:
    """Image n renamed to ``n-at`` by thread n, n = 0 holding the batch open until the others
    are queued behind it: each thread's error or None, and whether all of them were queued."""
    outcome: dict[int, BaseException | None] = {}
    release = threading.Event()

    def rename(n: int) -> None:
        try:
            with repo.transaction() as tx:
                image = tx.get(tables.IMAGES, _image(n).key)
                assert image is not None
                tx.put(tables.IMAGES, dataclasses.replace(image, image_name=f"{n}-{at}"))
                if n == 0:
                    release.wait(10)
            outcome[n] = None
        except BaseException as err:  # the test looks at them
            outcome[n] = err

    holder = threading.Thread(target=rename, args=(0,))
    holder.start()
    _wait_for(lambda: repo._batcher.open or 0 in outcome)
    members = [threading.Thread(target=rename, args=(n,)) for n in range(1, BATCH_MEMBERS + 1)]
    for thread in members:
        thread.start()
    _wait_for(lambda: repo._batcher._queued + len(outcome.keys() - {0}) >= BATCH_MEMBERS)
    queued = repo._batcher._queued == BATCH_MEMBERS
    release.set()
    for thread in (holder, *members):
        thread.join(30)
    return outcome, queued


def _names(root: Path) -> dict[int, str]:
    with TinyRepository(root).read() as view:
        found = {n: view.get(tables.IMAGES, _image(n).key) for n in range(BATCH_MEMBERS + 1)}
    return {n: image.image_name for n, image in found.items() if image is not None}


def test_a_fault_at_each_file_system_call_of_a_batch_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Group commit under the same campaign: four threads' renames gathered into one batch,
    the n-th file-system call of the round made to fail, n = 1, 2, ... until none fails. Each
    rename raised one line and is absent for good, or returned and is present for good (so a
    failed commit fails every member that wrote); no journal, temporary file or stale index
    is left, and the repository still writes."""
    root = tmp_path / "cat"
    repo = TinyRepository(root)
    with repo.transaction() as tx:
        for n in range(BATCH_MEMBERS + 1):
            tx.put(tables.IMAGES, _image(n))
    expected = _names(root)
    faults = _Faults(monkeypatch)
    rounds = batched = 0
    kinds: dict[tuple[int, int], int] = {}
    """(members that raised, members) -> rounds: a failed commit fails all that wrote; a
    fault before a member joined the batch fails that member alone."""
    for at in range(1, 400):
        faults.arm(at)
        outcome, queued = _batch_round(repo, at)
        finished, call = not faults.failed_call, faults.failed_call
        faults.arm(0)
        rounds, batched = rounds + 1, batched + queued
        for n, err in outcome.items():
            if err is None:
                expected[n] = f"{n}-{at}"
            else:
                assert isinstance(err, CatalogueError), (at, call, err)
                assert "\n" not in str(err), err
        raised = sum(err is not None for err in outcome.values())
        kinds[(raised, len(outcome))] = kinds.get((raised, len(outcome)), 0) + 1
        assert _names(root) == expected, (at, call, outcome)
        with TinyRepository(root).transaction() as tx:
            tx.put(tables.SETTINGS, tables.SETTINGS.cls(current_profile="default"))
        assert _names(root) == expected, at
        assert not (root / journal.JOURNAL).exists()
        assert fs.temp_files(root) == []
        assert index_disagreements(root) == []
        if finished:
            break
    print(f"a batch of {BATCH_MEMBERS + 1}, a fault at each call: {rounds} rounds, "
          f"{batched} with every member queued; (raised, members): rounds {kinds}")
    every = BATCH_MEMBERS + 1
    assert rounds >= 10 and batched >= rounds // 2, (rounds, batched)
    assert kinds.get((every, every), 0) >= 3 and kinds.get((0, every), 0) >= 1, kinds


def _pending_journal(world: World, image_id: str, name: str,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Commit a rename whose shards cannot be written after the commit point: the call
    returns (the change is committed) and the journal is left for the next writer."""
    real_replace = os.replace
    committed: list[bool] = []

    def stop_after_journal(src: Any, dst: Any, **kwargs: Any) -> None:
        if committed:
            raise OSError(errno.EIO, "stopped after the commit point")
        real_replace(src, dst, **kwargs)
        committed.append(str(dst).endswith(journal.JOURNAL))
        if not committed[-1]:
            committed.pop()

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", stop_after_journal)
        _rename(world, image_id, name)
    assert (world.repo.location / journal.JOURNAL).exists()


def _describe_name(db: Path, image_id: str, *prefix: str) -> tuple[int, str, str]:
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "ecsimg", "--read-only", "api", "DescribeImages",
         "--RegionId", HZ, "--ImageId", image_id], capture_output=True, env=cli_env(db),
        timeout=60, check=False)
    out, err = result.stdout.decode(), result.stderr.decode()
    name = orjson.loads(out)["Images"]["Image"][0]["ImageName"] if result.returncode == 0 else ""
    return result.returncode, name, err


def test_a_read_only_filesystem_is_read_with_its_pending_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fs.tmpfs(tmp_path / "mnt", "8m") as mnt:
        world, ids = _world(mnt)
        db = world.repo.location
        _pending_journal(world, ids[1], "committed-before-crash", monkeypatch)
        fs.remount(mnt, "ro")
        try:
            status, name, err = _describe_name(db, ids[1])
            assert (status, name, err) == (0, "committed-before-crash", "")
            write = run_ecsimg("api", "ModifyImageAttribute", "--RegionId", HZ, "--ImageId",
                               ids[1], "--ImageName", "nope", db=db)
            assert write.status == 1 and len(write.err.splitlines()) == 1, write.err
            assert "read-only" in write.err.lower() or "cannot" in write.err
        finally:
            fs.remount(mnt, "rw")
        assert _name(db, ids[1]) == "committed-before-crash"


NO_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")
"""Runs a command without the capabilities that let root ignore file modes: the folder's
read-only modes then bind it as they bind any user who may read but not write."""


@pytest.mark.parametrize("with_lock", [True, False])
def test_a_user_who_may_only_read_can_read(tmp_path: Path, with_lock: bool) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop the capabilities that override modes")
    world, ids = _world(tmp_path)
    db = world.repo.location
    if not with_lock:
        (db / ".lock").unlink()
    paths = [db, *db.rglob("*")]
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        before = {str(p): p.read_bytes() for p in db.rglob("*") if p.is_file()}
        status, name, err = _describe_name(db, ids[2], *NO_OVERRIDE)
        assert (status, name, err) == (0, "start-2", "")
        write = subprocess.run(
            [*NO_OVERRIDE, sys.executable, "-m", "ecsimg", "api", "ModifyImageAttribute",
             "--RegionId", HZ, "--ImageId", ids[2], "--ImageName", "nope"],
            capture_output=True, env=cli_env(db), timeout=60, check=False)
        lines = write.stderr.decode().splitlines()
        assert write.returncode == 1 and len(lines) == 1, lines
        assert "Traceback" not in write.stderr.decode()
        assert {str(p): p.read_bytes() for p in db.rglob("*") if p.is_file()} == before
    finally:
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)


LINKED = ["catalogue", "meta.json", "journal.json", ".lock", "images", "images/shard", "image_rows",
          "image_shares", "image_spans"]


def _plant(db: Path, target: str, outside: Path) -> Path:
    """Replace ``target`` under the catalogue with a link to a copy outside it."""
    if target == "catalogue":
        moved = outside / "real-catalogue"
        shutil.move(str(db), moved)
        db.symlink_to(moved, target_is_directory=True)
        return moved
    if target == "images/shard":
        path = next((db / "images").glob("*.json"))
    elif target == "journal.json":
        path = db / journal.JOURNAL
        path.write_bytes(journal.encode([], 99))
    else:
        path = db / target
    copy = outside / path.name
    if path.is_dir():
        shutil.move(str(path), copy)
    else:
        shutil.copyfile(path, copy)
        path.unlink()
    path.symlink_to(copy, target_is_directory=copy.is_dir())
    return copy


def _snapshot(path: Path) -> dict[str, tuple[bytes, int]]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


@pytest.mark.parametrize("target", LINKED)
def test_a_link_on_any_catalogue_path_is_refused_naming_it(tmp_path: Path, target: str) -> None:
    world, ids = _world(tmp_path / "home")
    db = world.repo.location
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = _plant(db, target, outside)
    before = _snapshot(planted)
    for argv in (("--read-only", "api", "DescribeImages", "--RegionId", HZ),
                 ("api", "ModifyImageAttribute", "--RegionId", HZ, "--ImageId", ids[0],
                  "--ImageName", "through-a-link")):
        result = run_ecsimg(*argv, db=db)
        lines = result.err.splitlines()
        assert result.status == 1, (argv, result.status, result.err)
        assert len(lines) == 1 and "symbolic link" in lines[0], lines
        assert _snapshot(planted) == before, argv
    # Replacing the catalogue either refuses the same way or replaces the folder, link and
    # all, without following it.
    result = run_ecsimg("seed", "--force", "--images", "5", db=db)
    assert _snapshot(planted) == before
    if result.status == 0:
        assert list(_iter_links(db)) == [] and not db.is_symlink()
    else:
        assert result.status == 1 and "symbolic link" in result.err, result.err


def _iter_links(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_symlink())


def test_the_catalogue_writes_no_link_of_its_own(tmp_path: Path) -> None:
    world, _ = _world(tmp_path)
    assert list(_iter_links(world.repo.location)) == []


@pytest.mark.slow
def test_seed_force_on_a_disk_filling_up_at_every_step(tmp_path: Path) -> None:
    """seed --force with the free space swept 32 KiB at a time until it fits: each attempt
    leaves the old catalogue whole, or the new one whole, and no build behind."""
    with fs.tmpfs(tmp_path / "mnt", "24m") as mnt:
        root = mnt / "catalogue"
        seed_catalogue(TinyRepository(root), images=300, random_seed=1, now=1.7e9)

        def keys() -> set[str]:
            with TinyRepository(root).read() as view:
                return {i.key for i in view.all(tables.IMAGES)}

        old, outcomes = keys(), {"old": 0, "new": 0}
        for step in range(0, 400):
            fs.fill(mnt, step * 8 * PAGE)
            try:
                seed_catalogue(TinyRepository(root), images=300, random_seed=2 + step,
                               now=1.7e9, replace=True)
            except CatalogueError as err:
                assert "no space left" in str(err) and "\n" not in str(err), err
                outcomes["old"] += 1
                assert keys() == old
            else:
                outcomes["new"] += 1
                break
            finally:
                fs.free(mnt)
            assert [p.name for p in mnt.iterdir() if p.name.startswith(".catalogue.")] == []
        print(f"seed --force on a filling disk: {outcomes}")
        assert outcomes["new"] == 1 and outcomes["old"] > 10
