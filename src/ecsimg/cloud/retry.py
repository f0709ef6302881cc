"""When a failed call is sent again: throttling, 5xx and dropped connections, with full jitter.

Pure: the clock, the sleep and the random source are passed in, so the schedule is testable.
A call is retried only when sending it twice cannot do a thing twice: reads (and DryRun
checks) always, mutations only when they carry a ClientToken, which the API uses to
recognise the second copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from ecsimg.cloud.errors import BadResponse, Unreachable
from ecsimg.domain.errors import ApiError

T = TypeVar("T")
READ_PREFIXES = ("Describe", "List", "Query", "Get")
"""ECS actions that only read: DescribeImages, ListTagResources, GetInstanceScreenshot."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a call is retried; the bounds hold whatever the server says."""

    max_attempts: int = 5
    """Sends in all, the first included."""
    max_total_seconds: float = 30.0
    """No retry starts unless its wait and a send as long as the last would end within this."""
    base_delay: float = 0.25
    max_delay: float = 8.0

    def backoff(self, retry_number: int, uniform: Callable[[], float]) -> float:
        """Full jitter: a wait drawn from [0, min(max_delay, base_delay * 2**n)) for retry n."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(retry_number, 30))
        return uniform() * ceiling


NO_RETRY = RetryPolicy(max_attempts=1)


def is_read(action: str, params: Mapping[str, str]) -> bool:
    """True when sending ``action`` changes nothing: a read, or any action with DryRun=true."""
    return action.startswith(READ_PREFIXES) or params.get("DryRun", "").lower() == "true"


def retry_safe(action: str, params: Mapping[str, str]) -> bool:
    """Reads always; mutations only with a ClientToken (the API then runs them once)."""
    return is_read(action, params) or bool(params.get("ClientToken"))


def transient(err: BaseException) -> float | None:
    """The least wait before a retry (seconds) when ``err`` may pass by itself, else None."""
    if isinstance(err, ApiError):
        throttled = err.code.startswith("Throttling") or err.http_status == 429
        if throttled or err.http_status >= 500:
            retry_after = getattr(err, "retry_after", None)
            return float(retry_after) if isinstance(retry_after, int | float) else 0.0
        return None
    if isinstance(err, Unreachable):
        # A dropped connection is a blip; refused and timed out mean offline: report at once.
        return 0.0 if err.reason == "dropped" else None
    if isinstance(err, BadResponse):
        return 0.0  # Most often a gateway's error page in front of the API.
    return None


def call_with_retry(send: Callable[[], T], policy: RetryPolicy, *, safe: bool,
                    clock: Callable[[], float], sleep: Callable[[float], None],
                    uniform: Callable[[], float],
                    on_retry: Callable[[int, float, BaseException], None] | None = None) -> T:
    """``send()``, sent again after transient failures while ``safe`` and within ``policy``."""
    started = clock()
    attempt = 1
    while True:
        sent_at = clock()
        try:
            return send()
        except Exception as err:
            least_wait = transient(err)
            if least_wait is None or not safe or attempt >= policy.max_attempts:
                raise
            wait = max(least_wait, policy.backoff(attempt - 1, uniform))
            now = clock()
            if now - started + wait + (now - sent_at) > policy.max_total_seconds:
                raise
            if on_retry is not None:
                on_retry(attempt, wait, err)
            sleep(wait)
            attempt += 1
