"""Benchmark commands: ``finmesh bench intake``, ``latency``, ``broker`` and ``screening``.

Each prints one JSON object on stdout; progress goes to stderr. They create their own
scratch network (and node process), so they never touch an existing network; screening
needs neither (it measures the matcher in-process).
"""

from __future__ import annotations

import importlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import click

from finmesh.cli.output import emit, fail, stderr

seconds_option = click.option(
    "--seconds", type=click.FloatRange(0.5, 3600), default=10.0, show_default=True,
    help="measured seconds (after a short warm-up)",
)
json_option = click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
clients_option = click.option(
    "--clients", type=click.IntRange(1, 64), default=4, show_default=True,
    help="client processes, each its own participant",
)


BENCH_EXTRA = "pip install 'finmesh[bench]'"


@contextmanager
def _bench_code() -> Iterator[None]:
    """Benchmark code lives in the ``benchmarks`` package and some of it needs libraries
    only the ``bench`` extra installs: say how to get them instead of a traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        fail(
            "bench_unavailable",
            f"finmesh bench needs {exc.name!r}, which the runtime does not install: "
            f"{BENCH_EXTRA} (from a checkout: pip install -e '.[bench]')",
        )


@click.group()
def bench() -> None:
    """Measure this machine: intake throughput and latency, and a broker baseline."""
    # SIGTERM (a timeout, a CI cancel) unwinds like Ctrl-C: the scratch network and
    # database are removed and the node is stopped
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@bench.command("intake")
@seconds_option
@json_option
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="messages per request")
@clients_option
@click.option("--store", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True)
@click.option("--database", default=None,
              help="PostgreSQL server URL for --store postgresql (a scratch database is "
                   "created on it and dropped; default postgresql://127.0.0.1:5432/postgres)")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="node worker processes (finmesh serve --workers)")
@click.option("--screening-entries", type=click.IntRange(0, 1_000_000), default=100_000,
              show_default=True, help="entries of the generated sanctions list loaded in the "
              "node; messages name debtors and creditors as real traffic does (0: no list)")
def intake(
    seconds: float, as_json: bool, batch: int, clients: int, store: str,
    database: str | None, workers: int, screening_entries: int,
) -> None:
    """Messages/s fully processed (authenticated, validated, verified, routed, screened,
    stored durably, ACKed) by a real node, with the bound measured in the same run."""
    with _bench_code():
        from benchmarks.intake import IntakeSettings, run_intake
        from benchmarks.traffic import BenchmarkInvalid

    settings = IntakeSettings(
        seconds, batch, clients, workers, store, database, screening_entries
    )
    stderr.print(f"bench intake: batch {batch}, {clients} clients, {workers} workers, {store}")
    try:
        emit(run_intake(settings, lambda phase: stderr.print(f"bench intake: {phase}")))
    except (BenchmarkInvalid, RuntimeError, OSError) as exc:
        fail("bench_failed", f"bench intake failed: {exc}")


def _rates(text: str) -> list[float]:
    try:
        rates = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"{text!r}: give rates like 200,1000,3000") from None
    if not rates or any(r <= 0 for r in rates):
        raise click.BadParameter("rates must be positive")
    return rates


@bench.command("latency")
@seconds_option
@json_option
@click.option("--rates", default="200,1000,3000", show_default=True,
              help="offered messages/s, comma-separated; each held for --seconds")
@click.option("--store", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True)
@click.option("--database", default=None, help="PostgreSQL server URL (see bench intake)")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True)
@click.option("--batch", type=click.IntRange(1, 100), default=100, show_default=True,
              help="most messages per request (1: one payment per request)")
@click.option("--senders", type=click.IntRange(1, 32), default=2, show_default=True,
              help="sender processes (4 connections each), each to its own receiver")
def latency(
    seconds: float, as_json: bool, rates: str, store: str, database: str | None, workers: int,
    batch: int, senders: int,
) -> None:
    """Submit->ACK and submit->delivery latency at offered rates (open loop, streaming
    receivers); one JSON object per rate."""
    with _bench_code():
        from benchmarks.intake import IntakeSettings, run_latency
        from benchmarks.traffic import BenchmarkInvalid

    settings = IntakeSettings(
        seconds=seconds, batch=batch, workers=workers, store=store, database=database
    )
    try:
        for row in run_latency(settings, _rates(rates), stderr.print, senders):
            emit(row)
    except (BenchmarkInvalid, RuntimeError, OSError) as exc:
        fail("bench_failed", f"bench latency failed: {exc}")


@bench.command("broker")
@seconds_option
@json_option
@clients_option
@click.option("--inflight", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="unconfirmed publishes per client")
@click.option("--amqp-url", default=None,
              help="RabbitMQ URL (default amqp://guest:guest@127.0.0.1:5672/%2F)")
def broker(
    seconds: float, as_json: bool, clients: int, inflight: int, amqp_url: str | None
) -> None:
    """The same signed message bytes through RabbitMQ: durable queue, persistent
    messages, publisher confirms, ``--inflight`` unconfirmed per client process."""
    with _bench_code():
        importlib.import_module("pika")  # imported lazily by the broker's client processes
        from benchmarks.broker import BrokerSettings, run_broker

    settings = BrokerSettings(seconds, clients, inflight, amqp_url)
    stderr.print(f"bench broker: {clients} clients, {inflight} in flight each")
    try:
        emit(run_broker(settings))
    except (RuntimeError, OSError) as exc:
        fail("bench_failed", f"bench broker failed: {exc}")


@bench.command("backlog")
@json_option
@click.option("--messages", type=click.IntRange(100, 10_000_000), default=10_000,
              show_default=True, help="messages queued for a receiver that is offline")
@click.option("--page", type=click.IntRange(1, 1000), default=1000, show_default=True,
              help="messages per fetch while draining")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True)
@click.option("--store", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True)
@click.option("--database", default=None, help="PostgreSQL server URL (see bench intake)")
def backlog(
    as_json: bool, messages: int, page: int, workers: int, store: str, database: str | None
) -> None:
    """A receiver drains a backlog of --messages: node CPU per fetched message at the
    start and at the end of the drain (flat when fetching is O(page))."""
    with _bench_code():
        from benchmarks.backlog import BacklogSettings, run_backlog
        from benchmarks.traffic import BenchmarkInvalid

    try:
        settings = BacklogSettings(messages, workers, page, store, database)
        emit(run_backlog(settings, stderr.print))
    except (BenchmarkInvalid, RuntimeError, OSError) as exc:
        fail("bench_failed", f"bench backlog failed: {exc}")


@bench.command("screening")
@json_option
@click.option("--entries", type=click.IntRange(1, 1_000_000), default=100_000,
              show_default=True, help="entries of the generated sanctions list")
@click.option("--queries", type=click.IntRange(100, 100_000), default=4_000, show_default=True,
              help="names screened: half true variants of listed names, half clean names")
def screening(as_json: bool, entries: int, queries: int) -> None:
    """Name screenings/s on one core against a generated list (also index build time,
    p50/p99 latency, index memory). No network or node involved."""
    with _bench_code():
        from benchmarks.screening.speed import screening_benchmark

    stderr.print(f"bench screening: {entries} entries, {queries} queries")
    emit(screening_benchmark(entries, queries))


COMMANDS = (bench,)
