"""The values of sanctions screening: list entries and versions, queries, hits, exceptions.

Everything is frozen. A ``ListVersion`` is one immutable load of one list: its entries and
the SHA-256 of their canonical JSON form, so two loads of the same content have the same
digest whatever order or format they came in, and a screening result can name exactly the
list contents it was screened against.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum


class EntryType(Enum):
    """Whether a listed name belongs to a natural person or to an organisation."""

    PERSON = "person"
    ENTITY = "entity"


@dataclass(frozen=True)
class ListEntry:
    """One listed person or entity, as the list gives it (nothing normalised)."""

    id: str
    """The list's own identifier (OFAC uid, EU logicalId, UN DATAID, FtM id, CSV id)."""
    type: EntryType
    name: str
    """The primary name."""
    aliases: tuple[str, ...] = ()
    """Strong aliases (OFAC "strong" a.k.a., UN "Good" quality, FtM ``alias``)."""
    weak_aliases: tuple[str, ...] = ()
    """Weak aliases (OFAC "weak", UN "Low", FtM ``weakAlias``): they score lower."""
    countries: tuple[str, ...] = ()
    """ISO 3166 alpha-2 codes, upper case (nationality, citizenship, address, registration)."""
    bics: tuple[str, ...] = ()
    """BIC8 or BIC11, upper case."""
    programme: str = ""
    """Sanctions programme(s) or regime, as the list writes them ("UKRAINE-EO13662")."""

    def canonical(self) -> dict[str, object]:
        """A JSON-ready form with sorted, de-duplicated collections (for the digest)."""
        return {
            "id": self.id,
            "type": self.type.value,
            "name": self.name,
            "aliases": sorted(set(self.aliases)),
            "weak_aliases": sorted(set(self.weak_aliases)),
            "countries": sorted(set(self.countries)),
            "bics": sorted(set(self.bics)),
            "programme": self.programme,
        }


def content_digest(entries: tuple[ListEntry, ...]) -> str:
    """SHA-256 (hex) of the entries' canonical JSON, sorted by id: order does not matter."""
    canonical = sorted((entry.canonical() for entry in entries), key=lambda e: str(e["id"]))
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ListVersion:
    """One immutable load of a list. Build it with ``ListVersion.create``."""

    list_name: str
    number: int
    """1 for the first load of ``list_name``, then 2, 3, ... (assigned by the store)."""
    label: str
    """The operator's or publisher's label for this load (a file name, a publication date)."""
    digest: str
    """``content_digest(entries)``."""
    entries: tuple[ListEntry, ...] = field(repr=False)

    @classmethod
    def create(
        cls, list_name: str, number: int, label: str, entries: tuple[ListEntry, ...]
    ) -> ListVersion:
        return cls(list_name, number, label, content_digest(entries), entries)

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    def ref(self) -> VersionRef:
        return VersionRef(self.list_name, self.number, self.digest)


@dataclass(frozen=True)
class VersionRef:
    """What a screening result records about each list version it used."""

    list_name: str
    number: int
    digest: str


@dataclass(frozen=True)
class Query:
    """One thing to screen, taken from a message or typed by an officer.

    ``name`` is compared as a whole name (token order free); ``text`` is free text searched
    for listed names inside it; ``bic`` is compared on its first 8 characters with listed
    BICs; ``countries`` (ISO alpha-2) are evidence that raises or lowers a name's score.
    """

    field: str
    """Where the value came from: "Dbtr/Nm", "RmtInf/Ustrd", "cli", ..."""
    name: str | None = None
    text: str | None = None
    bic: str | None = None
    countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A listed entry that a query resembles, with a score in [0, 1] and the reason."""

    list_name: str
    entry_id: str
    entry_name: str
    """The entry's primary name."""
    matched_name: str
    """The listed name (primary or alias) that matched, as listed; a BIC for BIC hits."""
    score: float
    why: str
    query: Query


@dataclass(frozen=True)
class GoodGuy:
    """A known false positive cleared for one counterparty (approved by two officers).

    ``cleared_for`` is a BIC (8 or 11 characters) or a name: the exception covers hits on
    entry ``entry_id`` of ``list_name`` raised by a query with that BIC, or with a name
    that normalises to the same words.
    """

    id: str
    list_name: str
    entry_id: str
    cleared_for: str
    expires_ms: int | None = None
    """Epoch milliseconds after which the exception no longer applies; None: no expiry."""
