"""The embedded default store: one SQLite file in WAL mode, synchronous=FULL.

A commit returns only after the WAL is fsynced, so an ACK given after ``store_batch``
returns survives a kill -9 or a power cut. Each thread gets its own connection;
writers serialise on SQLite's lock (BEGIN IMMEDIATE, so no deadlocking upgrades).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from finmesh.domain.audit import AuditHead
from finmesh.domain.bic import Bic
from finmesh.domain.directory import Institution, OwnershipLink
from finmesh.domain.errors import FinmeshError
from finmesh.domain.holds import Hold
from finmesh.domain.reasons import Reason
from finmesh.store import codec, queries
from finmesh.store.audit_head import advance_head, read_head
from finmesh.store.port import (
    AlreadyStored,
    AuditNote,
    Cursor,
    Delivery,
    Guard,
    Held,
    NewMessage,
    Notice,
    Stored,
    StoreOutcome,
)
from finmesh.store.sqlite_policy import (
    PolicyTables,
    append_audit,
    bump_usage,
    check_guard,
    next_seq,
    notice,
    take_appended,
)

BUSY_TIMEOUT_MS = 30_000
SCHEMA_VERSION = 1
"""Bumped with every incompatible schema change (there are no migrations yet)."""


class IncompatibleStore(FinmeshError):
    """The database file was made by a finmesh with another schema."""


Q = queries.load("queries.sql")


class SqliteStore(PolicyTables):
    """Store implementation over one SQLite database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        db = self._conn()
        has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if has_tables and version != SCHEMA_VERSION:
            raise IncompatibleStore(
                f"{path} was made by another finmesh version (schema {version}, this one "
                f"reads {SCHEMA_VERSION}); create the network again"
            )
        # executescript manages its own transaction; every statement is idempotent
        db.executescript(queries.schema("schema.sql"))
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # connections and transactions

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        take_appended()
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            take_appended()
            raise
        db.execute("COMMIT")
        head = take_appended()
        if head is not None:
            advance_head(self.path, head)

    def _one(self, name: str, *args: object) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._conn().execute(Q[name], args).fetchone()
        return row

    def audit_head(self) -> AuditHead | None:
        return read_head(self.path)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # directory

    def load_directory(
        self, institutions: Iterable[Institution], links: Iterable[OwnershipLink]
    ) -> int:
        rows = [
            (str(i.bic), i.bic.bic8, i.name, i.country, i.city, int(i.generated))
            for i in institutions
        ]
        with self._write() as db:
            db.executemany(Q["insert_institution"], rows)
            db.executemany(Q["insert_link"], [(lk.parent, lk.child, str(lk.share)) for lk in links])
        return len(rows)

    def institution(self, bic11: str) -> Institution | None:
        row = self._one("institution", bic11)
        return _institution(row) if row else None

    def institutions_with_bic8(self, bic8: str) -> list[Institution]:
        rows = self._conn().execute(Q["institutions_with_bic8"], (bic8,)).fetchall()
        return [_institution(r) for r in rows]

    def ownership_links(self) -> list[OwnershipLink]:
        rows = self._conn().execute(Q["ownership_links"]).fetchall()
        return [OwnershipLink(parent=p, child=c, share=Decimal(s)) for p, c, s in rows]

    def directory_stats(self) -> dict[str, int]:
        row = self._one("directory_stats")
        assert row is not None
        total, countries, generated, links, participants = (int(str(v)) for v in row)
        return {
            "institutions": total,
            "countries": countries,
            "real": total - generated,
            "generated": generated,
            "ownership_links": links,
            "participants": participants,
        }

    # participants and authentication

    def add_participant(self, bic11: str, cert_pem: bytes, serial: str, now_ms: int) -> None:
        with self._write() as db:
            db.execute(Q["insert_participant"], (bic11, bic11[:8], cert_pem, serial, now_ms))

    def participant_cert(self, bic11: str) -> bytes | None:
        row = self._one("participant_cert", bic11)
        return bytes(row[0]) if row else None

    def participant_for_bic8(self, bic8: str) -> str | None:
        row = self._one("participant_for_bic8", bic8)
        return str(row[0]) if row else None

    def participants(self) -> list[str]:
        return [r[0] for r in self._conn().execute(Q["participants"]).fetchall()]

    def remember_nonce(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool:
        # Own connection with synchronous=NORMAL: a nonce survives a process crash (the
        # WAL is in the OS) but not a power cut, so every request does not cost an fsync.
        # After a power cut a replay is possible only within the clock-skew window.
        db = self._nonce_conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(Q["purge_nonces"], (now_ms,))
            fresh = db.execute(Q["insert_nonce"], (subject, nonce, expires_ms)).rowcount == 1
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return fresh

    def _nonce_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "nonce_conn", None)
        if conn is None:
            conn = self._open()
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.nonce_conn = conn
        return conn

    # intake

    def find_stored(self, sender: str, biz_msg_ids: Sequence[str]) -> dict[str, AlreadyStored]:
        """Messages of ``sender`` already stored under these BizMsgIdrs (one read)."""
        db = self._conn()
        db.execute("BEGIN")
        try:
            rows = {i: db.execute(Q["find_message"], (sender, i)).fetchone() for i in biz_msg_ids}
        finally:
            db.execute("COMMIT")
        return {i: _already(row) for i, row in rows.items() if row}

    def store_batch(
        self, messages: Sequence[NewMessage], guard: Guard | None = None
    ) -> list[StoreOutcome]:
        outcomes: list[StoreOutcome] = []
        if not messages:
            return outcomes
        with self._write() as db:
            if guard is not None:
                check_guard(db, guard)
            for m in messages:
                outcomes.append(self._store_one(db, m))
        return outcomes

    def _store_one(self, db: sqlite3.Connection, m: NewMessage) -> StoreOutcome:
        found = db.execute(Q["find_message"], (m.sender, m.biz_msg_id)).fetchone()
        if found:
            return _already(found)
        cur = db.execute(
            Q["insert_message"],
            (
                m.sender,
                m.receiver,
                m.biz_msg_id,
                m.payload_sha256,
                m.payload,
                m.signature,
                m.msg_def_id,
                m.uetr,
                m.amount,
                m.currency,
                m.priority,
                int(m.notify_delivery),
                m.parties_json,
                m.purposes_json,
                m.received_ms,
                m.held_by,
                ",".join(m.licence_ids) or None,
            ),
        )
        message_id = int(cur.lastrowid or 0)
        for licence_id in m.licence_ids:
            _use_licence(db, m, licence_id)
        if m.held_by is not None:
            return _hold(db, message_id, m)
        seq = next_seq(db, m.receiver, "queue")
        db.execute(Q["insert_queue"], (m.receiver, seq, message_id, m.obsolete_ms))
        return Stored(queue_seq=seq)

    # delivery

    def fetch_deliveries(
        self,
        receiver: str,
        after_osn: int | None,
        limit: int,
        now_ms: int,
        guard: Guard | None = None,
    ) -> list[Delivery]:
        """Unacknowledged messages after ``after_osn`` (default: the acked point), then
        queued ones never handed out, which get the next OSNs here, in queue order."""
        after = self.delivery_cursor(receiver).acked if after_osn is None else after_osn
        if not self._one("has_pending", receiver, after):
            return []
        with self._write() as db:
            if guard is not None:
                check_guard(db, guard)
            rows = db.execute(Q["pending_deliveries"], (receiver, after, limit)).fetchall()
            if len(rows) < limit:
                rows += self._assign_osns(db, receiver, limit - len(rows))
            if rows:
                db.execute(Q["mark_sent"], (now_ms, receiver, rows[0][1], rows[-1][1]))
        return [
            Delivery(
                osn=r[1],
                possible_duplicate=r[2] > 0,
                sender=r[3],
                receiver=r[4],
                msg_def_id=r[5],
                biz_msg_id=r[6],
                uetr=r[7],
                payload=bytes(r[8]),
                signature=bytes(r[9]),
                sender_cert_pem=bytes(r[10]),
            )
            for r in rows
        ]

    def _assign_osns(self, db: sqlite3.Connection, receiver: str, limit: int) -> list[Any]:
        rows = db.execute(Q["unassigned_deliveries"], (receiver, limit)).fetchall()
        assigned = []
        for row in rows:
            osn = next_seq(db, receiver, "osn")
            db.execute(Q["assign_osn"], (osn, receiver, row[0]))
            assigned.append((row[0], osn, *row[2:]))
        return assigned

    def delivery_cursor(self, receiver: str) -> Cursor:
        return self._cursor(receiver, "osn")

    def acknowledge(self, receiver: str, up_to_osn: int, now_ms: int) -> Cursor:
        with self._write() as db:
            cursor = _cursor(db, receiver, "osn")
            # Only what was actually handed out can be acknowledged.
            upto = int(db.execute(Q["highest_sent"], (receiver, up_to_osn)).fetchone()[0])
            if upto <= cursor.acked:
                return cursor
            notify = db.execute(Q["to_notify_delivered"], (receiver, cursor.acked, upto)).fetchall()
            for message_id, sender in notify:
                notice(db, sender, "delivered", message_id, None, None, now_ms)
            db.execute(Q["mark_acked"], (now_ms, receiver, cursor.acked, upto))
            db.execute(Q["set_acked"], (upto, receiver, "osn"))
            return Cursor(last=cursor.last, acked=upto)

    def warn_obsolete(self, now_ms: int, limit: int) -> int:
        with self._write() as db:
            rows = db.execute(Q["obsolete_unwarned"], (now_ms, limit)).fetchall()
            for receiver, seq, message_id, sender in rows:
                reason = Reason.OBSOLETE
                notice(db, sender, "non-delivery", message_id, reason.code, reason.text, now_ms)
                db.execute(Q["mark_warned"], (now_ms, receiver, seq))
        return len(rows)

    # notices

    def fetch_notices(self, owner: str, after_seq: int | None, limit: int) -> list[Notice]:
        after = self._cursor(owner, "notice").acked if after_seq is None else after_seq
        rows = self._conn().execute(Q["notices_after"], (owner, after, limit)).fetchall()
        return [
            Notice(
                seq=r[0],
                kind=r[1],
                biz_msg_id=r[2],
                uetr=r[3],
                receiver=r[4],
                reason=r[5],
                detail=r[6],
                created_ms=r[7],
                measure_id=r[8],
            )
            for r in rows
        ]

    def acknowledge_notices(self, owner: str, up_to_seq: int) -> Cursor:
        with self._write() as db:
            cursor = _cursor(db, owner, "notice")
            upto = min(up_to_seq, cursor.last)
            if upto > cursor.acked:
                db.execute(Q["set_acked"], (upto, owner, "notice"))
                return Cursor(last=cursor.last, acked=upto)
            return cursor

    def _cursor(self, owner: str, kind: str) -> Cursor:
        return _cursor(self._conn(), owner, kind)

    def message_count(self) -> int:
        row = self._one("message_count")
        assert row is not None
        return int(str(row[0]))


