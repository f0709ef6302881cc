"""Time in the API's format; the clock is passed in so tests can fix it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]


def system_clock() -> float:
    return time.time()


def iso(epoch: float) -> str:
    """ISO 8601 UTC to the second, as the API prints times: ``2019-11-15T06:07:05Z``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Epoch seconds from ``yyyy-MM-ddTHH:mm:ssZ`` or ``yyyy-MM-ddTHH:mmZ``, else ValueError."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise ValueError(f"not an ISO 8601 UTC time: {text!r}")


CLOCK_SKEW_SECONDS = 600.0
"""How far a record's creation time may lie ahead of now before the clock is taken to have
gone back since (a machine clock corrected, a catalogue copied from a machine that ran ahead)."""


def pending_at(created: str, pending_end: float, now: float) -> bool:
    """Whether a pending window (a task, a snapshot, a copy) is still running at ``now``.

    A window recorded while the clock ran ahead ends in the clock's future by as much as it
    ran ahead: once the clock went back by more than the skew, the work it stood for is taken
    as done, so an image is not left Waiting, and undeletable, until the clock catches up.
    """
    if not pending_end or now >= pending_end:
        return False
    try:
        return parse_iso(created) - now <= CLOCK_SKEW_SECONDS
    except ValueError:
        return True


def window_progress(start: float, end: float, now: float) -> int:
    """Percent of a pending window gone by at ``now``: 0 before it starts, at most 99 until
    it ends (an image's Progress, a task's TaskProcess)."""
    span = max(end - start, 1e-9)
    return max(min(int((now - start) / span * 100), 99), 0)


def seconds_left(end: float, now: float) -> int:
    """Seconds until ``end``, a second begun counting whole: 1.2 s left is 2 s."""
    return max(int(end - now + 0.999), 0)
