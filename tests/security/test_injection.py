"""SQL metacharacters in every field a member or operator controls: stored and returned
verbatim, never interpreted (every query is parameterised). Threats T-IN-* in
docs/threat-model.md."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from lxml import etree

from finmesh.client import ApiError
from finmesh.domain.iso20022 import example_message, parse_message
from tests.netutil import read_only_db
from tests.security.conftest import Target
from tests.shareddata import SCHEMAS

SQL = (
    "x'); DROP TABLE messages;--",
    "' OR '1'='1",
    '" OR ""="',
    "1; DELETE FROM queue /*",
    "%_\\' UNION SELECT * FROM audit --",
)
"""Each fits Max35Text, the shortest free-text type they are put in."""


def _set(root: etree._Element, name: str, text: str) -> None:
    [element] = [e for e in root.iter() if etree.QName(e).localname == name][:1]
    element.text = text


def _hostile_message(target: Target, index: int) -> bytes:
    """A valid pacs.008 with SQL metacharacters in its ids, names and remittance text."""
    payload = example_message(
        "pacs.008", target.A, target.B, debtor_name=SQL[1], creditor_name=SQL[2]
    )
    root = etree.fromstring(payload)
    _set(root, "BizMsgIdr", SQL[index % len(SQL)])
    _set(root, "MsgId", SQL[3])
    _set(root, "EndToEndId", SQL[4])
    transaction = next(e for e in root.iter() if etree.QName(e).localname == "CdtTrfTxInf")
    namespace = etree.QName(transaction).namespace
    remittance = etree.SubElement(transaction, f"{{{namespace}}}RmtInf")
    for text in SQL:
        etree.SubElement(remittance, f"{{{namespace}}}Ustrd").text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _schema(target: Target) -> list[tuple[str, str]]:
    with read_only_db(target.root) as db:
        rows = db.execute("SELECT type, name FROM sqlite_master ORDER BY type, name")
        return [(str(t), str(n)) for t, n in rows]


def test_sql_metacharacters_in_message_fields_are_stored_verbatim(target: Target) -> None:
    """T-IN-1 injection through message content: SQL in BizMsgIdr, MsgId, EndToEndId,
    party names and remittance text. ACKed, stored and delivered byte for byte, the ids
    and names read back exactly, and no table or index changed."""
    schema = _schema(target)
    payloads = [_hostile_message(target, i) for i in range(len(SQL))]
    results = target.a.send(payloads, notify_delivery=True)
    assert [r["status"] for r in results] == ["ACK"] * len(SQL), results
    assert [r["id"] for r in results] == list(SQL)
    got = [m for page in target.b.pages() for m in page]
    assert [base64.b64decode(m["payload"]) for m in got] == payloads
    assert [m["id"] for m in got] == list(SQL)
    assert all(target.b.verify(m) for m in got)
    parsed = parse_message(payloads[0], SCHEMAS)
    assert {p.name for p in parsed.parties} >= {SQL[1], SQL[2]}
    target.b.ack(got[-1]["osn"])
    notices = target.a.notices()
    assert [n["id"] for n in notices] == list(SQL)
    target.a.ack_notices(notices[-1]["seq"])
    with read_only_db(target.root) as db:
        stored = {r[0] for r in db.execute("SELECT biz_msg_id FROM messages")}
    assert stored >= set(SQL)
    assert _schema(target) == schema
    target.still_serves()


PARTICIPANT_PROBES = [
    ("GET", "/v1/deliveries", {"after": "1 OR 1=1"}),
    ("GET", "/v1/notices", {"limit": "1; DROP TABLE notices"}),
    ("GET", "/v1/directory/" + quote("DEUTDEFF' OR '1'='1", safe=""), None),
    ("GET", "/v1/certificates/" + quote("x'); DROP TABLE participants;--", safe=""), None),
    ("GET", "/v1/directory/" + quote("%' --", safe=""), None),
]
OPERATOR_PROBES = [
    ("POST", "/v1/ops/measures/" + quote("M-1' OR '1'='1", safe="") + "/approve", None),
    (
        "GET",
        "/v1/ops/measures/" + quote("M-1;--", safe="") + "/impact",
        {"from_ms": "0", "to_ms": "1"},
    ),
    ("POST", "/v1/ops/licences/" + quote("L-1' OR 1=1 --", safe="") + "/approve", None),
    ("GET", "/v1/ops/audit", {"after": "0 UNION SELECT 1"}),
]


@pytest.mark.parametrize(("method", "path", "params"), PARTICIPANT_PROBES + OPERATOR_PROBES)
def test_sql_metacharacters_in_query_and_path_parameters_are_harmless(
    target: Target, method: str, path: str, params: dict[str, str] | None
) -> None:
    """T-IN-2 injection through query parameters and path parameters (BICs, measure and
    licence ids, cursors): each is refused with a coded 4xx or finds nothing; no table
    changes."""
    who = target.operator("alice") if path.startswith("/v1/ops") else target.a
    with target.unchanged(), pytest.raises(ApiError) as caught:
        who.request(method, path, params)
    assert 400 <= caught.value.status < 500, caught.value
    assert caught.value.body["error"] in {"bad_request", "not_found", "invalid_request"}
    target.still_serves()


def test_sql_metacharacters_in_operator_text_are_stored_verbatim(target: Target) -> None:
    """T-IN-3 injection through operator input: a measure proposed with SQL in its legal
    reference and entity name reads back verbatim, in the measure and in the audit trail
    (a proposal far in the future, never approved here, changes nothing else)."""
    alice = target.operator("alice")
    body = {
        "kind": "prohibit",
        "bic": "QXQXDEFF",
        "name": SQL[0],
        "action": "hold",
        "reference": " ".join(SQL),
        "effective_ms": 253_402_300_799_999,
    }
    proposed = alice.request("POST", "/v1/ops/measures", body=body)
    listed = {m["id"]: m for m in alice.request("GET", "/v1/ops/measures")}
    assert listed[proposed["id"]]["reference"] == " ".join(SQL)
    assert listed[proposed["id"]]["name"] == SQL[0]
    [entry] = [e for e in alice.request("GET", "/v1/ops/audit") if e["subject"] == proposed["id"]]
    assert (entry["actor"], entry["details"]["reference"]) == ("alice", " ".join(SQL))
    assert entry["details"]["name"] == SQL[0]
    target.still_serves()
