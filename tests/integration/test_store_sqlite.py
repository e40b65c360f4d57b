"""The SQLite store against a real database file: sequencing, idempotency,
atomicity, redelivery, acknowledgement and notices."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from finmesh.domain.bic import Bic
from finmesh.domain.directory import Institution
from finmesh.store.port import AlreadyStored, NewMessage, Stored
from finmesh.store.sqlite import SqliteStore

A, B, C = "AAAADEFFXXX", "BBBBFRPPXXX", "CCCCNL2AXXX"


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "t.db")
    s.load_directory(
        [Institution(Bic.parse(b), f"Bank {b}", b[4:6], None, True) for b in (A, B, C)], []
    )
    for bic in (A, B, C):
        s.add_participant(bic, f"CERT {bic}".encode(), "01", 0)
    return s


def msg(
    sender: str,
    receiver: str,
    ident: str,
    *,
    body: bytes = b"x",
    notify: bool = False,
    now: int = 1_000,
    obsolete: int = 10_000,
) -> NewMessage:
    return NewMessage(
        sender=sender,
        receiver=receiver,
        biz_msg_id=ident,
        payload_sha256=body.hex(),
        payload=body,
        signature=b"sig",
        msg_def_id="pacs.008.001.08",
        uetr=None,
        amount="1.00",
        currency="EUR",
        priority="NORMAL",
        notify_delivery=notify,
        parties_json="[]",
        purposes_json="[]",
        received_ms=now,
        obsolete_ms=obsolete,
    )


def test_osn_is_gapless_per_receiver(store: SqliteStore) -> None:
    out = store.store_batch([msg(A, B, "1"), msg(A, C, "2"), msg(C, B, "3"), msg(A, B, "4")])
    assert out == [Stored(1), Stored(1), Stored(2), Stored(3)]
    assert [d.osn for d in store.fetch_deliveries(B, None, 10, 2_000)] == [1, 2, 3]


def test_same_sender_and_id_is_already_stored_even_within_a_batch(store: SqliteStore) -> None:
    out = store.store_batch([msg(A, B, "1", body=b"a"), msg(A, B, "1", body=b"b")])
    assert out[0] == Stored(1)
    assert isinstance(out[1], AlreadyStored) and out[1].payload_sha256 == b"a".hex()
    # the same id from another sender is another message
    assert store.store_batch([msg(C, B, "1")]) == [Stored(2)]


def test_a_failing_batch_leaves_nothing(store: SqliteStore) -> None:
    broken = msg(A, B, "2")
    object.__setattr__(broken, "receiver", None)  # violates NOT NULL mid-batch
    with pytest.raises(sqlite3.IntegrityError):
        store.store_batch([msg(A, B, "1"), broken])
    assert store.message_count() == 0
    assert store.delivery_cursor(B).last == 0
    assert store.store_batch([msg(A, B, "1")]) == [Stored(1)]


def test_unacknowledged_messages_come_again_marked_possible_duplicate(store: SqliteStore) -> None:
    store.store_batch([msg(A, B, str(i)) for i in range(3)])
    first = store.fetch_deliveries(B, None, 10, 2_000)
    assert [d.possible_duplicate for d in first] == [False] * 3
    store.acknowledge(B, 1, 3_000)
    again = store.fetch_deliveries(B, None, 10, 4_000)
    assert [(d.osn, d.possible_duplicate) for d in again] == [(2, True), (3, True)]


def test_ack_covers_only_what_was_handed_out(store: SqliteStore) -> None:
    store.store_batch([msg(A, B, str(i)) for i in range(3)])
    assert store.acknowledge(B, 3, 1_000).acked == 0  # nothing delivered yet
    store.fetch_deliveries(B, None, 2, 2_000)
    assert store.acknowledge(B, 99, 3_000).acked == 2
    assert [d.osn for d in store.fetch_deliveries(B, None, 10, 4_000)] == [3]


def test_delivery_notice_only_when_asked(store: SqliteStore) -> None:
    store.store_batch([msg(A, B, "1", notify=True), msg(A, B, "2")])
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 2, 3_000)
    notices = store.fetch_notices(A, None, 10)
    assert [(n.kind, n.biz_msg_id, n.seq) for n in notices] == [("delivered", "1", 1)]
    store.acknowledge_notices(A, 1)
    assert store.fetch_notices(A, None, 10) == []


def test_obsolete_messages_warn_their_sender_once(store: SqliteStore) -> None:
    store.store_batch([msg(A, B, "old", obsolete=5_000), msg(A, B, "new", obsolete=50_000)])
    assert store.warn_obsolete(6_000, 100) == 1
    assert store.warn_obsolete(7_000, 100) == 0
    [notice] = store.fetch_notices(A, None, 10)
    assert (notice.kind, notice.biz_msg_id, notice.reason) == ("non-delivery", "old", "N02")
    # the message itself is still deliverable: a warning, not a loss
    assert [d.biz_msg_id for d in store.fetch_deliveries(B, None, 10, 8_000)] == ["old", "new"]


def test_acknowledged_messages_are_never_warned(store: SqliteStore) -> None:
    store.store_batch([msg(A, B, "1", obsolete=5_000)])
    store.fetch_deliveries(B, None, 10, 1_000)
    store.acknowledge(B, 1, 2_000)
    assert store.warn_obsolete(6_000, 100) == 0


def test_nonce_is_accepted_once(store: SqliteStore) -> None:
    assert store.remember_nonce(A, "n1", expires_ms=10_000, now_ms=1_000)
    assert not store.remember_nonce(A, "n1", expires_ms=10_000, now_ms=2_000)
    assert store.remember_nonce(B, "n1", expires_ms=10_000, now_ms=2_000)


def test_concurrent_writers_keep_osn_gapless(store: SqliteStore) -> None:
    def writer(n: int) -> None:
        for k in range(20):
            store.store_batch([msg(A if n % 2 else C, B, f"{n}-{k}-{j}") for j in range(5)])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    osns = [d.osn for d in store.fetch_deliveries(B, None, 1_000, 9_000)]
    assert osns == list(range(1, 401))
