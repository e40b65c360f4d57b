"""``finmesh bench backlog``: a bank that was offline reconnects and drains its backlog.

One run: a scratch demo network and a real ``finmesh serve`` node; one sender submits
``messages`` messages to a receiver that is not polling (batches of 100, through the
full intake: signed, validated, screened if a list is loaded, stored durably); then
the receiver drains its queue page by page (fetch, then acknowledge), as a bank's
gateway does after an outage. The node's CPU time per delivered message is measured
over the first and the last ``WINDOW_FRACTION`` of the drain: if fetching cost grew with
the backlog, the start (deep backlog) would cost more than the end (short backlog).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import scratch
from benchmarks.postgres import scratch_database
from benchmarks.stats import machine, tree_cpu_seconds
from benchmarks.traffic import BenchmarkInvalid, SignedHttp, batch_body, signed_messages
from finmesh.client import Client
from finmesh.domain import limits
from finmesh.identity.profile import load_profile
from finmesh.node.launcher import serving

SUBMIT_BATCH = 100
PAGE = limits.DELIVERY_PAGE_MAX
WINDOW_FRACTION = 0.1
"""Share of the backlog at each end of the drain over which node CPU is measured."""


@dataclass(frozen=True)
class BacklogSettings:
    messages: int = 10_000
    workers: int = 1
    page: int = PAGE
    store: str = "sqlite"
    database: str | None = None
    """PostgreSQL server URL for store "postgresql" (a scratch database is made on it)."""


@contextlib.contextmanager
def _database(settings: BacklogSettings) -> Iterator[str | None]:
    if settings.store != "postgresql":
        yield None
        return
    with scratch_database(settings.database) as url:
        yield url


def run_backlog(settings: BacklogSettings, say: Callable[[str], object]) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="finmesh-backlog-"))
    try:
        root = folder / "net"
        with _database(settings) as url, contextlib.ExitStack() as stack:
            scratch.create_network(root, url)
            sender_dir, receiver_dir = scratch.participant_folders(root)[:2]
            node = stack.enter_context(serving(root, settings.workers))
            say(f"bench backlog: queueing {settings.messages} messages for {receiver_dir.name}")
            loaded_s = _queue(node.url, sender_dir, receiver_dir.name, settings.messages)
            say(f"queued in {loaded_s:.1f} s; draining in pages of {settings.page}")
            drained = _drain(node.url, receiver_dir, node.pid, settings)
            stack.close()  # the node stops before its scratch database is dropped
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    start, end = drained["start"], drained["end"]
    return {
        "benchmark": "backlog",
        "messages": settings.messages,
        "store": settings.store,
        "page": settings.page,
        "queue_seconds": round(loaded_s, 2),
        "drain_seconds": round(drained["seconds"], 2),
        "drain_msgs_per_s": round(settings.messages / drained["seconds"], 1),
        "fetch_cpu_us_per_msg": {"start": start, "end": end},
        "end_over_start": round(end / start, 3) if start else None,
        "window_messages": drained["window"],
        "machine": machine(),
    }


def _queue(url: str, sender_dir: Path, receiver: str, count: int) -> float:
    profile = load_profile(sender_dir)
    http = SignedHttp(url, sender_dir)
    started = time.perf_counter()
    try:
        for at in range(0, count, SUBMIT_BATCH):
            n = min(SUBMIT_BATCH, count - at)
            items = [m.item for m in signed_messages(profile, receiver, n)]
            http.submit(batch_body(items), n)
    finally:
        http.close()
    return time.perf_counter() - started


def _drain(url: str, receiver_dir: Path, node_pid: int, s: BacklogSettings) -> dict[str, Any]:
    window = max(s.page, int(s.messages * WINDOW_FRACTION))
    marks: list[tuple[int, float]] = [(0, tree_cpu_seconds(node_pid))]
    received = 0
    started = time.perf_counter()
    with Client.from_profile(receiver_dir, url) as bank:
        last_osn: int | None = None
        while received < s.messages:
            # each fetch acknowledges the page before: one request per page
            page = bank.receive(limit=s.page, ack=last_osn)["messages"]
            if not page:
                raise BenchmarkInvalid(f"the queue ran dry after {received} of {s.messages}")
            last_osn = int(page[-1]["osn"])
            received += len(page)
            marks.append((received, tree_cpu_seconds(node_pid)))
        bank.ack(last_osn or 0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "window": window,
        "start": _cpu_us_per_msg(marks, 0, window),
        "end": _cpu_us_per_msg(marks, s.messages - window, s.messages),
    }


def _cpu_us_per_msg(marks: list[tuple[int, float]], low: int, high: int) -> float:
    """Node CPU per message over the pages that fall within [low, high] messages."""
    inside = [(n, cpu) for n, cpu in marks if low <= n <= high]
    if len(inside) < 2:
        raise BenchmarkInvalid("too few pages in a measuring window; raise --messages")
    (n0, c0), (n1, c1) = inside[0], inside[-1]
    return round((c1 - c0) / (n1 - n0) * 1e6, 1)
