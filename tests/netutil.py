"""Test helpers: a demo network template built once per run, copied per test, and a
real node process on a free loopback port."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from finmesh.config import NetworkConfig
from finmesh.network.create import init_network
from finmesh.node.clock import system_clock
from finmesh.node.schemas import Schemas
from finmesh.store.factory import open_store
from finmesh.store.port import Store
from tests.shareddata import shared_root


def build_template(root: Path) -> Path:
    template = root / "template"
    config = init_network(template, demo=True, url="http://127.0.0.1:1", name="test")
    register_shared_schemas(config)
    return template


def register_shared_schemas(config: NetworkConfig) -> int:
    """Register every official XSD of the shared test data with the network, as its
    operator would with `finmesh schemas add` (none when the data is absent)."""
    root = shared_root()
    if root is None:
        return 0
    files = [(p.name, p.read_bytes()) for p in sorted((root / "iso20022" / "xsd").glob("*.xsd"))]
    store = open_store(config)
    try:
        return len(Schemas(store, system_clock).add(files, actor="network"))
    finally:
        store.close()


def copy_network(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def participants(root: Path) -> list[Path]:
    return sorted((root / "participants").iterdir())


def authorize_all(store: Store, now_ms: int, actor: str = "test") -> int:
    """RMA: authorize every ordered pair of the store's participants for every message
    type, as `finmesh init --demo` does for its own; for tests that onboard more."""
    return store.rma_grant_pairs([bic11[:8] for bic11 in store.participants()], actor, now_ms)


# --- helpers for the integration and acceptance tests ------------------------------

COUNTED_TABLES = ("messages", "queue", "notices")


@contextlib.contextmanager
def read_only_db(root: Path) -> Iterator[sqlite3.Connection]:
    """The network's SQLite file opened read-only (safe while a node is writing)."""
    conn = sqlite3.connect(f"file:{root / 'finmesh.db'}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def db_counts(root: Path) -> dict[str, int]:
    """Row counts of the tables intake and delivery write to."""
    with read_only_db(root) as db:
        return {
            t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED_TABLES
        }


def db_consistency(root: Path) -> dict[str, object]:
    """What a consistent store must show: integrity ok, messages and queue rows 1:1."""
    with read_only_db(root) as db:
        return {
            "integrity": [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()],
            "messages": db.execute("SELECT count(*) FROM messages").fetchone()[0],
            "queue": db.execute("SELECT count(*) FROM queue").fetchone()[0],
            "messages_without_queue": db.execute(
                "SELECT count(*) FROM messages m"
                " WHERE (SELECT count(*) FROM queue q WHERE q.message_id = m.id) != 1"
            ).fetchone()[0],
            "queue_without_message": db.execute(
                "SELECT count(*) FROM queue q LEFT JOIN messages m ON m.id = q.message_id"
                " WHERE m.id IS NULL"
            ).fetchone()[0],
        }


def non_participant_institution(root: Path) -> str:
    """A directory BIC11 whose BIC8 belongs to no participant (route -> H03)."""
    with read_only_db(root) as db:
        row = db.execute(
            "SELECT bic11 FROM institutions WHERE bic11 LIKE '%XXX'"
            " AND bic8 NOT IN (SELECT bic8 FROM participants) ORDER BY bic11 LIMIT 1"
        ).fetchone()
    assert row is not None, "demo directory has no non-participant institution"
    return str(row[0])


def absent_bic(root: Path) -> str:
    """A valid BIC11 whose BIC8 is not in the directory (route -> H02)."""
    with read_only_db(root) as db:
        for candidate in ("QXQXDEFFXXX", "QZQZFRPPXXX", "XQXQGB2LXXX"):
            if (
                db.execute("SELECT 1 FROM institutions WHERE bic8 = ?", (candidate[:8],)).fetchone()
                is None
            ):
                return candidate
    raise AssertionError("every candidate BIC is in the directory")


def header_text(payload: bytes, name: str) -> str:
    """Text of the first AppHdr/Document element called ``name`` (e.g. BizMsgIdr)."""
    match = re.search(rb"<(?:\w+:)?" + name.encode() + rb">([^<]*)<", payload)
    assert match is not None, f"no {name} in payload"
    return match.group(1).decode()


def submission(
    payload: bytes, signature: bytes | None, notify_delivery: bool = False
) -> dict[str, object]:
    """One item of a POST /v1/messages body, with any (or no) signature."""
    item: dict[str, object] = {
        "payload": base64.b64encode(payload).decode(),
        "notify_delivery": notify_delivery,
    }
    if signature is not None:
        item["signature"] = base64.b64encode(signature).decode()
    return item


def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.01
) -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def run_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m finmesh ARGS` as a subprocess, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "finmesh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


@contextlib.contextmanager
def served_in_process(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a loopback port, on a thread of this process (so a
    test can reach into the node while it serves); yields the base URL."""
    import threading

    import uvicorn

    from finmesh.node.launcher import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
