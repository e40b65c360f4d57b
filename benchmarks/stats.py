"""Small measuring helpers: percentiles, the machine, CPU seconds of a process."""

from __future__ import annotations

import os
import platform
import signal
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have this process (a benchmark client) get SIGTERM when the process that started
    it dies, however it dies (Linux), so no client outlives its benchmark."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_summary(ms: Sequence[float], prefix: str) -> dict[str, float | None]:
    """``{prefix}_p50_ms, _p99_ms, _max_ms`` of a list of milliseconds (None if empty)."""
    if not ms:
        return {f"{prefix}_p50_ms": None, f"{prefix}_p99_ms": None, f"{prefix}_max_ms": None}
    return {
        f"{prefix}_p50_ms": round(percentile(ms, 50), 2),
        f"{prefix}_p99_ms": round(percentile(ms, 99), 2),
        f"{prefix}_max_ms": round(max(ms), 2),
    }


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """What the numbers were measured on; the load average shows a busy machine."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "loadavg": load,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process and its reaped children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live children (uvicorn worker processes)."""
    total = process_cpu_seconds(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return total + sum(tree_cpu_seconds(int(child)) for child in children)


REAP_SECONDS = 10.0
"""How long finished client processes get to exit before they are killed."""


def reap(procs: Sequence[Any], finished: bool) -> None:
    """End client processes: a finished run lets them exit (REAP_SECONDS in all), an
    interrupted one (error, SIGTERM, Ctrl-C) kills them at once."""
    deadline = time.monotonic() + (REAP_SECONDS if finished else 0.0)
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(1)
