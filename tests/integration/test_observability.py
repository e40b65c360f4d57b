"""What an operator watches, read from a real node with two worker processes after real
traffic: /metrics counts exactly what happened (whichever worker answers the scrape),
logs are JSON lines with stable events and request ids and no payloads, /v1/ready
reports its checks. Issue 15 points 1-3."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants, run_cli


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def log_lines(root: Path) -> list[dict[str, Any]]:
    lines = []
    for line in (root / "serve.log").read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.fixture
def two_workers(network: Path) -> Iterator[NodeProcess]:
    # debug: every event, so the test also shows that none of them carries a payload
    node = NodeProcess(network, workers=2, args=("--log-level", "debug")).start()
    try:
        yield node
    finally:
        node.stop()


def test_metrics_and_logs_after_real_traffic(two_workers: NodeProcess) -> None:
    root, url = two_workers.root, two_workers.url
    a_dir, b_dir = participants(root)[:2]
    with Client.from_profile(a_dir, url) as a, Client.from_profile(b_dir, url) as b:
        payloads = [example_message("pacs.008", a.profile.subject, b.profile.subject)
                    for _ in range(5)]
        results = a.send(payloads)
        results += a.send([b"not xml", example_message("pacs.008", a.profile.subject, "ZZZZZZZZ")])
        assert [r["status"] for r in results] == ["ACK"] * 5 + ["NAK"] * 2
        nak_codes = sorted(r["reason"] for r in results[5:])
        # a request signed with nothing: refused, and logged as such
        assert httpx.get(f"{url}/v1/deliveries").status_code == 401

        before_ack = scrape(url)
        assert before_ack[("finmesh_queue_depth", (("priority", "NORMAL"),))] == 5
        assert before_ack[("finmesh_oldest_undelivered_seconds", (("priority", "NORMAL"),))] > 0

        got = [m for page in b.pages() for m in page]
        assert len(got) == 5
        b.ack(got[-1]["osn"])

        # both workers answer scrapes; each must see the whole node
        for _ in range(6):
            seen = scrape(url)
            assert seen[("finmesh_messages_received_total", ())] == 7
            assert seen[("finmesh_messages_acked_total", ())] == 5
            for code in nak_codes:
                assert seen[("finmesh_messages_nakked_total", (("reason", code),))] == 1
            assert seen[("finmesh_deliveries_total", (("possible_duplicate", "false"),))] == 5
            assert seen[("finmesh_ack_seconds_count", ())] == 2  # two submit requests
            assert seen[("finmesh_delivery_seconds_count", ())] == 5
            assert seen[("finmesh_queue_depth", (("priority", "NORMAL"),))] == 0
            assert seen[("finmesh_measures_active", ())] == 0
            assert seen[("finmesh_holds_pending", ())] == 0
            assert seen[("finmesh_database_errors_total", ())] == 0
            refused = ("finmesh_http_requests_total",
                       (("method", "GET"), ("route", "/v1/deliveries"), ("status", "401")))
            assert seen[refused] == 1

    time.sleep(0.2)  # the last lines reach the log
    lines = log_lines(root)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        assert {"ts", "level", "event", "msg"} <= set(line), line
        by_event.setdefault(line["event"], []).append(line)
    accepted = by_event["message.accepted"]
    assert sorted(x["biz_msg_id"] for x in accepted) == sorted(r["id"] for r in results[:5])
    assert sorted(x["reason"] for x in by_event["message.nakked"]) == nak_codes
    batches = by_event["message.batch"]
    assert [(x["messages"], x["acked"], x["nakked"]) for x in batches] == [(5, 5, 0), (2, 0, 2)]
    assert sum(x["count"] for x in by_event["message.delivered"]) == 5
    [refusal] = by_event["auth.refused"]
    assert refusal["code"] == "authentication_failed" and refusal["level"] == "warning"
    # one request id per request, shared by the lines it caused
    submit_ids = {x["request_id"] for x in accepted}
    assert len(submit_ids) == 1
    assert any(x["request_id"] in submit_ids for x in by_event["http.request"])
    # no payload, no signature in the logs
    text = (root / "serve.log").read_text()
    for payload in payloads:
        assert base64.b64encode(payload).decode()[:40] not in text
    assert "<Document" not in text and "BEGIN" not in text


def test_request_id_is_answered_and_a_callers_is_kept(node: NodeProcess) -> None:
    answer = httpx.get(f"{node.url}/v1/health")
    assert len(answer.headers["x-request-id"]) == 32
    mine = httpx.get(f"{node.url}/v1/health", headers={"X-Request-Id": "lb-7f3a"})
    assert mine.headers["x-request-id"] == "lb-7f3a"
    odd = httpx.get(f"{node.url}/v1/health", headers={"X-Request-Id": "a b\tc"})
    assert odd.headers["x-request-id"] != "a b\tc"  # not echoed into logs as given


def test_ready_reports_each_check(node: NodeProcess) -> None:
    answer = httpx.get(f"{node.url}/v1/ready")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "ca": "ok"},
    }


def test_log_level_warning_keeps_info_out(network: Path) -> None:
    node = NodeProcess(network, args=("--log-level", "warning")).start()
    try:
        assert httpx.get(f"{node.url}/v1/health").status_code == 200
        assert httpx.get(f"{node.url}/v1/deliveries").status_code == 401
    finally:
        node.stop()
    events = [line["event"] for line in log_lines(network)]
    assert "http.request" not in events
    assert "auth.refused" in events


def test_text_log_format(network: Path) -> None:
    node = NodeProcess(network, env={"FINMESH_LOG_FORMAT": "text"}).start()
    try:
        assert httpx.get(f"{node.url}/v1/health").status_code == 200
    finally:
        node.stop()
    text = (network / "serve.log").read_text()
    assert "INFO http.request GET /v1/health 200" in text
    assert not log_lines(network)


def test_bad_log_format_is_one_coded_line(
    network: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINMESH_LOG_FORMAT", "xml")
    done = run_cli("serve", network, "--port", "1")
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: bad_setting: FINMESH_LOG_FORMAT='xml'")
    assert len(done.stderr.strip().splitlines()) == 1
