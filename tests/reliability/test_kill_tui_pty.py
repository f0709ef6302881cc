"""SIGKILL to the real ``ecsimg`` TUI in a pseudo-terminal while its edit dialog applies."""

from __future__ import annotations

import os
import random
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from benchmarks.pty_session import PtySession

from ecsimg.store import journal, tables
from ecsimg.store.tinystore import TinyRepository
from tests.cli.runner import cli_env
from tests.reliability.fs import temp_files
from tests.reliability.procs import api_ok, describe_own_images
from tests.world import World

CTRL_S = b"\x13"
NAME = "pty-victim"
NEW_NAME = "pty-renamed"


def _kill_while_applying(tmp_path: Path, delay: float | None) -> str:
    """Typed keys rename the only image; SIGKILL lands ``delay`` seconds after ctrl+s, or
    (None) once the list shows the rename acknowledged. The catalogue must open, and hold the
    rename with its one event, or neither; the next writer leaves no journal behind."""
    world = World(tmp_path)
    image = world.image(image_name=NAME)
    db = world.repo.location
    env = cli_env(db)
    env["TERM"] = "xterm-256color"
    with PtySession([sys.executable, "-m", "ecsimg"], env, columns=100, lines=30) as tty:
        assert tty.wait_for(re.compile(NAME.encode()), 30) is not None, tty.tail_text()
        tty.read_until_quiet(0.3, at_most=5)
        tty.send(b"e")
        assert tty.wait_for(re.compile(rb"Edit image"), 15) is not None, tty.tail_text()
        tty.read_until_quiet(0.2, at_most=3)
        # The name field has the focus with its text selected: typing replaces it.
        tty.send(NEW_NAME.encode())
        assert tty.wait_for(re.compile(rb"DryRun passed"), 15) is not None, tty.tail_text()
        tty.send(CTRL_S)
        if delay is None:
            assert tty.wait_for(re.compile(rb"Image updated"), 15) is not None, tty.tail_text()
        else:
            time.sleep(delay)
        assert tty.alive(), tty.tail_text()
        os.kill(tty.pid, signal.SIGKILL)
        tty.process.wait(10)
        assert tty.process.returncode == -signal.SIGKILL
    name = describe_own_images(db)[image.image_id]["ImageName"]  # the catalogue opens
    assert name in (NAME, NEW_NAME)
    with TinyRepository(db).read() as view:
        renames = [e for e in view.all(tables.EVENTS)
                   if e.action == "ModifyImageAttribute" and e.code == "Success"]
    assert len(renames) == (name != NAME), renames
    api_ok(db, "ModifyImageAttribute", "--ImageId", image.image_id, "--Description", "next")
    assert not (db / journal.JOURNAL).exists() and temp_files(db) == []
    return "new" if name == NEW_NAME else "old"


def test_sigkill_while_a_dialog_applies_in_a_real_terminal(tmp_path: Path) -> None:
    _kill_while_applying(tmp_path, random.Random(7).random() * 0.1)


@pytest.mark.slow
def test_sigkill_in_a_real_terminal_at_several_moments(tmp_path: Path) -> None:
    outcomes = [_kill_while_applying(tmp_path / str(n), delay)
                for n, delay in enumerate((0.0, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3))]
    print(f"\nreal terminal, SIGKILL after ctrl+s: {outcomes}")
    assert _kill_while_applying(tmp_path / "acknowledged", None) == "new"
