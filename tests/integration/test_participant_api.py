"""The participant API against a real `finmesh serve` process: submission, ACK/NAK with
reason codes, idempotency, delivery in OSN order, redelivery, long polling, notices, and
the published OpenAPI and reason table (attacks on the API: tests/security/)."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from finmesh.client import Client
from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.domain.mt import CODES
from finmesh.domain.reasons import Reason
from finmesh.identity import pki
from finmesh.node.launcher import NodeProcess
from tests.netutil import (
    absent_bic,
    copy_network,
    db_counts,
    header_text,
    non_participant_institution,
    participants,
    submission,
)

KINDS = ("pacs.008", "pacs.009", "pacs.002")


@dataclass
class Banks:
    """Three participants of the served network, with clients bound to the node."""

    a: Client
    b: Client
    c: Client
    root: Path
    url: str

    @property
    def A(self) -> str:  # the bank's BIC, named like the bank
        return self.a.profile.subject

    @property
    def B(self) -> str:
        return self.b.profile.subject

    @property
    def C(self) -> str:
        return self.c.profile.subject

    def close(self) -> None:
        for client in (self.a, self.b, self.c):
            client.close()


def _banks(root: Path, url: str) -> Banks:
    a, b, c = (Client.from_profile(folder, url) for folder in participants(root)[:3])
    return Banks(a, b, c, root, url)


@pytest.fixture
def banks(network: Path, node: NodeProcess) -> Iterator[Banks]:
    """A fresh network and node per test: for tests that store messages."""
    found = _banks(network, node.url)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture(scope="module")
def quiet_node(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    """One node shared by the tests that must leave its store untouched."""
    root = copy_network(network_template, tmp_path_factory.mktemp("quiet") / "net")
    process = NodeProcess(root).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def quiet(quiet_node: NodeProcess) -> Iterator[Banks]:
    found = _banks(quiet_node.root, quiet_node.url)
    before = db_counts(quiet_node.root)
    last_osn = found.b.receive()["last_osn"]
    try:
        yield found
        # whatever the test sent, nothing reached the store or B's queue
        assert db_counts(quiet_node.root) == before
        page = found.b.receive()
        assert page["last_osn"] == last_osn
        assert [m for m in page["messages"] if m["osn"] > last_osn] == []
    finally:
        found.close()


def _submit(client: Client, items: list[dict[str, object]]) -> list[dict[str, Any]]:
    answer = client.request("POST", "/v1/messages", body={"messages": items})
    results: list[dict[str, Any]] = answer["results"]
    return results


def _uetr(kind: str, payload: bytes) -> str:
    return header_text(payload, "OrgnlUETR" if kind == "pacs.002" else "UETR")


def _everything(client: Client) -> list[dict[str, Any]]:
    return [m for page in client.pages() for m in page]


# --- the happy path -----------------------------------------------------------------


def test_end_to_end_send_receive_verify_ack_and_delivery_notices(banks: Banks) -> None:
    notify = {"pacs.008": True, "pacs.009": False, "pacs.002": True}
    sent: list[tuple[str, bytes]] = []
    for kind in KINDS:
        payload = example_message(kind, banks.A, banks.B)
        [result] = banks.a.send([payload], notify_delivery=notify[kind])
        assert result["status"] == "ACK", result
        assert result["reason"] is None and result["duplicate"] is False
        assert result["id"] == header_text(payload, "BizMsgIdr")
        assert result["uetr"] == _uetr(kind, payload)
        sent.append((kind, payload))

    # nothing is confirmed before B acknowledges
    assert banks.a.notices() == []

    page = banks.b.receive()
    got = page["messages"]
    assert [m["osn"] for m in got] == [1, 2, 3]
    assert page["last_osn"] == 3 and page["acked_osn"] == 0
    for m, (kind, payload) in zip(got, sent, strict=True):
        assert banks.b.verify(m)
        assert base64.b64decode(m["payload"]) == payload
        assert m["sender"] == banks.A and m["receiver"] == banks.B
        assert m["type"].startswith(kind + ".")
        assert m["id"] == header_text(payload, "BizMsgIdr")
        assert m["uetr"] == _uetr(kind, payload)
        assert m["possible_duplicate"] is False
    # a sender sees none of its own messages; A's queue is empty
    assert banks.a.receive()["messages"] == []

    cursor = banks.b.ack(3)
    assert cursor == {"last": 3, "acked": 3}
    assert banks.b.receive()["messages"] == []

    notices = banks.a.notices()
    expected = [header_text(p, "BizMsgIdr") for k, p in sent if notify[k]]
    assert [n["id"] for n in notices] == expected
    assert all(n["kind"] == "delivered" and n["reason"] is None for n in notices)
    assert all(n["receiver"] == banks.B for n in notices)
    assert banks.b.notices() == []  # notices go to the sender only
    banks.a.ack_notices(notices[-1]["seq"])
    assert banks.a.notices() == []


# --- idempotency --------------------------------------------------------------------


def test_resubmission_is_acked_as_duplicate_and_delivered_once(banks: Banks) -> None:
    payload = example_message("pacs.008", banks.A, banks.B)
    [first] = banks.a.send([payload])
    assert first["status"] == "ACK" and first["duplicate"] is False

    [again] = banks.a.send([payload])  # same bytes, fresh signature
    assert again["status"] == "ACK" and again["duplicate"] is True
    assert (again["id"], again["uetr"]) == (first["id"], first["uetr"])

    # same BizMsgIdr, different bytes: refused, the original is untouched
    changed = payload.replace(b">10.00<", b">11.00<")
    assert changed != payload
    [conflict] = banks.a.send([changed])
    assert conflict["status"] == "NAK" and conflict["reason"] == "D01"
    assert conflict["id"] == first["id"]

    # and twice inside one batch: one stored, the second a duplicate
    other = example_message("pacs.009", banks.A, banks.B)
    pair = banks.a.send([other, other])
    assert [(r["status"], r["duplicate"]) for r in pair] == [("ACK", False), ("ACK", True)]

    assert db_counts(banks.root)["messages"] == 2
    got = _everything(banks.b)
    assert [base64.b64decode(m["payload"]) for m in got] == [payload, other]
    assert [m["osn"] for m in got] == [1, 2]


# --- rejections: one code each, and nothing stored -------------------------------------


def _drop(payload: bytes, element: str) -> bytes:
    """Remove the first ``element`` (with its content) from a message."""
    out, n = re.subn(rb"<" + element.encode() + rb">[^<]*</" + element.encode() + rb">",
                     b"", payload, count=1)
    assert n == 1, element
    return out


def _with_doctype(payload: bytes) -> bytes:
    declaration_end = payload.index(b"?>") + 2
    doctype = b'<!DOCTYPE BizMsg [<!ENTITY bank "Evil Bank">]>'
    body = payload[declaration_end:].replace(b"<Ctry>", b"<Nm>&bank;</Nm><Ctry>", 1)
    return payload[:declaration_end] + doctype + body


def _oversize(payload: bytes) -> bytes:
    padding = b" " * (limits.MESSAGE_BYTES_MAX + 1 - len(payload) + 1)
    out = payload.replace(b"</AppHdr>", b"</AppHdr>" + padding, 1)
    assert len(out) > limits.MESSAGE_BYTES_MAX
    return out


def _unknown_definition(payload: bytes) -> bytes:
    out = payload.replace(b"pacs.008.001.13", b"camt.999.001.01")
    assert out.count(b"camt.999.001.01") == 2  # AppHdr MsgDefIdr and Document namespace
    return out


Case = Callable[[Banks], tuple[bytes, bytes | None]]


def _signed_by_a(payload: bytes, banks: Banks) -> tuple[bytes, bytes | None]:
    return payload, pki.sign(banks.a.profile.key, payload)


def _example(banks: Banks, kind: str = "pacs.008", **kw: Any) -> bytes:
    return example_message(kind, banks.A, banks.B, **kw)


REJECTIONS: dict[str, tuple[str, bool, Case]] = {
    # name: (code, parsed so the NAK names the BizMsgIdr, build(banks) -> payload, signature)
    "malformed": ("T01", False, lambda k: _signed_by_a(_example(k)[:-30], k)),
    "pacs.008 without MsgId": (
        "T02", False, lambda k: _signed_by_a(_drop(_example(k), "MsgId"), k)),
    "pacs.008 without ChrgBr": (
        "T02", False, lambda k: _signed_by_a(_drop(_example(k), "ChrgBr"), k)),
    "pacs.009 without MsgId": (
        "T02", False, lambda k: _signed_by_a(_drop(_example(k, "pacs.009"), "MsgId"), k)),
    "pacs.002 without OrgnlMsgNmId": (
        "T02", False, lambda k: _signed_by_a(_drop(_example(k, "pacs.002"), "OrgnlMsgNmId"), k)),
    "unknown definition": (
        "T03", False, lambda k: _signed_by_a(_unknown_definition(_example(k)), k)),
    "unknown receiver": ("H02", True, lambda k: _signed_by_a(
        example_message("pacs.008", k.A, absent_bic(k.root)), k)),
    "receiver not a participant": ("H03", True, lambda k: _signed_by_a(
        example_message("pacs.008", k.A, non_participant_institution(k.root)), k)),
    "self addressed": ("H05", True, lambda k: _signed_by_a(
        example_message("pacs.008", k.A, k.A[:8] + "ABC"), k)),
    "header From another institution": ("H04", True, lambda k: _signed_by_a(
        example_message("pacs.008", k.C, k.B), k)),
    "oversize": ("M01", False, lambda k: _signed_by_a(_oversize(_example(k)), k)),
    "doctype and entity": ("M03", False, lambda k: _signed_by_a(_with_doctype(_example(k)), k)),
    "utf-16": ("M04", False, lambda k: _signed_by_a(
        _example(k).replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"), k)),
    "missing signature": ("S01", False, lambda k: (_example(k), None)),
    "signature over other bytes": ("S02", True, lambda k: (
        _example(k), pki.sign(k.a.profile.key, _example(k)))),
    "signature by another participant": ("S02", True, lambda k: (
        (p := _example(k)), pki.sign(k.b.profile.key, p))),
}


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_each_bad_message_gets_its_own_nak_and_stores_nothing(quiet: Banks, name: str) -> None:
    code, names_id, build = REJECTIONS[name]
    payload, signature = build(quiet)
    [result] = _submit(quiet.a, [submission(payload, signature)])
    assert result["status"] == "NAK", result
    assert result["reason"] == code, result
    assert result["reason_text"] == Reason.by_code(code).text
    assert result["duplicate"] is False
    if names_id:
        assert result["id"] == header_text(payload, "BizMsgIdr")
    # the quiet fixture checks that no table changed and B received nothing


def test_mixed_batch_gets_results_in_order_and_stores_only_the_good(banks: Banks) -> None:
    good = example_message("pacs.008", banks.A, banks.B)
    cases = ["malformed", "missing signature", "header From another institution",
             "signature over other bytes", "pacs.009 without MsgId"]
    built = [REJECTIONS[c][2](banks) for c in cases]
    items = [submission(p, s) for p, s in built]
    items.insert(2, submission(good, pki.sign(banks.a.profile.key, good)))
    results = _submit(banks.a, items)
    assert [r["index"] for r in results] == list(range(len(items)))
    expected: list[str | None] = [REJECTIONS[c][0] for c in cases]
    expected.insert(2, None)
    assert [r["reason"] for r in results] == expected
    assert [r["status"] for r in results] == ["NAK", "NAK", "ACK", "NAK", "NAK", "NAK"]
    assert results[2]["id"] == header_text(good, "BizMsgIdr")
    assert db_counts(banks.root)["messages"] == 1
    assert db_counts(banks.root)["queue"] == 1
    [m] = _everything(banks.b)
    assert base64.b64decode(m["payload"]) == good and m["osn"] == 1


# Batch and body limits, request authentication (unsigned, replayed, stale, tampered,
# another subject, another network's CA) and forged deliveries are attacks: their tests
# are in tests/security/ (test_oversize.py, test_request_auth.py, test_sender_binding.py).


# --- delivery: redelivery, ordering, long poll -----------------------------------------


def test_unacknowledged_messages_come_again_as_possible_duplicates(banks: Banks) -> None:
    payloads = [example_message("pacs.008", banks.A, banks.B) for _ in range(5)]
    assert all(r["status"] == "ACK" for r in banks.a.send(payloads))

    first = banks.b.receive()["messages"]
    assert [m["osn"] for m in first] == [1, 2, 3, 4, 5]
    assert not any(m["possible_duplicate"] for m in first)

    # the receiver "restarts": a new session for B, nothing was acknowledged
    with Client.from_profile(banks.b.profile.folder, banks.url) as b_again:
        page = b_again.receive()
        second = page["messages"]
        assert page["acked_osn"] == 0
        assert [(m["osn"], m["id"], m["payload"]) for m in second] == [
            (m["osn"], m["id"], m["payload"]) for m in first
        ]
        assert all(m["possible_duplicate"] for m in second)
        assert all(b_again.verify(m) for m in second)

        # acknowledging part: only the rest comes again
        b_again.ack(2)
        assert [m["osn"] for m in b_again.receive()["messages"]] == [3, 4, 5]
        assert b_again.ack(5) == {"last": 5, "acked": 5}
        assert b_again.receive()["messages"] == []
    assert banks.b.receive()["messages"] == []

    # new messages after the acknowledged point are not possible duplicates
    banks.a.send([example_message("pacs.008", banks.A, banks.B)])
    [fresh] = banks.b.receive()["messages"]
    assert fresh["osn"] == 6 and fresh["possible_duplicate"] is False


def test_ack_beyond_what_was_delivered_acknowledges_only_the_delivered(banks: Banks) -> None:
    banks.a.send([example_message("pacs.008", banks.A, banks.B) for _ in range(3)])
    got = banks.b.receive(limit=2)["messages"]
    assert [m["osn"] for m in got] == [1, 2]
    assert banks.b.ack(3)["acked"] == 2  # OSN 3 was never handed out
    [m] = banks.b.receive()["messages"]
    assert m["osn"] == 3 and m["possible_duplicate"] is False


def test_a_fetch_acknowledges_the_page_before_in_the_same_request(banks: Banks) -> None:
    payloads = [example_message("pacs.008", banks.A, banks.B) for _ in range(5)]
    assert all(r["status"] == "ACK" for r in banks.a.send(payloads, notify_delivery=True))
    first = banks.b.receive(limit=2)["messages"]
    assert [m["osn"] for m in first] == [1, 2]
    # the next fetch carries the ack of OSN 2: the next page, and 1-2 acknowledged
    page = banks.b.receive(limit=2, ack=2)
    assert [m["osn"] for m in page["messages"]] == [3, 4]
    assert page["acked_osn"] == 2 and not any(m["possible_duplicate"] for m in page["messages"])
    delivered = [n for n in banks.a.notices(wait=2) if n["kind"] == "delivered"]
    assert [n["id"] for n in delivered] == [m["id"] for m in first]  # notices, as for an ack
    # an ack of what was never handed out acknowledges only what was
    page = banks.b.receive(limit=2, ack=9)
    assert [m["osn"] for m in page["messages"]] == [5] and page["acked_osn"] == 4
    # a session that starts again gets only what was not acknowledged
    with Client.from_profile(banks.b.profile.folder, banks.url) as b_again:
        [again] = b_again.receive()["messages"]
        assert again["osn"] == 5 and again["possible_duplicate"] is True


def test_osns_are_gapless_across_batches_from_two_senders(banks: Banks) -> None:
    batches: dict[str, list[list[bytes]]] = {
        banks.A: [[example_message("pacs.008", banks.A, banks.B) for _ in range(40)]
                  for _ in range(2)],
        banks.C: [[example_message("pacs.009", banks.C, banks.B) for _ in range(40)]],
    }
    acked: dict[str, list[str]] = {banks.A: [], banks.C: []}
    errors: list[BaseException] = []

    def sender(client: Client) -> None:
        try:
            for batch in batches[client.profile.subject]:
                results = client.send(batch)
                assert all(r["status"] == "ACK" and not r["duplicate"] for r in results)
                acked[client.profile.subject] += [r["id"] for r in results]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(c,)) for c in (banks.a, banks.c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors

    received: list[dict[str, Any]] = []
    while page := banks.b.receive(limit=50)["messages"]:
        received += page
        banks.b.ack(page[-1]["osn"])
    assert [m["osn"] for m in received] == list(range(1, 121))
    assert not any(m["possible_duplicate"] for m in received)
    for bic in (banks.A, banks.C):
        # each sender's messages arrive in the order it sent them
        assert [m["id"] for m in received if m["sender"] == bic] == acked[bic]
        assert len(acked[bic]) == 40 * len(batches[bic])
    final = banks.b.receive()
    assert final["messages"] == [] and final["acked_osn"] == final["last_osn"] == 120


def test_long_poll_returns_when_a_message_arrives(banks: Banks) -> None:
    outcome: dict[str, Any] = {}

    def wait_for_message() -> None:
        started = time.monotonic()
        try:
            outcome["page"] = banks.b.receive(wait=10)
        except BaseException as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=wait_for_message)
    waiter.start()
    time.sleep(0.3)  # the scenario: the message is sent while B is already waiting
    payload = example_message("pacs.008", banks.A, banks.B)
    banks.a.send([payload])
    waiter.join(15)
    assert not waiter.is_alive()
    assert "error" not in outcome, outcome.get("error")
    [m] = outcome["page"]["messages"]
    assert base64.b64decode(m["payload"]) == payload
    assert outcome["seconds"] < 5


def test_long_poll_with_nothing_to_deliver_waits_then_returns_empty(banks: Banks) -> None:
    started = time.monotonic()
    page = banks.b.receive(wait=1)
    elapsed = time.monotonic() - started
    assert page["messages"] == []
    assert 0.9 <= elapsed < 5


# --- published descriptions ---------------------------------------------------------


def test_openapi_documents_the_participant_endpoints(quiet: Banks) -> None:
    document = httpx.get(quiet.url + "/openapi.json", timeout=10).json()
    paths = document["paths"]
    for path, method in [
        ("/v1/messages", "post"), ("/v1/deliveries", "get"), ("/v1/deliveries/ack", "post"),
        ("/v1/notices", "get"), ("/v1/notices/ack", "post"),
    ]:
        assert method in paths.get(path, {}), path
    body = paths["/v1/messages"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["required"] is True
    assert "messages" in schema["properties"]
    assert "messages" in schema.get("required", [])
    item = json.dumps(document["components"]["schemas"]["SubmitItem"])
    for field in ("payload", "signature", "notify_delivery"):
        assert field in item
    for path in ("/v1/deliveries/ack", "/v1/notices/ack"):
        assert "requestBody" in paths[path]["post"]


def test_reasons_lists_every_code(quiet: Banks) -> None:
    answer = httpx.get(quiet.url + "/v1/reasons", timeout=10)
    assert answer.status_code == 200
    listed = {r["code"]: r["text"] for r in answer.json()}
    fin = {c.code: c.meaning for c in CODES.values()}
    assert listed == {**{r.code: r.text for r in Reason}, **fin}
    assert not set(fin) & {r.code for r in Reason}  # FIN codes never shadow the network's
    assert {r["code"] for r in answer.json() if r.get("applies_to") == "FIN"} == set(fin)
