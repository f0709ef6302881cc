"""Every writer interrupted: ``seed --force``, first creation, ``load``, ``market buy`` and a
schema migration, stopped by SIGINT, SIGTERM or SIGKILL at a random moment.

After each interruption the catalogue opens, and holds the state before the command or the
state after it, whole: never a mix, never a folder every command refuses.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg.domain.models import CatalogueSettings
from ecsimg.store.demo.seed import seed_catalogue
from ecsimg.store.migrations import SCHEMA_VERSION
from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import cli_env, run_ecsimg
from tests.store.index_checks import (
    index_disagreements,
    spans_disagreements,
    stale_shards,
    unspanned_shards,
)

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
KILL_WINDOW = 1.5
"""Seconds after the start within which the signal lands (each writer takes about that)."""
NOW = 1.75e9
HZ = "cn-hangzhou"

MIGRATOR = """
import sys, time
from pathlib import Path
from typing import Any
from ecsimg.store import migrations
from ecsimg.store.tinystore import TinyRepository

def step(root):
    for shard in sorted((root / "images").glob("*.json")):
        shard.write_bytes(shard.read_bytes())
        time.sleep(0.01)
    (root / "migrated.txt").write_text("yes")

current = migrations.SCHEMA_VERSION
migrations.SCHEMA_VERSION = current + 1
migrations.MIGRATIONS[current] = step
with TinyRepository(Path(sys.argv[1])).read() as view:
    pass
