"""Retention of delivered payloads: archive, then prune, after a period the operator
sets (``finmesh retention DIR --days N``, default ``FINMESH_RETENTION_DAYS``).

Payloads of messages their receiver acknowledged more than the period ago are written
to ``DIR/archive/payloads-<ms>-<n>.jsonl.gz`` (one JSON object per message: ids,
parties, times, payload, signature, translation; base64), the file is fsynced, and
only then are those payloads emptied in the database, in one transaction with an audit
entry ``retention.prune`` naming the file, its SHA-256 and the message ids. The message
records stay (with each payload's SHA-256), so duplicates are still recognised, the
audit chain still verifies, and every archived payload can be checked against the hash
it was accepted with (``verify_archives``).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from finmesh.domain.errors import BadRequest
from finmesh.node.clock import Clock
from finmesh.store.port import ArchivedPayload, AuditNote, Store

ARCHIVE_DIR = "archive"
MESSAGES_PER_FILE = 1000
DAY_MS = 86_400_000


def run_retention(
    store: Store, root: Path, days: float, clock: Clock, actor: str = "retention"
) -> dict[str, Any]:
    """Archive and prune every payload acknowledged more than ``days`` ago."""
    if days <= 0:
        raise BadRequest("retention is off: give a period of more than 0 days")
    now = clock()
    cutoff = now - int(days * DAY_MS)
    folder = root / ARCHIVE_DIR
    folder.mkdir(exist_ok=True)
    files: list[str] = []
    pruned = 0
    while batch := store.prunable(cutoff, MESSAGES_PER_FILE):
        path = folder / f"payloads-{now}-{len(files) + 1}.jsonl.gz"
        digest = _write_archive(path, batch)
        note = AuditNote(
            actor,
            "retention.prune",
            path.name,
            {"sha256": digest, "messages": [a.message_id for a in batch], "cutoff_ms": cutoff},
        )
        pruned += store.prune_payloads(batch, note, clock())
        files.append(path.name)
    return {"pruned": pruned, "archives": files, "cutoff_ms": cutoff}


def _write_archive(path: Path, batch: list[ArchivedPayload]) -> str:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for a in batch:
            out.write(json.dumps(_line(a)) + "\n")
    with path.open("rb") as handle:
        os.fsync(handle.fileno())  # on disk before any payload is pruned
        return hashlib.sha256(handle.read()).hexdigest()


def _line(a: ArchivedPayload) -> dict[str, Any]:
    return {
        "message_id": a.message_id,
        "sender": a.sender,
        "receiver": a.receiver,
        "biz_msg_id": a.biz_msg_id,
        "payload_sha256": a.payload_sha256,
        "received_ms": a.received_ms,
        "acked_ms": a.acked_ms,
        "payload": base64.b64encode(a.payload).decode(),
        "signature": base64.b64encode(a.signature).decode(),
        "translation": None if a.translation is None else base64.b64encode(a.translation).decode(),
    }


def verify_archives(root: Path) -> dict[str, Any]:
    """Every archived payload against the SHA-256 it was stored with; the bad ones."""
    checked, bad = 0, []
    for path in sorted((root / ARCHIVE_DIR).glob("payloads-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                payload = base64.b64decode(item["payload"])
                checked += 1
                if hashlib.sha256(payload).hexdigest() != item["payload_sha256"]:
                    bad.append(f"{path.name}: message {item['message_id']}")
    return {"checked": checked, "ok": not bad, "bad": bad}
