"""The 2022 sanctions timeline (tests/integration/replay_2022.py), 12 Mar - 1 Jul: the
Annex XIV disconnections, their subsidiaries, queued messages and the lift."""

from __future__ import annotations

from finmesh.domain.errors import Refused
from tests.integration.timeline_2022 import (
    ANNEX_XIV,
    ENTITIES,
    SUBSIDIARIES,
    Timeline,
    bic8,
    db_rows,
    ms,
)

# --- 12 Mar: Annex XIV ----------------------------------------------------------------


def test_annex_xiv_measures_cover_majority_owned_subsidiaries_only(timeline: Timeline) -> None:
    listed = {m["id"]: m for m in timeline.facts["measures after approval"]}
    covered = {key: set(listed[timeline.measures[key]]["covered"]) for key in ANNEX_XIV}
    assert covered["rossiya"] == {bic8("rossiya"), bic8("rossiya_1"), bic8("rossiya_2")}
    assert covered["sovcombank"] == {bic8("sovcombank"), bic8("sovcombank_1"), bic8("sovcombank_2")}
    assert covered["vtb"] == {bic8("vtb"), bic8("vtb_1"), bic8("vtb_2")}
    assert covered["promsvyazbank"] == {bic8("promsvyazbank"), bic8("promsvyazbank_1")}
    assert covered["veb"] == {bic8("veb"), bic8("veb_1")}
    for key in ANNEX_XIV:
        m = listed[timeline.measures[key]]
        assert m["status"] == "active" and m["approved_by"] == "bob" and m["proposed_by"] == "alice"
        assert m["effective_ms"] == ms("2022-03-12T00:00:00Z")
        assert m["in_force"] is False  # approved on 2 Mar, in force from 12 Mar


def test_queued_messages_are_returned_at_the_instant_naming_the_measure(timeline: Timeline) -> None:
    a = timeline.facts["A"]
    measure_of = {ENTITIES[k][:8]: timeline.measures[k] for k in ANNEX_XIV}
    measure_of[SUBSIDIARIES["rossiya_2"][:8]] = timeline.measures["rossiya"]
    measure_of[SUBSIDIARIES["vtb_2"][:8]] = timeline.measures["vtb"]
    measure_of[SUBSIDIARIES["sovcombank_2"][:8]] = timeline.measures["sovcombank"]
    must_return = [
        s
        for s in timeline.sent
        if s.sender == a
        and s.verdict.status == "ACK"
        and not s.verdict.held
        and s.receiver[:8] in measure_of
        and s.at_ms < ms("2022-03-12T00:00:00Z")
        and s.label != "queued 1 (delivered, unacked)"
    ]
    assert len(must_return) == 3 + 7 + 3
    returned = {n.biz_msg_id: n for n in timeline.notices(a) if n.kind == "returned"}
    early = {i: n for i, n in returned.items() if n.created_ms == ms("2022-03-12T00:00:00Z")}
    assert timeline.facts["returned on 12 Mar"] == len(must_return)
    assert set(early) == {s.id for s in must_return}
    for s in must_return:
        notice = early[s.id]
        assert notice.reason == "P04"
        assert notice.receiver == s.receiver
        measure = measure_of[s.receiver[:8]]
        assert notice.measure_id == measure
        assert f"measure {measure} " in (notice.detail or "") and "2022/345" in (
            notice.detail or ""
        )
        # never delivered, to anyone, ever
        assert all(s.id not in ids for ids in timeline.delivered.values())
    assert timeline.facts["enforce again"] == 0
    rows = db_rows(
        timeline,
        "SELECT m.biz_msg_id, q.state, q.osn FROM queue q JOIN messages m ON m.id = q.message_id",
    )
    state = {r[0]: (r[1], r[2]) for r in rows}
    for s in must_return:
        assert state[s.id] == ("returned", None)


def test_not_covered_queues_are_left_alone(timeline: Timeline) -> None:
    a = timeline.facts["A"]
    kept = timeline.by_label("queued to 50 % subsidiary")
    assert [d.biz_msg_id for d in timeline.fetched["promsvyazbank_2 after enforcement"]][:1] == [
        kept.id
    ]
    returned = {n.biz_msg_id for n in timeline.notices(a) if n.kind == "returned"}
    assert kept.id not in returned
    assert timeline.by_label("queued to gazprombank").id not in returned


def test_delivered_unacked_message_keeps_its_osn(timeline: Timeline) -> None:
    first = timeline.by_label("queued 1 (delivered, unacked)")
    [handed] = timeline.fetched["novikombank before"]
    assert handed.biz_msg_id == first.id
    returned = {n.biz_msg_id for n in timeline.notices(timeline.facts["A"]) if n.kind == "returned"}
    assert first.id not in returned
    rows = db_rows(
        timeline,
        "SELECT q.state, q.osn, q.acked_ms FROM queue q JOIN messages m ON m.id = q.message_id"
        " WHERE m.biz_msg_id = ?",
        first.id,
    )
    assert rows == [("queued", handed.osn, None)]


def test_disconnected_bank_fetches_nothing_after_the_instant(timeline: Timeline) -> None:
    for label in (
        "novikombank at the instant, before enforcement",
        "novikombank after enforcement",
        "novikombank from osn 0",
        "vtb after enforcement",
        "vtb_2 after enforcement",
        "novikombank just before the lift",
    ):
        assert timeline.fetched[label] == [], label


def test_hold_released_during_a_disconnection_is_returned_not_queued(timeline: Timeline) -> None:
    """A held message for a bank disconnected before the hold was released must not wait
    in the bank's queue (to be handed out on a lift): like every message queued for a
    disconnected institution, it goes back to its sender with P04 (or the release is
    refused and the hold stays)."""
    a, novikombank = timeline.facts["A"], ENTITIES["novikombank"]
    held = timeline.by_label("cbr intermediary, to a bank about to be disconnected")
    assert held.verdict.held, "the precondition failed: the message was not held"
    outcome = timeline.facts["late release"]
    assert held.id not in timeline.delivered.get(novikombank, []), (
        "released during the disconnection, delivered after the lift"
    )
    if isinstance(outcome, Refused):
        return
    kinds = {(n.kind, n.reason) for n in timeline.notices(a) if n.biz_msg_id == held.id}
    assert ("returned", "P04") in kinds, f"sender told only {sorted(kinds, key=str)}"
    rows = db_rows(
        timeline,
        "SELECT q.state FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.biz_msg_id = ?",
        held.id,
    )
    assert rows in ([], [("returned",)])


def test_lift_reopens_traffic_and_redelivers_with_the_same_osn(timeline: Timeline) -> None:
    first = timeline.by_label("queued 1 (delivered, unacked)")
    [before] = timeline.fetched["novikombank before"]
    after = timeline.fetched["novikombank after the lift"]
    by_id = {d.biz_msg_id: d for d in after}
    assert by_id[first.id].osn == before.osn
    assert by_id[first.id].possible_duplicate
    novikombank = ENTITIES["novikombank"]
    to_bank = [s for s in timeline.sent if s.topic == "lift" and s.receiver == novikombank]
    accepted = [s.id for s in to_bank if s.verdict.status == "ACK"]
    assert len(accepted) == 1, "exactly one message to the bank after the lift"
    assert [s.id for s in to_bank if s.id in by_id] == accepted
    for label in ("queued 2", "queued 3", "effective-1ms " + timeline.facts["A"] + "->novikombank"):
        assert timeline.by_label(label).id not in by_id, f"{label} came back after the lift"
    osns = [d.osn for d in after]
    assert osns == list(range(before.osn, before.osn + len(after))), "OSNs not gapless"
