"""One conformance suite for the Store port, run against SQLite and PostgreSQL alike:
sequencing, idempotency, atomicity, redelivery, acknowledgement, notices, nonces, the
policy guard, holds, the audit chain, and two store instances on one database (two
nodes) writing at once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace

import psycopg
import pytest

from finmesh.domain.audit import AuditHead, verify_with_head
from finmesh.domain.holds import HoldState, decide
from finmesh.domain.policy import measures as ms
from finmesh.domain.policy.measures import Measure
from finmesh.store.port import (
    AlreadyStored,
    AuditNote,
    Guard,
    Held,
    PolicyChanged,
    Stored,
    TrackingRecord,
)
from finmesh.store.sql_store import SqlStore
from tests.integration.stores import A, B, C, StoreMaker, msg, seed


@pytest.fixture
def store(stores: StoreMaker) -> SqlStore:
    return seed(stores.open())


def test_osn_is_gapless_per_receiver(store: SqlStore) -> None:
    out = store.store_batch([msg(A, B, "1"), msg(A, C, "2"), msg(C, B, "3"), msg(A, B, "4")])
    assert out == [Stored(1), Stored(1), Stored(2), Stored(3)]
    assert [d.osn for d in store.fetch_deliveries(B, None, 10, 2_000)] == [1, 2, 3]


def test_same_sender_and_id_is_already_stored_even_within_a_batch(store: SqlStore) -> None:
    out = store.store_batch([msg(A, B, "1", body=b"a"), msg(A, B, "1", body=b"b")])
    assert out[0] == Stored(1)
    assert isinstance(out[1], AlreadyStored) and out[1].payload_sha256 == b"a".hex()
    # the same id from another sender is another message
    assert store.store_batch([msg(C, B, "1")]) == [Stored(2)]
    assert set(store.find_stored(A, ["1", "2"])) == {"1"}


def test_a_resubmitted_message_keeps_its_outcome_and_leaves_no_gap(store: SqlStore) -> None:
    assert store.store_batch([msg(A, B, "1"), msg(A, B, "2")]) == [Stored(1), Stored(2)]
    out = store.store_batch([msg(A, B, "2", body=b"other"), msg(A, B, "3")])
    assert isinstance(out[0], AlreadyStored) and out[0].payload_sha256 == b"x".hex()
    assert out[1] == Stored(3)
    assert [d.biz_msg_id for d in store.fetch_deliveries(B, None, 10, 2_000)] == ["1", "2", "3"]


def test_a_failing_batch_leaves_nothing(store: SqlStore) -> None:
    broken = msg(A, B, "2")
    object.__setattr__(broken, "receiver", None)  # violates NOT NULL mid-batch
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        store.store_batch([msg(A, B, "1"), broken])
    assert store.message_count() == 0
    assert store.delivery_cursor(B).last == 0
    assert store.store_batch([msg(A, B, "1")]) == [Stored(1)]


def test_payloads_come_back_byte_for_byte(store: SqlStore) -> None:
    body = bytes(range(256)) * 4  # every byte value, NUL included
    store.store_batch([msg(A, B, "bin", body=body)])
    [d] = store.fetch_deliveries(B, None, 10, 2_000)
    assert (d.payload, d.signature, d.sender_cert_pem) == (body, b"sig", f"CERT {A}".encode())


def test_unacknowledged_messages_come_again_marked_possible_duplicate(store: SqlStore) -> None:
    store.store_batch([msg(A, B, str(i)) for i in range(3)])
    first = store.fetch_deliveries(B, None, 10, 2_000)
    assert [d.possible_duplicate for d in first] == [False] * 3
    store.acknowledge(B, 1, 3_000)
    again = store.fetch_deliveries(B, None, 10, 4_000)
    assert [(d.osn, d.possible_duplicate) for d in again] == [(2, True), (3, True)]


def test_ack_covers_only_what_was_handed_out(store: SqlStore) -> None:
    store.store_batch([msg(A, B, str(i)) for i in range(3)])
    assert store.acknowledge(B, 3, 1_000).acked == 0  # nothing delivered yet
    store.fetch_deliveries(B, None, 2, 2_000)
    assert store.acknowledge(B, 99, 3_000).acked == 2
    assert [d.osn for d in store.fetch_deliveries(B, None, 10, 4_000)] == [3]


def test_delivery_notice_only_when_asked(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "1", notify=True), msg(A, B, "2")])
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 2, 3_000)
    notices = store.fetch_notices(A, None, 10)
    assert [(n.kind, n.biz_msg_id, n.seq) for n in notices] == [("delivered", "1", 1)]
    store.acknowledge_notices(A, 1)
    assert store.fetch_notices(A, None, 10) == []


def test_obsolete_messages_warn_their_sender_once(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "old", obsolete=5_000), msg(A, B, "new", obsolete=50_000)])
    assert store.warn_obsolete(6_000, 100) == 1
    assert store.warn_obsolete(7_000, 100) == 0
    [notice] = store.fetch_notices(A, None, 10)
    assert (notice.kind, notice.biz_msg_id, notice.reason) == ("non-delivery", "old", "N02")
    # the message itself is still deliverable: a warning, not a loss
    assert [d.biz_msg_id for d in store.fetch_deliveries(B, None, 10, 8_000)] == ["old", "new"]


def test_acknowledged_messages_are_never_warned(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "1", obsolete=5_000)])
    store.fetch_deliveries(B, None, 10, 1_000)
    store.acknowledge(B, 1, 2_000)
    assert store.warn_obsolete(6_000, 100) == 0


def test_nonce_is_accepted_once(store: SqlStore) -> None:
    assert store.remember_nonce(A, "n1", expires_ms=10_000, now_ms=1_000)
    assert not store.remember_nonce(A, "n1", expires_ms=10_000, now_ms=2_000)
    assert store.remember_nonce(B, "n1", expires_ms=10_000, now_ms=2_000)


def test_directory_and_participants(store: SqlStore) -> None:
    stats = store.directory_stats()
    assert (stats["institutions"], stats["participants"], stats["generated"]) == (3, 3, 3)
    assert store.participants() == [A, B, C]
    assert store.participant_for_bic8(B[:8]) == B
    assert store.participant_cert(C) == f"CERT {C}".encode()
    assert store.institution("ZZZZDEFFXXX") is None
    assert [str(i.bic) for i in store.institutions_with_bic8(A[:8])] == [A]


def test_concurrent_writers_keep_osn_gapless(store: SqlStore) -> None:
    def writer(n: int) -> None:
        for k in range(20):
            store.store_batch([msg(A if n % 2 else C, B, f"{n}-{k}-{j}") for j in range(5)])

    _together([lambda n=n: writer(n) for n in range(4)])
    osns = [d.osn for d in store.fetch_deliveries(B, None, 1_000, 9_000)]
    assert osns == list(range(1, 401))


def test_two_nodes_on_one_database_share_sequences(stores: StoreMaker) -> None:
    """Two store instances on one database, as two nodes have: intake on both and
    delivery on both keep every OSN gapless and unique, each message handed out once."""
    one, two = seed(stores.open()), stores.open()

    def intake(node: SqlStore, sender: str) -> Callable[[], None]:
        return lambda: [
            node.store_batch([msg(sender, B, f"{sender}-{k}-{j}") for j in range(5)])
            for k in range(20)
        ]

    _together([intake(one, A), intake(two, C)])
    handed: list[int] = []

    def deliver(node: SqlStore) -> Callable[[], None]:
        def run() -> None:
            while page := node.fetch_deliveries(B, max(handed, default=0), 7, 9_000):
                handed.extend(d.osn for d in page if not d.possible_duplicate)

        return run

    _together([deliver(one), deliver(two)])
    assert sorted(handed) == list(range(1, 201))


def test_a_policy_change_refuses_a_batch_evaluated_before_it(store: SqlStore) -> None:
    before = store.policy_versions()
    guard = Guard(before[0], None, lambda: 5_000)
    store.save_measure(_measure("M-1"), AuditNote("alice", "measure.propose", "M-1", {}), 1_000)
    assert store.policy_versions()[0] == before[0] + 1
    with pytest.raises(PolicyChanged):
        store.store_batch([msg(A, B, "late")], guard)
    assert store.message_count() == 0
    fresh = Guard(store.policy_version(), None, lambda: 5_000)
    assert store.store_batch([msg(A, B, "late")], fresh) == [Stored(1)]
    assert [m.id for m in store.policy_snapshot().measures] == ["M-1"]


def test_measures_keep_their_order_and_changes_are_atomic(store: SqlStore) -> None:
    for n in (2, 10, 1):  # stored order, not id order
        store.save_measure(_measure(f"M-{n}"), AuditNote("alice", "p", f"M-{n}", {}), 1_000)

    def approve(current: Measure, now: int, others: list[Measure]) -> tuple[Measure, AuditNote]:
        after = ms.approve(current, officer="bob", now_ms=now, links=[])
        return after, AuditNote("bob", "measure.approve", after.id, {})

    approved = store.update_measure("M-10", approve, lambda: 2_000)
    assert approved.approved_by == "bob"
    assert [m.id for m in store.policy_snapshot().measures] == ["M-2", "M-10", "M-1"]
    assert store.measure("M-10") == approved


def test_audit_chain_is_linear_and_anchored(stores: StoreMaker) -> None:
    """Appends from two store instances (two nodes) interleave into one chain, and the
    anchor records its head."""
    one, two = seed(stores.open()), stores.open()

    def propose(node: SqlStore, prefix: str) -> Callable[[], None]:
        def run() -> None:
            for k in range(15):
                mid = f"M-{prefix}{k}"
                node.save_measure(_measure(mid), AuditNote("x", "measure.propose", mid, {}), k)

        return run

    _together([propose(one, "a"), propose(two, "b")])
    entries = one.audit_entries()
    assert [e.seq for e in entries] == list(range(1, 31))
    head = one.audit_head()
    assert head == AuditHead(entries[-1].seq, entries[-1].hash)
    assert verify_with_head(entries, head).ok
    assert two.audit_page(28, 10) == entries[28:]


def test_held_message_is_queued_only_when_released(store: SqlStore) -> None:
    store.save_measure(_measure("M-1"), AuditNote("alice", "p", "M-1", {}), 1_000)
    [outcome] = store.store_batch([msg(A, B, "h", held_by="M-1")])
    assert isinstance(outcome, Held)
    assert store.fetch_deliveries(B, None, 10, 2_000) == []
    hold = store.hold(outcome.hold_id)
    half = decide(hold, officer="alice", decision="release", reason="ok", now_ms=3_000)
    store.save_hold(hold, half, AuditNote("alice", "hold.release.propose", "h", {}), 3_000, 9_000)
    done = decide(half, officer="bob", decision="release", reason=None, now_ms=4_000)
    store.save_hold(half, done, AuditNote("bob", "hold.release.confirm", "h", {}), 4_000, 9_000)
    assert store.hold(outcome.hold_id).state is HoldState.RELEASED
    assert [d.biz_msg_id for d in store.fetch_deliveries(B, None, 10, 5_000)] == ["h"]
    assert [n.kind for n in store.fetch_notices(A, None, 10)] == ["released"]


def test_returning_queued_messages_is_idempotent_across_nodes(stores: StoreMaker) -> None:
    """Both nodes enforce a disconnection at once: each queued message goes back once,
    with one notice and one enforcement entry in the audit trail."""
    one, two = seed(stores.open()), stores.open()
    one.store_batch([msg(A, B, str(i)) for i in range(6)])
    one.fetch_deliveries(B, None, 2, 2_000)  # handed out: stays queued, is not returned
    cut = replace(_measure("M-1"), covered=frozenset({B[:8]}))
    one.save_measure(cut, AuditNote("alice", "p", "M-1", {}), 1_000)
    returned: list[int] = []
    _together([lambda n=n: returned.append(n.return_queued(cut, 3_000, "M-1")) for n in (one, two)])
    assert sorted(returned) == [0, 4]
    assert [n.kind for n in one.fetch_notices(A, None, 10)] == ["returned"] * 4
    assert [e.action for e in one.audit_entries()].count("measure.enforce") == 1
    assert two.return_queued(cut, 4_000, "M-1") == 0


def _measure(measure_id: str) -> Measure:
    return ms.propose_measure(
        id=measure_id,
        kind="disconnect",
        bic8=B[:8],
        name=None,
        with_subsidiaries=False,
        action="reject",
        reference="test",
        effective_ms=1_000,
        officer="alice",
        now_ms=1_000,
    )


def _together(work: list[Callable[[], object]]) -> None:
    """Run each callable in its own thread, started together; re-raise the first error."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait()
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_payment_events_are_written_with_their_messages_once(store: SqlStore) -> None:
    uetr = "0f4c2b6e-3c1a-4d8e-9b2a-1c2d3e4f5a6b"
    step = TrackingRecord("payment", "ACSP", None, '[["EndToEndId", "E2E1"]]')
    credited = TrackingRecord("status", "ACCC", None, '[["OrgnlEndToEndId", "E2E1"]]')
    first = replace(msg(A, B, "p1", now=1_000), uetr=uetr, tracking=step)
    report = replace(msg(B, A, "s1", now=61_000), uetr=uetr, tracking=credited,
                     msg_def_id="pacs.002.001.10")  # fmt: skip
    untracked = replace(msg(A, C, "x1", now=2_000), uetr=uetr)  # no flow step: no event
    store.store_batch([first, untracked])
    store.store_batch([report, first])  # the repeat of p1 adds nothing
    events = store.payment_events(uetr)
    assert [(e.sender, e.receiver, e.status, e.at_ms) for e in events] == [
        (A, B, "ACSP", 1_000),
        (B, A, "ACCC", 61_000),
    ]
    assert events[1].references == (("OrgnlEndToEndId", "E2E1"),)
    assert events[0].amount == "1.00" and events[0].currency == "EUR"
    assert store.credit_times(0) == [(uetr, 1_000, 61_000)]
    assert store.credit_times(100_000) == []
    assert store.payment_events("11111111-1111-4111-8111-111111111111") == []


def test_find_stored_answers_for_many_ids_at_once(store: SqlStore) -> None:
    """Intake asks for a whole group's BizMsgIdrs in a few statements (chunks of 500)."""
    store.store_batch([msg(A, B, f"m{n}", body=f"{n}".encode()) for n in range(0, 1_200, 2)])
    asked = [f"m{n}" for n in range(1_200)] + ["m0"]  # a repeat among them too
    found = store.find_stored(A, asked)
    assert sorted(found) == sorted(f"m{n}" for n in range(0, 1_200, 2))
    assert found["m998"].payload_sha256 == b"998".hex()
    assert store.find_stored(C, asked) == {}  # another sender's ids are its own
