"""Latency at an offered rate: an open-loop load generator and streaming receivers.

Open loop: each message has a due time on a fixed schedule (rate per sender), whether
or not earlier ones were answered, so a slow node makes messages wait instead of
slowing the generator down (no coordinated omission). Each sender process has a few
connections; a free connection takes every message that is due and not yet sent (up
to BATCH_MESSAGES_MAX) and posts them in one request, so batches grow by themselves
when the node falls behind, as a bank's gateway would do.

Latencies start at the due time: submit->ACK ends when the response arrives at the
sender; submit->delivery ends when a receiver's long poll (GET /v1/deliveries with
wait) returns the message. Sender, receiver and orchestrator share this machine's
clock (time.time()). Receivers acknowledge each page on their next poll (ack=).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from benchmarks.counterparties import Counterparties, client_seed
from benchmarks.crowd import Crowd
from benchmarks.load import (
    START_DELAY_SECONDS,
    Window,
    await_ready,
    server_cpu_in_window,
)
from benchmarks.screening.listed_names import Composed
from benchmarks.stats import die_with_parent, latency_summary, reap
from benchmarks.traffic import (
    BenchmarkInvalid,
    SignedHttp,
    batch_body,
    send_prior_day,
    signed_messages,
)

CONNECTIONS_PER_SENDER = 4
BATCH_MESSAGES_MAX = 100
POLL_WAIT_SECONDS = 2
DRAIN_SECONDS_MAX = 30.0
RESULT_SECONDS_MAX = 120.0


@dataclass(frozen=True)
class SenderJob:
    url: str
    profile: str
    receiver: str | tuple[str, ...]
    """One receiver, or several taken in turn."""
    rate: float
    messages: int
    batch_max: int = BATCH_MESSAGES_MAX
    """Most messages per request; 1: one payment per request, as a gateway that sends
    each payment when it is made."""
    listed: tuple[Composed, ...] | None = None
    """With a list loaded: names for the counterparties (counterparties.py)."""


class _Schedule:
    """Messages become due on schedule; free connections take what is due."""

    def __init__(
        self, items: list[tuple[str, bytes]], start: float, rate: float, batch_max: int
    ) -> None:
        self.items, self.start, self.rate, self.batch_max = items, start, rate, batch_max
        self.released = 0
        self.pending: deque[tuple[int, float]] = deque()
        self.ready = threading.Condition()
        self.finished = False

    def run(self, end: float) -> None:
        """Release messages as they fall due until ``end`` (the dispatcher thread)."""
        while self.released < len(self.items):
            due = self.start + self.released / self.rate
            if due >= end:
                break
            time.sleep(max(0.0, due - time.time()))
            now = time.time()
            with self.ready:
                while self.released < len(self.items):
                    due = self.start + self.released / self.rate
                    if due > now or due >= end:
                        break
                    self.pending.append((self.released, due))
                    self.released += 1
                self.ready.notify()
        with self.ready:
            self.finished = True
            self.ready.notify_all()

    def take(self) -> list[tuple[int, float]]:
        with self.ready:
            while not self.pending and not self.finished:
                self.ready.wait()
            out: list[tuple[int, float]] = []
            while self.pending and len(out) < self.batch_max:
                out.append(self.pending.popleft())
            if self.pending:
                self.ready.notify()
            return out


def _sender_main(job: SenderJob, ready: Any, go: Event, window: Any, results: Any) -> None:
    die_with_parent()
    try:
        results.put(_send(job, ready, go, window))
    except BaseException as exc:
        ready.put(("error", os.getpid()))
        results.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})


def _send(job: SenderJob, ready: Any, go: Event, window: Any) -> dict[str, Any]:
    connections = [SignedHttp(job.url, job.profile) for _ in range(CONNECTIONS_PER_SENDER)]
    names = (
        None if job.listed is None
        else Counterparties(job.listed, seed=client_seed(job.profile))
    )
    prior = 0 if names is None else send_prior_day(connections[0], job.receiver, names)
    messages = signed_messages(connections[0].profile, job.receiver, job.messages + 1, names)
    first = messages.pop(0)
    connections[0].submit(batch_body([first.item]), 1)  # warm the node's caches
    items = [(m.biz_msg_id, m.item) for m in messages]
    del messages
    ready.put(("ready", os.getpid()))
    go.wait()
    start, _, end = window[:]
    schedule = _Schedule(items, start, job.rate, job.batch_max)
    records: list[tuple[str, float, float]] = []
    held: list[str] = []
    errors: list[str] = []

    def post(http: SignedHttp) -> None:
        try:
            while batch := schedule.take():
                results = http.submit(batch_body([items[i][1] for i, _ in batch]), len(batch))
                acked = time.time()
                records.extend((items[i][0], due, acked) for i, due in batch)
                pairs = zip(batch, results, strict=True)
                held.extend(items[i][0] for (i, _), r in pairs if r.get("held"))
        except BaseException as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=post, args=(c,)) for c in connections]
    for t in threads:
        t.start()
    schedule.run(end)
    for t in threads:
        t.join()
    if errors:
        raise BenchmarkInvalid(errors[0])
    return {"records": records, "held": held, "prior_day": prior,
            "rate_limited": sum(c.rate_limited for c in connections)}


def _receiver_main(
    url: str, profile: str, ready: Any, stop: Event, results: Any, count: Any
) -> None:
    die_with_parent()
    try:
        results.put(_receive(url, profile, ready, stop, count))
    except BaseException as exc:
        ready.put(("error", os.getpid()))
        results.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})


def _receive(url: str, profile: str, ready: Any, stop: Event, count: Any) -> dict[str, Any]:
    """A streaming receiver: each long poll acknowledges the page before (ack= on the
    fetch), so a delivery costs the node one request. ``count`` (shared by all
    receivers) tells the orchestrator how many distinct messages have arrived."""
    http = SignedHttp(url, profile)
    seen: dict[str, float] = {}
    after: int | None = None
    ready.put(("ready", os.getpid()))
    while not stop.is_set():
        query = f"limit=1000&wait={POLL_WAIT_SECONDS}"
        query += "" if after is None else f"&after={after}&ack={after}"
        page = http.request("GET", f"/v1/deliveries?{query}")["messages"]
        now = time.time()
        fresh = 0
        for m in page:
            if m["id"] not in seen:
                seen[m["id"]] = now
                fresh += 1
        if fresh:
            with count.get_lock():
                count.value += fresh
        if page:
            after = page[-1]["osn"]
    if after is not None:
        http.request("POST", "/v1/deliveries/ack", b'{"osn": %d}' % after)
    http.close()
    return {"delivered": seen}


def run_open_loop(
    url: str,
    pairs: Sequence[tuple[Path, str | tuple[str, ...]]],
    rate: float,
    seconds: float,
    warmup: float,
    crowd: Crowd | None = None,
    server_pid: int | None = None,
    batch_max: int = BATCH_MESSAGES_MAX,
    listed: tuple[Composed, ...] | None = None,
) -> dict[str, Any]:
    """Offer ``rate`` messages/s (split over the senders) for warmup + seconds.

    Without ``crowd`` one streaming receiver process per receiver takes the deliveries;
    with it, the crowd's receivers do (senders then name several receivers each)."""
    ctx = mp.get_context("spawn")
    ready, results, receipts = ctx.Queue(), ctx.Queue(), ctx.Queue()
    go, stop = ctx.Event(), ctx.Event()
    window = ctx.Array("d", 3)
    arrived = ctx.Value("q", 0)
    share = rate / len(pairs)
    count = int(share * (warmup + seconds)) + 1
    receivers = [] if crowd is not None else sorted({str(r) for _, r in pairs})
    folder = pairs[0][0].parent
    recv_procs = [
        ctx.Process(target=_receiver_main,
                    args=(url, str(folder / r), ready, stop, receipts, arrived), daemon=True)
        for r in receivers
    ]
    if crowd is not None:
        crowd.ask("report")  # forget arrivals of earlier runs
    send_procs = [
        ctx.Process(target=_sender_main,
                    args=(SenderJob(url, str(p), r, share, count, batch_max, listed), ready, go,
                          window, results),
                    daemon=True)
        for p, r in pairs
    ]
    procs = recv_procs + send_procs
    for p in procs:
        p.start()
    finished = False
    try:
        await_ready(ready, len(procs))
        start = time.time() + START_DELAY_SECONDS
        w = Window(start, start + warmup, start + warmup + seconds)
        window[:] = [w.start, w.measure_from, w.end]
        go.set()
        node_cpu = server_cpu_in_window(server_pid, w) if server_pid else None
        sent = [results.get(timeout=RESULT_SECONDS_MAX + seconds) for _ in send_procs]
        _drain_then_stop(sent, stop, None if crowd is not None else arrived)
        delivered = [receipts.get(timeout=RESULT_SECONDS_MAX) for _ in recv_procs]
        if crowd is not None:
            delivered.append({"delivered": crowd.ask("report")["seen"]})
        finished = True
    finally:
        stop.set()
        reap(procs, finished)
    failed = [o for o in sent + delivered if "error" in o]
    if failed:
        raise BenchmarkInvalid(f"{failed[0]['error']}\n{failed[0]['trace']}")
    summary = summarise(sent, delivered, w, rate)
    acked = summary["acked_msgs_per_s"] * seconds
    return {**summary,
            "batch_max": batch_max, "senders": len(send_procs),
            "node_cpu_cores": None if node_cpu is None else round(node_cpu / seconds, 2),
            "node_cpu_us_per_msg": round(node_cpu / acked * 1e6, 1)
            if node_cpu is not None and acked else None}


