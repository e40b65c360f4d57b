"""Stored history for the scale runs: millions of messages, made in SQL.

Rows are generated inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL), never through HTTP: 10 million messages through the node would take
hours. Each history message is a real row in ``messages`` and ``queue`` with real
index entries (sender + BizMsgIdr unique key, per-receiver sequence and OSN, received
time), spread over every demo participant pair, with the receivers' cursors moved past
them. On SQLite (the goal's store) the history is as costly as a real one: BizMsgIdrs
are random (``BAH`` + 32 random hex digits, like the live ones, so new keys interleave
with old ones all over the unique index), payloads are HISTORY_PAYLOAD_BYTES (a real
pacs.008's size) and signatures 72 bytes, every message has its screening result, and
one in UNDELIVERED_EVERY was never delivered (queued, no OSN: the partial index of
never-delivered messages holds real entries). The PostgreSQL preload keeps the former,
lighter shape (64-byte payloads, keys after the live ones), said so in its result.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

HISTORY_PAYLOAD_BYTES = 1_500
"""A CBPR+ pacs.008 with its AppHdr is 1.2-2 KB."""
PG_HISTORY_PAYLOAD_BYTES = 64
UNDELIVERED_EVERY = 500
CHUNK_ROWS = 1_000_000
"""Rows per transaction while preloading (bounds the WAL's growth)."""
MESSAGES_PER_DAY = 42_000_000
"""History is spread back in time at SWIFT FIN's 2021 daily average (FACTS.md)."""

_PAIRS = """
CREATE TEMP TABLE IF NOT EXISTS history_pairs (
    k INTEGER PRIMARY KEY, s TEXT NOT NULL, r TEXT NOT NULL, seq0 INTEGER, osn0 INTEGER
)"""
_STARTS = """
UPDATE history_pairs SET
    seq0 = (SELECT coalesce(max(seq), 0) + 1 FROM queue WHERE receiver = r),
    osn0 = (SELECT coalesce(max(osn), 0) + 1 FROM queue WHERE receiver = r)
"""

_MESSAGES = """
WITH RECURSIVE n(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM n WHERE i < :last)
INSERT INTO messages (id, sender, receiver, biz_msg_id, payload_sha256, payload, signature,
    msg_def_id, uetr, amount, currency, priority, notify_delivery, parties, purposes,
    received_ms)
SELECT :base + 1 + i, p.s, p.r, 'BAH' || lower(hex(randomblob(16))),
    lower(hex(randomblob(32))), randomblob(:payload), randomblob(72), 'pacs.008.001.13', NULL,
    '10.00', 'EUR', 'NORMAL', 0, '[]', '[]', :t0 + i * :step
FROM n JOIN history_pairs p ON p.k = i % :pairs
"""
_SCREENED = """
INSERT INTO screening_results (sender, biz_msg_id, decision, versions, hits, screened_ms)
SELECT sender, biz_msg_id, 'clear', '[{"list": "bench", "version": 1}]', '[]', received_ms
FROM messages WHERE id BETWEEN :base + 1 + :first AND :base + 1 + :last
"""
_UNDELIVER = """
UPDATE queue SET osn = NULL, delivered_count = 0, first_sent_ms = NULL, acked_ms = NULL,
    warned_ms = obsolete_ms
WHERE message_id BETWEEN :base + 1 + :first AND :base + 1 + :last
    AND message_id % :every = 0
"""

_QUEUE = """
INSERT INTO queue (receiver, seq, message_id, state, obsolete_ms, osn, delivered_count,
    first_sent_ms, acked_ms)
SELECT m.receiver, p.seq0 + (m.id - :base - 1) / :pairs, m.id, 'queued',
    m.received_ms + 6000000, p.osn0 + (m.id - :base - 1) / :pairs, 1, m.received_ms,
    m.received_ms
FROM messages m JOIN history_pairs p ON p.k = (m.id - :base - 1) % :pairs
WHERE m.id BETWEEN :base + 1 + :first AND :base + 1 + :last
"""

_CURSORS = """
INSERT INTO cursors (owner, kind, last_seq, acked)
SELECT receiver, 'queue', max(seq), 0 FROM queue GROUP BY receiver
ON CONFLICT (owner, kind) DO UPDATE SET last_seq = excluded.last_seq;
INSERT INTO cursors (owner, kind, last_seq, acked)
SELECT receiver, 'osn', max(osn), max(osn) FROM queue WHERE osn IS NOT NULL GROUP BY receiver
ON CONFLICT (owner, kind) DO UPDATE SET last_seq = excluded.last_seq, acked = excluded.acked
"""


def preload_sqlite(database: Path, participants: list[str], count: int) -> dict[str, Any]:
    """Add ``count`` delivered messages to the network's SQLite file (node stopped)."""
    started = time.perf_counter()
    db = sqlite3.connect(database, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # bulk load; the final commit is durable
        base = int(db.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])
        pairs = [(k, s, participants[(k + 1) % len(participants)])
                 for k, s in enumerate(participants)]
        db.execute(_PAIRS)
        db.execute("DELETE FROM history_pairs")
        db.executemany("INSERT INTO history_pairs (k, s, r) VALUES (?, ?, ?)", pairs)
        db.execute(_STARTS)
        step = max(1, 86_400_000 // MESSAGES_PER_DAY)
        t0 = time.time_ns() // 1_000_000 - count * step - 60_000
        for first in range(0, count, CHUNK_ROWS):
            last = min(count, first + CHUNK_ROWS) - 1
            args = {"first": first, "last": last, "base": base, "pairs": len(pairs),
                    "payload": HISTORY_PAYLOAD_BYTES, "t0": t0, "step": step}
            db.execute("BEGIN IMMEDIATE")
            db.execute(_MESSAGES, args)
            bounds = {k: args[k] for k in ("base", "first", "last")}
            db.execute(_QUEUE, {**bounds, "pairs": args["pairs"]})
            db.execute(_SCREENED, bounds)
            db.execute(_UNDELIVER, {**bounds, "every": UNDELIVERED_EVERY})
            db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        for statement in _CURSORS.split(";"):
            db.execute(statement)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    finally:
        db.close()
    return {
        "added": count,
        "stored": stored,
        "seconds": round(time.perf_counter() - started, 1),
        "database_bytes": database.stat().st_size,
        "history_payload_bytes": HISTORY_PAYLOAD_BYTES,
        "history_keys": "random (interleaved with live keys)",
        "history_undelivered_every": UNDELIVERED_EVERY,
        "history_screening_results": True,
    }


_PG_PAIRS = """
CREATE TEMP TABLE history_pairs (k INTEGER PRIMARY KEY, s TEXT NOT NULL, r TEXT NOT NULL,
    seq0 BIGINT, osn0 BIGINT)
"""
_PG_MESSAGES = """
INSERT INTO messages (id, sender, receiver, biz_msg_id, payload_sha256, payload, signature,
    msg_def_id, uetr, amount, currency, priority, notify_delivery, parties, purposes,
    received_ms)
SELECT %(base)s + 1 + i, p.s, p.r, 'HIS' || lpad(to_hex(%(base)s + 1 + i), 32, '0'),
    lpad(to_hex(%(base)s + 1 + i), 64, '0'),
    decode(repeat('00', %(payload)s), 'hex'), decode(repeat('00', 72), 'hex'),
    'pacs.008.001.08', NULL, '10.00', 'EUR', 'NORMAL', 0, '[]', '[]', %(t0)s + i * %(step)s
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
JOIN history_pairs p ON p.k = i %% %(pairs)s
"""
_PG_QUEUE = """
INSERT INTO queue (receiver, seq, message_id, state, obsolete_ms, osn, delivered_count,
    first_sent_ms, acked_ms)
SELECT m.receiver, p.seq0 + (m.id - %(base)s - 1) / %(pairs)s, m.id, 'queued',
    m.received_ms + 6000000, p.osn0 + (m.id - %(base)s - 1) / %(pairs)s, 1, m.received_ms,
    m.received_ms
FROM messages m JOIN history_pairs p ON p.k = (m.id - %(base)s - 1) %% %(pairs)s
WHERE m.id BETWEEN %(base)s + 1 + %(first)s AND %(base)s + 1 + %(last)s
"""
_PG_CURSORS = _CURSORS


def preload_postgres(url: str, participants: list[str], count: int) -> dict[str, Any]:
    """The same history as preload_sqlite, in the network's PostgreSQL database."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as db:
        base = _scalar(db, "SELECT coalesce(max(id), 0) FROM messages")
        db.execute(_PG_PAIRS)
        pairs = [(k, s, participants[(k + 1) % len(participants)])
                 for k, s in enumerate(participants)]
        with db.cursor() as cur:
            cur.executemany("INSERT INTO history_pairs (k, s, r) VALUES (%s, %s, %s)", pairs)
        db.execute(_STARTS)
        db.commit()
        step = max(1, 86_400_000 // MESSAGES_PER_DAY)
        t0 = time.time_ns() // 1_000_000 - count * step - 60_000
        for first in range(0, count, CHUNK_ROWS):
            last = min(count, first + CHUNK_ROWS) - 1
            args = {"first": first, "last": last, "base": base, "pairs": len(pairs),
                    "payload": PG_HISTORY_PAYLOAD_BYTES, "t0": t0, "step": step}
            db.execute(_PG_MESSAGES, args)
            db.execute(_PG_QUEUE, {k: args[k] for k in ("base", "pairs", "first", "last")})
            db.commit()
        for statement in _PG_CURSORS.split(";"):
            db.execute(statement)
        db.execute("SELECT setval(pg_get_serial_sequence('messages', 'id'), max(id))"
                   " FROM messages")
        db.commit()
        db.execute("ANALYZE messages")
        db.execute("ANALYZE queue")
        stored = _scalar(db, "SELECT count(*) FROM messages")
        size = _scalar(db, "SELECT pg_database_size(current_database())")
    return {
        "added": count,
        "stored": stored,
        "seconds": round(time.perf_counter() - started, 1),
        "database_bytes": size,
        "history_payload_bytes": PG_HISTORY_PAYLOAD_BYTES,
    }


def _scalar(db: Any, query: str) -> int:
    row = db.execute(query).fetchone()
    return int(row[0]) if row else 0
