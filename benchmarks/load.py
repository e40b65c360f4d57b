"""Closed-loop load: client processes submitting prepared batches as fast as ACKs come.

Each client process has its own participant profile. Before the clock starts it makes
and signs its messages and assembles the request bodies (a bank's own work, not the
node's), sends one warm-up batch, and reports ready; then all start together. Each
request is signed when it is sent (fresh nonce and timestamp). Only requests sent and
answered inside the measured window count.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from benchmarks.counterparties import Counterparties, client_seed
from benchmarks.screening.listed_names import Composed
from benchmarks.stats import die_with_parent, latency_summary, reap, tree_cpu_seconds
from benchmarks.traffic import (
    BenchmarkInvalid,
    SignedHttp,
    batch_body,
    send_prior_day,
    signed_messages,
)

READY_SECONDS_MAX = 600.0
"""Making and signing a large pool takes a while on a busy machine."""
START_DELAY_SECONDS = 0.3
RESULT_SECONDS_MAX = 180.0
POOL_MSGS_PER_S_MAX = 10_000
"""Messages prepared per second of run, shared by all clients: above the best rate seen
here (a client that runs out stops early, and the run says so)."""


@dataclass(frozen=True)
class ClientJob:
    url: str
    profile: str
    receiver: str | tuple[str, ...]
    """One receiver, or several taken in turn."""
    batch: int
    messages: int
    listed: tuple[Composed, ...] | None = None
    """With a list loaded in the node: a sample of its names, for the hits among the
    counterparties (counterparties.py); None: messages name no debtor or creditor."""


@dataclass(frozen=True)
class Window:
    """When the clients start, and which part of the run is measured (time.time())."""

    start: float
    measure_from: float
    end: float


def _client_main(job: ClientJob, ready: Any, go: Event, window: Any, results: Any) -> None:
    die_with_parent()
    try:
        results.put(_client_run(job, ready, go, window))
    except BaseException as exc:  # reported to the orchestrator, which fails the run
        ready.put(("error", os.getpid()))
        results.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})


def _client_run(job: ClientJob, ready: Any, go: Event, window: Any) -> dict[str, Any]:
    http = SignedHttp(job.url, job.profile)
    names = (
        None if job.listed is None
        else Counterparties(job.listed, seed=client_seed(job.profile))
    )
    if names is not None:
        send_prior_day(http, job.receiver, names)
        http.held = 0  # the prior day's holds are not the measured traffic's
    messages = signed_messages(http.profile, job.receiver, job.messages + job.batch, names)
    chunks = [messages[i : i + job.batch] for i in range(0, len(messages), job.batch)]
    bodies = [(batch_body([m.item for m in chunk]), len(chunk)) for chunk in chunks]
    del chunks
    del messages
    warm, count = bodies.pop(0)
    http.submit(warm, count)  # schemas compiled, connection open, certificate cached
    ready.put(("ready", os.getpid()))
    go.wait()
    start, _, end = window[:]
    time.sleep(max(0.0, start - time.time()))
    records: list[tuple[float, float, int]] = []
    cpu0 = time.process_time()
    exhausted_at = None
    for body, count in bodies:
        sent = time.time()
        if sent >= end:
            break
        http.submit(body, count)
        records.append((sent, time.time(), count))
    else:
        exhausted_at = time.time()
    http.close()
    return {
        "records": records,
        "cpu_seconds": time.process_time() - cpu0,
        "exhausted_at": exhausted_at,
        "rate_limited": http.rate_limited,
        "held": http.held,
    }


def run_closed_loop(
    url: str,
    server_pid: int,
    pairs: Sequence[tuple[Path, str | tuple[str, ...]]],
    batch: int,
    seconds: float,
    warmup: float,
    listed: tuple[Composed, ...] | None = None,
    on_window: tuple[Callable[[], None], Callable[[], None]] | None = None,
) -> dict[str, Any]:
    """Throughput and submit->ACK latency of ``len(pairs)`` client processes.
    ``on_window``: called when the measured window opens and when it closes (a
    profiler that should see only measured traffic)."""
    per_client = int(POOL_MSGS_PER_S_MAX * (seconds + warmup) / len(pairs)) + batch
    jobs = [ClientJob(url, str(p), r, batch, per_client, listed) for p, r in pairs]
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    go = ctx.Event()
    window = ctx.Array("d", 3)
    procs = [
        ctx.Process(target=_client_main, args=(j, ready, go, window, results), daemon=True)
        for j in jobs
    ]
    for p in procs:
        p.start()
    finished = False
    try:
        await_ready(ready, len(procs))
        start = time.time() + START_DELAY_SECONDS
        w = Window(start, start + warmup, start + warmup + seconds)
        window[:] = [w.start, w.measure_from, w.end]
        go.set()
        server_cpu = server_cpu_in_window(server_pid, w, on_window)
        outcomes = [results.get(timeout=RESULT_SECONDS_MAX + seconds) for _ in procs]
        finished = True
    finally:
        reap(procs, finished)
    failed = [o for o in outcomes if "error" in o]
    if failed:
        raise BenchmarkInvalid(f"a client failed: {failed[0]['error']}\n{failed[0]['trace']}")
    return summarise(outcomes, w, server_cpu, batch, len(pairs))


def await_ready(ready: Any, count: int) -> None:
    for _ in range(count):
        try:
            state, pid = ready.get(timeout=READY_SECONDS_MAX)
        except queue.Empty:
            raise BenchmarkInvalid("clients did not get ready in time") from None
        if state != "ready":
            raise BenchmarkInvalid(f"client {pid} failed while preparing")


def server_cpu_in_window(
    pid: int, w: Window, hooks: tuple[Callable[[], None], Callable[[], None]] | None = None
) -> float:
    time.sleep(max(0.0, w.measure_from - time.time()))
    if hooks is not None:
        hooks[0]()
    before = tree_cpu_seconds(pid)
    time.sleep(max(0.0, w.end - time.time()))
    after = tree_cpu_seconds(pid)
    if hooks is not None:
        hooks[1]()
    return after - before


def summarise(
    outcomes: list[dict[str, Any]], w: Window, server_cpu: float, batch: int, clients: int
) -> dict[str, Any]:
    exhausted = [o["exhausted_at"] for o in outcomes if o["exhausted_at"] is not None]
    end = min([w.end, *exhausted])
    seconds = end - w.measure_from
    inside = [
        r for o in outcomes for r in o["records"] if r[0] >= w.measure_from and r[1] <= end
    ]
    messages = sum(n for _, _, n in inside)
    client_cpu = sum(o["cpu_seconds"] for o in outcomes)
    total = sum(n for o in outcomes for _, _, n in o["records"])
    return {
        "msgs_per_s": round(messages / seconds, 1) if seconds > 0 else 0.0,
        "messages": messages,
        "seconds": round(seconds, 2),
        "batch": batch,
        "clients": clients,
        "requests": len(inside),
        **latency_summary([(t1 - t0) * 1000 for t0, t1, _ in inside], "ack"),
        "server_cpu_us_per_msg": round(server_cpu / messages * 1e6, 1) if messages else None,
        "client_cpu_us_per_msg": round(client_cpu / total * 1e6, 1) if total else None,
        "pool_exhausted": bool(exhausted),
        "rate_limited_requests": sum(o["rate_limited"] for o in outcomes),
        "held_messages": sum(o.get("held", 0) for o in outcomes),
    }
