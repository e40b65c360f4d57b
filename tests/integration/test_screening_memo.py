"""The screening memo: a query screened once is not screened again by another worker,
node or restart against the same lists and matcher, and never reused for others.

Real stores (SQLite and PostgreSQL), a real index; only the index's screen is counted."""

from __future__ import annotations

from typing import Any

import pytest

from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion, Query
from finmesh.node import intake_screening
from finmesh.node.intake_screening import ActiveScreening, memo_scope
from finmesh.store import memo_tables
from finmesh.store.port import Guard, PolicyChanged, ScreenedQuery, Stored
from finmesh.store.sql_store import SqlStore
from tests.integration.stores import A, B, StoreMaker, msg, seed
from tests.unit.screening_index import counted

LISTED = ListEntry("1", EntryType.PERSON, "SECHIN, Igor Ivanovich", countries=("RU",))
QUERIES = [Query("Dbtr/Nm", name="Igor Sechin"), Query("Cdtr/Nm", name="Anna Schmidt")]


def _active(version: int = 1) -> tuple[ActiveScreening, list[Query]]:
    """An index over LISTED (list version ``version``) whose screens are counted."""
    index = ScreeningIndex.build([ListVersion.create("t", version, "memo", (LISTED,))])
    screened = counted(index)
    return ActiveScreening(1, index, (), ()), screened


def _screen_and_store(active: ActiveScreening, store: SqlStore, biz_id: str) -> Any:
    fresh: list[ScreenedQuery] = []
    active.recall(QUERIES, store.recall_screened)
    result = active.screen(QUERIES, 0, fresh)
    store.store_batch([msg(A, B, biz_id)], None, fresh)
    return result, fresh


def test_another_process_recalls_what_one_screened(stores: StoreMaker) -> None:
    one, two = seed(stores.open()), stores.open()
    first, first_screened = _active()
    result, fresh = _screen_and_store(first, one, "1")
    assert len(first_screened) == 2 and len(fresh) == 2
    second, second_screened = _active()  # another worker or node, or after a restart
    again, fresh_again = _screen_and_store(second, two, "2")
    assert second_screened == [] and fresh_again == []
    assert again.decision == result.decision == "hold"
    assert [(h.entry_id, h.score, h.why, h.query) for h in again.hits] == [
        (h.entry_id, h.score, h.why, h.query) for h in result.hits
    ]


def test_other_lists_are_screened_afresh_and_forgetting_keeps_one_scope(
    stores: StoreMaker,
) -> None:
    store = seed(stores.open())
    old, _ = _active(1)
    _screen_and_store(old, store, "1")
    new, screened = _active(2)  # a new version of the list: another scope
    assert new.scope != old.scope
    _screen_and_store(new, store, "2")
    assert len(screened) == 2
    assert store.forget_screened(new.scope) == 2
    assert store.recall_screened(old.scope, [intake_screening.memo_key(("Igor Sechin", None,
                                                                        None, ()))]) == {}
    assert len(store.recall_screened(new.scope, [
        intake_screening.memo_key(("Igor Sechin", None, None, ())),
        intake_screening.memo_key(("Anna Schmidt", None, None, ())),
    ])) == 2


def test_the_scope_names_the_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    active, _ = _active()
    monkeypatch.setattr(intake_screening, "MATCHER", "another matcher")
    assert memo_scope(active.index) != active.scope


def test_memo_rows_ride_the_batch_transaction(stores: StoreMaker) -> None:
    store = seed(stores.open())
    row = ScreenedQuery("s", "k", "[]")
    stale = Guard(store.policy_version() - 1, None, lambda: 5_000)
    with pytest.raises(PolicyChanged):
        store.store_batch([msg(A, B, "1")], stale, [row])
    assert store.recall_screened("s", ["k"]) == {}  # rolled back with the batch
    assert store.store_batch([msg(A, B, "1")], None, [row]) == [Stored(1)]
    assert store.recall_screened("s", ["k"]) == {"k": "[]"}


def test_the_memo_is_bounded_oldest_first(
    stores: StoreMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memo_tables, "SCREENING_MEMO_ROWS_MAX", 3)
    store = seed(stores.open())
    for n in range(5):
        store.store_batch([msg(A, B, str(n))], None, [ScreenedQuery("s", f"k{n}", "[]")])
    keys = [f"k{n}" for n in range(5)]
    assert sorted(store.recall_screened("s", keys)) == ["k2", "k3", "k4"]


def test_many_keys_are_recalled_in_chunks(stores: StoreMaker) -> None:
    store = seed(stores.open())
    rows = [ScreenedQuery("s", f"name {n}", f"[{n}]") for n in range(1_000)]
    store.store_batch([msg(A, B, "1")], None, rows)
    asked = [f"name {n}" for n in range(0, 1_200, 2)]
    found = store.recall_screened("s", asked)
    assert len(found) == 500 and found["name 998"] == "[998]"


def test_an_unreadable_row_is_screened_again(stores: StoreMaker) -> None:
    store = seed(stores.open())
    active, screened = _active()
    key = intake_screening.memo_key(("Igor Sechin", None, None, ()))
    store.store_batch([msg(A, B, "1")], None, [ScreenedQuery(active.scope, key, "{bad")])
    assert active.recall(QUERIES[:1], store.recall_screened) == 0
    result = active.screen(QUERIES[:1], 0)
    assert len(screened) == 1 and result.decision == "hold"
