"""The bound: the unavoidable work per message, alone, in one process, no network.

Per message: parse + validate against the XSDs (``parse_message``: hardened lxml parse,
head.001 and document XSD, extraction of the routed fields), verify one ECDSA P-256
signature, and insert one row (with the unique index that makes intake exactly-once)
into the same kind of store the node uses, committed durably every
``BOUND_COMMIT_ROWS`` rows. Everything else the pipeline does (HTTP, JSON, request
authentication, routing, screening, queueing, sequence numbers) is overhead against
this bound.

The rate is per core (one thread); the machine's bound is that rate times its cores,
which is what the pipeline, spread over every core, is compared with.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.stats import median
from benchmarks.traffic import SignedMessage
from finmesh.domain.iso20022 import parse_message
from finmesh.identity import pki
from finmesh.node.schemas import packaged_registry

SCHEMAS = packaged_registry()
BOUND_COMMIT_ROWS = 100
"""Rows per durable commit: the node commits a batch (or a group of requests) at once."""
BOUND_REPS = 3

_CREATE = (
    "CREATE TABLE IF NOT EXISTS bound (id INTEGER PRIMARY KEY, sender TEXT NOT NULL,"
    " biz_msg_id TEXT NOT NULL, payload BLOB NOT NULL, signature BLOB NOT NULL,"
    " received_ms BIGINT NOT NULL, UNIQUE (sender, biz_msg_id))"
)
_CREATE_PG = _CREATE.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY").replace(
    "BLOB", "BYTEA"
)
_INSERT = (
    "INSERT INTO bound (sender, biz_msg_id, payload, signature, received_ms)"
    " VALUES (?, ?, ?, ?, ?)"
)

Row = tuple[str, str, bytes, bytes, int]
Writer = Callable[[list[Row]], None]


def _sqlite_writer(path: Path) -> tuple[Writer, Callable[[], None]]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(_CREATE)

    def write(rows: list[Row]) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(_INSERT, rows)
        db.execute("COMMIT")

    return write, db.close


def _postgres_writer(url: str) -> tuple[Writer, Callable[[], None]]:
    import psycopg

    db = psycopg.connect(url, autocommit=False)
    with db.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bound")
        cur.execute(_CREATE_PG)
    db.commit()
    insert = _INSERT.replace("?", "%s")

    def write(rows: list[Row]) -> None:
        with db.cursor() as cur:
            cur.executemany(insert, rows)
        db.commit()

    return write, db.close


def _one_rep(
    messages: Sequence[SignedMessage], cert_pem: bytes, seconds: float, write: Writer
) -> float:
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for at in range(0, len(messages), BOUND_COMMIT_ROWS):
        rows: list[Row] = []
        for m in messages[at : at + BOUND_COMMIT_ROWS]:
            parsed = parse_message(m.payload, SCHEMAS)
            if not pki.verify_signature(cert_pem, m.payload, m.signature):
                raise RuntimeError("a benchmark message does not verify")
            rows.append((parsed.sender_bic, parsed.biz_msg_id, m.payload, m.signature,
                         time.time_ns() // 1_000_000))
        write(rows)
        done += len(rows)
        if time.perf_counter() >= deadline:
            break
    return done / (time.perf_counter() - start)


def measure_bound(
    messages: Sequence[SignedMessage],
    cert_pem: bytes,
    seconds: float,
    scratch: Path,
    database: str | None = None,
) -> dict[str, Any]:
    """Messages/s of the unavoidable work on one core (median of BOUND_REPS reps).

    ``database``: a PostgreSQL URL to insert into; otherwise a SQLite file in ``scratch``.
    Each rep starts on an empty table (unique ids would collide otherwise).
    """
    parse_message(messages[0].payload, SCHEMAS)  # compile the schemas outside the timing
    rates = []
    for rep in range(BOUND_REPS):
        if database:
            write, close = _postgres_writer(database)
        else:
            path = scratch / f"bound-{os.getpid()}-{rep}.db"
            write, close = _sqlite_writer(path)
        try:
            rates.append(_one_rep(messages, cert_pem, seconds / BOUND_REPS, write))
        finally:
            close()
    cores = os.cpu_count() or 1
    per_core = median(rates)
    return {
        "bound_per_core_msgs_per_s": round(per_core, 1),
        "bound_msgs_per_s": round(per_core * cores, 1),
        "bound_cores": cores,
        "bound_reps_msgs_per_s": [round(r, 1) for r in rates],
        "bound_commit_rows": BOUND_COMMIT_ROWS,
        "bound_store": "postgresql" if database else "sqlite",
    }
