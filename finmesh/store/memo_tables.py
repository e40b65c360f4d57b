"""The store's screening memo: the hits of each query already screened, per scope.

A mixin written against ``self._write()`` and ``self._conn()`` only (see
trust_tables.py), over the named queries of ``sql/sanctions_queries.sql`` (table:
migration ``0007_screening_memo.sql``). Intake reads it before screening a query its
process has not screened yet, and writes what it screened in the batch's own
transaction (``store_memo``, from ``store_batch``): no commit of its own. The table is
bounded by ``SCREENING_MEMO_ROWS_MAX`` (oldest rows first) and holds one scope at a time
once ``forget_screened`` ran (a new list version or a new matcher starts afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from finmesh.store import queries
from finmesh.store.port import ScreenedQuery
from finmesh.store.sanctions_tables import S

SCREENING_MEMO_ROWS_MAX = 500_000
"""Most remembered queries (about 150 bytes each with the key's index: some 75 MB): the
recurring counterparties of a large network several times over."""
RECALL_KEYS_MAX = 400
"""Keys per lookup statement (SQLite allows 32,766 parameters; a short IN list keeps
the statement's text small)."""


class MemoTables:
    """Mixin: the screening memo over ``_write`` / ``_conn``."""

    _conn: Callable[[], Any]
    _write: Callable[[], AbstractContextManager[Any]]

    def recall_screened(self, scope: str, keys: Sequence[str]) -> dict[str, str]:
        """The remembered hits (JSON) of those of ``keys`` screened before in ``scope``."""
        found: dict[str, str] = {}
        db = self._conn()
        for at in range(0, len(keys), RECALL_KEYS_MAX):
            chunk = keys[at : at + RECALL_KEYS_MAX]
            sql = queries.in_list(S["memo_recall"], len(chunk))
            found.update((str(k), str(h)) for k, h in db.execute(sql, (scope, *chunk)))
        return found

    def forget_screened(self, keep_scope: str) -> int:
        """Drop every remembered query of another scope (lists or matcher changed)."""
        with self._write() as db:
            return int(db.execute(S["memo_forget"], (keep_scope,)).rowcount)


def store_memo(db: Any, screened: Sequence[ScreenedQuery], now_ms: int) -> None:
    """Inside the batch's write transaction: remember what it screened, then drop the
    oldest rows beyond the bound (one indexed statement: ids grow with every insert)."""
    if not screened:
        return
    db.executemany(S["memo_insert"], [(q.scope, q.key, q.hits_json, now_ms) for q in screened])
    db.execute(S["memo_trim"], (SCREENING_MEMO_ROWS_MAX,))
