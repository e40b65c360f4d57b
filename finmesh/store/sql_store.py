"""The store logic shared by SQLite and PostgreSQL, written against finmesh.store.handle.

A dialect (sqlite.py, postgres.py) provides connections and three transaction shapes:
``_conn()`` for a single read, ``_read()`` for reads that must agree, and
``_transaction()`` for a write that holds the database's one writer lock (SQLite's
BEGIN IMMEDIATE, a PostgreSQL advisory lock), so sequence numbers stay gapless and the
audit chain linear however many nodes write. ``_write()`` adds the audit head anchor
(finmesh.store.audit_head) after the commit.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

from finmesh.domain.audit import AuditHead
from finmesh.domain.bic import Bic
from finmesh.domain.directory import Institution, OwnershipLink
from finmesh.domain.holds import Hold
from finmesh.store import codec, queries
from finmesh.store.audit_head import advance_anchor, read_anchor
from finmesh.store.console_tables import ConsoleTables
from finmesh.store.handle import Handle
from finmesh.store.memo_tables import MemoTables, store_memo
from finmesh.store.payment_tables import PaymentTables, store_events
from finmesh.store.policy_tables import (
    PolicyTables,
    append_audit,
    bump_usage,
    check_guard,
    next_seq,
    take_appended,
)
from finmesh.store.port import (
    AlreadyStored,
    AuditNote,
    Guard,
    Held,
    NewMessage,
    NonceClaim,
    NonceReplayed,
    ScreenedQuery,
    Stored,
    StoreOutcome,
)
from finmesh.store.retention_tables import RetentionTables
from finmesh.store.sanctions_tables import SanctionsTables, store_results
from finmesh.store.schema_tables import SchemaTables
from finmesh.store.sql_delivery import DeliveryTables
from finmesh.store.trust_tables import TrustTables, check_trust

log = logging.getLogger("finmesh.store")
Q = queries.load("queries.sql")
FIND_IDS_MAX = 500
"""BizMsgIdrs looked up per statement (a batch holds at most 1,000 messages)."""


class Listening(Protocol):
    """A running change subscription (see SqlStore.listen)."""

    def stop(self) -> None: ...


class SqlStore(
    DeliveryTables, PolicyTables, TrustTables, SanctionsTables, MemoTables, SchemaTables,
    PaymentTables, ConsoleTables, RetentionTables,
):
    """Everything of the Store port over a Handle; subclasses give the connections."""

    dialect: ClassVar[str]
    extra_schemas: ClassVar[tuple[str, ...]] = ()
    """Idempotent schema files (``sql/NAME``, portable SQL) of store mixins not yet
    folded into numbered migrations; applied at every open, after the migrations."""

    def __init__(self, anchor: Path | None) -> None:
        self._anchor = anchor
        """The audit head anchor file (None: not anchored, for throwaway stores)."""

    # what a dialect provides

    @abstractmethod
    def _conn(self) -> Handle:
        """This thread's connection, outside any transaction (one statement = one read)."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Handle]:
        """A read-only transaction: every statement sees the same committed state."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Handle]:
        """A write transaction holding the database-wide writer lock."""

    @abstractmethod
    def remember_nonce(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool:
        """True the first time (subject, nonce) is seen while it is unexpired."""

    @abstractmethod
    def schema_version(self) -> int:
        """The migration step the database is at (finmesh.store.migrations)."""

    @abstractmethod
    def close(self) -> None: ...

    def _storing_messages(self, db: Handle) -> None:
        """Told inside each transaction that stores messages, on its connection: a
        dialect may size that connection for the message indexes (SQLite's page cache)."""

    def listen(self, on_change: Callable[[], None]) -> Listening | None:
        """Call ``on_change`` from another thread whenever any process commits a change;
        None where the database cannot tell (SQLite: its node polls instead)."""
        return None

    # shared

    @contextmanager
    def _write(self) -> Iterator[Handle]:
        take_appended()
        try:
            with self._transaction() as db:
                yield db
        finally:
            head = take_appended()
        if head is not None and self._anchor is not None:
            try:
                advance_anchor(self._anchor, head)
            except OSError as exc:
                # the change is committed; the anchor may lag (it is a lower bound) and
                # catches up with the next commit once the file can be written again
                log.warning(
                    "audit anchor not advanced: %s",
                    exc,
                    extra={"event": "audit.anchor_lagging", "seq": head.seq},
                )

    def _one(self, name: str, *args: object) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._conn().execute(Q[name], args).fetchone()
        return row

    def audit_head(self) -> AuditHead | None:
        return None if self._anchor is None else read_anchor(self._anchor)

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

    # participants

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

    # intake

    def find_stored(self, sender: str, biz_msg_ids: Sequence[str]) -> dict[str, AlreadyStored]:
        """Messages of ``sender`` already stored under these BizMsgIdrs. A hint for intake
        (repeats answered early, never screened again): the write transaction decides,
        so the lookups need no snapshot of their own (no BEGIN/COMMIT round)."""
        db = self._conn()
        found: dict[str, AlreadyStored] = {}
        wanted = list(dict.fromkeys(biz_msg_ids))
        for at in range(0, len(wanted), FIND_IDS_MAX):  # one statement per chunk, not per id
            chunk = wanted[at : at + FIND_IDS_MAX]
            sql = queries.in_list(Q["find_messages"], len(chunk))
            for biz_msg_id, *row in db.execute(sql, (sender, *chunk)):
                found[str(biz_msg_id)] = already_stored(tuple(row))
        return found

    def store_batch(
        self,
        messages: Sequence[NewMessage],
        guard: Guard | None = None,
        screened: Sequence[ScreenedQuery] = (),
        nonces: Sequence[NonceClaim] = (),
    ) -> list[StoreOutcome]:
        """Store the batch in one transaction, with what its screening screened (the
        memo rides along) and the nonces of the requests that carried it (first: a
        nonce seen before raises NonceReplayed and nothing is written). With neither
        messages nor nonces nothing is written."""
        outcomes: list[StoreOutcome] = []
        if not messages and not nonces:
            return outcomes
        with self._write() as db:
            claim_nonces(db, nonces)
            if not messages:
                return outcomes
            self._storing_messages(db)
            if guard is not None:
                check_guard(db, guard)
                check_trust(db, guard)
            outcomes = self._store_messages(db, messages)
            store_results(db, messages, outcomes)
            store_events(db, messages, outcomes)
            store_memo(db, screened, messages[0].received_ms)
        return outcomes

    def _store_messages(self, db: Handle, messages: Sequence[NewMessage]) -> list[StoreOutcome]:
        """Store and queue (or hold) each message, in order, inside the write transaction;
        a dialect may do the same in fewer round trips."""
        queue = _Queueing(db)
        outcomes = [_store_one(db, m, queue) for m in messages]
        queue.flush()
        return outcomes

    def message_count(self) -> int:
        row = self._one("message_count")
        assert row is not None
        return int(str(row[0]))


def claim_nonces(db: Handle, claims: Sequence[NonceClaim]) -> None:
    """Inside a write transaction: remember each nonce; NonceReplayed (the transaction
    rolls back) names those seen before. Expired nonces go first (indexed by expiry)."""
    if not claims:
        return
    db.execute(Q["purge_nonces"], (min(c.seen_ms for c in claims),))
    replayed = [
        at for at, c in enumerate(claims)
        if db.execute(Q["insert_nonce"], (c.subject, c.nonce, c.expires_ms)).rowcount != 1
    ]
    if replayed:
        raise NonceReplayed(replayed)


class _Queueing:
    """Queue entries of one batch, written together: each receiver's sequence is read
    and bumped once per batch (not once per message) and the entries go in one
    executemany. Inside the batch's write transaction, so no other writer interleaves."""

    def __init__(self, db: Handle) -> None:
        self.db = db
        self._last: dict[str, int] = {}
        self._first: dict[str, int] = {}
        self._rows: list[tuple[str, int, int, int | None]] = []

    def add(self, receiver: str, message_id: int, obsolete_ms: int | None) -> int:
        last = self._last.get(receiver)
        if last is None:
            seq = self._first[receiver] = next_seq(self.db, receiver, "queue")
        else:
            seq = last + 1
        self._last[receiver] = seq
        self._rows.append((receiver, seq, message_id, obsolete_ms))
        return seq

    def flush(self) -> None:
        if self._rows:
            self.db.executemany(Q["insert_queue"], self._rows)
        moved = [(r, "queue", last) for r, last in self._last.items() if last > self._first[r]]
        if moved:
            self.db.executemany(Q["advance_cursor"], moved)


def _store_one(db: Handle, m: NewMessage, queue: _Queueing) -> StoreOutcome:
    # insert first: the unique (sender, biz_msg_id) index decides, and only a repeat
    # (rare) pays for the lookup of what was stored before
    row = db.execute(
        Q["insert_message"],
        (*message_columns(m), m.held_by, ",".join(m.licence_ids) or None),
    ).fetchone()
    if row is None:
        return already_stored(db.execute(Q["find_message"], (m.sender, m.biz_msg_id)).fetchone())
    message_id = int(row[0])
    if m.translation is not None:
        db.execute(Q["insert_translation"], (message_id, m.translation))
    for licence_id in m.licence_ids:
        _use_licence(db, m, licence_id)
    if m.held_by is not None:
        return _hold(db, message_id, m)
    return Stored(queue_seq=queue.add(m.receiver, message_id, m.obsolete_ms))


def message_columns(m: NewMessage) -> tuple[Any, ...]:
    """The message row's columns from sender to received_ms, in the order of the
    insert queries of both databases."""
    return (
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
    )


def already_stored(row: tuple[Any, ...]) -> AlreadyStored:
    sha256, uetr, held_by, message_id, licence = row
    return AlreadyStored(
        payload_sha256=sha256,
        uetr=uetr,
        held_by=held_by,
        hold_id=message_id if held_by else None,
        licence=licence,
    )


def _use_licence(db: Handle, m: NewMessage, licence_id: str) -> None:
    used = Decimal(db.execute(Q["licence"], (licence_id,)).fetchone()[1])
    total = used + Decimal(m.amount or "0")
    db.execute(Q["set_licence_used"], (str(total), licence_id))
    bump_usage(db)  # snapshots refresh their totals; only batches on this licence retry
    details = {
        "message": m.biz_msg_id,
        "amount": m.amount,
        "currency": m.currency,
        "used_total": str(total),
    }
    append_audit(db, AuditNote(m.sender, "licence.use", licence_id, details), m.received_ms)


def _hold(db: Handle, message_id: int, m: NewMessage) -> Held:
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
    details = {
        "message": m.biz_msg_id,
        "sender": m.sender,
        "receiver": m.receiver,
        "measure": hold.measure_id,
    }
    append_audit(
        db, AuditNote("network", "hold.create", str(message_id), details), m.received_ms
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