def _cursor(db: sqlite3.Connection, owner: str, kind: str) -> Cursor:
    row = db.execute(Q["cursor"], (owner, kind)).fetchone()
    return Cursor(last=row[0], acked=row[1]) if row else Cursor(last=0, acked=0)


def _already(row: tuple[Any, ...]) -> AlreadyStored:
    sha256, uetr, held_by, message_id, licence = row
    return AlreadyStored(
        payload_sha256=sha256,
        uetr=uetr,
        held_by=held_by,
        hold_id=message_id if held_by else None,
        licence=licence,
    )


def _use_licence(db: sqlite3.Connection, m: NewMessage, licence_id: str) -> None:
    used = Decimal(db.execute(Q["licence"], (licence_id,)).fetchone()[1])
    total = used + Decimal(m.amount or "0")
    db.execute(Q["set_licence_used"], (str(total), licence_id))
    bump_usage(db)  # snapshots refresh their totals; only batches on this licence retry
    append_audit(
        db,
        AuditNote(
            m.sender,
            "licence.use",
            licence_id,
            {
                "message": m.biz_msg_id,
                "amount": m.amount,
                "currency": m.currency,
                "used_total": str(total),
            },
        ),
        m.received_ms,
    )


def _hold(db: sqlite3.Connection, message_id: int, m: NewMessage) -> Held:
    hold = Hold(
        id=message_id,
        biz_msg_id=m.biz_msg_id,
        sender=m.sender,
        receiver=m.receiver,
        measure_id=str(m.held_by),
        created_ms=m.received_ms,
        priority=m.priority,
    )
    db.execute(
        Q["insert_hold"],
        (message_id, message_id, hold.measure_id, codec.dumps(hold), m.received_ms),
    )
    append_audit(
        db,
        AuditNote(
            "network",
            "hold.create",
            str(message_id),
            {
                "message": m.biz_msg_id,
                "sender": m.sender,
                "receiver": m.receiver,
                "measure": hold.measure_id,
            },
        ),
        m.received_ms,
    )
    return Held(hold_id=message_id)


def _institution(row: tuple[Any, ...]) -> Institution:
    bic11, name, country, city, generated = row
    return Institution(
        bic=Bic.parse(str(bic11)),
        name=str(name),
        country=str(country),
        city=None if city is None else str(city),
        generated=bool(generated),
    )
