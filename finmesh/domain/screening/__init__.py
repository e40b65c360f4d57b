"""Sanctions name screening, pure: list model, normalisation, the index, the decision.

No I/O: list files are read by ``finmesh.sanctions`` (bytes -> ``ListEntry`` values);
storage, four-eyes approval and HTTP belong to the store, ``compliance`` and the API.

How the pieces are meant to be wired::

    from finmesh.domain.screening import (
        ListVersion, ScreeningIndex, Query, GoodGuy, screen_all, screening_queries,
    )
    # 1. a load: entries = finmesh.sanctions.parse_list(data, fmt)  (or ListFormatError)
    version = ListVersion.create("ofac", number, label, entries)   # immutable, with digest
    # 2. once per set of active versions (one per list name; a few seconds for 100,000
    #    entries): build, then share read-only; rebuild when a list gets a new version.
    index = ScreeningIndex.build(active_versions)
    # 3. per message (after parse_message) or per officer query:
    result = screen_all(index, screening_queries(parsed), exceptions=approved_good_guys,
                        now_ms=now)
    result.decision   # "clear" | "hold" (HOLD_THRESHOLD)
    result.hits       # Hit: list_name, entry_id, entry_name, matched_name, score, why, query
    result.versions   # VersionRef per list version used: record it with the result
    # CLI ``finmesh screen --name N [--country CC] [--bic BIC]``:
    hits = index.screen(Query("cli", name=N, countries=(CC,), bic=BIC))
    decision = decide(hits)

Modules: ``model`` (values), ``scripts`` and ``normalise`` (romanisation and word keys),
``weights`` (rarity), ``typos``, ``sound_keys``, ``slavic_names``, ``given_names`` and
``vocabulary`` (finding akin words), ``scoring`` (alignment, score, explanation),
``short_forms`` (short names), ``index`` (``ScreeningIndex``), ``decision``
(threshold, good guys, ``ScreeningResult``), ``queries`` (what a message gives).

The index is not thread-safe for building, but screening only reads it, apart from a
per-index cache of word lookups (a dict; safe under the GIL). Building pauses the cyclic
garbage collector and then freezes the heap (``gc.freeze``): see ``index``.
"""

from finmesh.domain.screening.decision import (
    HOLD_THRESHOLD,
    ScreeningResult,
    decide,
    screen_all,
    without_good_guys,
)
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import (
    EntryType,
    GoodGuy,
    Hit,
    ListEntry,
    ListVersion,
    Query,
    VersionRef,
)
from finmesh.domain.screening.queries import message_countries, screening_queries

__all__ = [
    "HOLD_THRESHOLD",
    "EntryType",
    "GoodGuy",
    "Hit",
    "ListEntry",
    "ListVersion",
    "Query",
    "ScreeningIndex",
    "ScreeningResult",
    "VersionRef",
    "decide",
    "message_countries",
    "screen_all",
    "screening_queries",
    "without_good_guys",
]
