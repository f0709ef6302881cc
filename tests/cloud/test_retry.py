"""The retry schedule, with an injected clock, sleep and random source."""

from __future__ import annotations

import pytest

from ecsimg.cloud.client import CloudApiError
from ecsimg.cloud.errors import BadResponse, Unreachable
from ecsimg.cloud.retry import RetryPolicy, call_with_retry, is_read, retry_safe, transient
from ecsimg.domain.errors import ApiError


class Schedule:
    """A fake clock that sleeping advances, and a send that fails a given number of times."""

    def __init__(self, failures: list[Exception], send_seconds: float = 0.0) -> None:
        self.now = 100.0
        self.failures = failures
        self.sends = 0
        self.sleeps: list[float] = []
        self.send_seconds = send_seconds

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def send(self) -> str:
        self.sends += 1
        self.now += self.send_seconds
        if self.failures:
            raise self.failures.pop(0)
        return "answer"

    def run(self, policy: RetryPolicy, *, safe: bool = True, draw: float = 1.0) -> str:
        return call_with_retry(self.send, policy, safe=safe, clock=self.clock, sleep=self.sleep,
                               uniform=lambda: draw)


def throttled(retry_after: float | None = None) -> ApiError:
    return CloudApiError("Throttling.User", "Request was denied.", 400, "r", retry_after)


def server_error() -> ApiError:
    return ApiError("InternalError", "The request processing has failed.", 500)


def test_backoff_doubles_up_to_the_ceiling_with_full_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    assert [policy.backoff(n, lambda: 1.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert [policy.backoff(n, lambda: 0.0) for n in range(5)] == [0.0] * 5
    assert policy.backoff(2, lambda: 0.25) == 0.5
    assert policy.backoff(10_000, lambda: 1.0) == 3.0  # no overflow on long runs


def test_transient_failures_are_retried_until_success() -> None:
    schedule = Schedule([throttled(), server_error(), Unreachable("x", "dropped")])
    assert schedule.run(RetryPolicy(base_delay=1.0, max_delay=10.0)) == "answer"
    assert schedule.sends == 4
    assert schedule.sleeps == [1.0, 2.0, 4.0]


def test_attempts_are_bounded() -> None:
    schedule = Schedule([server_error() for _ in range(10)])
    with pytest.raises(ApiError):
        schedule.run(RetryPolicy(max_attempts=4, base_delay=0.1))
    assert schedule.sends == 4


def test_total_time_is_bounded_sends_included() -> None:
    schedule = Schedule([server_error() for _ in range(10)], send_seconds=2.0)
    with pytest.raises(ApiError):
        schedule.run(RetryPolicy(max_attempts=10, max_total_seconds=9.0, base_delay=1.0,
                                 max_delay=1.0))
    # Sends at 0, 3 and 6 s (2 s each, 1 s waits); a fourth would end at 9 + 2.
    assert schedule.sends == 3
    assert schedule.now - 100.0 <= 9.0


def test_the_servers_retry_after_is_a_floor_within_the_bound() -> None:
    schedule = Schedule([throttled(retry_after=2.5)])
    assert schedule.run(RetryPolicy(base_delay=0.1)) == "answer"
    assert schedule.sleeps == [2.5]
    too_long = Schedule([throttled(retry_after=60.0)])
    with pytest.raises(ApiError):
        too_long.run(RetryPolicy(max_total_seconds=30.0))
    assert too_long.sleeps == [] and too_long.sends == 1


def test_jitter_stays_in_range() -> None:
    schedule = Schedule([server_error(), server_error()])
    schedule.run(RetryPolicy(base_delay=1.0, max_delay=10.0), draw=0.3)
    assert schedule.sleeps == pytest.approx([0.3, 0.6])


def test_an_unsafe_call_is_sent_once() -> None:
    schedule = Schedule([throttled(), server_error()])
    with pytest.raises(ApiError):
        schedule.run(RetryPolicy(), safe=False)
    assert schedule.sends == 1 and schedule.sleeps == []


@pytest.mark.parametrize("error", [
    ApiError("InvalidImageId.NotFound", "no", 404),
    ApiError("InvalidParameter", "bad", 400),
    Unreachable("refused", "refused"),
    Unreachable("timed out", "timeout"),
    ValueError("a bug"),
])
def test_lasting_failures_are_not_retried(error: Exception) -> None:
    schedule = Schedule([error])
    with pytest.raises(type(error)):
        schedule.run(RetryPolicy())
    assert schedule.sends == 1


def test_what_counts_as_transient() -> None:
    assert transient(ApiError("Throttling", "x", 400)) == 0.0
    assert transient(ApiError("SomethingElse", "x", 429)) == 0.0
    assert transient(throttled(1.5)) == 1.5
    assert transient(ApiError("ServiceUnavailable", "x", 503)) == 0.0
    assert transient(BadResponse("html")) == 0.0
    assert transient(ApiError("Forbidden.RAM", "x", 403)) is None


def test_which_calls_are_safe_to_send_twice() -> None:
    assert is_read("DescribeImages", {}) and is_read("ListTagResources", {})
    assert is_read("DeleteImage", {"DryRun": "true"})
    assert not is_read("DeleteImage", {"DryRun": "false"})
    assert retry_safe("CopyImage", {"ClientToken": "t"})
    assert not retry_safe("ModifyImageSharePermission", {})
