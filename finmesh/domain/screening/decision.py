"""From hits to a decision: good-guy exceptions, the hold threshold, the recorded result.

``HOLD_THRESHOLD`` is chosen on the development halves of the evaluation sets
(``benchmarks/screening``, docs/screening.md; unit tests hold recall and the false-alert
rate at this value). A message is held when any hit that no active good-guy exception
covers scores at least the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import GoodGuy, Hit, Query, VersionRef
from finmesh.domain.screening.normalise import normalise_name

HOLD_THRESHOLD = 0.80
"""Least hit score that holds a message for a compliance officer."""

Decision = Literal["clear", "hold"]

_BIC8_CHARS = 8


def decide(hits: Iterable[Hit], threshold: float = HOLD_THRESHOLD) -> Decision:
    """ "hold" when any hit scores at least ``threshold``, else "clear"."""
    return "hold" if any(hit.score >= threshold for hit in hits) else "clear"


def _is_bic(value: str) -> bool:
    return len(value) in (8, 11) and value.isalnum() and value.isupper()


def covers(exception: GoodGuy, hit: Hit, now_ms: int) -> bool:
    """True when ``exception`` is in force at ``now_ms`` and clears ``hit``."""
    if exception.expires_ms is not None and now_ms >= exception.expires_ms:
        return False
    if (exception.list_name, exception.entry_id) != (hit.list_name, hit.entry_id):
        return False
    cleared = exception.cleared_for.strip()
    if _is_bic(cleared):
        bic = hit.query.bic or ""
        return bic[:_BIC8_CHARS].upper() == cleared[:_BIC8_CHARS]
    if hit.query.name is None:
        return False
    return normalise_name(hit.query.name).tokens == normalise_name(cleared).tokens


def without_good_guys(hits: Iterable[Hit], exceptions: Sequence[GoodGuy], now_ms: int) -> list[Hit]:
    """The hits that no exception in force covers (pass only approved exceptions)."""
    return [hit for hit in hits if not any(covers(e, hit, now_ms) for e in exceptions)]


@dataclass(frozen=True)
class ScreeningResult:
    """What screening a message (or one name) found, and what the store records."""

    decision: Decision
    hits: tuple[Hit, ...]
    """Every hit reported, including those below the threshold, best first."""
    cleared: tuple[Hit, ...]
    """Hits dropped because a good-guy exception covers them."""
    versions: tuple[VersionRef, ...]
    """The list versions screened against."""


def screen_all(
    index: ScreeningIndex,
    queries: Sequence[Query],
    *,
    exceptions: Sequence[GoodGuy] = (),
    now_ms: int = 0,
    threshold: float = HOLD_THRESHOLD,
) -> ScreeningResult:
    """Screen every query, drop hits covered by exceptions, and decide."""
    found = [hit for query in queries for hit in index.screen(query)]
    kept = without_good_guys(found, exceptions, now_ms)
    kept_ids = {id(hit) for hit in kept}
    cleared = tuple(hit for hit in found if id(hit) not in kept_ids)
    hits = tuple(sorted(kept, key=lambda h: -h.score))
    return ScreeningResult(decide(hits, threshold), hits, cleared, index.versions)
