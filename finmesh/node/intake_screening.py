"""Sanctions screening inside intake: what a batch screens against, and the screening
of each message that would be accepted (after measures and licences).

``ActiveScreening`` is the index of the lists in force at one screening version plus the
approved good-guy exceptions; ``finmesh.node.screening.ScreeningService.active`` keeps
it current. ``screen_messages`` marks each screened message with its result (stored in
the same transaction as the message) and holds it under ``SCREENING_HOLD`` when a hit
that no exception covers reaches ``HOLD_THRESHOLD``.

No work for names already cleared: each process remembers the hits of the queries it
screened (``QUERY_CACHE_MAX``), and the store remembers them for every worker and node
and across restarts (the screening memo, ``Store.recall_screened``). A query this
process has not seen is looked up there first, for the whole batch in one statement;
only a query screened by nobody before is screened, and its hits are written in the
batch's own transaction. The memo's scope names the list versions (with digests) and
the matcher itself (``MATCHER``: a digest of the screening code and of the libraries it
normalises with), so a new list or a new finmesh never reuses an old answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata, resources
from typing import Any

from finmesh.domain.screening.decision import (
    HOLD_THRESHOLD,
    ScreeningResult,
    decide,
    without_good_guys,
)
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import GoodGuy, Hit, Query, VersionRef
from finmesh.domain.screening.queries import screening_queries
from finmesh.store.port import LoadedList, NewMessage, ScreenedQuery, ScreeningRecord

SCREENING_HOLD = "screening"
"""``held_by`` of a message held by a screening hit (the hold's "measure")."""
QUERY_CACHE_MAX = 100_000
"""Most screened queries whose hits a process remembers per index (agents and frequent
counterparties repeat in every message; the cache is cleared when full, the memo in the
store still answers). Remembered by what is screened (name, text, BIC, countries), not
by the field it came from: a counterparty that is the debtor of one payment and the
creditor of the next is screened once."""

_Content = tuple[str | None, str | None, str | None, tuple[str, ...]]
Recall = Callable[[str, Sequence[str]], dict[str, str]]
"""(scope, keys) -> the remembered hits (JSON) of those keys: ``Store.recall_screened``."""
_MATCHER_LIBRARIES = ("anyascii", "rapidfuzz")


def matcher_digest() -> str:
    """SHA-256 of the screening code (every module of finmesh.domain.screening) and of
    the versions of the libraries it normalises with: any change screens afresh."""
    digest = hashlib.sha256()
    package = resources.files("finmesh.domain.screening")
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py") and entry.is_file():
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    for library in _MATCHER_LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    return digest.hexdigest()


MATCHER = matcher_digest()


def memo_scope(index: ScreeningIndex) -> str:
    """What remembered hits are valid for: these list versions, this matcher."""
    versions = [[v.list_name, v.number, v.digest] for v in index.versions]
    text = json.dumps([MATCHER, index.coverage_floor, versions], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def memo_key(content: _Content) -> str:
    name, text, bic, countries = content
    return json.dumps([name, text, bic, list(countries)], ensure_ascii=False,
                      separators=(",", ":"))


def _hits_json(hits: Sequence[Hit]) -> str:
    rows = [[h.list_name, h.entry_id, h.entry_name, h.matched_name, h.score, h.why]
            for h in hits]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _hits_from_json(text: str, query: Query) -> list[Hit] | None:
    """Remembered hits, or None for a row this version cannot read (screened again)."""
    try:
        rows = json.loads(text)
        return [Hit(str(a), str(b), str(c), str(d), float(e), str(f), query)
                for a, b, c, d, e, f in rows]
    except (ValueError, TypeError):
        return None


def _content(query: Query) -> _Content:
    return (query.name, query.text, query.bic, query.countries)


@dataclass
class ActiveScreening:
    """What intake screens against at one screening version (read-only once built)."""

    version: int
    index: ScreeningIndex
    exceptions: tuple[GoodGuy, ...]
    """Approved, not withdrawn (expiry is checked per hit at the message's instant)."""
    lists: tuple[LoadedList, ...]
    _hits: dict[_Content, list[Hit]] = field(default_factory=dict, repr=False)
    scope: str = field(init=False)
    """The screening memo's scope of this index (``memo_scope``)."""
    versions_text: str = field(init=False)
    """The list versions screened against, as every result stores them (JSON)."""

    def __post_init__(self) -> None:
        self.scope = memo_scope(self.index)
        self.versions_text = json.dumps(_versions(self.index.versions))

    def screen(
        self, queries: Sequence[Query], now_ms: int, fresh: list[ScreenedQuery] | None = None
    ) -> ScreeningResult:
        """Screen every query (hits remembered per query), drop covered hits, decide.
        Each query screened now (not remembered) is appended to ``fresh``."""
        found = [hit for query in queries for hit in self._screen_one(query, fresh)]
        kept = without_good_guys(found, self.exceptions, now_ms)
        cleared = tuple(hit for hit in found if hit not in kept)
        hits = tuple(sorted(kept, key=lambda h: -h.score))
        return ScreeningResult(decide(hits, HOLD_THRESHOLD), hits, cleared, self.index.versions)

    def recall(self, queries: Iterable[Query], memo: Recall) -> int:
        """Fill this process's cache from the memo with the queries it has not screened;
        returns how many were found there."""
        missing: dict[str, Query] = {}
        for query in queries:
            content = _content(query)
            if content not in self._hits:
                missing.setdefault(memo_key(content), query)
        if not missing:
            return 0
        found = 0
        for key, text in memo(self.scope, list(missing)).items():
            asked = missing.get(key)
            hits = None if asked is None else _hits_from_json(text, asked)
            if asked is not None and hits is not None:
                self._remember(_content(asked), hits)
                found += 1
        return found

    def _screen_one(self, query: Query, fresh: list[ScreenedQuery] | None) -> list[Hit]:
        content = _content(query)
        hits = self._hits.get(content)
        if hits is None:
            hits = self.index.screen(query)
            self._remember(content, hits)
            if fresh is not None:
                fresh.append(ScreenedQuery(self.scope, memo_key(content), _hits_json(hits)))
        return [hit if hit.query == query else replace(hit, query=query) for hit in hits]

    def _remember(self, content: _Content, hits: list[Hit]) -> None:
        if len(self._hits) >= QUERY_CACHE_MAX:
            self._hits.clear()
        self._hits[content] = hits


def screen_messages(
    decided: Sequence[Any],
    active: ActiveScreening,
    now_ms: int,
    memo: Recall | None = None,
    fresh: list[ScreenedQuery] | None = None,
) -> list[Any]:
    """Intake: screen each message that would be accepted ((NewMessage, ParsedMessage)
    pairs; verdicts pass through). A hit at or above the threshold holds a message that
    no measure holds already; every screened message carries its result to the store.
    ``memo``: where queries screened before by another process are looked up (one
    lookup for the batch); what is screened now is appended to ``fresh``."""
    queries = {
        at: screening_queries(item[1]) for at, item in enumerate(decided)
        if isinstance(item, tuple)
    }
    if memo is not None and queries:
        active.recall((q for qs in queries.values() for q in qs), memo)
    out: list[Any] = []
    for at, item in enumerate(decided):
        if isinstance(item, tuple):
            new, parsed = item
            item = (_screened(new, queries[at], active, now_ms, fresh), parsed)
        out.append(item)
    return out


def _screened(
    new: NewMessage,
    queries: Sequence[Query],
    active: ActiveScreening,
    now_ms: int,
    fresh: list[ScreenedQuery] | None,
) -> NewMessage:
    result = active.screen(queries, now_ms, fresh)
    held_by = new.held_by
    if held_by is None and result.decision == "hold":
        held_by = SCREENING_HOLD
    record = ScreeningRecord(
        result.decision,
        active.versions_text,  # the same for every message: written once per index
        json.dumps([*map(hit_json, result.hits), *(hit_json(h, True) for h in result.cleared)]),
    )
    return replace(new, held_by=held_by, screening=record)


def hit_json(hit: Hit, cleared: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "list": hit.list_name,
        "entry": hit.entry_id,
        "name": hit.entry_name,
        "matched": hit.matched_name,
        "score": round(hit.score, 3),
        "why": hit.why,
        "field": hit.query.field,
        "screened": hit.query.name or hit.query.bic or hit.query.text,
    }
    if cleared:
        data["cleared"] = True
    return data


def versions_json(result: ScreeningResult) -> list[dict[str, Any]]:
    return _versions(result.versions)


def _versions(versions: Iterable[VersionRef]) -> list[dict[str, Any]]:
    return [{"list": v.list_name, "version": v.number, "digest": v.digest} for v in versions]


