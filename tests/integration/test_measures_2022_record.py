"""The 2022 sanctions timeline (tests/integration/replay_2022.py), the whole record:
every verdict is the expected one, every message was judged, the audit chain holds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.timeline_2022 import ANNEX_XIV, BELARUS, JUNE_2022, Timeline, db_rows

# --- every verdict --------------------------------------------------------------------

TOPICS = (
    "cbr",
    "licence",
    "annex_xiv",
    "annex_xiv_subsidiaries",
    "not_covered",
    "belarus",
    "june",
    "june_aggregation",
    "lift",
)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_verdict_is_the_expected_one(timeline: Timeline, topic: str) -> None:
    mine = [s for s in timeline.sent if s.topic == topic]
    assert mine, f"the timeline sent nothing under {topic}"
    wrong = [m for m in (s.mismatch() for s in mine) if m]
    assert not wrong, "\n".join(wrong)


def test_every_message_sent_was_judged(timeline: Timeline) -> None:
    assert {s.topic for s in timeline.sent} == set(TOPICS)
    assert all(s.verdict.biz_msg_id for s in timeline.sent)
    # NAKed messages are never stored; every ACKed one is stored exactly once.
    stored = {r[0] for r in db_rows(timeline, "SELECT biz_msg_id FROM messages")}
    for s in timeline.sent:
        assert (s.id in stored) == (s.verdict.status == "ACK"), s.label


# --- the audit trail -----------------------------------------------------------------


def test_audit_chain_holds_and_records_every_step(timeline: Timeline) -> None:
    verdict = timeline.comp.verify_audit()
    assert verdict.ok, verdict.problem
    entries = timeline.node.store.audit_entries()
    assert verdict.checked == len(entries)
    actions: dict[str, list[Any]] = {}
    for e in entries:
        actions.setdefault(e.action, []).append(e)
    disconnections = len(ANNEX_XIV) + len(BELARUS) + len(JUNE_2022)
    assert len(actions["measure.propose"]) == 1 + disconnections
    assert len(actions["measure.approve"]) == 1 + disconnections
    assert {e.actor for e in actions["measure.approve"]} == {"bob"}
    assert len(actions["measure.enforce"]) == disconnections
    returned = sum(e.details["returned"] for e in actions["measure.enforce"])
    held_ids = {s.id for s in timeline.sent if s.verdict.held}
    notices = timeline.notices(timeline.facts["A"])
    assert returned == len(
        [n for n in notices if n.kind == "returned" and n.biz_msg_id not in held_ids]
    )
    assert [e.subject for e in actions["licence.propose"]] == [timeline.licence]
    assert [e.actor for e in actions["licence.approve"]] == ["bob"]
    licensed = [s.id for s in timeline.sent if s.expect[0] == "LICENSED"]
    assert [e.details["message"] for e in actions["licence.use"]] == licensed
    held = [s for s in timeline.sent if s.verdict.held]
    assert [e.details["message"] for e in actions["hold.create"]] == [s.id for s in held]
    assert [
        (e.actor, e.action)
        for e in entries
        if e.action.startswith("hold.") and e.action != "hold.create"
    ] == [
        ("alice", "hold.release.propose"),
        ("bob", "hold.release.confirm"),
        ("bob", "hold.reject.propose"),
        ("alice", "hold.reject.confirm"),
        ("alice", "hold.release.propose"),
        ("bob", "hold.release.confirm"),
    ]
    assert [e.actor for e in actions["measure.lift.propose"]] == ["alice"]
    assert [e.actor for e in actions["measure.lift.approve"]] == ["bob"]
    # entries are in time order of the simulated clock (after the network's creation,
    # which granted the demo participants' RMA at the real time)
    replayed = [e.at_ms for e in entries if e.actor != "network"]
    assert replayed == sorted(replayed)
