"""Faults on demand, for testing clients: throttling, server errors, latency, dropped answers.

Each request draws from one seeded generator, so the same seed and the same order of
requests give the same faults. Throttling and server errors are answered before the request
runs (the real API refuses it whole); a dropped connection is cut after the request ran, the
worst case for a client: the change is made and the answer lost.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ecsimg.domain.errors import ApiError

THROTTLE = "throttle"
SERVER_ERROR = "5xx"
DROP = "drop"


@dataclass(frozen=True)
class FaultPlan:
    """How often each fault happens (0 to 1), and the added latency."""

    throttle_rate: float = 0.0
    """Share of requests answered Throttling.User (HTTP 400)."""
    retry_after_ms: int = 0
    """When > 0, throttled answers carry ``x-acs-retry-after`` with this many milliseconds."""
    server_error_rate: float = 0.0
    """Share of requests answered ServiceUnavailable (HTTP 503)."""
    drop_rate: float = 0.0
    """Share of requests whose connection is closed, after they ran, without an answer."""
    latency_ms: int = 0
    """Added before every answer."""
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.throttle_rate or self.server_error_rate or self.drop_rate
                    or self.latency_ms)

    def describe(self) -> str:
        return (f"faults: throttle {self.throttle_rate:g}, 5xx {self.server_error_rate:g}, "
                f"drop {self.drop_rate:g}, latency {self.latency_ms} ms, seed {self.seed}")


class Faults:
    """The draws of one server run."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)
        self._lock = threading.Lock()
        self.counts = {THROTTLE: 0, SERVER_ERROR: 0, DROP: 0}
        """How many of each fault were made so far."""

    def draw(self) -> str | None:
        """The fault of the next request: THROTTLE, SERVER_ERROR, DROP or None."""
        plan = self.plan
        with self._lock:
            roll = self._random.random()
            fault = None
            if roll < plan.throttle_rate:
                fault = THROTTLE
            elif roll < plan.throttle_rate + plan.server_error_rate:
                fault = SERVER_ERROR
            elif roll < plan.throttle_rate + plan.server_error_rate + plan.drop_rate:
                fault = DROP
            if fault is not None:
                self.counts[fault] += 1
            return fault

    def summary(self) -> str:
        return (f"faults made: {self.counts[THROTTLE]} throttled, {self.counts[SERVER_ERROR]} "
                f"5xx, {self.counts[DROP]} dropped")


def throttled() -> ApiError:
    return ApiError("Throttling.User", "Request was denied due to user flow control.", 400)


def unavailable() -> ApiError:
    return ApiError("ServiceUnavailable", "The request has failed due to a temporary failure "
                    "of the server.", 503)
