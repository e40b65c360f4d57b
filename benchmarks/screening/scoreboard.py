"""Screening labelled cases and counting recall and false alerts, overall and per kind.

A case is a query name and either the entry it must find (a true variant) or None (a
clean name: any hit at the threshold is a false alert). ``Scoreboard.summary`` reports
recall over the kinds in scope, recall over every true kind, the false-alert rate over
all clean names and over the look-alikes among them, per-kind counts, and examples of
misses (with the score the entry did get) and of false alerts (with the hit).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import Query

EXPLAIN_SCORE_MIN = 0.3
"""Least score searched for when explaining a miss."""
EXPLAINED_MISSES_MAX = 60
EXPLAINED_HITS_MAX = 50
HITS_PER_CASE_MAX = 50
"""Most hits looked at per case (its own entry is among them if it reaches the threshold:
hits come best first, and no name has 50 listed namesakes scoring above it)."""


@dataclass(frozen=True)
class Case:
    query: str
    kind: str
    entry_id: str | None
    """The entry a true variant must find; None for a clean name."""
    lookalike: bool = True
    """For a clean name: whether it resembles a listed name (shares a rare word)."""


@dataclass
class Scoreboard:
    threshold: float
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """kind -> [cases, held]."""
    misses: list[tuple[Case, float]] = field(default_factory=list)
    alerts: list[tuple[Case, str]] = field(default_factory=list)
    clean_lookalike: list[int] = field(default_factory=lambda: [0, 0])
    seconds: float = 0.0

    def count(self, case: Case, held: bool) -> None:
        counts = self.by_kind.setdefault(case.kind, [0, 0])
        counts[0] += 1
        counts[1] += held
        if case.entry_id is None and case.lookalike:
            self.clean_lookalike[0] += 1
            self.clean_lookalike[1] += held

    def _sum(self, kinds: Iterable[str]) -> tuple[int, int]:
        chosen = [self.by_kind[k] for k in kinds if k in self.by_kind]
        return sum(c for c, _ in chosen), sum(h for _, h in chosen)

    def true_kinds(self, in_scope: frozenset[str]) -> list[str]:
        return [k for k in self.by_kind if not k.startswith("clean:") and _bare(k) in in_scope]

    def recall(self, in_scope: frozenset[str]) -> float:
        cases, held = self._sum(self.true_kinds(in_scope))
        return held / cases if cases else 1.0

    def false_alert_rate(self, lookalike_only: bool = False) -> float:
        if lookalike_only:
            cases, held = self.clean_lookalike
        else:
            cases, held = self._sum(k for k in self.by_kind if k.startswith("clean:"))
        return held / cases if cases else 0.0

    def kind_rate(self, kind: str) -> float:
        cases, held = self.by_kind[kind]
        return held / cases if cases else 0.0

    def summary(self, in_scope: frozenset[str], examples: int = 20) -> dict[str, object]:
        scoped = self._sum(self.true_kinds(in_scope))
        every = self._sum(k for k in self.by_kind if not k.startswith("clean:"))
        clean = self._sum(k for k in self.by_kind if k.startswith("clean:"))
        return {
            "threshold": self.threshold,
            "recall_in_scope": round(self.recall(in_scope), 4),
            "true_variants_in_scope": scoped[0],
            "recall_every_kind": round(every[1] / every[0], 4) if every[0] else None,
            "true_variants": every[0],
            "false_alert_rate": round(self.false_alert_rate(), 4),
            "clean_names": clean[0],
            "false_alert_rate_lookalikes": round(self.false_alert_rate(True), 4),
            "clean_lookalikes": self.clean_lookalike[0],
            "screens_per_s": round(sum(c for c, _ in self.by_kind.values()) / self.seconds)
            if self.seconds
            else None,
            "by_kind": {
                k: {
                    "cases": c,
                    "held": h,
                    "rate": round(h / c, 4),
                    "in_scope": _bare(k) in in_scope,
                }
                for k, (c, h) in sorted(self.by_kind.items())
            },
            "misses": [
                f"{c.kind}: {c.query!r} ({c.entry_id}, best {s:.2f})"
                for c, s in self.misses[:examples]
            ],
            "alerts": [f"{c.kind}: {c.query!r} -> {why}" for c, why in self.alerts[:examples]],
        }


def _bare(kind: str) -> str:
    return kind.split(":", 1)[-1]


def own_score(index: ScreeningIndex, case: Case) -> float:
    """The best score of the case's own entry, down to ``EXPLAIN_SCORE_MIN``."""
    hits = index.screen(Query("evaluation", name=case.query), min_score=EXPLAIN_SCORE_MIN,
                        limit=EXPLAINED_HITS_MAX)  # fmt: skip
    return max((h.score for h in hits if h.entry_id == case.entry_id), default=0.0)


def screen_cases(index: ScreeningIndex, cases: Iterable[Case], threshold: float) -> Scoreboard:
    """Screen every case at ``threshold`` and count what it holds."""
    board = Scoreboard(threshold)
    started = time.perf_counter()
    for case in cases:
        hits = index.screen(Query("evaluation", name=case.query), min_score=threshold,
                            limit=HITS_PER_CASE_MAX)  # fmt: skip
        if case.entry_id is None:
            held = bool(hits)
            if held:
                board.alerts.append((case, f"{hits[0].matched_name!r} {hits[0].why}"))
        else:
            held = any(hit.entry_id == case.entry_id for hit in hits)
            if not held:
                board.misses.append((case, 0.0))
        board.count(case, held)
    board.seconds = time.perf_counter() - started
    board.misses = [(c, own_score(index, c)) for c, _ in board.misses[:EXPLAINED_MISSES_MAX]]
    return board
