"""`finmesh bench` as written in issue 6: a short smoke run of each command, checking
that it prints one JSON object with the promised keys and sane values. Benchmarks are
never timed tests: nothing here asserts how fast anything is."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.broker import DEFAULT_AMQP_URL, reachable
from tests.netutil import run_cli

pytestmark = pytest.mark.slow
BENCH_TIMEOUT_SECONDS = 600
INTAKE_KEYS = {"msgs_per_s", "bound_msgs_per_s", "ratio_to_bound", "ack_p99_ms", "batch", "store",
               "ack_p50_ms", "ack_max_ms", "clients", "workers", "machine", "seconds", "messages",
               "screening_entries", "node_cpu_us_per_msg", "bound_cpu_us_per_msg", "held_share"}


def bench(*args: str) -> dict[str, Any]:
    done = run_cli("bench", *args, timeout=BENCH_TIMEOUT_SECONDS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    result: dict[str, Any] = json.loads(lines[0])
    return result


def test_bench_intake_prints_one_object_with_the_promised_keys() -> None:
    result = bench(
        "intake", "--seconds", "2", "--json", "--clients", "2", "--screening-entries", "5000"
    )
    assert result.keys() >= INTAKE_KEYS
    assert result["screening_entries"] == 5000 and 0 <= result["held_share"] < 1
    assert result["node_cpu_us_per_msg"] > 0 and result["bound_cpu_us_per_msg"] > 0
    assert result["cpu_ratio_to_bound"] == pytest.approx(
        result["bound_cpu_us_per_msg"] / result["node_cpu_us_per_msg"], rel=0.01, abs=5e-4
    )  # both ratios are printed to three decimals: on a busy machine they are small
    assert result["batch"] == 100 and result["store"] == "sqlite" and result["clients"] == 2
    assert result["messages"] > 0 and result["msgs_per_s"] > 0
    assert result["bound_msgs_per_s"] > 0
    assert result["ratio_to_bound"] == pytest.approx(
        result["msgs_per_s"] / result["bound_msgs_per_s"], rel=0.01, abs=5e-4
    )
    assert 0 < result["ack_p50_ms"] <= result["ack_p99_ms"] <= result["ack_max_ms"]
    assert result["machine"]["nproc"] >= 1


def test_bench_intake_at_one_message_per_request() -> None:
    result = bench("intake", "--seconds", "1", "--batch", "1", "--clients", "1", "--workers", "1")
    assert result["batch"] == 1 and result["workers"] == 1
    assert result["messages"] == result["requests"] > 0


def test_bench_broker_prints_the_rabbitmq_rate() -> None:
    if not reachable(DEFAULT_AMQP_URL):
        pytest.skip("RabbitMQ is not reachable at 127.0.0.1:5672: no broker baseline to run")
    result = bench("broker", "--seconds", "2", "--json", "--clients", "2")
    assert result["msgs_per_s"] > 0 and result["messages"] > 0
    assert result["nacked"] == 0
    assert result["clients"] == 2 and result["inflight"] == 100
    assert result["wait_each_msgs_per_s"] > 0


def test_bench_broker_says_why_when_rabbitmq_is_not_there() -> None:
    done = run_cli("bench", "broker", "--seconds", "1", "--amqp-url",
                   "amqp://guest:guest@127.0.0.1:1/%2F")
    assert done.returncode != 0
    assert "not reachable" in done.stderr and "Traceback" not in done.stderr


def test_bench_refuses_nonsense_options_without_a_traceback() -> None:
    for args in (("intake", "--batch", "0"), ("intake", "--store", "oracle"),
                 ("latency", "--rates", "fast")):
        done = run_cli("bench", *args)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr, done.stderr


def test_bench_latency_delivers_every_acked_message_to_the_streaming_receivers() -> None:
    done = run_cli("bench", "latency", "--rates", "50,100", "--seconds", "1",
                   timeout=BENCH_TIMEOUT_SECONDS)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [r["offered_msgs_per_s"] for r in rows] == [50, 100]
    for row in rows:
        assert row["messages"] > 0
        assert row["delivered_fraction"] == 1.0
        assert 0 < row["ack_p50_ms"] <= row["ack_p99_ms"]
        assert 0 < row["delivery_p50_ms"] <= row["delivery_p99_ms"]


def test_bench_backlog_prints_fetch_cost_at_the_start_and_the_end_of_draining() -> None:
    result = bench("backlog", "--messages", "400", "--page", "20", "--json")
    assert result["messages"] == 400 and result["page"] == 20
    cost = result["fetch_cpu_us_per_msg"]
    # a tiny run's windows may fall within one 10 ms CPU clock tick: only the shape here
    assert cost["start"] >= 0 and cost["end"] >= 0 and result["window_messages"] == 40
    if cost["start"]:
        assert result["end_over_start"] == pytest.approx(cost["end"] / cost["start"], rel=0.01)
    assert result["drain_msgs_per_s"] > 0 and result["machine"]["nproc"] >= 1
