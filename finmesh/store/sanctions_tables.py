"""The store's sanctions tables: list versions and their entries, good-guy exceptions,
and each screened message's result. A mixin written against ``self._write()``,
``self._read()`` and ``self._conn()`` only (see trust_tables.py), over the named
queries of ``sql/sanctions_queries.sql`` (tables: migration ``0003_sanctions.sql``).

A list load is one transaction: the version row, every entry, the screening and policy
version bumps and the audit entry commit together or not at all, so a failure midway
leaves the previous version in force. The policy version bump makes an intake batch
that was screened against the old lists fail its Guard at commit and be screened again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from finmesh.domain.errors import NotFound
from finmesh.domain.screening.goodguys import GoodGuyRecord
from finmesh.domain.screening.model import EntryType, ListEntry
from finmesh.store import queries
from finmesh.store.policy_tables import append_audit, bump_version
from finmesh.store.port import (
    AlreadyStored,
    AuditNote,
    LoadedList,
    NewMessage,
    ScreeningRecord,
    ScreeningState,
    StoreOutcome,
)

S = queries.load("sanctions_queries.sql")
VERSION = "version"
GOOD_GUY_ID = "good_guy_id"

GoodGuyChange = Callable[[GoodGuyRecord, int], tuple[GoodGuyRecord, AuditNote]]
"""(exception as stored, now_ms) -> (exception to store, its audit note)"""


class SanctionsTables:
    """Mixin: sanctions state over ``_write`` / ``_read`` / ``_conn``."""

    _conn: Callable[[], Any]
    _read: Callable[[], AbstractContextManager[Any]]
    _write: Callable[[], AbstractContextManager[Any]]

    # versions

    def screening_version(self) -> int:
        return _counter(self._conn(), VERSION)

    def screening_state(self) -> ScreeningState:
        """The screening version, the lists in force and every exception, in one read."""
        with self._read() as db:
            version = _counter(db, VERSION)
            lists = tuple(_loaded(r) for r in db.execute(S["active_versions"], ()).fetchall())
            rows = db.execute(S["all_good_guys"], ()).fetchall()
        return ScreeningState(version, lists, tuple(_good_guy(r) for r in rows))

    # lists

    def load_list(
        self,
        list_name: str,
        label: str,
        fmt: str,
        entries: Sequence[ListEntry],
        digest: str,
        actor: str,
        now_ms: int,
    ) -> LoadedList:
        """Store ``entries`` as the next version of ``list_name`` (one transaction)."""
        with self._write() as db:
            number = int(db.execute(S["last_version_no"], (list_name,)).fetchone()[0]) + 1
            loaded = LoadedList(list_name, number, label, digest, len(entries), fmt, now_ms, actor)
            db.execute(S["insert_version"], _loaded_row(loaded))
            db.executemany(
                S["insert_entry"],
                [(list_name, number, e.id, _entry_json(e)) for e in entries],
            )
            details = {
                "list": list_name,
                "version": number,
                "label": label,
                "format": fmt,
                "digest": digest,
                "entries": len(entries),
            }
            _changed(db, AuditNote(actor, "list.load", f"{list_name}/{number}", details), now_ms)
        return loaded

    def list_versions(self) -> list[LoadedList]:
        return [_loaded(r) for r in self._conn().execute(S["all_versions"], ()).fetchall()]

    def list_entries(self, list_name: str, number: int) -> tuple[ListEntry, ...]:
        rows = self._conn().execute(S["version_entries"], (list_name, number)).fetchall()
        return tuple(entry_from_json(r[0]) for r in rows)

    # good-guy exceptions

    def next_good_guy_id(self) -> str:
        with self._write() as db:
            return f"GG-{_bump(db, GOOD_GUY_ID)}"

    def save_good_guy(self, record: GoodGuyRecord, note: AuditNote, now_ms: int) -> None:
        with self._write() as db:
            db.execute(S["upsert_good_guy"], _good_guy_row(record))
            _changed(db, note, now_ms)

    def update_good_guy(
        self, good_guy_id: str, change: GoodGuyChange, clock: Callable[[], int]
    ) -> GoodGuyRecord:
        """Apply ``change`` to the exception as stored inside the write transaction: two
        officers acting at once never both act on one state."""
        with self._write() as db:
            row = db.execute(S["good_guy"], (good_guy_id,)).fetchone()
            if row is None:
                raise NotFound(f"no good-guy exception {good_guy_id}")
            now = clock()
            after, note = change(_good_guy(row), now)
            db.execute(S["upsert_good_guy"], _good_guy_row(after))
            _changed(db, note, now)
        return after

    def good_guys(self) -> list[GoodGuyRecord]:
        return [_good_guy(r) for r in self._conn().execute(S["all_good_guys"], ()).fetchall()]

    # results

    def screening_result(self, sender: str, biz_msg_id: str) -> ScreeningRecord | None:
        row = self._conn().execute(S["result"], (sender, biz_msg_id)).fetchone()
        if row is None:
            return None
        decision, versions, hits, _ = row
        return ScreeningRecord(str(decision), str(versions), str(hits))


def store_results(
    db: Any, messages: Sequence[NewMessage], outcomes: Sequence[StoreOutcome]
) -> None:
    """Inside the batch's write transaction: the screening result of each message that
    was stored now (a message stored before keeps the result it was stored with)."""
    rows = [
        (m.sender, m.biz_msg_id, m.screening.decision, m.screening.versions_json,
         m.screening.hits_json, m.received_ms)
        for m, outcome in zip(messages, outcomes, strict=True)
        if m.screening is not None and not isinstance(outcome, AlreadyStored)
    ]
    if rows:
        db.executemany(S["insert_result"], rows)


def _counter(db: Any, name: str) -> int:
    row = db.execute(S["get_counter"], (name,)).fetchone()
    return int(row[0]) if row else 0


def _bump(db: Any, name: str) -> int:
    return int(db.execute(S["bump_counter"], (name,)).fetchone()[0])


def _changed(db: Any, note: AuditNote, now_ms: int) -> None:
    _bump(db, VERSION)
    bump_version(db)  # intake batches evaluated before this change are evaluated again
    append_audit(db, note, now_ms)


def _entry_json(entry: ListEntry) -> str:
    return json.dumps(entry.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_from_json(text: str) -> ListEntry:
    data = json.loads(text)
    return ListEntry(
        id=str(data["id"]),
        type=EntryType(data["type"]),
        name=str(data["name"]),
        aliases=tuple(data["aliases"]),
        weak_aliases=tuple(data["weak_aliases"]),
        countries=tuple(data["countries"]),
        bics=tuple(data["bics"]),
        programme=str(data["programme"]),
    )


def _loaded_row(x: LoadedList) -> tuple[object, ...]:
    return (
        x.list_name, x.number, x.label, x.digest, x.entry_count, x.format, x.loaded_ms,
        x.loaded_by,
    )


def _loaded(row: Sequence[Any]) -> LoadedList:
    name, number, label, digest, count, fmt, loaded_ms, loaded_by = row
    return LoadedList(
        str(name), int(number), str(label), str(digest), int(count), str(fmt), int(loaded_ms),
        str(loaded_by),
    )


def _good_guy_row(g: GoodGuyRecord) -> tuple[object, ...]:
    return (
        g.id, g.list_name, g.entry_id, g.cleared_for, g.reason, g.expires_ms, g.proposed_by,
        g.proposed_ms, g.approved_by, g.approved_ms, g.withdrawn_by, g.withdrawn_ms,
    )


def _good_guy(row: Sequence[Any]) -> GoodGuyRecord:
    (gid, list_name, entry_id, cleared_for, reason, expires, proposed_by, proposed_ms,
     approved_by, approved_ms, withdrawn_by, withdrawn_ms) = row
    return GoodGuyRecord(
        id=str(gid),
        list_name=str(list_name),
        entry_id=str(entry_id),
        cleared_for=str(cleared_for),
        reason=str(reason),
        expires_ms=None if expires is None else int(expires),
        proposed_by=str(proposed_by),
        proposed_ms=int(proposed_ms),
        approved_by=approved_by,
        approved_ms=None if approved_ms is None else int(approved_ms),
        withdrawn_by=withdrawn_by,
        withdrawn_ms=None if withdrawn_ms is None else int(withdrawn_ms),
    )
