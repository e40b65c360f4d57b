"""The bound: the CPU time of the unavoidable work per message, alone, in one thread.

Per message: a hardened lxml parse, validation of the AppHdr and the Document against
their official XSDs, one ECDSA P-256 signature verified over the payload, and one row
inserted (with the unique index that makes intake exactly-once) into the same kind of
store the node uses, committed durably every ``BOUND_COMMIT_ROWS`` rows. It counts
the CPU time of that work (``time.process_time``: fsync waits are not CPU), not the
wall-clock time. It does not count what a node may do better or not at all: the Python
walk that extracts parties and amounts, HTTP, JSON, request authentication, routing,
RMA, measures, screening, queueing, sequence numbers. Those are the overhead a node
is compared against the bound with.

``bound_cpu_us_per_msg`` is that CPU time per message (median of the reps); the
machine's bound is ``cores / bound_cpu_us_per_msg`` messages per second.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from benchmarks.stats import median
from benchmarks.traffic import SignedMessage
from finmesh.domain.iso20022.intake import split_envelope
from finmesh.domain.iso20022.model import HEADER_NS, definition_of
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.identity import pki
from finmesh.node.schemas import packaged_registry

SCHEMAS = packaged_registry()
_FROM_BIC = "/".join(f"{{{HEADER_NS}}}{n}" for n in ("Fr", "FIId", "FinInstnId", "BICFI"))
_BIZ_MSG_ID = f"{{{HEADER_NS}}}BizMsgIdr"
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


def unavoidable(payload: bytes) -> tuple[str, str]:
    """Parse and validate against the official XSDs; (sender BIC, BizMsgIdr)."""
    header, document = split_envelope(parse_untrusted(payload))
    for element in (header, document):
        definition = definition_of(etree.QName(element).namespace) or ""
        validator = SCHEMAS.validator_for(definition)
        if validator is None or validator.validate(element) is not None:
            raise RuntimeError(f"a benchmark message is not valid {definition}")
    sender = header.findtext(_FROM_BIC)
    biz_msg_id = header.findtext(_BIZ_MSG_ID)
    if not sender or not biz_msg_id:
        raise RuntimeError("a benchmark message has no sender or BizMsgIdr")
    return sender, biz_msg_id


def _one_rep(
    messages: Sequence[SignedMessage], cert_pem: bytes, seconds: float, write: Writer
) -> tuple[float, float]:
    """(messages per wall-clock second, CPU microseconds per message) of one rep."""
    done = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    deadline = start + seconds
    for at in range(0, len(messages), BOUND_COMMIT_ROWS):
        rows: list[Row] = []
        for m in messages[at : at + BOUND_COMMIT_ROWS]:
            sender, biz_msg_id = unavoidable(m.payload)
            if not pki.verify_signature(cert_pem, m.payload, m.signature):
                raise RuntimeError("a benchmark message does not verify")
            rows.append((sender, biz_msg_id, m.payload, m.signature, time.time_ns() // 1_000_000))
        write(rows)
        done += len(rows)
        if time.perf_counter() >= deadline:
            break
    cpu = time.process_time() - cpu_start
    return done / (time.perf_counter() - start), cpu / done * 1e6


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
    unavoidable(messages[0].payload)  # compile the schemas outside the timing
    rates, cpu_us = [], []
    for rep in range(BOUND_REPS):
        if database:
            write, close = _postgres_writer(database)
        else:
            path = scratch / f"bound-{os.getpid()}-{rep}.db"
            write, close = _sqlite_writer(path)
        try:
            rate, cpu = _one_rep(messages, cert_pem, seconds / BOUND_REPS, write)
            rates.append(rate)
            cpu_us.append(cpu)
        finally:
            close()
    cores = os.cpu_count() or 1
    per_message_us = median(cpu_us)
    per_core = 1e6 / per_message_us
    return {
        "bound_cpu_us_per_msg": round(per_message_us, 1),
        "bound_per_core_msgs_per_s": round(per_core, 1),
        "bound_msgs_per_s": round(per_core * cores, 1),
        "bound_cores": cores,
        "bound_reps_cpu_us_per_msg": [round(c, 1) for c in cpu_us],
        "bound_reps_wall_msgs_per_s": [round(r, 1) for r in rates],
        "bound_commit_rows": BOUND_COMMIT_ROWS,
        "bound_store": "postgresql" if database else "sqlite",
    }
