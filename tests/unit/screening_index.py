"""What the screening unit tests share: an index over a few entries, and which of them
hold a name (reach the hold threshold)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import ListEntry, ListVersion, Query


def unit_index(entries: Iterable[ListEntry]) -> ScreeningIndex:
    """An index over ``entries``, as one version of one list."""
    return ScreeningIndex.build([ListVersion.create("t", 1, "unit", tuple(entries))])


def held(index: ScreeningIndex, name: str) -> set[str]:
    """The ids of the entries that hold ``name``."""
    hits = index.screen(Query("test", name=name), min_score=HOLD_THRESHOLD)
    return {hit.entry_id for hit in hits}


def counted(index: ScreeningIndex) -> list[Query]:
    """Make ``index`` record every query it really screens (not those a cache answers);
    returns the record."""
    screened: list[Query] = []
    original = index.screen

    def counting(query: Query, **options: Any) -> Any:
        screened.append(query)
        return original(query, **options)

    index.screen = counting  # type: ignore[method-assign]
    return screened
