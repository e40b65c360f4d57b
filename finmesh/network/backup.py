"""``finmesh backup DIR OUT`` and ``finmesh restore OUT DIR``: a network folder copied
while its node runs, restored elsewhere, both checked by the audit verification.

A backup is a folder: the database copy (``store.backup``), the network's files (its
config, CA, operator and participant profiles, archives) and ``manifest.json`` with
the SHA-256 of every file, the audit head and the schema version. The audit head is
read before the database is copied, so the copy holds at least every entry it names:
``audit verify`` of the copy passes, or the backup is refused. A restore checks every
digest first, writes into a new folder only, and verifies the restored audit trail.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Any

from finmesh.config import CONFIG_FILE, NetworkConfig, is_network
from finmesh.domain.audit import AuditHead, verify_with_head
from finmesh.domain.errors import FinmeshError, Refused
from finmesh.store import backup as db_backup
from finmesh.store.audit_head import HEAD_FILE, read_anchor
from finmesh.store.factory import check_url, open_store, read_audit_trail
from finmesh.store.sqlite_policy import read_audit

MANIFEST = "manifest.json"
FORMAT = 1
COPIED = (CONFIG_FILE, "ca", "operators", "participants", "archive", "DEMO-PASSPHRASE")
"""What of a network folder a backup holds besides the database (locks, the node's
run/ folder and its log are not state)."""


class BackupError(FinmeshError):
    """A backup or restore that cannot be made or trusted."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def backup(root: Path, out: Path) -> dict[str, Any]:
    """Copy the network at ``root`` into the new folder ``out``; its manifest."""
    config = NetworkConfig.load(root)
    _new_folder(out, "backup_exists")
    head = read_anchor(root / HEAD_FILE)  # first: the database copy holds at least this
    for name in COPIED:
        _copy(root / name, out / name)
    if head is not None:
        (out / HEAD_FILE).write_text(json.dumps({"seq": head.seq, "hash": head.hash}))
    url = config.database_url
    if url is None:
        db_backup.backup_sqlite(config.database, out)
        entries = read_audit(out / db_backup.SQLITE_FILE)
        verdict = verify_with_head(entries, head)
    else:
        db_backup.backup_postgres(check_url(url), out)
        verdict = verify_with_head(read_audit_trail(config)[0], head)
    if not verdict.ok:
        raise BackupError("audit_broken", f"the copied audit trail fails: {verdict.problem}")
    manifest = _manifest(config, out, head, verdict.checked, url is not None)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return {k: v for k, v in manifest.items() if k != "files"} | {"files": len(manifest["files"])}


def restore(out: Path, root: Path, database_url: str | None = None) -> dict[str, Any]:
    """Recreate the network of backup ``out`` in the new folder ``root`` (PostgreSQL:
    into ``database_url``, else the database the backed-up network names)."""
    manifest = _checked_manifest(out)
    _new_folder(root, "restore_target_exists")
    for name in (*COPIED, HEAD_FILE):
        _copy(out / name, root / name)
    config = NetworkConfig.load(root)
    if manifest["database"] == "sqlite":
        db_backup.restore_sqlite(out, config.database)
    else:
        url = check_url(database_url or config.database_url or "")
        if database_url:
            config = NetworkConfig(config.root, config.name, config.url, database_url)
            config.save()
        db_backup.restore_postgres(out, url)
    open_store(config).close()  # opens, and migrates a copy made by an older finmesh
    entries, head = read_audit_trail(config)
    verdict = verify_with_head(entries, head)
    if not verdict.ok:
        raise BackupError("audit_broken", f"the restored audit trail fails: {verdict.problem}")
    return {"network": str(root), "restored_from": str(out), "audit_entries": verdict.checked,
            "audit_head": verdict.head, "created_ms": manifest["created_ms"]}


def _new_folder(path: Path, code: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(code, f"{path} exists and is not empty; give a new folder")
    path.mkdir(parents=True, exist_ok=True)


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, symlinks=False)
    elif src.is_file():
        shutil.copy2(src, dst)


def _files(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST:
            found[rel] = _sha256(path)
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(
    config: NetworkConfig, out: Path, head: AuditHead | None, checked: int, postgres: bool
) -> dict[str, Any]:
    store = open_store(config)
    try:
        schema = store.schema_version()
    finally:
        store.close()
    return {
        "format": FORMAT,
        "network": config.name,
        "created_ms": time.time_ns() // 1_000_000,
        "database": "postgres" if postgres else "sqlite",
        "schema_version": schema,
        "audit_entries": checked,
        "audit_head": None if head is None else {"seq": head.seq, "hash": head.hash},
        "files": _files(out),
    }


def _checked_manifest(out: Path) -> dict[str, Any]:
    if not (out / MANIFEST).is_file():
        raise BackupError("not_a_backup", f"{out} holds no {MANIFEST}: not a finmesh backup")
    manifest: dict[str, Any] = json.loads((out / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("backup_format", f"backup format {manifest.get('format')} unknown")
    listed: dict[str, str] = manifest["files"]
    present = _files(out)
    for rel, digest in listed.items():
        if present.get(rel) != digest:
            what = "missing" if rel not in present else "changed"
            raise BackupError("backup_corrupt", f"{rel} is {what} since the backup was made")
    extra = sorted(set(present) - set(listed))
    if extra:
        raise BackupError("backup_corrupt", f"{extra[0]} was added since the backup was made")
    if is_network(out) is False:
        raise Refused(f"{out} holds no {CONFIG_FILE}")
    return manifest
