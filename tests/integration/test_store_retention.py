"""Retention and queue statistics on both stores: only acknowledged payloads older than
the cut-off are offered and pruned (matched by hash, with their audit entry), pruned
records still count as stored; queue depth and oldest age per priority."""

from __future__ import annotations

from dataclasses import replace

import pytest

from finmesh.domain.audit import verify_with_head
from finmesh.store.port import AlreadyStored, AuditNote, QueueStat
from finmesh.store.sql_store import SqlStore
from tests.integration.stores import A, B, StoreMaker, msg, seed


@pytest.fixture
def store(stores: StoreMaker) -> SqlStore:
    return seed(stores.open())


def test_only_acknowledged_payloads_before_the_cutoff_are_pruned(store: SqlStore) -> None:
    store.store_batch([msg(A, B, str(i), body=f"body{i}".encode(), now=1_000) for i in range(3)])
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 2, 3_000)  # OSN 1 and 2 acknowledged at 3,000; 3 handed out only
    assert store.prunable(3_000, 10) == []  # acknowledged at, not before, the cut-off
    due = store.prunable(3_001, 10)
    assert [a.biz_msg_id for a in due] == ["0", "1"]
    assert [a.payload for a in due] == [b"body0", b"body1"]
    note = AuditNote("retention", "retention.prune", "payloads-1.jsonl.gz", {"n": 2})
    assert store.prune_payloads(due, note, 4_000) == 2
    assert store.prunable(10_000, 10) == []  # nothing twice
    assert store.pruned_count() == 2
    # the records stay: the same message again is recognised as stored
    [again] = store.store_batch([msg(A, B, "0", body=b"body0")])
    assert isinstance(again, AlreadyStored)
    # the unacknowledged one is delivered whole
    [left] = store.fetch_deliveries(B, None, 10, 5_000)
    assert left.payload == b"body2"
    entries = store.audit_entries()
    assert entries[-1].action == "retention.prune"
    assert verify_with_head(entries, store.audit_head()).ok


def test_a_payload_changed_since_it_was_read_is_not_pruned(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "1", body=b"one")])
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 1, 3_000)
    [due] = store.prunable(9_000, 10)
    stale = replace(due, payload_sha256="0" * 64)
    assert store.prune_payloads([stale], AuditNote("r", "retention.prune", "x", {}), 9_000) == 0


def test_queue_stats_by_priority(store: SqlStore) -> None:
    assert store.queue_stats() == []
    store.store_batch([msg(A, B, "1", now=1_000), msg(A, B, "2", now=1_500)])
    assert store.queue_stats() == [QueueStat("NORMAL", 2, 1_000)]
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 1, 3_000)
    assert store.queue_stats() == [QueueStat("NORMAL", 1, 1_500)]


def test_pruning_twice_prunes_once(store: SqlStore) -> None:
    store.store_batch([msg(A, B, "1", body=b"one")])
    store.fetch_deliveries(B, None, 10, 2_000)
    store.acknowledge(B, 1, 3_000)
    due = store.prunable(9_000, 10)
    note = AuditNote("r", "retention.prune", "x", {})
    assert store.prune_payloads(due, note, 9_000) == 1
    assert store.prune_payloads(due, note, 9_001) == 0  # a second pruner read it too
