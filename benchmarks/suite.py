"""The sections of the suite, each a call into ``benchmarks``.

Every section runs against real processes: a ``finmesh serve`` node and client
processes (or RabbitMQ). Sections that need a service that is not running
(PostgreSQL, RabbitMQ) are skipped with the reason recorded, never faked.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from benchmarks.backlog import BacklogSettings, run_backlog
from benchmarks.broker import BrokerSettings, reachable, run_broker
from benchmarks.intake import IntakeSettings, run_intake, run_latency
from benchmarks.postgres import server_url
from benchmarks.scale import run_history, run_receivers

Say = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    """How much the suite does; ``quick`` is the few-minute profile."""

    name: str
    seconds: float
    reps: int
    rates: tuple[float, ...]
    history: tuple[int, ...]
    receivers: int
    receivers_rate: float
    backlog: int
    clients: int = 4
    workers: int = 2
    latency_senders: int = 8
    """Open-loop latency: this many client processes, one payment per request."""


FULL = Plan("full", 30.0, 3, (200, 1_000, 3_000), (0, 1_000_000, 10_000_000), 1_000, 500,
            100_000)
QUICK = Plan("quick", 5.0, 1, (200, 1_000), (0, 200_000), 200, 200, 10_000, latency_senders=4)


def postgres_ready() -> tuple[bool, str]:
    """Is PostgreSQL reachable, and can ``finmesh init`` make a network on it?"""
    from urllib.parse import urlsplit

    from benchmarks.scratch import finmesh_cli

    parts = urlsplit(server_url(None))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            pass
    except OSError as exc:
        return False, f"PostgreSQL not reachable: {exc}"
    if "--database" not in finmesh_cli("init", "--help"):
        return False, "finmesh init has no --database option yet"
    return True, ""


def intake(plan: Plan, say: Say) -> dict[str, Any]:
    """Closed-loop intake at batch 1 and 100, on SQLite and (if ready) PostgreSQL;
    ``plan.reps`` runs of each, each with its own bound."""
    stores = ["sqlite"]
    ok, why = postgres_ready()
    if ok:
        stores.append("postgresql")
    configs: dict[str, Any] = {}
    for store in stores:
        for batch in (100, 1):
            key = f"{store}, batch {batch}"
            runs = []
            for rep in range(plan.reps):
                say(f"intake: {key}, run {rep + 1} of {plan.reps}")
                settings = IntakeSettings(plan.seconds, batch, plan.clients, plan.workers, store)
                runs.append(run_intake(settings))
            configs[key] = summarise_runs(runs)
    return {"configs": configs, "postgresql_skipped": None if ok else why}


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over runs of the numbers the report uses, with every run kept."""
    keys = ("msgs_per_s", "bound_msgs_per_s", "ratio_to_bound", "bound_per_core_msgs_per_s",
            "cpu_ratio_to_bound",
            "ack_p50_ms", "ack_p99_ms", "ack_max_ms", "server_cpu_us_per_msg",
            "node_cpu_us_per_msg", "bound_cpu_us_per_msg", "screening_entries", "held_share",
            "client_cpu_us_per_msg")
    medians = {k: statistics.median(r[k] for r in runs if r.get(k) is not None)
               for k in keys if any(r.get(k) is not None for r in runs)}
    return {**medians, "runs": runs, "reps": len(runs)}


def broker(plan: Plan, say: Say) -> dict[str, Any]:
    settings = BrokerSettings(plan.seconds, plan.clients)
    if not reachable(settings.url):
        return {"skipped": "RabbitMQ not reachable"}
    runs = []
    for rep in range(plan.reps):
        say(f"broker: RabbitMQ, run {rep + 1} of {plan.reps}")
        runs.append(run_broker(settings))
    rates = [r["msgs_per_s"] for r in runs]
    waits = [r["wait_each_msgs_per_s"] for r in runs]
    cpu = [r["broker_cpu_us_per_msg"] for r in runs if r.get("broker_cpu_us_per_msg")]
    return {"msgs_per_s": statistics.median(rates),
            "wait_each_msgs_per_s": statistics.median(waits),
            "broker_cpu_us_per_msg": statistics.median(cpu) if cpu else None, "runs": runs}


def latency(plan: Plan, say: Say) -> list[dict[str, Any]]:
    """One message per request from ``plan.latency_senders`` clients (issue 16 point 3:
    a bank's gateway sends each payment when it is made)."""
    settings = IntakeSettings(plan.seconds, 1, workers=plan.workers, clients=plan.clients)
    return run_latency(settings, plan.rates, say, plan.latency_senders)


def backlog(plan: Plan, say: Say) -> dict[str, Any]:
    """A receiver offline while ``plan.backlog`` messages queued, then draining."""
    return run_backlog(BacklogSettings(plan.backlog, plan.workers), say)


def history(plan: Plan, say: Say) -> list[dict[str, Any]]:
    settings = IntakeSettings(plan.seconds, 100, plan.clients, plan.workers)
    return run_history(settings, plan.history, say)


def receivers(plan: Plan, say: Say) -> dict[str, Any]:
    settings = IntakeSettings(plan.seconds, 100, plan.clients, plan.workers)
    return run_receivers(settings, plan.receivers, plan.receivers_rate, say)


SECTIONS: dict[str, Callable[[Plan, Say], Any]] = {
    "intake": intake,
    "broker": broker,
    "latency": latency,
    "backlog": backlog,
    "history": history,
    "receivers": receivers,
}


def run(plan: Plan, only: tuple[str, ...], say: Say) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, section in SECTIONS.items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        try:
            out[name] = section(plan, say)
        except Exception as exc:  # one failed section must not lose the others' numbers
            say(f"[red]{name} failed:[/red] {exc}")
            out[name] = {"failed": f"{type(exc).__name__}: {exc}"}
        say(f"{name}: {time.perf_counter() - started:.0f} s")
    return out


def with_overrides(plan: Plan, **changes: Any) -> Plan:
    return replace(plan, **{k: v for k, v in changes.items() if v is not None})
