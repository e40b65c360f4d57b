"""Observation service: what operators read about the network beside the compliance
work (a message's life, traffic per minute, queues, the directory). The operator
console calls it; every read needs one of the operator roles, as the API's reads do.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from finmesh.domain.audit import AuditEntry
from finmesh.domain.errors import BadRequest, NotFound, Rejected
from finmesh.domain.iso20022.extract import extract
from finmesh.domain.iso20022.intake import split_envelope
from finmesh.domain.iso20022.model import ParsedMessage
from finmesh.domain.iso20022.model import definition_of as _definition_of
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.identity import pki
from finmesh.node.clock import Clock
from finmesh.node.compliance import READ_ROLES, require_any
from finmesh.store.console_tables import MessageLife, MessageRow
from finmesh.store.port import Store

MINUTE_MS = 60_000
RATE_MINUTES = 60
QUEUES_SHOWN = 20
ACTIVE_WINDOW_MS = 5 * MINUTE_MS
"""A participant handed or acking messages within this window counts as connected."""
LOOKUP_FIELDS = ("uetr", "biz_msg_id", "osn")
AUDIT_SHOWN_MAX = 10_000


@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries to show: instants [from, to), and actor, action (a prefix:
    "measure." matches every measure action) and subject as written."""

    from_ms: int | None = None
    to_ms: int | None = None
    actor: str = ""
    action: str = ""
    subject: str = ""

    def keeps(self, entry: AuditEntry) -> bool:
        return (
            (self.from_ms is None or entry.at_ms >= self.from_ms)
            and (self.to_ms is None or entry.at_ms < self.to_ms)
            and (not self.actor or entry.actor == self.actor)
            and (not self.action or entry.action.startswith(self.action))
            and (not self.subject or entry.subject == self.subject)
        )


@dataclass(frozen=True)
class ReadableMessage:
    """A stored message as a person reads it: its facts, parsed content and raw bytes."""

    row: MessageRow
    parsed: ParsedMessage | None
    problem: str | None
    """Why the payload could not be read (the raw bytes are still shown)."""
    raw: str
    translation: str | None


