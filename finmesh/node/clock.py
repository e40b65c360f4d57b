"""The node's notion of now: milliseconds since the Unix epoch, injected everywhere so
tests can run the network on a simulated clock."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], int]
"""Returns the current instant in milliseconds since the epoch (UTC)."""


def system_clock() -> int:
    return time.time_ns() // 1_000_000
