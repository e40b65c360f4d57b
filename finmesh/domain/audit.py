"""The tamper-evident audit trail: an append-only hash chain.

Each entry's hash covers its sequence number, time, actor, action, subject, details
and the previous entry's hash. Editing an entry breaks its own hash; removing,
inserting or reordering entries breaks a sequence number or a previous-hash link.
Verification walks the chain and names the first entry where it breaks.
Truncating the newest entries, or rewriting the whole chain, is only detectable against
a head recorded elsewhere: the store keeps one beside the database (verify_with_head),
and the verify output prints it to keep further away (a ticket, a log).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at_ms: int
    actor: str
    action: str
    subject: str
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at_ms": self.at_ms,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": dict(self.details),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class AuditHead:
    """The newest entry as recorded outside the chain's own storage."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    head: str
    first_bad_seq: int | None = None
    problem: str | None = None


def canonical(entry: AuditEntry) -> bytes:
    """The exact bytes an entry's hash covers."""
    body = [
        entry.seq,
        entry.at_ms,
        entry.actor,
        entry.action,
        entry.subject,
        dict(entry.details),
        entry.prev_hash,
    ]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def next_entry(
    previous: AuditEntry | None,
    *,
    at_ms: int,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
) -> AuditEntry:
    """The entry that follows ``previous`` (None for the first), with its hash."""
    draft = AuditEntry(
        seq=1 if previous is None else previous.seq + 1,
        at_ms=at_ms,
        actor=actor,
        action=action,
        subject=subject,
        details=dict(details),
        prev_hash=GENESIS_HASH if previous is None else previous.hash,
    )
    return AuditEntry(**{**draft.__dict__, "hash": entry_hash(draft)})


def verify_chain(entries: Iterable[AuditEntry]) -> ChainVerdict:
    """Walk entries in storage order; report the first that breaks the chain."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in entries:
        problem = _problem(entry, expected_seq, prev_hash)
        if problem:
            return ChainVerdict(False, checked, prev_hash, entry.seq, problem)
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    return ChainVerdict(True, checked, prev_hash)


def verify_with_head(entries: Iterable[AuditEntry], head: AuditHead | None) -> ChainVerdict:
    """verify_chain, plus the recorded head: entries cut off from the end, or a chain
    rewritten up to the head, are found too. No head recorded means nothing to compare:
    only an empty chain may lack one."""
    listed = list(entries)
    verdict = verify_chain(listed)
    if not verdict.ok:
        return verdict
    if head is None:
        if listed:
            return ChainVerdict(
                False,
                verdict.checked,
                verdict.head,
                listed[-1].seq,
                "the recorded audit head is missing",
            )
        return verdict
    if verdict.checked < head.seq:
        return ChainVerdict(
            False,
            verdict.checked,
            verdict.head,
            verdict.checked + 1,
            f"entries {verdict.checked + 1}..{head.seq} are missing from the end "
            f"(the recorded head is entry {head.seq})",
        )
    if listed[head.seq - 1].hash != head.hash:
        return ChainVerdict(
            False,
            verdict.checked,
            verdict.head,
            head.seq,
            f"entry {head.seq} differs from the recorded head: the chain was rewritten",
        )
    return verdict


def _problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str | None:
    if entry_hash(entry) != entry.hash:
        return f"entry {entry.seq} was edited: its content does not match its hash"
    if entry.seq != expected_seq:
        if entry.seq > expected_seq:
            return f"entries {expected_seq}..{entry.seq - 1} are missing before entry {entry.seq}"
        return f"entry {entry.seq} is out of order: expected entry {expected_seq} here"
    if entry.prev_hash != prev_hash:
        return (
            f"entry {entry.seq} does not follow entry {entry.seq - 1}: an entry was "
            "removed, inserted or reordered"
        )
    return None