def _drain_then_stop(sent: list[dict[str, Any]], stop: Event, arrived: Any | None) -> None:
    """Let the receivers see every ACKed message (each sender's warm-up message too),
    at most DRAIN_SECONDS_MAX, then stop them. A loaded machine may deliver the last
    messages seconds after their ACK; a fixed pause would count them as lost.
    Without a shared count (the crowd's receivers), wait a fixed time."""
    if any("error" in s for s in sent):
        stop.set()
        return
    if arrived is None:
        time.sleep(min(DRAIN_SECONDS_MAX, 1.0 + POLL_WAIT_SECONDS / 5))
    else:
        # the prior day's traffic (counterparties.py) is delivered to the same receivers
        expected = sum(len(s["records"]) - len(s["held"]) + 1 + s["prior_day"] for s in sent)
        deadline = time.monotonic() + DRAIN_SECONDS_MAX
        while arrived.value < expected and time.monotonic() < deadline:
            time.sleep(0.05)
    stop.set()


def summarise(
    sent: list[dict[str, Any]], delivered: list[dict[str, Any]], w: Window, rate: float
) -> dict[str, Any]:
    seen: dict[str, float] = {}
    for d in delivered:
        seen.update(d["delivered"])
    held = {i for s in sent for i in s["held"]}
    records = [r for s in sent for r in s["records"]]
    inside = [r for r in records if w.measure_from <= r[1] < w.end]
    released = [r for r in inside if r[0] not in held]
    seconds = w.end - w.measure_from
    acked_inside = sum(1 for r in records if w.measure_from <= r[2] < w.end)
    reached = [seen[i] - due for i, due, _ in released if i in seen]
    return {
        "offered_msgs_per_s": rate,
        "acked_msgs_per_s": round(acked_inside / seconds, 1),
        "seconds": round(seconds, 2),
        "messages": len(inside),
        "held_share": round(1 - len(released) / len(inside), 4) if inside else None,
        "delivered_fraction": round(len(reached) / len(released), 4) if released else None,
        **latency_summary([(acked - due) * 1000 for _, due, acked in inside], "ack"),
        **latency_summary([d * 1000 for d in reached], "delivery"),
        "rate_limited_requests": sum(s["rate_limited"] for s in sent),
    }
