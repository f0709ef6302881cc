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
