"""Prometheus metrics at ``GET /metrics`` (text format), with ``serve --workers N`` too.

Counters and histograms are kept per process by prometheus-client's multiprocess mode
(files in ``PROMETHEUS_MULTIPROC_DIR``, which ``finmesh serve`` points at an emptied
``DIR/run/metrics`` before its workers start: ``metrics_dir``) and summed over every
worker at scrape time, so one scrape sees the whole node whichever worker answers it.
What the database knows (queue depth and oldest undelivered message per delivery
priority, measures in force, holds pending) is read at scrape time: every worker gives
the same.

prometheus-client decides at import whether it runs in multiprocess mode: import this
module only after ``metrics_dir.prepare`` (the CLI does; workers inherit the variable).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from finmesh.api.metrics_dir import MULTIPROC_ENV

if TYPE_CHECKING:
    from finmesh.node.root import Node

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
DELIVERY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)
CONTENT_TYPE = CONTENT_TYPE_LATEST

MESSAGES_IN = Counter("finmesh_messages_received_total", "Messages submitted to intake")
MESSAGES_ACKED = Counter("finmesh_messages_acked_total", "Messages ACKed (stored durably)")
MESSAGES_NAKED = Counter(
    "finmesh_messages_nakked_total", "Messages NAKed, by reason code", ["reason"]
)
MESSAGES_HELD = Counter("finmesh_messages_held_total", "Messages ACKed into a compliance hold")
DELIVERIES = Counter(
    "finmesh_deliveries_total", "Messages handed to their receiver", ["possible_duplicate"]
)
ACK_SECONDS = Histogram(
    "finmesh_ack_seconds",
    "Submission received to its ACK/NAK answered, per request",
    buckets=LATENCY_BUCKETS_S,
)
DELIVERY_SECONDS = Histogram(
    "finmesh_delivery_seconds",
    "Message accepted to first handed to its receiver",
    buckets=DELIVERY_BUCKETS_S,
)
SCREENING_SECONDS = Histogram(
    "finmesh_screening_seconds",
    "Sanctions screening of one batch against the loaded lists",
    buckets=LATENCY_BUCKETS_S,
)
DATABASE_ERRORS = Counter(
    "finmesh_database_errors_total", "Requests or periodic work refused: database unavailable"
)
HTTP_REQUESTS = Counter(
    "finmesh_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()


class StoreGauges(Collector):
    """Gauges read from the database at scrape time."""

    def __init__(self, node: Node) -> None:
        self.node = node

    def collect(self) -> Iterator[Metric]:
        now = self.node.clock()
        depth = GaugeMetricFamily(
            "finmesh_queue_depth",
            "Unacknowledged queued messages, by delivery priority",
            labels=["priority"],
        )
        oldest = GaugeMetricFamily(
            "finmesh_oldest_undelivered_seconds",
            "Age of the oldest unacknowledged queued message, by delivery priority",
            labels=["priority"],
        )
        found = {s.priority: s for s in self.node.store.queue_stats()}
        for priority in ("URGENT", "NORMAL"):
            stat = found.get(priority)
            depth.add_metric([priority], 0 if stat is None else stat.depth)
            age = 0.0 if stat is None else max(0, now - stat.oldest_received_ms) / 1000
            oldest.add_metric([priority], age)
        snapshot = self.node.compliance.snapshot()
        measures = GaugeMetricFamily("finmesh_measures_active", "Measures in force now")
        measures.add_metric([], len(snapshot.in_force(now)))
        holds = GaugeMetricFamily("finmesh_holds_pending", "Held messages awaiting a decision")
        holds.add_metric([], sum(1 for h in self.node.store.holds() if not h.final))
        yield from (depth, oldest, measures, holds)


def scrape(node: Node) -> bytes:
    """The whole exposition: every worker's counters plus the database's gauges."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(StoreGauges(node))
    return generate_latest(registry)


class _Default(Collector):
    """This process's own metrics (a node without multiprocess mode, e.g. in a test)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
