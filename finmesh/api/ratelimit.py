"""Request rate limits: a token bucket per authenticated subject and per peer address.

The peer limit is checked before any signature is verified, so a flood of forged
requests costs the node little; the subject limit after, so one institution cannot
starve the others. Buckets live in the process (each worker has its own).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from finmesh.domain.errors import FinmeshError

BUCKETS_MAX = 100_000
"""Most buckets kept; the least recently used are forgotten first."""


RETRY_AFTER_MIN_S = 0.001


class RateLimited(FinmeshError):
    """Too many requests; ``retry_after_s`` says when the next one would be accepted."""

    def __init__(self, who: str, retry_after_s: float) -> None:
        # a token a few microseconds away is still a wait: never tell a client "0"
        retry_after_s = max(retry_after_s, RETRY_AFTER_MIN_S)
        super().__init__(f"too many requests from {who}; retry after {retry_after_s:.3f} s")
        self.retry_after_s = retry_after_s


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows ``per_second`` requests per key on average, bursts up to ``burst``."""

    def __init__(
        self, per_second: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token for ``key`` or raise RateLimited."""
        if self.per_second <= 0:
            return  # limit switched off
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.updated) * self.per_second
            )
            bucket.updated = now
            self._buckets[key] = bucket
            if len(self._buckets) > BUCKETS_MAX:
                self._buckets.popitem(last=False)
            if bucket.tokens < 1:
                raise RateLimited(key, (1 - bucket.tokens) / self.per_second)
            bucket.tokens -= 1