"""


def _ok(db: Path, *argv: str) -> str:
    result = run_ecsimg(*argv, db=db)
    assert result.status == 0 and "Traceback" not in result.err, (argv, result.err)
    return result.out


def _describe(db: Path, **params: str) -> list[dict[str, Any]]:
    """DescribeImages as ``ecsimg --read-only api`` runs it, in this process (faster)."""
    from ecsimg import service
    from ecsimg.bootstrap import make_context, open_catalogue

    ctx = make_context(open_catalogue(str(db)), "default", read_only=True)
    body = service.call(ctx, "DescribeImages", {"RegionId": HZ, "PageSize": "100", **params})
    images: list[dict[str, Any]] = body["Images"]["Image"]
    return images


def _own_image_ids(db: Path) -> set[str]:
    return {i["ImageId"] for i in _describe(db, ImageOwnerAlias="self")}


def _meta(db: Path) -> dict[str, object]:
    data: dict[str, object] = orjson.loads((db / "meta.json").read_bytes())
    return data


@dataclass
class Writer:
    """Prepares a catalogue, names the command, and checks the state after an interruption."""

    prepare: Callable[[Path], object]
    argv: Callable[[Path], list[str]]
    check: Callable[[Path, object], str]
    """Returns "old" or "new", failing the test on anything else."""


def _seed(db: Path, random_seed: int = 1, images: int = 40) -> None:
    seed_catalogue(_repo(db), images=images, random_seed=random_seed, now=NOW,
                   task_seconds_per_gib=0, replace=(db / "meta.json").exists())


def _repo(db: Path) -> TinyRepository:
    return TinyRepository(db)


def _prepare_seed(db: Path) -> object:
    _seed(db)
    return _own_image_ids(db)


def _check_seed(db: Path, before: object) -> str:
    after = _own_image_ids(db)
    if after == before:
        return "old"
    fresh = db.parent / "reference"
    if not fresh.exists():
        _seed(fresh, random_seed=2)
    assert after == _own_image_ids(fresh), "a mix of the old and the new catalogue"
    return "new"


def _prepare_first(db: Path) -> object:
    return None


def _check_first(db: Path, _: object) -> str:
    existed = (db / "meta.json").exists()
    _own_image_ids(db)  # opens, creating the demo if the interrupted run did not
    reference = db.parent / "reference"
    seed_catalogue(_repo(reference), random_seed=0, task_seconds_per_gib=0)
    assert _all_keys(db) == _all_keys(reference), "a partial demo catalogue"
    return "new" if existed else "old"


def _all_keys(db: Path) -> set[str]:
    from ecsimg.store import tables

    with TinyRepository(db).read() as view:
        return {i.key for i in view.all(tables.IMAGES)}


def _prepare_load(db: Path) -> object:
    _seed(db)
    images = [{"ImageId": f"m-killload{n:012d}", "ImageName": f"loaded-{n}",
               "ImageOwnerAlias": "self", "Size": 40} for n in range(40)]
    (db.parent / "load.json").write_text(json.dumps(
        {"RegionId": HZ, "Images": {"Image": images}}))
    return {i["ImageId"] for i in images}


def _check_load(db: Path, loaded: object) -> str:
    assert isinstance(loaded, set)
    present = loaded & _own_image_ids(db)
    assert present in (set(), loaded), f"{len(present)} of {len(loaded)} images loaded"
    return "new" if present else "old"


def _marketplace_image(db: Path) -> str:
    """A marketplace image of the region whose product can still be bought there."""
    from ecsimg.store import tables

    with TinyRepository(db).read() as view:
        for image in sorted(view.group(tables.IMAGES, HZ), key=lambda i: i.image_id):
            product = view.get(tables.PRODUCTS, image.product_code)
            if (image.owner_kind == "marketplace" and product is not None
                    and not product.removed and HZ in product.regions):
                return image.image_id
    raise AssertionError("no buyable marketplace image in the demo")


def _purchases(db: Path) -> int:
    """Purchases as the catalogue holds them (a journal left by the kill included)."""
    from ecsimg.store import tables

    with TinyRepository(db).read() as view:
        return len(view.all(tables.PURCHASES))


def _prepare_buy(db: Path) -> object:
    _seed(db, images=300)
    return _purchases(db), _marketplace_image(db)


def _check_buy(db: Path, before: object) -> str:
    assert isinstance(before, tuple)
    _own_image_ids(db)  # opens
    bought = _purchases(db) - before[0]
    assert bought in (0, 5), bought
    return "new" if bought else "old"


def _prepare_migration(db: Path) -> object:
    _seed(db)
    return None


def _check_migration(db: Path, _: object) -> str:
    schema = _meta(db)["schema"]
    if schema == SCHEMA_VERSION:
        assert not (db / "migrated.txt").exists()
        _own_image_ids(db)
        return "old"
    assert schema == SCHEMA_VERSION + 1 and (db / "migrated.txt").read_text() == "yes"
    return "new"


RECIPIENT = "6000000000000001"


def _prepare_copied(db: Path) -> object:
    """A seeded catalogue copied into place (every file a new inode, as ``cp -r`` or a
    restored backup leaves it): the next commit repairs every index and spans file."""
    original = db.parent / "original"
    _seed(original, images=2000)
    shutil.copytree(original, db)
    return min(_own_image_ids(db))


def _check_copied(db: Path, image_id: object) -> str:
    from ecsimg.store import tables

    assert spans_disagreements(db) == []
    with TinyRepository(db).read() as view:
        image = view.get(tables.IMAGES, f"{HZ}/{image_id}")
    assert image is not None
    shared = [s.account_id for s in image.shares]
    assert shared in ([], [RECIPIENT]), shared
    with TinyRepository(db).transaction() as tx:  # the next commit finishes any repair
        tx.put(tables.SETTINGS, CatalogueSettings())
    assert stale_shards(db) == unspanned_shards(db) == set()
    assert spans_disagreements(db) == []
    return "new" if shared else "old"


WRITERS: dict[str, Writer] = {
    "seed --force": Writer(_prepare_seed, lambda db: [
        "-m", "ecsimg", "seed", "--force", "--images", "40", "--random-seed", "2"], _check_seed),
    "first creation": Writer(_prepare_first, lambda db: ["-m", "ecsimg", "profile", "list"],
                             _check_first),
    "load": Writer(_prepare_load, lambda db: ["-m", "ecsimg", "load",
                                              str(db.parent / "load.json")], _check_load),
    "market buy": Writer(_prepare_buy, lambda db: [
        "-m", "ecsimg", "market", "buy", _marketplace_image(db), "--Amount", "5"], _check_buy),
    "migration": Writer(_prepare_migration, lambda db: ["-c", MIGRATOR, str(db)],
                        _check_migration),
    "share on a copied catalogue": Writer(_prepare_copied, lambda db: [
        "-m", "ecsimg", "api", "ModifyImageSharePermission", "--RegionId", HZ, "--ImageId",
        min(_own_image_ids(db)), "--AddAccount.1", RECIPIENT], _check_copied),
}


def _interrupt(tmp_path: Path, writer: Writer, number: int, delay: float) -> tuple[str, bool]:
    db = tmp_path / "catalogue"
    before = writer.prepare(db)
    argv = writer.argv(db)
    env = cli_env(db)
    env["ECSIMG_TASK_SECONDS_PER_GIB"] = "0"
    proc = subprocess.Popen([sys.executable, *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    time.sleep(delay)
    hit = proc.poll() is None
    if hit:
        os.kill(proc.pid, number)
    _, err = proc.communicate(timeout=60)
    # ctrl+C while the interpreter is still importing is Python's, before ecsimg can answer.
    assert b"Traceback" not in err or err.rstrip().endswith(b"KeyboardInterrupt"), err.decode()
    outcome = writer.check(db, before)
    assert hit or outcome == "new", "the command finished but its change is not there"
    # Not bricked: the catalogue can be replaced, as ``seed --force`` does.
    if (db / "meta.json").exists() and _meta(db)["schema"] == SCHEMA_VERSION:
        assert index_disagreements(db) == []
        _seed(db, images=5)
        assert len(_own_image_ids(db)) <= 5
    return outcome, hit


def _duration(tmp_path: Path, writer: Writer) -> float:
    """How long the writer takes here when left alone (what the kill moments span)."""
    db = tmp_path / "catalogue"
    writer.prepare(db)
    started = time.monotonic()
    subprocess.run([sys.executable, *writer.argv(db)], env=cli_env(db), capture_output=True,
                   timeout=120, check=False)
    return time.monotonic() - started


def _campaign(tmp_path: Path, name: str, runs: int, rng: random.Random) -> dict[str, int]:
    outcomes = {"old": 0, "new": 0, "hits": 0}
    window = _duration(tmp_path / "alone", WRITERS[name]) * 1.5
    for n in range(runs):
        number = SIGNALS[n % len(SIGNALS)]
        outcome, hit = _interrupt(tmp_path / f"run{n}", WRITERS[name], number,
                                  rng.uniform(0.0, window))
        outcomes[outcome] += 1
        outcomes["hits"] += hit
    return outcomes


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_interrupted_writer_leaves_the_old_or_the_new_state(tmp_path: Path,
                                                               name: str) -> None:
    n = list(WRITERS).index(name)
    outcome, _ = _interrupt(tmp_path, WRITERS[name], SIGNALS[n % len(SIGNALS)],
                            random.Random(name).uniform(0.2, KILL_WINDOW))
    assert outcome in ("old", "new")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WRITERS))
def test_many_interrupted_writers(tmp_path: Path, name: str) -> None:
    runs = int(os.environ.get("ECSIMG_KILLS", "30"))
    outcomes = _campaign(tmp_path, name, runs, random.Random(name))
    print(f"{name}: {outcomes}")
    assert outcomes["hits"] > 0
