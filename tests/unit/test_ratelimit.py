"""The token bucket behind the node's request limits."""

from __future__ import annotations

import pytest

from finmesh.api.ratelimit import RateLimited, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_refused_with_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=4, clock=clock)
    for _ in range(4):
        limiter.take("A")
    with pytest.raises(RateLimited) as refused:
        limiter.take("A")
    assert refused.value.retry_after_s == pytest.approx(0.5)


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=4, clock=clock)
    for _ in range(4):
        limiter.take("A")
    clock.now += 0.5
    limiter.take("A")
    with pytest.raises(RateLimited):
        limiter.take("A")
    clock.now += 3600
    for _ in range(4):
        limiter.take("A")
    with pytest.raises(RateLimited):
        limiter.take("A")


def test_keys_do_not_share_a_bucket() -> None:
    limiter = RateLimiter(per_second=1, burst=1, clock=Clock())
    limiter.take("A")
    limiter.take("B")
    with pytest.raises(RateLimited):
        limiter.take("A")


def test_zero_switches_the_limit_off() -> None:
    limiter = RateLimiter(per_second=0, burst=0, clock=Clock())
    for _ in range(1000):
        limiter.take("A")


def test_a_refusal_a_token_away_still_tells_a_positive_wait() -> None:
    """A token due in a few microseconds is still a wait: a 429 never says 0 s (its
    body rounds to milliseconds, and a client told 0 comes straight back)."""
    clock = Clock()
    limiter = RateLimiter(per_second=1000, burst=1, clock=clock)
    limiter.take("A")
    clock.now += 0.000999  # 0.999 of a token back: 1 µs short
    with pytest.raises(RateLimited) as refused:
        limiter.take("A")
    assert refused.value.retry_after_s >= 0.001
    assert "retry after 0.001 s" in str(refused.value)
