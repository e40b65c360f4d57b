"""``finmesh bench broker``: the same message bytes through RabbitMQ, for a baseline.

What is published is exactly what our client submits per message: the JSON item of
POST /v1/messages (base64 of the signed pacs.008 envelope, base64 of its signature).
RabbitMQ gets the durable settings our ACK has: a durable queue, persistent messages
(delivery_mode=2) and publisher confirms, which it sends after the message is fsynced.

Each client process publishes with pika's asynchronous API (SelectConnection), keeping
``inflight`` unconfirmed messages outstanding (the broker confirms several at once with
``multiple``); one extra short run waits for each confirm before the next publish.
All clients publish to one queue (as all our senders write to one store). The queue is
deleted afterwards.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import time
import traceback
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.load import START_DELAY_SECONDS, Window, await_ready, server_cpu_in_window
from benchmarks.stats import die_with_parent, latency_summary, machine, reap
from benchmarks.traffic import BenchmarkInvalid, MessageFactory, submission_item

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
WARMUP_SECONDS_MAX = 1.0
WAIT_EACH_SECONDS_MAX = 2.0
POOL_SIZE = 2_000
"""Distinct message bodies per client, published round-robin (a broker does not look
inside, so repeating bodies costs it the same as fresh ones)."""
RESULT_SECONDS_MAX = 120.0


class BrokerUnavailable(RuntimeError):
    """RabbitMQ could not be reached."""


@dataclass(frozen=True)
class BrokerSettings:
    seconds: float = 10.0
    clients: int = 4
    inflight: int = 100
    amqp_url: str | None = None

    @property
    def url(self) -> str:
        return self.amqp_url or os.environ.get("FINMESH_BENCH_AMQP_URL", DEFAULT_AMQP_URL)

    @property
    def warmup(self) -> float:
        return min(WARMUP_SECONDS_MAX, self.seconds * 0.25)


def reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout):
            return True
    except OSError:
        return False


def message_bodies(count: int) -> list[bytes]:
    """Submission items of fresh signed pacs.008 messages (a throwaway key signs them)."""
    from finmesh.identity import pki

    key = pki.generate_key()
    factory = MessageFactory("DEUTDEFFXXX", "BNPAFRPPXXX")
    bodies = []
    for _ in range(count):
        _, payload = factory.make()
        bodies.append(submission_item(payload, pki.sign(key, payload)))
    return bodies


class _Publisher:
    """One SelectConnection keeping ``inflight`` persistent publishes unconfirmed."""

    def __init__(self, url: str, queue: str, inflight: int, bodies: list[bytes]) -> None:
        import pika

        self.pika = pika
        self.queue, self.inflight, self.bodies = queue, inflight, bodies
        self.properties = pika.BasicProperties(delivery_mode=2)
        self.sent: dict[int, float] = {}
        self.confirmed: list[tuple[float, float]] = []
        self.nacked = 0
        self.tag = 0
        self.end = 0.0
        self.ready_hook: Any = None
        self.channel: Any = None
        self.error: str | None = None
        self.connection = pika.SelectConnection(
            pika.URLParameters(url), on_open_callback=self._opened,
            on_open_error_callback=self._failed, on_close_callback=self._closed,
        )

    def _opened(self, connection: Any) -> None:
        connection.channel(on_open_callback=self._channel)

    def _failed(self, connection: Any, exc: BaseException) -> None:
        self.error = f"connection failed: {exc}"
        connection.ioloop.stop()

    def _closed(self, connection: Any, reason: BaseException) -> None:
        connection.ioloop.stop()

    def _channel(self, channel: Any) -> None:
        self.channel = channel
        channel.confirm_delivery(self._confirm, callback=self._confirming)

    def _confirming(self, _frame: Any) -> None:
        start, end = self.ready_hook()  # blocks until every client is ready and go is given
        self.end = end
        self.connection.ioloop.call_later(max(0.0, start - time.time()), self._fill)
        self.connection.ioloop.call_later(max(0.0, end - time.time()) + 0.05, self._stop)

    def _fill(self) -> None:
        while len(self.sent) < self.inflight and time.time() < self.end:
            self.tag += 1
            body = self.bodies[self.tag % len(self.bodies)]
            self.sent[self.tag] = time.time()
            self.channel.basic_publish("", self.queue, body, self.properties)

    def _confirm(self, frame: Any) -> None:
        method = frame.method
        now = time.time()
        tags = [t for t in self.sent if t <= method.delivery_tag] if method.multiple else [
            method.delivery_tag
        ]
        ok = isinstance(method, self.pika.spec.Basic.Ack)
        for tag in tags:
            sent = self.sent.pop(tag, None)
            if sent is not None and ok:
                self.confirmed.append((sent, now))
        self.nacked += 0 if ok else len(tags)
        self._fill()

    def _stop(self) -> None:
        self.connection.close()

    def run(self) -> None:
        self.connection.ioloop.start()


def _publisher_main(
    url: str, queue: str, inflight: int, ready: Any, go: Event, window: Any, results: Any
) -> None:
    die_with_parent()
    try:
        publisher = _Publisher(url, queue, inflight, message_bodies(POOL_SIZE))

        def ready_hook() -> tuple[float, float]:
            ready.put(("ready", os.getpid()))
            go.wait()
            start, _, end = window[:]
            return start, end

        publisher.ready_hook = ready_hook
        publisher.run()
        if publisher.error:
            raise BrokerUnavailable(publisher.error)
        results.put({"confirmed": publisher.confirmed, "nacked": publisher.nacked})
    except BaseException as exc:
        ready.put(("error", os.getpid()))
        results.put({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})


def _wait_each_rate(url: str, queue: str, seconds: float) -> float:
    """Messages/s when each publish waits for its confirm (BlockingConnection)."""
    import pika

    bodies = message_bodies(200)
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(delivery_mode=2)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            channel.basic_publish("", queue, bodies[done % len(bodies)], properties)
            done += 1
        return done / (time.perf_counter() - start)
    finally:
        connection.close()


def _declare(url: str, queue: str, delete: bool = False) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        if delete:
            channel.queue_delete(queue)
        else:
            channel.queue_declare(queue, durable=True)
    finally:
        connection.close()


def run_broker(settings: BrokerSettings) -> dict[str, Any]:
    """The JSON object ``finmesh bench broker --json`` prints."""
    url = settings.url
    if not reachable(url):
        raise BrokerUnavailable(f"RabbitMQ is not reachable at {urlsplit(url).netloc}")
    queue = f"finmesh-bench-{os.urandom(4).hex()}"
    _declare(url, queue)
    try:
        result = _publish(settings, queue)
        result["wait_each_msgs_per_s"] = round(
            _wait_each_rate(url, queue, min(WAIT_EACH_SECONDS_MAX, settings.seconds)), 1
        )
    finally:
        _declare(url, queue, delete=True)
    return {**result, "machine": machine()}


def _publish(settings: BrokerSettings, queue: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    go = ctx.Event()
    window = ctx.Array("d", 3)
    args = (settings.url, queue, settings.inflight, ready, go, window, results)
    procs = [ctx.Process(target=_publisher_main, args=args, daemon=True)
             for _ in range(settings.clients)]
    for p in procs:
        p.start()
    finished = False
    try:
        await_ready(ready, len(procs))
        start = time.time() + START_DELAY_SECONDS
        w = Window(start, start + settings.warmup, start + settings.warmup + settings.seconds)
        window[:] = [w.start, w.measure_from, w.end]
        go.set()
        broker = broker_pid()
        broker_cpu = server_cpu_in_window(broker, w) if broker is not None else None
        outcomes = [results.get(timeout=RESULT_SECONDS_MAX + settings.seconds) for _ in procs]
        finished = True
    finally:
        reap(procs, finished)
    failed = [o for o in outcomes if "error" in o]
    if failed:
        raise BenchmarkInvalid(f"a publisher failed: {failed[0]['error']}\n{failed[0]['trace']}")
    inside = [c for o in outcomes for c in o["confirmed"] if w.measure_from <= c[1] <= w.end]
    return {
        "msgs_per_s": round(len(inside) / settings.seconds, 1),
        "messages": len(inside),
        "seconds": settings.seconds,
        "clients": settings.clients,
        "inflight": settings.inflight,
        "nacked": sum(o["nacked"] for o in outcomes),
        **latency_summary([(t1 - t0) * 1000 for t0, t1 in inside], "confirm"),
        "message_bytes": len(message_bodies(1)[0]),
        "broker": "rabbitmq",
        "durable": "durable queue, delivery_mode=2, publisher confirms",
        # the broker's own CPU (the Erlang VM on this machine) per confirmed message,
        # measured over the same window: the figure to set beside node_cpu_us_per_msg
        "broker_cpu_us_per_msg": round(broker_cpu / len(inside) * 1e6, 1)
        if broker_cpu is not None and inside else None,
    }


def broker_pid() -> int | None:
    """The local RabbitMQ's Erlang VM (beam.smp), if it runs on this machine."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip().startswith("beam"):
                return int(proc.name)
        except OSError:
            continue
    return None
