"""Screening quality on the labelled evaluation set, at the hold threshold (issue 7 goals).

Quality, not speed: recall on true variants of listed names and the false-alert rate on
clean look-alikes are properties of the matcher, asserted on a fixed-seed set. Speed is
measured by ``finmesh bench screening`` (benchmarks.screening.speed), never asserted here.
"""

from __future__ import annotations

import pytest

from benchmarks.screening.evaluation import EvaluationSet, Report, build_evaluation_set, evaluate
from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex

RECALL_MIN = 0.98
FALSE_ALERT_RATE_MAX = 0.01
TRUE_KINDS = {
    "script", "script_short", "translit", "reorder", "typo1", "typo2", "drop_middle",
    "legal_form", "weak_alias",
}  # fmt: skip
CLEAN_KINDS = {"other_surname", "other_given", "shared_common", "same_legal_form", "near_short"}


@pytest.fixture(scope="module")
def labelled() -> EvaluationSet:
    return build_evaluation_set()


@pytest.fixture(scope="module")
def report(labelled: EvaluationSet) -> Report:
    return evaluate(ScreeningIndex.build([labelled.version]), labelled.cases, HOLD_THRESHOLD)


def test_the_set_is_deterministic_and_covers_every_kind(labelled: EvaluationSet) -> None:
    again = build_evaluation_set()
    assert again.cases == labelled.cases
    assert again.version.digest == labelled.version.digest
    kinds = {case.kind for case in labelled.cases}
    assert kinds == TRUE_KINDS | CLEAN_KINDS
    assert labelled.positives > 5_000
    assert len(labelled.cases) - labelled.positives > 1_500


def test_recall_on_true_variants_reaches_the_goal(report: Report) -> None:
    assert report.recall >= RECALL_MIN, report.misses


def test_false_alert_rate_on_clean_names_stays_under_the_goal(report: Report) -> None:
    assert report.false_alert_rate <= FALSE_ALERT_RATE_MAX, report.alerts


def test_every_true_kind_is_mostly_found(report: Report) -> None:
    for kind in TRUE_KINDS:
        cases, held = report.by_kind[kind]
        assert held / cases >= 0.9, kind


def test_another_seed_holds_the_goals_too() -> None:
    other = build_evaluation_set(listed=600, seed=7)
    result = evaluate(ScreeningIndex.build([other.version]), other.cases, HOLD_THRESHOLD)
    assert result.recall >= RECALL_MIN
    assert result.false_alert_rate <= FALSE_ALERT_RATE_MAX
