"""``finmesh bench intake``: full intake throughput against a real node, and the bound.

One run: a scratch demo network (SQLite, or a scratch PostgreSQL database), the bound
measured on it (see bound.py) before the node starts and again after it stops, a
``finmesh serve --workers N`` process, and N client processes in a closed loop.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import scratch
from benchmarks.bound import measure_bound
from benchmarks.counterparties import DISTRIBUTION, write_list_csv
from benchmarks.load import run_closed_loop
from benchmarks.openloop import run_open_loop
from benchmarks.postgres import scratch_database
from benchmarks.screening.listed_names import Composed
from benchmarks.stats import machine, median
from benchmarks.traffic import signed_messages
from finmesh.identity.profile import load_profile
from finmesh.node.launcher import serving

DEFAULT_SCREENING_ENTRIES = 100_000
LISTED_SAMPLE = 2_000
"""Listed names handed to each client process, for the few hits among counterparties."""
LOAD_TIMEOUT_SECONDS = 900.0
BOUND_SECONDS_MAX = 3.0
BOUND_MSGS_PER_S_MAX = 8_000
WARMUP_SECONDS_MAX = 2.0
WARMUP_FRACTION = 0.25


@dataclass(frozen=True)
class IntakeSettings:
    seconds: float = 10.0
    batch: int = 100
    clients: int = 4
    workers: int = 2
    store: str = "sqlite"
    database: str | None = None
    """PostgreSQL server URL; a scratch database is created on it and dropped after."""
    screening_entries: int = DEFAULT_SCREENING_ENTRIES
    """Entries of the generated sanctions list loaded in the node (0: none, no screening)."""

    @property
    def warmup(self) -> float:
        return min(WARMUP_SECONDS_MAX, self.seconds * WARMUP_FRACTION)


@contextlib.contextmanager
def bench_network(
    settings: IntakeSettings, participants: int, keep: Path | None = None
) -> Iterator[tuple[Path, str | None]]:
    """A scratch demo network with at least ``participants`` participants, and the URL
    of its scratch PostgreSQL database (None on SQLite)."""
    folder = Path(tempfile.mkdtemp(prefix="finmesh-bench-"))
    try:
        with _database(settings) as url:
            root = folder / "net"
            scratch.create_network(root, url)
            have = len(scratch.participant_folders(root))
            scratch.add_participants(root, participants - have)
            yield root, url
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _database(settings: IntakeSettings) -> Iterator[str | None]:
    if settings.store != "postgresql":
        yield None
        return
    with scratch_database(settings.database) as url:
        yield url


def bound_for(
    root: Path, sender: Path, receiver: str, seconds: float, url: str | None
) -> dict[str, Any]:
    profile = load_profile(sender)
    seconds = min(BOUND_SECONDS_MAX, seconds)
    messages = signed_messages(profile, receiver, int(BOUND_MSGS_PER_S_MAX * seconds) + 100)
    return measure_bound(messages, profile.cert_pem, seconds, root.parent, url)


def run_intake(
    settings: IntakeSettings, say: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """The JSON object ``finmesh bench intake --json`` prints; ``say`` is told each
    phase as it starts (the setup takes minutes before the measured seconds)."""
    tell = say or (lambda _: None)
    with bench_network(settings, settings.clients + 1) as (root, url):
        pairs = scratch.pairs(scratch.participant_folders(root), settings.clients)
        scratch.authorize_pairs(root, [(p.name, r) for p, r in pairs])
        tell("the bound, before the node starts")
        before = bound_for(root, *pairs[0], settings.seconds, url)
        with serving(root, settings.workers) as server:
            if settings.screening_entries:
                tell(f"loading a generated list of {settings.screening_entries:,} entries")
            listed = load_list(root, server.url, settings.screening_entries)
            tell(f"{settings.clients} clients: the prior day's traffic, then "
                 f"{settings.seconds:g} s measured")
            result = run_closed_loop(
                server.url, server.pid, pairs, settings.batch, settings.seconds, settings.warmup,
                listed,
            )  # fmt: skip
        tell("the bound, after the node stopped")
        after = bound_for(root, *pairs[0], settings.seconds, url)
    return combine(result, before, after, settings)


def load_list(root: Path, url: str, entries: int) -> tuple[Composed, ...] | None:
    """Load a generated list of ``entries`` names in the running node (as a compliance
    officer does: ``finmesh lists load``); a sample of its names, or None for 0."""
    if entries <= 0:
        return None
    path = root.parent / "bench-list.csv"
    names = write_list_csv(path, entries)
    officer = root / "operators" / "alice"
    scratch.finmesh_cli(
        "lists", "load", "--operator", officer, path, "--format", "csv", "--list", "bench",
        "--url", url, timeout=LOAD_TIMEOUT_SECONDS,
    )  # fmt: skip
    step = max(1, len(names) // LISTED_SAMPLE)
    return tuple(names[::step][:LISTED_SAMPLE])


LATENCY_SENDERS = 2


def run_latency(
    settings: IntakeSettings,
    rates: Sequence[float],
    say: Callable[[str], None] | None = None,
    senders: int = LATENCY_SENDERS,
) -> list[dict[str, Any]]:
    """Open-loop runs at each offered rate against one node: ``senders`` sender
    processes (each with a few connections), each to its own streaming receiver; with
    ``settings.batch`` 1, one message per request."""
    out = []
    with bench_network(settings, 2 * senders) as (root, _url):
        folders = scratch.participant_folders(root)
        pairs = [(folders[2 * i], folders[2 * i + 1].name) for i in range(senders)]
        scratch.authorize_pairs(root, [(p.name, r) for p, r in pairs])
        with serving(root, settings.workers) as server:
            listed = load_list(root, server.url, settings.screening_entries)
            for rate in rates:
                if say is not None:
                    say(f"latency: {rate:,.0f} msgs/s offered for {settings.seconds:.0f} s")
                run = run_open_loop(server.url, pairs, rate, settings.seconds, settings.warmup,
                                    server_pid=server.pid, batch_max=settings.batch,
                                    listed=listed)
                out.append({**run, "workers": settings.workers, "store": settings.store,
                            "screening_entries": settings.screening_entries})
    return out


def combine(
    result: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
    settings: IntakeSettings,
) -> dict[str, Any]:
    """The run's numbers with the bound (median of both measurements) and the ratio."""
    reps = before["bound_reps_cpu_us_per_msg"] + after["bound_reps_cpu_us_per_msg"]
    bound_us = median(reps)
    per_core = 1e6 / bound_us
    cores = before["bound_cores"]
    bound = per_core * cores
    node_us = result.get("server_cpu_us_per_msg")
    return {
        **result,
        "node_cpu_us_per_msg": node_us,
        "bound_cpu_us_per_msg": round(bound_us, 1),
        "bound_msgs_per_s": round(bound, 1),
        "ratio_to_bound": round(result["msgs_per_s"] / bound, 3) if bound else None,
        # CPU per message, bound over node: does not depend on how many cores were free
        "cpu_ratio_to_bound": round(bound_us / node_us, 3) if node_us else None,
        "bound_per_core_msgs_per_s": round(per_core, 1),
        "bound_cores": cores,
        "bound_before_after_per_core": [
            before["bound_per_core_msgs_per_s"], after["bound_per_core_msgs_per_s"]
        ],
        "bound_commit_rows": before["bound_commit_rows"],
        "store": settings.store,
        "workers": settings.workers,
        "screening_entries": settings.screening_entries,
        "traffic": DISTRIBUTION if settings.screening_entries else "no names (no list loaded)",
        "held_share": round(result.get("held_messages", 0) / result["messages"], 4)
        if result["messages"] else None,
        "machine": machine(),
    }
