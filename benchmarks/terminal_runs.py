"""Measurements of the real ``ecsimg`` process in a pseudo-terminal: start-up, memory, output."""

from __future__ import annotations

import re
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from catalogues import BenchmarkError, ecsimg_argv
from pty_session import PtySession

COLUMNS, LINES = 120, 40
IMAGE_ROW = re.compile(rb"m-[a-z0-9]{20}|\.vhd\b")
"""Text only an image row shows: a custom image ID or an imported disk file name."""
WHOLE_LIST = re.compile(rb"\d[\d,]*/[\d,]+ images")
"""The header's exact counts (shown/total), which it shows once every row is read; till then
it says how many were read so far."""
LOADING = re.compile(rb"images read, loading")
"""The header while rows are read (before them, a start with nothing kept shows 0/0 images)."""
FIRST_ROWS_TIMEOUT = 120.0
SETTLE_QUIET_SECONDS = 1.0
SETTLE_MAX_SECONDS = 120.0
MOVE_KEY = b"j"
MOVE_WINDOW_SECONDS = 0.5
MOVE_QUIET_SECONDS = 0.3
API_TIMEOUT = 120.0


@dataclass
class TerminalRun:
    """What one ``ecsimg`` session in the pty showed."""

    start_seconds: float
    rss_kib: int
    hwm_kib: int
    whole_seconds: float
    """From spawn until the whole list was shown (sortable, its counts exact)."""
    settled_seconds: float
    """From spawn until the app was last busy before a second of quiet (within 0.25 s): the
    quiet second itself is not counted. After the whole list, the details of the cursor's
    image and the filter's masks are made."""
    move_bytes: list[int] = field(default_factory=list)
    idle_bytes_per_second: float | None = None


def run_tui(db: Path, env: dict[str, str], *, moves: int) -> TerminalRun:
    """Spawn ``ecsimg --db db``, time the first rows, let it settle, then move the cursor."""
    argv = [*ecsimg_argv(), "--db", str(db)]
    with PtySession(argv, env, columns=COLUMNS, lines=LINES) as session:
        start_seconds = session.wait_for(IMAGE_ROW, FIRST_ROWS_TIMEOUT)
        if start_seconds is None:
            state = "still running" if session.alive() else (
                f"exited with {session.process.returncode}")
            raise BenchmarkError(
                f"no image row on screen within {FIRST_ROWS_TIMEOUT:.0f} s ({state}); "
                f"screen ends with: {session.tail_text()!r}")
        # The first rows may be part of a large catalogue: the header then says how many are
        # read, and its exact counts come with the last of them.
        whole_seconds = session.wait_for(WHOLE_LIST, FIRST_ROWS_TIMEOUT, shown=True,
                                         replaced_by=LOADING)
        if whole_seconds is None:
            raise BenchmarkError(f"no exact counts on screen within {FIRST_ROWS_TIMEOUT:.0f} s "
                                 f"of the first rows; screen ends with: "
                                 f"{session.tail_text()!r}")
        # Loading is finished when the app neither writes nor computes any more (the rest of
        # the rows, details, fees, the filter's masks).
        settled = session.settle(SETTLE_QUIET_SECONDS, SETTLE_MAX_SECONDS)
        if not settled:
            raise BenchmarkError(f"ecsimg kept busy for {SETTLE_MAX_SECONDS:.0f} s after the "
                                 "first rows")
        memory = session.memory_kib()
        run = TerminalRun(start_seconds, memory["VmRSS"], memory["VmHWM"],
                          whole_seconds=whole_seconds,
                          settled_seconds=session.settled_at - session.spawned_at)
        if moves:
            idle = session.read_for(1.0)
            run.idle_bytes_per_second = float(len(idle))
            for _ in range(moves):
                session.read_until_quiet(MOVE_QUIET_SECONDS, at_most=5.0)  # drain
                session.send(MOVE_KEY)
                written = session.read_until_quiet(
                    MOVE_QUIET_SECONDS, at_least=MOVE_WINDOW_SECONDS, at_most=5.0)
                run.move_bytes.append(len(written))
            if not session.alive():
                raise BenchmarkError("ecsimg exited while the cursor was moving")
        return run


def describe_images_seconds(db: Path, env: dict[str, str]) -> float:
    """Wall time of one ``ecsimg api DescribeImages --PageSize 100`` process."""
    argv = [*ecsimg_argv(), "--db", str(db), "api", "DescribeImages", "--PageSize", "100"]
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, env=env, capture_output=True,
                              timeout=API_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"DescribeImages took over {API_TIMEOUT:.0f} s") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise BenchmarkError(f"DescribeImages failed (exit {done.returncode}): {message}")
    if b'"ImageId"' not in done.stdout:
        raise BenchmarkError("DescribeImages returned no image")
    return elapsed


def median(values: list[float]) -> float:
    return float(statistics.median(values))
