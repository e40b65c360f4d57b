"""Screening quality on the published-alias evaluation (OFAC's own aliases, real bank
names, recombined listed names): the held-out ("unseen") half's figures, pinned as floors
and ceilings so that a change that loses recall or adds false alerts fails here.

The figures are far from the issue's goal (recall 0.98 at 1 % false alerts): they are
what the matcher reaches today on variants it was not tuned on (docs/screening.md). The
data lives beside the checkout (``../shared/sanctions``); without it the test skips.
"""

from __future__ import annotations

import pytest

from benchmarks.screening import kinds, published
from benchmarks.screening.scoreboard import Scoreboard, screen_cases
from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex

RECALL_IN_SCOPE_MIN = 0.77
"""Measured 0.777 on the unseen half (3,035 in-scope aliases; 0.773 before syllables by
romanisation system, forms of common words and Thai spellings; 0.757 before patronymics,
short forms with the last given name as surname, "Abd" stems and abbreviations of
Muhammad; 0.708 before sound keys, titles, split words and second given names; 0.682
before persons' short forms, first-letter romanisations and sound-alike spellings)."""
FALSE_ALERT_RATE_MAX = 0.0125
"""Measured 0.0123 on the unseen half (15,420 clean names; 0.0125 before Korean and
Chinese names counted every syllable; 0.0141 before replaced words, initial vowels of
short names and names turned round and respelled; 0.0144 before the third round; 0.0232
before extra words cost more against one-word listed names)."""
REGISTRY_BANK_RATE_MAX = 0.0055
"""Measured 0.0054 on the unseen half (37 of 6,912 registry banks, as before the fifth
round; 0.0042 before the third)."""
KIND_RECALL_MIN = {
    "entity:fewer_parts": 0.79,  # measured 0.818 (short names)
    "entity:more_parts": 0.89,  # 0.909 (0.984 before one-word listed names cost more)
    "entity:respelled": 0.79,  # 0.809 (0.780 before forms of common words, 0.734 before sound keys)
    "entity:respelled+fewer_parts": 0.47,  # 0.480 (0.337 before split words)
    "entity:respelled+more_parts": 0.47,  # 0.487 (0.469 before forms of common words)
    "person:fewer_parts": 0.80,  # 0.816 (0.768 before the last given name as surname)
    "person:more_parts": 0.98,  # 1.0
    "person:respelled": 0.83,  # 0.838 (0.835 before syllables, 0.764 before sound keys)
    "person:respelled+fewer_parts": 0.57,  # 0.583 (0.531 before patronymics counted 0.15)
    "person:respelled+more_parts": 0.79,  # 0.806 (0.726)
}

FOLDER = published.shared_sanctions()
pytestmark = pytest.mark.skipif(
    FOLDER is None, reason="shared/sanctions (OFAC SDN 2021) is not beside this checkout"
)


@pytest.fixture(scope="module")
def board() -> Scoreboard:
    assert FOLDER is not None
    version, cases = published.build(FOLDER, "unseen")
    return screen_cases(ScreeningIndex.build([version]), cases, HOLD_THRESHOLD)


def test_the_halves_are_fixed_and_disjoint() -> None:
    assert published.half_of("306") == published.half_of("306")
    halves = {published.half_of(str(n)) for n in range(100)}
    assert halves == {"development", "unseen"}


def test_unseen_recall_in_scope_holds_its_floor(board: Scoreboard) -> None:
    assert board.recall(kinds.IN_SCOPE) >= RECALL_IN_SCOPE_MIN


def test_unseen_false_alert_rate_holds_its_ceiling(board: Scoreboard) -> None:
    assert board.false_alert_rate() <= FALSE_ALERT_RATE_MAX


def test_unseen_registry_banks_hold_their_ceiling(board: Scoreboard) -> None:
    assert board.kind_rate("clean:registry_bank") <= REGISTRY_BANK_RATE_MAX


def test_unseen_recall_per_kind_holds_its_floor(board: Scoreboard) -> None:
    for kind, floor in KIND_RECALL_MIN.items():
        assert board.kind_rate(kind) >= floor, kind


def test_kinds_come_from_the_strings_alone() -> None:
    assert kinds.variation_kind("PUTIN, Vladimir", "Vladimir Putin", True) is None
    assert kinds.variation_kind("SECHIN, Igor Ivanovich", "SECHIN, Igor", True) == "fewer_parts"
    assert kinds.variation_kind("QADHAFI, Muammar", "GADDAFI, Muammar", True) == "respelled"
    assert kinds.variation_kind("BANCO NACIONAL DE CUBA", "BNC", False) == "acronym"
    assert kinds.variation_kind("AL-AQSA FOUNDATION", "AL-AQSA INTERNATIONAL FOUNDATION",
                                False) == "more_parts"  # fmt: skip
    assert kinds.variation_kind("KOZITSYN, Nikolai", "KOZITSYN, Boris", True) == "other_name"
