"""The console's store reads (finmesh.store.console_tables) against SQLite and
PostgreSQL: a message's life, lookups, traffic per minute, queues, directory search and
the signed-out session marker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.store.sql_store import SqlStore
from tests.integration.stores import KINDS, A, B, C, StoreMaker, drop_template, maker, msg, seed

MINUTE = 60_000


@pytest.fixture(scope="module", autouse=True)
def _template() -> Iterator[None]:
    yield
    drop_template()


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    made: StoreMaker
    with maker(request.param, tmp_path) as made:
        yield seed(made.open())


def test_a_message_life_from_received_to_acknowledged(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "m1", now=10 * MINUTE), msg(A, C, "m2", now=11 * MINUTE)])
    [found] = store.find_messages("biz_msg_id", "m1")
    assert (found.sender, found.receiver, found.amount, found.currency) == (A, B, "1.00", "EUR")
    waiting = store.message_life(found.id)
    assert waiting is not None and waiting.queue is not None
    assert (waiting.queue.state, waiting.queue.osn, waiting.hold_id) == ("queued", None, None)
    store.fetch_deliveries(B, None, 10, 12 * MINUTE)
    store.acknowledge(B, 1, 13 * MINUTE)
    done = store.message_life(found.id)
    assert done is not None and done.queue is not None
    assert (done.queue.osn, done.queue.first_sent_ms, done.queue.acked_ms) == (
        1, 12 * MINUTE, 13 * MINUTE,
    )  # fmt: skip
    assert [m.biz_msg_id for m in store.find_messages("osn", "1")] == ["m1"]
    assert store.find_messages("uetr", "nothing-like-it") == []
    assert store.message_payload(found.id) == (b"x", None)
    assert store.message_by_sender(A, "m1") == found
    assert store.message_life(10_000) is None


def test_traffic_per_minute_queues_and_activity(store: SqlStore) -> None:
    store.store_batch(
        [msg(A, B, "1", now=5 * MINUTE), msg(A, B, "2", now=5 * MINUTE + 1),
         msg(C, B, "3", now=7 * MINUTE), msg(A, C, "4", now=7 * MINUTE)]
    )  # fmt: skip
    store.fetch_deliveries(C, None, 10, 8 * MINUTE)
    series = store.traffic_per_minute(6 * MINUTE)
    assert series["received"] == {7: 2}
    assert series["delivered"] == {8: 1} and series["acked"] == {}
    assert store.traffic_per_minute(0)["received"] == {5: 2, 7: 2}
    assert store.queue_depths(10) == [(B, 3), (C, 1)]
    oldest = store.oldest_undelivered()
    assert oldest is not None and (oldest[2], oldest[3], oldest[4]) == (B, "1", 5 * MINUTE)
    assert store.last_activity() == {C: 8 * MINUTE}
    assert [m.biz_msg_id for m in store.recent_traffic(C[:8], 10)] == ["4", "3"]


def test_directory_search_by_bic_name_and_country(store: SqlStore) -> None:
    assert [r[0] for r in store.search_institutions("bbbb", "", 10)] == [B]
    assert [r[0] for r in store.search_institutions("bank", "", 10)] == [A, B, C]
    assert [r[0] for r in store.search_institutions("", "NL", 10)] == [C]
    assert store.search_institutions("bank", "US", 10) == []
    assert len(store.search_institutions("", "", 2)) == 2


def test_signed_out_sessions_are_seen_by_every_reader(store: SqlStore) -> None:
    assert not store.nonce_seen("console-signed-out", "s1")
    assert store.remember_nonce("console-signed-out", "s1", 10_000, 0)
    assert store.nonce_seen("console-signed-out", "s1")
    assert not store.nonce_seen("console-signed-out", "s2")
