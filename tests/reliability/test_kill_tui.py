"""The TUI interrupted while its dialogs write: SIGKILL, SIGTERM and SIGINT at random moments.

A child process runs the real app headless and drives it with Pilot (``tui_driver``): the edit
dialog renames an image, the share dialog adds or removes two accounts, in turn; it prints
``APPLY n`` as it presses ctrl+s and ``ACK n`` once the dialog closed on success. The parent
signals it at a random moment, half the time just after an ``APPLY``, so that many signals land
inside a commit. Then ``ecsimg api`` must open the catalogue, every acknowledged write must be
there, the write in flight whole or absent, the events exactly one per applied call, and the
next writer must leave no journal or temporary file.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from ecsimg import service
from ecsimg.bootstrap import make_context
from ecsimg.store import journal, tables
from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import cli_env
from tests.reliability import tui_driver
from tests.reliability.fs import temp_files
from tests.reliability.procs import api_ok, describe_own_images, load_json

DRIVER = Path(tui_driver.__file__)
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
EXIT_STATUS = {signal.SIGKILL: -signal.SIGKILL, signal.SIGTERM: 128 + signal.SIGTERM,
               signal.SIGINT: 130}
"""SIGTERM and SIGINT: the app's own handler exits 128 + the signal (ui/app.py), as ``ecsimg``
does on ctrl+C before the app runs."""
RANDOM_WINDOW = 1.5
"""Seconds after the first acknowledgement within which an undirected signal lands (a
dialog's write takes about 1.2 s, from opening it to the list shown again)."""
NEAR_APPLY = 0.08
"""Seconds after an ``APPLY`` within which a directed signal lands (the call's commit)."""


@dataclass(frozen=True)
class State:
    """What the writes change: the edited image's name and whether the other is shared."""

    name: str
    shared: bool
    names_applied: tuple[str, ...] = ()
    shares_applied: int = 0


def after(state: State, seq: int) -> State:
    write = tui_driver.plan(seq)
    if write.dialog == "edit":
        return replace(state, name=write.name, names_applied=(*state.names_applied, write.name))
    return replace(state, shared=write.add, shares_applied=state.shares_applied + 1)


@dataclass
class Campaign:
    kills: Counter[str] = field(default_factory=Counter)
    near_apply: int = 0
    acknowledged: int = 0
    in_flight_committed: int = 0
    in_flight_absent: int = 0


@dataclass(frozen=True)
class Run:
    """One driver process: what it acknowledged, how it ended."""

    acked: list[int]
    status: int
    stderr: str
    near_apply: bool


def _pick_images(db: Path) -> tuple[str, str]:
    images = describe_own_images(db)
    # Plain, unshared, available images: one to rename, one to share (no service-key disks).
    pool = sorted(
        i for i, image in images.items()
        if image["IsSelfShared"] == "False" and image["Status"] == "Available"
        and not any(d.get("Encrypted") for d in image["DiskDeviceMappings"]["DiskDeviceMapping"])
    )
    assert len(pool) >= 2
    return pool[0], pool[1]


def _run_and_signal(db: Path, start: int, images: tuple[str, str], number: int,
                    rng: random.Random) -> Run:
    """Start the driver at write ``start``; once it acknowledged one write, signal it at a
    random moment (half the time just after it pressed apply)."""
    proc = subprocess.Popen([sys.executable, str(DRIVER), str(start), *images],
                            env=cli_env(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    stdout = proc.stdout
    output = b""
    near_apply = rng.random() < 0.5
    delay = rng.random() * (NEAR_APPLY if near_apply else RANDOM_WINDOW)
    deadline = time.monotonic() + 60

    def wait_for(marker: bytes) -> None:
        nonlocal output
        while marker not in output and time.monotonic() < deadline and proc.poll() is None:
            if select.select([stdout], [], [], 0.02)[0]:
                output += os.read(stdout.fileno(), 65536)

    wait_for(b"ACK ")
    if near_apply:
        wait_for(f"APPLY {start + 1}\n".encode())
    time.sleep(delay)
    alive = proc.poll() is None
    proc.send_signal(number)
    try:
        rest, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, err = proc.communicate()
        pytest.fail(f"the driver did not end on {signal.Signals(number).name}: {err.decode()}")
    stderr = err.decode(errors="replace")
    assert alive, f"driver stopped by itself: {stderr}"
    lines = (output + rest).decode().split("\n")
    # A line cut by the kill has no newline: only whole lines count.
    acked = [int(line.split()[1]) for line in lines[:-1] if line.startswith("ACK ")]
    return Run(acked, proc.returncode, stderr, near_apply)


def _observe(db: Path, images: tuple[str, str]) -> State:
    """The state as ``ecsimg api`` shows it (the first command after the kill must work),
    with the events of the calls the dialogs made."""
    edit_image, share_image = images
    own = describe_own_images(db)
    permissions = load_json(api_ok(db, "DescribeImageSharePermission", "--ImageId", share_image,
                                   "--PageSize", "100"))
    accounts = {a["AliyunId"] for a in permissions["Accounts"]["Account"]}
    assert permissions["TotalCount"] == len(accounts), permissions
    assert accounts in (set(), set(tui_driver.SHARE_UIDS)), f"half a share call: {accounts}"
    assert (own[share_image]["IsSelfShared"] == "True") == bool(accounts)
    with TinyRepository(db).read() as view:
        events = [e for e in view.all(tables.EVENTS) if e.code == "Success"]
    names = tuple(sorted(
        (e.params["ImageName"] for e in events
         if e.action == "ModifyImageAttribute" and e.params.get("ImageId") == edit_image
         and e.params.get("ImageName", "").startswith("tui-")),
        key=lambda name: int(name.removeprefix("tui-"))))
    shares = sum(1 for e in events if e.action == "ModifyImageSharePermission"
                 and e.params.get("ImageId") == share_image)
    return State(own[edit_image]["ImageName"], bool(accounts), names, shares)


def _next_writer_leaves_no_debris(db: Path, edit_image: str, kills: int) -> None:
    """A write by another process completes any journal the kill left; nothing stays behind."""
    ctx = make_context(TinyRepository(db), "default")
    service.call(ctx, "ModifyImageAttribute", {"RegionId": "cn-hangzhou", "ImageId": edit_image,
                                               "Description": f"after kill {kills}"})
    assert not (db / journal.JOURNAL).exists()
    assert temp_files(db) == []


def tui_kill_campaign(db: Path, *, kills: int | None = None, seconds: float | None = None,
                      seed: int = 4321) -> Campaign:
    images = _pick_images(db)
    first = _observe(db, images)
    assert not first.shared and first.names_applied == ()
    expected = replace(first, names_applied=(), shares_applied=0)
    baseline_shares = first.shares_applied
    rng = random.Random(seed)
    campaign = Campaign()
    next_seq = 0
    started = time.monotonic()
    while (kills is None or campaign.kills.total() < kills) and (
            seconds is None or time.monotonic() - started < seconds):
        number = SIGNALS[campaign.kills.total() % len(SIGNALS)]
        run = _run_and_signal(db, next_seq, images, number, rng)
        name = signal.Signals(number).name
        campaign.kills[name] += 1
        campaign.near_apply += run.near_apply
        where = f"{name} #{campaign.kills.total()} (from write {next_seq})"
        assert run.status == EXIT_STATUS[number], (where, run.status, run.stderr)
        if number != signal.SIGKILL:
            assert "Traceback" not in run.stderr, (where, run.stderr)
        assert run.acked == list(range(next_seq, next_seq + len(run.acked))), where
        assert run.acked, f"{where}: nothing acknowledged before the signal"
        campaign.acknowledged += len(run.acked)
        for seq in run.acked:
            expected = after(expected, seq)
        in_flight = next_seq + len(run.acked)
        found = _observe(db, images)
        found = replace(found, shares_applied=found.shares_applied - baseline_shares)
        if found == expected:
            campaign.in_flight_absent += 1
            next_seq = in_flight
        else:
            # The write in flight may have committed before the signal: whole, never half.
            with_in_flight = after(expected, in_flight)
            assert found == with_in_flight, (
                f"{where}: acknowledged up to {in_flight - 1}; expected {expected} "
                f"or {with_in_flight}, found {found}")
            expected = with_in_flight
            campaign.in_flight_committed += 1
            next_seq = in_flight + 1
        _next_writer_leaves_no_debris(db, images[0], campaign.kills.total())
    print(f"\nTUI kill campaign: {dict(campaign.kills)} ({campaign.near_apply} just after an "
          f"apply), {campaign.acknowledged} acknowledged dialog writes all present; in flight: "
          f"{campaign.in_flight_committed} committed whole, {campaign.in_flight_absent} absent")
    return campaign


def test_signals_during_tui_dialog_writes_keep_every_acknowledged_write(demo_db: Path) -> None:
    campaign = tui_kill_campaign(demo_db, kills=3)
    assert campaign.kills == Counter({"SIGKILL": 1, "SIGTERM": 1, "SIGINT": 1})
    assert campaign.acknowledged >= 3


@pytest.mark.slow
def test_signal_campaign_through_the_tui(demo_db: Path) -> None:
    seconds = float(os.environ.get("ECSIMG_SOAK_SECONDS", "300"))
    kills = int(os.environ.get("ECSIMG_KILLS", "300"))
    campaign = tui_kill_campaign(demo_db, kills=kills, seconds=seconds, seed=int(time.time()))
    assert campaign.kills.total() >= 1 and campaign.acknowledged >= campaign.kills.total()
