"""The audit head anchor: the newest audit entry's sequence number and hash, kept in a
file beside the database (``audit.head``) after every commit that appends to the chain.

A hash chain alone cannot show that its newest entries were cut off; the anchor can,
as long as it is not cut back too. It is written after the commit, so after a crash it
may lag the database by the last transaction (a lower bound, never ahead of it).
Several processes may write it: an advisory lock and a "never go back" rule keep the
highest head. A PostgreSQL network keeps the file in its network folder; nodes on other
machines keep their own (each a lower bound of the chain; see docs/scale-out.md).
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from finmesh.domain.audit import AuditHead

HEAD_FILE = "audit.head"


def head_path(database: Path) -> Path:
    return database.parent / HEAD_FILE


def read_head(database: Path) -> AuditHead | None:
    return read_anchor(head_path(database))


def advance_head(database: Path, head: AuditHead) -> None:
    advance_anchor(head_path(database), head)


def read_anchor(path: Path) -> AuditHead | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return AuditHead(seq=int(data["seq"]), hash=str(data["hash"]))


def advance_anchor(path: Path, head: AuditHead) -> None:
    """Record ``head`` in the anchor file ``path`` unless a later head is recorded."""
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_anchor(path)
        if current is not None and current.seq >= head.seq:
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seq": head.seq, "hash": head.hash}))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
