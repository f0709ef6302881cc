"""SIGTERM and SIGHUP to the TUI in a real terminal: the terminal is given back as it was."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from benchmarks.pty_session import PtySession

from tests.cli.runner import cli_env
from tests.world import World

ENTER_ALT, LEAVE_ALT = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminating_signal_restores_the_terminal(tmp_path: Path, number: int) -> None:
    world = World(tmp_path)
    world.image(image_name="signal-test")
    env = cli_env(world.repo.location)
    env["TERM"] = "xterm-256color"
    with PtySession([sys.executable, "-m", "ecsimg"], env, columns=100, lines=30) as tty:
        assert tty.wait_for(re.compile(rb"signal-test"), 30) is not None, tty.tail_text()
        tty.read_until_quiet(0.3, at_most=5)
        os.kill(tty.pid, number)
        deadline = time.monotonic() + 15
        while tty.alive() and time.monotonic() < deadline:
            tty.read_for(0.2)
        tty.read_for(0.2)
        assert not tty.alive(), "the TUI did not end on the signal"
        status = tty.process.returncode
        output = bytes(tty.output)
    assert status == 128 + number
    assert ENTER_ALT in output and MOUSE_ON in output
    tail = output[output.rindex(ENTER_ALT):]
    assert LEAVE_ALT in tail and MOUSE_OFF in tail
    assert output.rindex(LEAVE_ALT) > output.rindex(MOUSE_ON)