class NakTally:
    """NAKs per minute and reason code, counted by this node process as it answers
    (NAKed messages are never stored, so no other record of them exists)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._minutes: dict[int, Counter[str]] = {}

    def count(self, reasons: Iterable[str]) -> None:
        found = Counter(reasons)
        if not found:
            return
        minute = self.clock() // MINUTE_MS
        with self._lock:
            self._minutes.setdefault(minute, Counter()).update(found)
            for old in [m for m in self._minutes if m <= minute - RATE_MINUTES]:
                del self._minutes[old]

    def per_minute(self, minutes: Sequence[int]) -> dict[str, list[int]]:
        """One list per reason code over ``minutes`` (oldest first)."""
        with self._lock:
            copy = {m: Counter(c) for m, c in self._minutes.items()}
        codes = sorted({code for c in copy.values() for code in c})
        return {code: [copy.get(m, Counter())[code] for m in minutes] for code in codes}


class Observation:
    def __init__(
        self, store: Store, clock: Clock, snapshot: Callable[[], PolicySnapshot]
    ) -> None:
        self.store = store
        self.clock = clock
        self.snapshot = snapshot
        self.naks = NakTally(clock)

    def audit(self, roles: Iterable[str], wanted: AuditFilter) -> list[AuditEntry]:
        """The audit entries ``wanted`` keeps, oldest first (at most AUDIT_SHOWN_MAX)."""
        require_any(roles, READ_ROLES)
        start, end = wanted.from_ms, wanted.to_ms
        if start is not None and end is not None and end <= start:
            raise BadRequest("the end of the period must be after its start")
        kept = [e for e in self.store.audit_entries() if wanted.keeps(e)]
        return kept[-AUDIT_SHOWN_MAX:]

    def rates(self, roles: Iterable[str]) -> dict[str, Any]:
        """Counts per minute over the last hour, oldest first, one list per series."""
        require_any(roles, READ_ROLES)
        now_minute = self.clock() // MINUTE_MS
        first = now_minute - RATE_MINUTES + 1
        series = self.store.traffic_per_minute(first * MINUTE_MS)
        minutes = list(range(first, now_minute + 1))
        return {
            "minutes": [m * MINUTE_MS for m in minutes],
            "series": {
                name: [counts.get(m, 0) for m in minutes] for name, counts in series.items()
            },
            "naks": self.naks.per_minute(minutes),
        }

    def queues(self, roles: Iterable[str]) -> dict[str, Any]:
        require_any(roles, READ_ROLES)
        oldest = self.store.oldest_undelivered()
        return {
            "depths": self.store.queue_depths(QUEUES_SHOWN),
            "oldest": None
            if oldest is None
            else {
                "message_id": oldest[0],
                "sender": oldest[1],
                "receiver": oldest[2],
                "biz_msg_id": oldest[3],
                "received_ms": oldest[4],
                "age_ms": self.clock() - oldest[4],
            },
        }

    def participants(self, roles: Iterable[str]) -> list[dict[str, Any]]:
        """Every participant with its last delivery activity and whether it is
        disconnected by a measure in force (and which)."""
        require_any(roles, READ_ROLES)
        now = self.clock()
        snapshot = self.snapshot()
        activity = self.store.last_activity()
        found = []
        for bic11 in self.store.participants():
            measure = snapshot.disconnected(bic11[:8], now)
            last = activity.get(bic11)
            found.append(
                {
                    "bic": bic11,
                    "last_activity_ms": last,
                    "connected": measure is None
                    and last is not None
                    and now - last <= ACTIVE_WINDOW_MS,
                    "disconnected_by": None if measure is None else measure.id,
                }
            )
        return found

    def find(self, roles: Iterable[str], field: str, value: str) -> list[MessageRow]:
        require_any(roles, READ_ROLES)
        value = value.strip()
        if field not in LOOKUP_FIELDS:
            raise BadRequest(f"look a message up by one of {', '.join(LOOKUP_FIELDS)}")
        if not value or len(value) > 64:
            raise BadRequest("give a value of 1 to 64 characters to look up")
        if field == "osn" and not value.isdigit():
            raise BadRequest(f"an OSN is a positive whole number, not {value!r}")
        return self.store.find_messages(field, value)

    def life(self, roles: Iterable[str], message_id: int) -> MessageLife:
        require_any(roles, READ_ROLES)
        found = self.store.message_life(message_id)
        if found is None:
            raise NotFound(f"no stored message {message_id}")
        return found

    def readable(self, roles: Iterable[str], message_id: int) -> ReadableMessage:
        require_any(roles, READ_ROLES)
        row = self.store.message_by_id(message_id)
        payload = self.store.message_payload(message_id)
        if row is None or payload is None:
            raise NotFound(f"no stored message {message_id}")
        raw, translation = payload
        parsed, problem = _parse(translation or raw)
        return ReadableMessage(
            row,
            parsed,
            problem,
            raw.decode("utf-8", "replace"),
            None if translation is None else translation.decode("utf-8", "replace"),
        )

    def message_of_hold(self, roles: Iterable[str], sender: str, biz_msg_id: str) -> int:
        require_any(roles, READ_ROLES)
        row = self.store.message_by_sender(sender, biz_msg_id)
        if row is None:
            raise NotFound(f"no stored message {biz_msg_id} of {sender}")
        return row.id

    def institutions(
        self, roles: Iterable[str], text: str, country: str, limit: int = 100
    ) -> list[tuple[str, str, str, str | None]]:
        require_any(roles, READ_ROLES)
        text, country = text.strip(), country.strip().upper()
        if len(text) > 140 or (country and len(country) != 2):
            raise BadRequest("search for at most 140 characters and a 2-letter country code")
        return self.store.search_institutions(text, country, limit)

    def institution(self, roles: Iterable[str], bic: str) -> dict[str, Any]:
        """One institution: directory entries of its BIC8, participant certificate,
        measures naming or covering it (and the one disconnecting it now), ownership."""
        require_any(roles, READ_ROLES)
        text = bic.strip().upper()
        if len(text) not in (8, 11) or not text.isalnum():
            raise BadRequest(f"{bic[:20]!r} is not a BIC8 or BIC11")
        bic8, now = text[:8], self.clock()
        entries = self.store.institutions_with_bic8(bic8)
        participant = self.store.participant_for_bic8(bic8)
        if not entries and participant is None:
            raise NotFound(f"{bic8} is not in the directory")
        cert_pem = None if participant is None else self.store.participant_cert(participant)
        snapshot = self.snapshot()
        disconnecting = snapshot.disconnected(bic8, now)
        return {
            "bic8": bic8,
            "entries": entries,
            "participant": participant,
            "certificate": None if cert_pem is None else pki.certificate_identity(cert_pem),
            "retired": [
                c for c in self.store.retired_certificates(now) if c.subject[:8] == bic8
            ],
            "disconnected_by": None if disconnecting is None else disconnecting.id,
            "measures": [
                m for m in snapshot.measures if m.bic8 == bic8 or bic8 in m.covered
            ],
            "owners": [x for x in self.store.ownership_links() if x.child == bic8],
            "owned": [x for x in self.store.ownership_links() if x.parent == bic8],
        }

    def recent_traffic(self, roles: Iterable[str], bic8: str, limit: int = 20) -> list[MessageRow]:
        require_any(roles, READ_ROLES)
        return self.store.recent_traffic(bic8, limit)


def _parse(payload: bytes) -> tuple[ParsedMessage | None, str | None]:
    """Read a stored message the way intake extracted it (it passed validation then)."""
    try:
        header, document = split_envelope(parse_untrusted(payload))
        definition = _definition_of(document.tag.split("}")[0].lstrip("{")) or "unknown"
        return extract(header, document, definition), None
    except Rejected as exc:
        return None, str(exc)
