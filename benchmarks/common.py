"""Shared pieces of the benchmark suite: settings, timing, results, machine, fixtures.

Every measurement is a list of repetitions ("reps"); tables and ratios use the median.
Every loop is bounded twice: by a message count and by a deadline.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SWIFT_FIN_AVG_PER_SECOND = 490.0
"""FACTS.md: SWIFT FIN averaged ~42 million messages/day in 2021 (~490/s)."""
SWIFT_FIN_RECORD_PER_SECOND = 580.0
"""FACTS.md: record day 50.2 million messages (~580/s)."""


@dataclass(frozen=True)
class Settings:
    """How much work each benchmark does; ``quick`` is the ~1 minute profile."""

    name: str
    reps: int
    rep_seconds_max: float
    sqlite_rows: int
    parse_messages: int
    crypto_seconds: float
    intake_messages: dict[int, int]
    intake_threads_messages: int
    profile_messages: int
    http_messages: dict[int, int]
    latency_requests: int
    floor_requests: int
    sustained_seconds: float
    sustained_windows: int
    delivery_pages: int
    verify_pages: int


FULL = Settings(
    name="full",
    reps=7,
    rep_seconds_max=8.0,
    sqlite_rows=5_000,
    parse_messages=2_000,
    crypto_seconds=0.4,
    intake_messages={1: 400, 10: 1_500, 100: 3_000, 1000: 4_000},
    intake_threads_messages=3_000,
    profile_messages=3_000,
    http_messages={1: 300, 10: 1_500, 100: 4_000},
    latency_requests=300,
    floor_requests=300,
    sustained_seconds=30.0,
    sustained_windows=6,
    delivery_pages=4,
    verify_pages=1,
)

QUICK = Settings(
    name="quick",
    reps=5,
    rep_seconds_max=4.0,
    sqlite_rows=2_000,
    parse_messages=600,
    crypto_seconds=0.15,
    intake_messages={1: 150, 10: 500, 100: 1_000, 1000: 2_000},
    intake_threads_messages=1_000,
    profile_messages=1_000,
    http_messages={1: 100, 10: 400, 100: 1_000},
    latency_requests=60,
    floor_requests=100,
    sustained_seconds=5.0,
    sustained_windows=5,
    delivery_pages=1,
    verify_pages=0,
)


# --- results -----------------------------------------------------------------------


@dataclass
class Result:
    """One measured quantity: per-rep values, their median, and optional ratios."""

    group: str
    name: str
    unit: str
    values: list[float]
    work: str = ""
    """What one rep did, e.g. '3000 msgs in 30 batches'."""
    ratios: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median across reps: how noisy this number was."""
        if len(self.values) < 2 or not self.median:
            return 0.0
        return (max(self.values) - min(self.values)) / self.median

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["median"] = self.median
        data["min"] = min(self.values) if self.values else None
        data["max"] = max(self.values) if self.values else None
        data["reps"] = len(self.values)
        return data


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def repeat_rate(
    reps: int, run_once: Callable[[int], tuple[int, float]]
) -> list[float]:
    """Run ``run_once(rep)`` ``reps`` times; it returns (units done, seconds); give units/s."""
    rates = []
    for rep in range(reps):
        done, seconds = run_once(rep)
        rates.append(done / seconds if seconds > 0 else 0.0)
    return rates


# --- machine -----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    memory_kb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1) if memory_kb else None,
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


# --- network and messages ---------------------------------------------------------


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def build_network(root: Path) -> Path:
    """A demo network (CA, directory, participant profiles) in ``root``/template."""
    if str(project_root()) not in sys.path:
        sys.path.insert(0, str(project_root()))
    from tests.netutil import build_template

    return build_template(root)


def participant_folders(network: Path) -> list[Path]:
    return sorted((network / "participants").iterdir())


