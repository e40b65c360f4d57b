"""Bounds every list format shares, and the checked assembly of ``ListEntry`` values.

Each parser reads its format into ``RawEntry`` values (strings as found, with where they
were found); ``finish`` checks them all (required fields, lengths, BICs, country codes,
duplicate ids, entry count) and only then returns the entries, so a bad file never
yields part of a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from finmesh.domain.bic import is_country_code, is_valid_bic
from finmesh.domain.screening.model import EntryType, ListEntry
from finmesh.sanctions.errors import ListFormatError, ListProblem

LIST_BYTES_MAX = 256 * 1024 * 1024
"""Largest list file accepted, in bytes (OFAC's SDN XML is ~30 MB, EU's FSF ~25 MB)."""
LIST_ENTRIES_MAX = 1_000_000
"""Most entries in one list file."""
FIELD_CHARS_MAX = 1_000
"""Longest name, alias, identifier or programme, in characters."""
NAMES_PER_ENTRY_MAX = 1_000
"""Most names (primary and aliases) of one entry."""

_COUNTRY_ALIASES = {
    "russia": "RU", "burma": "MM", "korea, north": "KP", "north korea": "KP",
    "korea, south": "KR", "south korea": "KR", "iran (islamic republic of)": "IR",
    "turkey": "TR", "syria": "SY", "laos": "LA", "vietnam": "VN", "moldova": "MD",
    "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "cote d'ivoire": "CI",
    "congo, democratic republic of the": "CD", "democratic republic of the congo": "CD",
    "kosovo": "XK", "west bank": "PS", "gaza": "PS", "palestinian": "PS", "macau": "MO",
    "united states": "US", "united kingdom": "GB", "czech republic": "CZ",
}  # fmt: skip
"""Country names lists write that ISO 3166 spells otherwise."""


@dataclass
class RawEntry:
    """An entry as read, before checks. ``where``: the line or element it came from."""

    where: str
    id: str = ""
    type: str = ""
    """"person" or "entity" (parsers map their own vocabulary to these)."""
    names: list[str] = field(default_factory=list)
    """Primary name first, then strong aliases."""
    weak_aliases: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    """ISO alpha-2 codes or country names."""
    bics: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def country_code(value: str) -> str | None:
    """The ISO alpha-2 code of a code or a country name lists use; None if unknown."""
    text = value.strip()
    if len(text) == 2 and is_country_code(text.upper()):
        return text.upper()
    alias = _COUNTRY_ALIASES.get(text.casefold())
    if alias is not None:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def _bounded(value: str, what: str, where: str) -> str:
    text = " ".join(value.split())
    if len(text) > FIELD_CHARS_MAX:
        raise ListFormatError(
            ListProblem.FIELD_TOO_LONG, f"{what} has {len(text)} characters", where
        )
    return text


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _entry(raw: RawEntry) -> ListEntry:
    where = raw.where
    identifier = _bounded(raw.id, "id", where)
    if not identifier:
        raise ListFormatError(ListProblem.MISSING_FIELD, "entry has no id", where)
    names = _unique(_bounded(name, "name", where) for name in raw.names)
    if not names:
        raise ListFormatError(ListProblem.MISSING_FIELD, f"entry {identifier} has no name", where)
    weak = _unique(_bounded(name, "alias", where) for name in raw.weak_aliases)
    if len(names) + len(weak) > NAMES_PER_ENTRY_MAX:
        raise ListFormatError(
            ListProblem.FIELD_TOO_LONG, f"entry {identifier}: too many names", where
        )
    if raw.type not in ("person", "entity"):
        raise ListFormatError(ListProblem.BAD_VALUE, f"type {raw.type!r} of {identifier}", where)
    bics = _unique(bic.strip().upper() for bic in raw.bics)
    for bic in bics:
        if not is_valid_bic(bic):
            raise ListFormatError(ListProblem.BAD_VALUE, f"BIC {bic!r} of {identifier}", where)
    countries = _unique(code or "" for code in map(country_code, raw.countries))
    return ListEntry(
        id=identifier,
        type=EntryType(raw.type),
        name=names[0],
        aliases=tuple(name for name in names[1:] if name != names[0]),
        weak_aliases=tuple(name for name in weak if name not in names),
        countries=countries,
        bics=bics,
        programme=_bounded("; ".join(_unique(raw.programmes)), "programme", where),
    )


def finish(raws: Iterable[RawEntry]) -> tuple[ListEntry, ...]:
    """Check every raw entry and return them all, or raise for the first one at fault."""
    entries: list[ListEntry] = []
    seen: dict[str, str] = {}
    for raw in raws:
        entry = _entry(raw)
        if entry.id in seen:
            detail = f"id {entry.id} also at {seen[entry.id]}"
            raise ListFormatError(ListProblem.DUPLICATE_ID, detail, raw.where)
        seen[entry.id] = raw.where
        entries.append(entry)
        if len(entries) > LIST_ENTRIES_MAX:
            raise ListFormatError(
                ListProblem.TOO_MANY_ENTRIES, f"more than {LIST_ENTRIES_MAX}", raw.where
            )
    if not entries:
        raise ListFormatError(ListProblem.EMPTY, "no entries found")
    return tuple(entries)


def check_size(data: bytes) -> None:
    if len(data) > LIST_BYTES_MAX:
        raise ListFormatError(ListProblem.TOO_LARGE, f"{len(data)} bytes, limit {LIST_BYTES_MAX}")


def text_of(data: bytes) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped)."""
    check_size(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            ListProblem.BAD_ENCODING, f"invalid UTF-8 at byte {exc.start}"
        ) from None
