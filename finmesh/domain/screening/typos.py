"""Words one typing error away (two in long words), found by lookups, not by scanning.

A typo is one edit in the optimal-string-alignment sense (rapidfuzz ``OSA``): insertion,
deletion, substitution or swap of neighbours. One typo is found with a symmetric
deletion index (SymSpell): every indexed key is stored under each string one deletion
away from it, so two keys one edit apart always share an entry. Two typos are looked for
only in long words that matched nothing else, among indexed long keys that share their
first or last four letters and differ in length by two at most, with rapidfuzz's C++
``process.extract``.

Short words tolerate no typo (one letter changes a short name: "VTB" is not "VEB"), and
in words shorter than ``FIRST_LETTER_CHARS_MIN`` the first letter must agree, be
swapped with the second ("Bayan" is not "Rayan"), or be its other spelling in another
romanisation system (``FIRST_LETTER_READINGS``): Arabic ق as Q, G or K ("Qaddafi",
"Gaddafi"), Cyrillic Г as G or H ("Gurzhy", "Hurzhy"), Korean ㄱ ㅂ ㄷ as K/G, P/B,
T/D ("Pak", "Bak"), Arabic and Persian initial vowels ("Usama", "Osama"), German W and
J for В and Й ("Wladimir", "Jurij"), and an initial "h" French and West African
romanisations of Arabic drop ("Haroun", "Aroun"; "Hissene", "Issene").
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

from finmesh.domain.screening.multimap import MultiMap

ONE_TYPO_CHARS_MIN = 5
"""Shortest word in which one typo is tolerated (the other word may be one shorter)."""
SHORTER_CHARS_MIN = ONE_TYPO_CHARS_MIN - 1
FIRST_LETTER_CHARS_MIN = 8
"""Shortest word in which a typo may change the first letter."""
TWO_TYPOS_CHARS_MIN = 9
"""Shortest word, screened and listed, in which two typos are tolerated."""
_END_CHARS = 4
FIRST_LETTER_READINGS = frozenset(
    frozenset(pair)
    for pair in ("qg", "qk", "kg", "kc", "gh", "gj", "pb", "td", "jy", "vw", "ou", "ie", "ae")
)
"""Pairs of first letters that romanisation systems write for the same sound."""


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _first_letter_fits(word: str, other: str) -> bool:
    return (
        word[0] == other[0]
        or min(len(word), len(other)) >= FIRST_LETTER_CHARS_MIN
        or word[:2] == other[1::-1]
        or frozenset((word[0], other[0])) in FIRST_LETTER_READINGS
        or (word[0] == "h" and word[1:] == other)
        or (other[0] == "h" and other[1:] == word)
    )


class TypoIndex:
    """Keys (words or folded words) and their one- and two-typo neighbours."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        # Keyed by the hash of the deleted string, not the string: a third of the memory;
        # a rare collision only adds a candidate, which the distance check then drops.
        self._by_deletion: MultiMap[int, str] = MultiMap()
        self._long_by_end: MultiMap[tuple[str, int], str] = MultiMap()

    def add(self, key: str) -> None:
        if len(key) < SHORTER_CHARS_MIN or key in self._keys:
            return
        self._keys.add(key)
        by_deletion = self._by_deletion
        for deleted in _deletions(key):
            by_deletion.add(hash(deleted), key)
        if len(key) >= TWO_TYPOS_CHARS_MIN:
            self._long_by_end.add(("<" + key[:_END_CHARS], len(key)), key)
            self._long_by_end.add((">" + key[-_END_CHARS:], len(key)), key)

    def near(self, key: str, *, two: bool) -> list[tuple[str, int]]:
        """Indexed keys one typo from ``key`` (and, if ``two`` and none, two typos away)."""
        if len(key) < SHORTER_CHARS_MIN:
            return []
        candidates: set[str] = set(self._by_deletion.get(hash(key)))
        keys, by_deletion = self._keys, self._by_deletion
        for deleted in _deletions(key):
            if deleted in keys:
                candidates.add(deleted)
            candidates.update(by_deletion.get(hash(deleted)))
        candidates.discard(key)
        found = [
            (str(other), 1)
            for other, _, _ in process.extract(
                key, list(candidates), scorer=OSA.distance, score_cutoff=1, limit=None
            )
            if max(len(key), len(other)) >= ONE_TYPO_CHARS_MIN and _first_letter_fits(key, other)
        ]
        if two and not found and len(key) >= TWO_TYPOS_CHARS_MIN:
            found = self._two_typos(key)
        return found

    def _two_typos(self, key: str) -> list[tuple[str, int]]:
        bucket: set[str] = set()
        for length in range(len(key) - 2, len(key) + 3):
            bucket.update(self._long_by_end.get(("<" + key[:_END_CHARS], length)))
            bucket.update(self._long_by_end.get((">" + key[-_END_CHARS:], length)))
        if not bucket:
            return []
        matches = process.extract(
            key, list(bucket), scorer=OSA.distance, score_cutoff=2, limit=None
        )
        return [(str(other), int(distance)) for other, distance, _ in matches if distance > 0]