def _generate(job: tuple[str, str, int, str | None]) -> list[tuple[bytes, bytes | None]]:
    """Worker: ``count`` fresh pacs.008 from sender to receiver, signed if a profile is given."""
    from finmesh import pki
    from finmesh.domain.iso20022 import example_message
    from finmesh.profile import load_profile

    sender, receiver, count, profile_folder = job
    key = load_profile(Path(profile_folder)).key if profile_folder else None
    out: list[tuple[bytes, bytes | None]] = []
    for _ in range(count):
        payload = example_message("pacs.008", sender, receiver)
        out.append((payload, pki.sign(key, payload) if key is not None else None))
    return out


def generate_messages(
    sender_profile: Path, receiver: str, count: int, *, sign: bool
) -> list[tuple[bytes, bytes | None]]:
    """``count`` distinct pacs.008 messages, made on every core before any timing starts."""
    if count <= 0:
        return []
    workers = max(1, os.cpu_count() or 1)
    chunk = max(1, -(-count // (workers * 4)))
    jobs = []
    left = count
    while left > 0:
        n = min(chunk, left)
        jobs.append((sender_profile.name, receiver, n, str(sender_profile) if sign else None))
        left -= n
    messages: list[tuple[bytes, bytes | None]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_generate, jobs):
            messages.extend(part)
    return messages


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def passed(self) -> bool:
        return time.perf_counter() >= self.end


# --- paired baseline probes --------------------------------------------------------

PROBE_SQLITE_ROWS = 2_000
PROBE_PARSE_MESSAGES = 300
PROBE_VERIFY_OPS = 500


class Probe:
    """Short runs of the three baselines, taken right before each repetition.

    On a shared machine the load changes from one second to the next; dividing each
    repetition by a probe taken just before it (then taking the median of those ratios)
    cancels most of that drift. About 0.1-0.2 s per probe.
    """

    def __init__(self, scratch: Path) -> None:
        from finmesh import pki
        from finmesh.domain.iso20022 import example_message, parse_message

        self._parse = parse_message
        self._db = sqlite3.connect(scratch / "probe.db", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, v BLOB)")
        self._blob = os.urandom(4096)
        self._messages = [
            example_message("pacs.008", "DEUTDEFFXXX", "BNPAFRPPXXX")
            for _ in range(PROBE_PARSE_MESSAGES)
        ]
        parse_message(self._messages[0])
        key = pki.generate_key()
        ca = pki.CertificateAuthority.create("probe CA")
        self._cert = ca.issue("PROBDEFFXXX", pki.public_key_pem(key), kind="participant")
        self._payload = os.urandom(4096)
        self._signature = pki.sign(key, self._payload)
        self._verify = pki.verify_signature

    def run(self) -> dict[str, float]:
        db = self._db
        start = time.perf_counter()
        for _ in range(PROBE_SQLITE_ROWS // 100):
            db.execute("BEGIN")
            db.executemany("INSERT INTO rows (v) VALUES (?)", [(self._blob,)] * 100)
            db.execute("COMMIT")
        sqlite_rate = PROBE_SQLITE_ROWS / (time.perf_counter() - start)
        db.execute("DELETE FROM rows")  # untimed: keeps the probe file small
        start = time.perf_counter()
        for message in self._messages:
            self._parse(message)
        parse_rate = len(self._messages) / (time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(PROBE_VERIFY_OPS):
            self._verify(self._cert, self._payload, self._signature)
        verify_rate = PROBE_VERIFY_OPS / (time.perf_counter() - start)
        return {
            "sqlite": sqlite_rate,
            "parse": parse_rate,
            "verify": verify_rate,
            "chain": 1 / (1 / parse_rate + 1 / verify_rate),
        }

    def close(self) -> None:
        self._db.close()


PAIRED_RATIOS = {
    "sqlite": "x raw SQLite commit/100 (paired)",
    "parse": "x parse alone (paired)",
    "chain": "x parse+verify chain (paired)",
}


def paired_ratios(values: Sequence[float], probes: Sequence[dict[str, float]],
                  which: Sequence[str]) -> dict[str, float]:
    """Median over reps of value / probe taken just before that rep."""
    out = {}
    for key in which:
        ratios = [v / p[key] for v, p in zip(values, probes, strict=True) if p.get(key)]
        if ratios:
            out[PAIRED_RATIOS[key]] = statistics.median(ratios)
    return out
