"""SIGKILL during CLI writes: the catalogue always opens and keeps every acknowledged write.

A driver process writes through the CLI's ``main()`` (renames, share and unshare, CreateImage,
DeleteImage) and prints each write once it is acknowledged; it is killed at a random moment
while writing. ``ecsimg api DescribeImages`` must then succeed and show exactly the writes
acknowledged, plus possibly the one in flight, since it may have committed before the kill.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.cli.runner import cli_env
from tests.reliability import cli_driver
from tests.reliability.procs import api_ok, describe_own_images, load_json
from tests.store.index_checks import index_disagreements

DRIVER = Path(cli_driver.__file__)
POOL_SIZE = 3


@dataclass(frozen=True)
class Catalogue:
    """What the writes change: the pool's names and sharing, and the images created."""

    names: tuple[str, ...]
    shared: tuple[bool, ...]
    created: frozenset[str]


def after(state: Catalogue, seq: int, pool: tuple[str, ...]) -> Catalogue:
    """``state`` once write ``seq`` of ``cli_driver.plan`` is applied."""
    argv = cli_driver.plan(seq, "snapshot", pool)
    index = pool.index(argv[3]) if argv[2] == "--ImageId" else -1
    if argv[1] == "ModifyImageAttribute":
        names = list(state.names)
        names[index] = argv[-1]
        return replace(state, names=tuple(names))
    if argv[1] == "ModifyImageSharePermission":
        shared = list(state.shared)
        shared[index] = argv[-2] == "--AddAccount.1"
        return replace(state, shared=tuple(shared))
    if argv[1] == "CreateImage":
        return replace(state, created=state.created | {argv[-1]})
    return replace(state, created=state.created - {argv[-1]})


def observe(db: Path, pool: tuple[str, ...]) -> Catalogue:
    images = describe_own_images(db)
    return Catalogue(
        names=tuple(images[i]["ImageName"] for i in pool),
        shared=tuple(images[i]["IsSelfShared"] == "True" for i in pool),
        created=frozenset(i["ImageName"] for i in images.values()
                          if i["ImageName"].startswith("c-")),
    )


@dataclass
class Campaign:
    kills: int = 0
    acknowledged: int = 0
    in_flight_committed: int = 0


def _setup(db: Path) -> tuple[tuple[str, ...], str]:
    images = describe_own_images(db)
    # An image encrypted with a service key cannot be shared: the pool is plain, unshared ones.
    pool = tuple(sorted(
        i for i, image in images.items()
        if image["IsSelfShared"] == "False" and image["Status"] == "Available"
        and not any(d.get("Encrypted") for d in image["DiskDeviceMappings"]["DiskDeviceMapping"])
    ))[:POOL_SIZE]
    assert len(pool) == POOL_SIZE
    snapshots = load_json(api_ok(db, "DescribeSnapshots", "--PageSize", "100"))
    snapshot_id = next(s["SnapshotId"] for s in snapshots["Snapshots"]["Snapshot"]
                       if s["SourceDiskType"] == "system")
    return pool, snapshot_id


def _run_and_kill(db: Path, start: int, snapshot_id: str, pool: tuple[str, ...],
                  rng: random.Random) -> list[int]:
    """Start the driver at write ``start``, kill it soon after its first acknowledgement,
    and return the writes it acknowledged."""
    proc = subprocess.Popen([sys.executable, str(DRIVER), str(start), snapshot_id, *pool],
                            env=cli_env(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    output = b""
    deadline = time.monotonic() + 30
    while b"ACK" not in output and time.monotonic() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 0.05)[0]:
            output += os.read(proc.stdout.fileno(), 65536)
    # Each write takes some 10-20 ms, so the kill lands at a random point inside one.
    time.sleep(rng.random() * 0.25)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    rest, err = proc.communicate()
    assert alive, f"driver stopped by itself: {err.decode(errors='replace')}"
    lines = (output + rest).decode().split("\n")
    # A line cut by the kill has no newline: only whole lines were printed.
    return [int(line.split()[1]) for line in lines[:-1]]


def kill_campaign(db: Path, *, kills: int | None = None, seconds: float | None = None,
                  seed: int = 1234) -> Campaign:
    pool, snapshot_id = _setup(db)
    first = observe(db, pool)
    expected = replace(first, created=frozenset())
    assert first.created == frozenset() and not any(first.shared)
    rng = random.Random(seed)
    campaign = Campaign()
    next_seq = 0
    started = time.monotonic()
    while (kills is None or campaign.kills < kills) and (
            seconds is None or time.monotonic() - started < seconds):
        acked = _run_and_kill(db, next_seq, snapshot_id, pool, rng)
        campaign.kills += 1
        assert acked == list(range(next_seq, next_seq + len(acked)))
        campaign.acknowledged += len(acked)
        for seq in acked:
            expected = after(expected, seq, pool)
        in_flight = next_seq + len(acked)
        found = observe(db, pool)
        # Shares, renames, creations and deletions all touch the indexes in the same commit.
        assert index_disagreements(db) == [], f"kill {campaign.kills}"
        if found == expected:
            next_seq = in_flight
            continue
        # The write in flight may have committed just before the kill: whole, never half.
        with_in_flight = after(expected, in_flight, pool)
        assert found == with_in_flight, (
            f"kill {campaign.kills}: acknowledged writes up to {in_flight - 1}; "
            f"expected {expected} or {with_in_flight}, found {found}")
        expected = with_in_flight
        campaign.in_flight_committed += 1
        next_seq = in_flight + 1
    print(f"\nCLI kill campaign: {campaign.kills} SIGKILLs survived, {campaign.acknowledged} "
          f"acknowledged writes all present, {campaign.in_flight_committed} unacknowledged "
          f"in-flight writes found committed whole")
    return campaign


def test_sigkill_during_cli_writes_keeps_every_acknowledged_write(demo_db: Path) -> None:
    campaign = kill_campaign(demo_db, kills=8)
    assert campaign.kills == 8 and campaign.acknowledged >= 8


@pytest.mark.slow
def test_sigkill_campaign_through_the_cli(demo_db: Path) -> None:
    seconds = float(os.environ.get("ECSIMG_SOAK_SECONDS", "300"))
    campaign = kill_campaign(demo_db, seconds=seconds, seed=int(time.time()))
    assert campaign.kills >= 1 and campaign.acknowledged >= campaign.kills
