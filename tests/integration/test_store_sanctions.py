"""The store's sanctions tables (finmesh.store.sanctions_tables) on SQLite and PostgreSQL
alike: list versions loaded whole or not at all, good-guy exceptions changed inside the
transaction, screening results written with their message, and every change audited and
bumping the policy version (so intake's Guard re-evaluates a batch screened before)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from finmesh.domain.errors import NotFound, Refused
from finmesh.domain.screening import goodguys
from finmesh.domain.screening.goodguys import GoodGuyRecord
from finmesh.domain.screening.model import EntryType, ListEntry, content_digest
from finmesh.store.port import AlreadyStored, AuditNote, Guard, Held, PolicyChanged, ScreeningRecord
from finmesh.store.sanctions_tables import GoodGuyChange
from finmesh.store.sql_store import SqlStore
from tests.integration.stores import KINDS, A, B, maker, msg, seed

ENTRIES = (
    ListEntry("1", EntryType.PERSON, "Ivan Petrovich Sidorov", aliases=("Ivan Sidorov",),
              countries=("RU",)),
    ListEntry("2", EntryType.ENTITY, "Zarya Trading LLC", bics=("ZARYRUMM",), programme="X"),
)


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with maker(request.param, tmp_path) as made:
        yield seed(made.open())


def load(store: SqlStore, entries: tuple[ListEntry, ...] = ENTRIES, name: str = "ofac") -> int:
    loaded = store.load_list(name, "sdn.xml", "ofac-sdn-xml", entries,
                             content_digest(entries), "alice", 10)
    return loaded.number


def test_each_load_is_a_new_version_with_its_entries_and_an_audit_entry(store: SqlStore) -> None:
    assert store.screening_state().lists == () and store.screening_version() == 0
    policy = store.policy_version()
    assert load(store) == 1
    assert load(store, ENTRIES[:1]) == 2
    assert load(store, name="eu") == 1
    state = store.screening_state()
    assert [(x.list_name, x.number, x.entry_count) for x in state.lists] == [
        ("eu", 1, 2), ("ofac", 2, 1)]
    assert state.version == 3 and store.policy_version() == policy + 3
    assert store.list_entries("ofac", 1) == ENTRIES  # exactly what was loaded, round trip
    assert store.list_entries("ofac", 2) == ENTRIES[:1]
    assert [x.number for x in store.list_versions() if x.list_name == "ofac"] == [1, 2]
    actions = [(e.actor, e.action, e.subject) for e in store.audit_entries()]
    assert actions == [("alice", "list.load", "ofac/1"), ("alice", "list.load", "ofac/2"),
                       ("alice", "list.load", "eu/1")]
    assert store.audit_entries()[0].details["digest"] == content_digest(ENTRIES)


def test_a_load_failing_midway_leaves_the_previous_version_in_force(store: SqlStore) -> None:
    load(store)
    before = (store.screening_state(), store.policy_version(), len(store.audit_entries()))
    duplicate_ids = (ENTRIES[0], replace(ENTRIES[1], id="1"))  # the second insert fails
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        load(store, duplicate_ids)
    after = (store.screening_state(), store.policy_version(), len(store.audit_entries()))
    assert after == before
    assert [x.number for x in store.list_versions()] == [1]
    assert store.list_entries("ofac", 2) == ()


def test_a_batch_evaluated_before_a_load_is_refused_at_commit(store: SqlStore) -> None:
    guard = Guard(store.policy_version(), None, lambda: 20)
    load(store)
    with pytest.raises(PolicyChanged):
        store.store_batch([msg(A, B, "1")], guard)
    assert store.message_count() == 0


def proposed(store: SqlStore) -> GoodGuyRecord:
    record = goodguys.propose(id=store.next_good_guy_id(), list_name="ofac", entry_id="1",
                              cleared_for="Ivan Sidorov", reason="namesake, KYC file 42",
                              expires_ms=None, officer="alice", now_ms=10)
    store.save_good_guy(record, AuditNote("alice", "goodguy.propose", record.id, {}), 10)
    return record


def approve(officer: str) -> GoodGuyChange:
    def change(current: GoodGuyRecord, now: int) -> tuple[GoodGuyRecord, AuditNote]:
        after = goodguys.approve(current, officer=officer, now_ms=now)
        return after, AuditNote(officer, "goodguy.approve", after.id, {})
    return change


def test_good_guys_change_inside_the_transaction_with_four_eyes(store: SqlStore) -> None:
    record = proposed(store)
    assert record.id == "GG-1" and store.good_guys() == [record]
    version = store.screening_version()
    with pytest.raises(Refused, match="four-eyes"):
        store.update_good_guy(record.id, approve("alice"), lambda: 11)
    assert store.good_guys() == [record] and store.screening_version() == version
    after = store.update_good_guy(record.id, approve("bob"), lambda: 12)
    assert (after.approved_by, after.approved_ms, after.status(13)) == ("bob", 12, "active")
    assert store.screening_state().good_guys == (after,)
    assert store.screening_version() == version + 1
    with pytest.raises(Refused):  # bob's approval is stored: a second one is stale
        store.update_good_guy(record.id, approve("carol"), lambda: 13)
    with pytest.raises(NotFound):
        store.update_good_guy("GG-99", approve("bob"), lambda: 13)
    actions = [e.action for e in store.audit_entries()]
    assert actions == ["goodguy.propose", "goodguy.approve"]


def test_screening_results_are_stored_with_new_messages_only(store: SqlStore) -> None:
    clear = ScreeningRecord("clear", '[{"list": "ofac"}]', "[]")
    hold = ScreeningRecord("hold", "[]", '[{"entry": "1"}]')
    out = store.store_batch([
        replace(msg(A, B, "1"), screening=clear),
        replace(msg(A, B, "2", held_by="screening"), screening=hold),
        msg(A, B, "3"),
    ])
    assert isinstance(out[1], Held)
    assert store.screening_result(A, "1") == clear
    assert store.screening_result(A, "2") == hold
    assert store.screening_result(A, "3") is None
    again = store.store_batch([replace(msg(A, B, "1"), screening=hold)])
    assert isinstance(again[0], AlreadyStored)
    assert store.screening_result(A, "1") == clear  # the first result stands
    assert store.hold(out[1].hold_id).measure_id == "screening"
