"""The benchmark suite's report: goals judged from a results document, and the chart
written as a PNG (matplotlib's Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.chart import latency_chart
from benchmarks.report import goals

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _latency(offered: float, ack_p99: float, delivery_p99: float) -> dict[str, Any]:
    return {
        "offered_msgs_per_s": offered, "acked_msgs_per_s": offered,
        "ack_p50_ms": ack_p99 / 2, "ack_p99_ms": ack_p99, "ack_max_ms": ack_p99 * 2,
        "delivery_p50_ms": delivery_p99 / 2, "delivery_p99_ms": delivery_p99,
        "delivery_max_ms": delivery_p99 * 2,
    }


def test_goals_are_judged_against_the_issues_targets() -> None:
    results = {
        "intake": {"configs": {
            "sqlite, batch 100": {"msgs_per_s": 8_500, "node_cpu_us_per_msg": 240,
                                  "cpu_ratio_to_bound": 0.6},
            "sqlite, batch 1": {"msgs_per_s": 2_000, "node_cpu_us_per_msg": 900},
        }},
        "broker": {"msgs_per_s": 10_000},
        "latency": [_latency(200, 3, 9), _latency(1000, 12, 40)],
        "backlog": {"messages": 100_000, "end_over_start": 1.1},
        "history": [{"history_messages": 0, "ratio_to_empty": 1.0},
                    {"history_messages": 10_000_000, "ratio_to_empty": 0.93}],
    }  # fmt: skip
    met = {g["goal"]: g["met"] for g in goals(results)}
    assert list(met.values()) == [
        True,  # 8,500 >= 8,000 msgs/s with batches
        False,  # 2,000 < 3,000 one per request
        True,  # 240 <= 250 µs
        False,  # 900 > 600 µs
        False,  # 0.6 < 0.85 of the CPU bound
        True,  # 8,500 / 10,000 >= 0.75 of RabbitMQ
        False,  # ACK p99 12 > 10 ms at 1,000/s
        True,  # delivery p99 40 <= 50 ms
        True,  # fetch cost flat with the backlog
        True,  # 0.93 of the empty rate at 10 million
    ]
    assert "100,000 backlog" in " ".join(met)


def test_goals_not_measured_say_so() -> None:
    assert {g["met"] for g in goals({})} == {None}


def test_the_chart_is_a_png(tmp_path: Path) -> None:
    path = latency_chart([_latency(200, 3, 9), _latency(1000, 12, 40)], 10_000,
                         tmp_path / "latency.png")
    assert path.read_bytes()[:8] == PNG_MAGIC
