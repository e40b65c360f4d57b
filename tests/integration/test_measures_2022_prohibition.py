"""The 2022 sanctions timeline (tests/integration/replay_2022.py), 28 Feb - 1 Mar: the
central bank prohibition, its licence, the holds and the four-eyes refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finmesh.domain.errors import Refused
from finmesh.node.compliance import Forbidden
from tests.integration.timeline_2022 import (
    ENERGY,
    ENTITIES,
    LICENCE_CAP,
    Timeline,
    db_rows,
    ms,
)

# --- 28 Feb: the central bank prohibition, licence, holds ------------------------------


def test_cbr_hold_shows_in_the_holds_list(timeline: Timeline) -> None:
    held = [s for s in timeline.sent if s.verdict.held and s.at_ms == ms("2022-02-28T18:00:00Z")]
    listed = {h["id"]: h for h in timeline.facts["holds after 28 Feb"]}
    assert len(held) == 6
    for s in held:
        entry = listed[s.verdict.hold_id]
        assert entry["message"] == s.id
        assert entry["measure"] == timeline.measures["cbr"]
        assert entry["state"] == "held"
        assert (entry["sender"], entry["receiver"]) == (s.sender, s.receiver)
    # the held message is stored, not queued: nobody can fetch it
    rows = db_rows(
        timeline,
        "SELECT m.biz_msg_id, m.measure_id,"
        " (SELECT count(*) FROM queue q WHERE q.message_id = m.id)"
        " FROM messages m WHERE m.biz_msg_id = ?",
        timeline.by_label("cbr receiver (left held)").id,
    )
    assert rows == [(timeline.by_label("cbr receiver (left held)").id, timeline.measures["cbr"], 0)]


def test_licence_use_is_recorded_with_each_message(timeline: Timeline) -> None:
    licensed = [s for s in timeline.sent if s.expect[0] == "LICENSED"]
    assert len(licensed) == 4
    ids = {s.id for s in licensed}
    rows = db_rows(
        timeline, "SELECT biz_msg_id, licence_id FROM messages WHERE licence_id IS NOT NULL"
    )
    assert dict(rows) == dict.fromkeys(ids, timeline.licence)
    [entry] = [x for x in timeline.comp.licences(("auditor",)) if x["id"] == timeline.licence]
    expected = sum(
        (Decimal("1000000.00"), LICENCE_CAP, Decimal("10.00"), Decimal("100.00")), Decimal(0)
    )
    assert Decimal(entry["used_total"]) == expected
    assert entry["status"] == "active" and entry["approved_by"] == "bob"
    assert entry["purposes"] == [ENERGY] and entry["currencies"] == ["EUR"]


def test_released_hold_is_delivered_and_its_sender_told(timeline: Timeline) -> None:
    a, b = timeline.facts["A"], timeline.facts["B"]
    released = timeline.by_label("cbr intermediary (to release)")
    assert timeline.facts["released"].state.value == "released"
    assert timeline.facts["released"].decided_by == "bob"
    assert timeline.delivered[b].count(released.id) == 1, "released message not delivered once"
    notices = [n for n in timeline.notices(a) if n.biz_msg_id == released.id]
    assert [n.kind for n in notices] == ["released"]
    assert notices[0].reason is None
    assert "energy contract" in (notices[0].detail or "")


def test_rejected_hold_is_never_delivered_and_its_sender_told_p03(timeline: Timeline) -> None:
    a, cbr = timeline.facts["A"], ENTITIES["cbr"]
    rejected = timeline.by_label("cbr receiver (to reject)")
    assert timeline.facts["rejected"].state.value == "rejected"
    assert rejected.id not in timeline.delivered.get(cbr, [])
    notices = [n for n in timeline.notices(a) if n.biz_msg_id == rejected.id]
    assert [(n.kind, n.reason) for n in notices] == [("rejected", "P03")]
    assert "reserve management" in (notices[0].detail or "")
    states = {h["message"]: h["state"] for h in timeline.facts["holds after 1 Mar"]}
    assert states[rejected.id] == "rejected"
    assert states[timeline.by_label("cbr receiver (left held)").id] == "held"


@pytest.mark.parametrize(
    ("label", "error"),
    [
        ("alice approves her own measure", Refused),
        ("carol (auditor) approves a measure", Forbidden),
        ("alice approves her own licence", Refused),
        ("alice confirms her own release", Refused),
        ("bob rejects what alice proposed to release", Refused),
        ("bob confirms his own rejection", Refused),
        ("alice approves her own disconnection", Refused),
        ("alice approves her own lift", Refused),
    ],
)
def test_four_eyes_refusals_change_nothing(timeline: Timeline, label: str, error: type) -> None:
    attempt = timeline.attempts[label]
    assert isinstance(attempt.error, error), f"{label}: {attempt.error!r}"
    assert attempt.audit_after == attempt.audit_before
    assert attempt.policy_after == attempt.policy_before
