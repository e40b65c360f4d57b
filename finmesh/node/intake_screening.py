"""Sanctions screening inside intake: what a batch screens against, and the screening
of each message that would be accepted (after measures and licences).

``ActiveScreening`` is the index of the lists in force at one screening version plus the
approved good-guy exceptions; ``finmesh.node.screening.ScreeningService.active`` keeps
it current. ``screen_messages`` marks each screened message with its result (stored in
the same transaction as the message) and holds it under ``SCREENING_HOLD`` when a hit
that no exception covers reaches ``HOLD_THRESHOLD``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from finmesh.domain.iso20022 import ParsedMessage
from finmesh.domain.screening.decision import (
    HOLD_THRESHOLD,
    ScreeningResult,
    decide,
    without_good_guys,
)
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import GoodGuy, Hit, Query
from finmesh.domain.screening.queries import screening_queries
from finmesh.store.port import LoadedList, NewMessage, ScreeningRecord

SCREENING_HOLD = "screening"
"""``held_by`` of a message held by a screening hit (the hold's "measure")."""
QUERY_CACHE_MAX = 50_000
"""Most screened queries whose hits are remembered per index (agents and frequent
counterparties repeat in every message; the cache is cleared when full). Remembered by
what is screened (name, text, BIC, countries), not by the field it came from: a
counterparty that is the debtor of one payment and the creditor of the next is
screened once."""

_Content = tuple[str | None, str | None, str | None, tuple[str, ...]]


@dataclass
class ActiveScreening:
    """What intake screens against at one screening version (read-only once built)."""

    version: int
    index: ScreeningIndex
    exceptions: tuple[GoodGuy, ...]
    """Approved, not withdrawn (expiry is checked per hit at the message's instant)."""
    lists: tuple[LoadedList, ...]
    _hits: dict[_Content, list[Hit]] = field(default_factory=dict, repr=False)

    def screen(self, queries: Sequence[Query], now_ms: int) -> ScreeningResult:
        """Screen every query (hits remembered per query), drop covered hits, decide."""
        found = [hit for query in queries for hit in self._screen_one(query)]
        kept = without_good_guys(found, self.exceptions, now_ms)
        cleared = tuple(hit for hit in found if hit not in kept)
        hits = tuple(sorted(kept, key=lambda h: -h.score))
        return ScreeningResult(decide(hits, HOLD_THRESHOLD), hits, cleared, self.index.versions)

    def _screen_one(self, query: Query) -> list[Hit]:
        content = (query.name, query.text, query.bic, query.countries)
        hits = self._hits.get(content)
        if hits is None:
            if len(self._hits) >= QUERY_CACHE_MAX:
                self._hits.clear()
            hits = self._hits[content] = self.index.screen(query)
        return [hit if hit.query == query else replace(hit, query=query) for hit in hits]


def screen_messages(
    decided: Sequence[Any], active: ActiveScreening, now_ms: int
) -> list[Any]:
    """Intake: screen each message that would be accepted ((NewMessage, ParsedMessage)
    pairs; verdicts pass through). A hit at or above the threshold holds a message that
    no measure holds already; every screened message carries its result to the store."""
    out: list[Any] = []
    for item in decided:
        if isinstance(item, tuple):
            new, parsed = item
            item = (_screened(new, parsed, active, now_ms), parsed)
        out.append(item)
    return out


def _screened(
    new: NewMessage, parsed: ParsedMessage, active: ActiveScreening, now_ms: int
) -> NewMessage:
    result = active.screen(screening_queries(parsed), now_ms)
    held_by = new.held_by
    if held_by is None and result.decision == "hold":
        held_by = SCREENING_HOLD
    record = ScreeningRecord(
        result.decision,
        json.dumps(versions_json(result)),
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
    return [{"list": v.list_name, "version": v.number, "digest": v.digest}
            for v in result.versions]


