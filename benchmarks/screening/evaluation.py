"""The labelled evaluation set of name screening, and precision / recall at a threshold.

``build_evaluation_set(listed, seed)`` invents ``listed`` names (``listed_names``: Russian,
Greek, Arabic and Western persons and entities; Russian, Greek and Arabic persons written
in their script and romanised as lists do), makes them one list, and derives from each its
true variants and clean look-alikes (``variants``). The same seed gives the same set.

A clean look-alike that happens to contain every identifying part of some listed name
(given name and surname, or distinctive words, in any spelling: ``variants.identity``) is
dropped: it would be a true match of that other name, not a false alert.

``evaluate(index, cases, threshold)``: a true variant counts as found when its own entry
is among the hits scoring at least ``threshold``; a clean name is a false alert when any
hit reaches the threshold. Reported: recall, false-alert rate, precision (over this set's
mix), per kind, and the misses and false alerts themselves.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field

from benchmarks.screening.listed_names import Composed, compose
from benchmarks.screening.variants import clean_variants, identity, true_variants
from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion, Query

EVALUATION_LIST = "evaluation"
DEFAULT_LISTED = 1_000
DEFAULT_SEED = 20_260_001
EXAMPLES_MAX = 25
"""Most misses and false alerts quoted in a report."""


@dataclass(frozen=True)
class Case:
    query: str
    kind: str
    entry_id: str | None
    """The entry a true variant belongs to; None for a clean name."""


@dataclass(frozen=True)
class EvaluationSet:
    version: ListVersion
    cases: tuple[Case, ...]

    @property
    def positives(self) -> int:
        return sum(case.entry_id is not None for case in self.cases)


def _entry(number: int, name: Composed, rng: random.Random) -> ListEntry:
    aliases: tuple[str, ...] = ()
    if name.person and rng.random() < 0.25:
        aliases = (" ".join(p.spellings[0] for p in name.parts if p.role != "middle"),)
    return ListEntry(
        id=f"EV-{number:05d}",
        type=EntryType.PERSON if name.person else EntryType.ENTITY,
        name=name.listed(),
        aliases=tuple(a for a in aliases if a != name.listed()),
        weak_aliases=(name.weak_alias,) if name.weak_alias else (),
        programme="EVALUATION",
    )


def build_evaluation_set(listed: int = DEFAULT_LISTED, seed: int = DEFAULT_SEED) -> EvaluationSet:
    """``listed`` invented names as one list version, with their variants and look-alikes."""
    rng = random.Random(seed)
    names = [compose(rng) for _ in range(listed)]
    entries = tuple(_entry(n, name, rng) for n, name in enumerate(names, start=1))
    listed_identities = {identity(name) for name in names}
    cases: list[Case] = []
    for name, entry in zip(names, entries, strict=True):
        cases.extend(Case(q, kind, entry.id) for kind, q in true_variants(name, rng))
        for kind, composed in clean_variants(name, rng):
            words = identity(composed, with_middle=True)
            if not any(listed <= words for listed in listed_identities):
                cases.append(Case(composed.listed(), kind, None))
    version = ListVersion.create(EVALUATION_LIST, 1, f"seed {seed}", entries)
    return EvaluationSet(version, tuple(cases))


@dataclass
class Report:
    threshold: float
    true_variants: int = 0
    found: int = 0
    clean_names: int = 0
    false_alerts: int = 0
    seconds: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """kind -> [cases, held]."""
    misses: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.true_variants if self.true_variants else 1.0

    @property
    def false_alert_rate(self) -> float:
        return self.false_alerts / self.clean_names if self.clean_names else 0.0

    @property
    def precision(self) -> float:
        held = self.found + self.false_alerts
        return self.found / held if held else 1.0

    def summary(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "true_variants": self.true_variants,
            "clean_names": self.clean_names,
            "recall": round(self.recall, 4),
            "false_alert_rate": round(self.false_alert_rate, 4),
            "precision": round(self.precision, 4),
            "screens_per_s": round((self.true_variants + self.clean_names) / self.seconds)
            if self.seconds
            else None,
            "by_kind": {k: {"cases": v[0], "held": v[1]} for k, v in sorted(self.by_kind.items())},
        }


def evaluate(
    index: ScreeningIndex, cases: tuple[Case, ...], threshold: float = HOLD_THRESHOLD
) -> Report:
    """Screen every case and count what the threshold holds."""
    report = Report(threshold)
    started = time.perf_counter()
    for case in cases:
        query = Query("evaluation", name=case.query)
        hits = index.screen(query, min_score=threshold, limit=index.entry_count)
        counts = report.by_kind.setdefault(case.kind, [0, 0])
        counts[0] += 1
        if case.entry_id is not None:
            report.true_variants += 1
            held = any(h.entry_id == case.entry_id for h in hits)
            report.found += held
            if not held and len(report.misses) < EXAMPLES_MAX:
                report.misses.append(f"{case.kind}: {case.query!r} ({case.entry_id})")
        else:
            report.clean_names += 1
            held = bool(hits)
            report.false_alerts += held
            if held and len(report.alerts) < EXAMPLES_MAX:
                report.alerts.append(
                    f"{case.kind}: {case.query!r} -> {hits[0].matched_name!r} {hits[0].why}"
                )
        counts[1] += held
    report.seconds = time.perf_counter() - started
    return report


def main() -> None:
    """``python -m benchmarks.screening.evaluation [LISTED [SEED]]``: the report as JSON."""
    listed = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LISTED
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED
    labelled = build_evaluation_set(listed, seed)
    report = evaluate(ScreeningIndex.build([labelled.version]), labelled.cases)
    print(json.dumps({**report.summary(), "misses": report.misses, "alerts": report.alerts}))


if __name__ == "__main__":
    main()
