"""Short forms of listed names: which words a shorter query must match to be taken for
the whole name, and whether it does.

An entity's short name keeps its first, distinctive words ("Almaz-Antey JSC" for
"ALMAZ-ANTEY AIR AND SPACE DEFENCE CORPORATION JSC", never "Space Defence"); a person's
short form keeps a given name and the heaviest surname word ("LAREDO, Ismael" for
"LAREDO DONJUAN, Ismael"; "SALAZAR, Alejandrina" for "SALAZAR HERNANDEZ, Maria
Alejandrina", the second given name as written). A query all of whose words align with
such a form scores ``scoring.SHORT_NAME_FACTOR`` times its similarity (``index``).
"""

from __future__ import annotations

from typing import Protocol

from finmesh.domain.screening.scoring import Alignment
from finmesh.domain.screening.weights import leading_titles, syllabic


class ShortFormed(Protocol):
    """What these tests read of an index form."""

    @property
    def words(self) -> tuple[int, ...]: ...
    @property
    def total(self) -> float: ...
    @property
    def required(self) -> tuple[int, ...]: ...
    @property
    def required_otherwise(self) -> tuple[tuple[int, ...], ...]: ...
    @property
    def given_as_surname(self) -> int: ...


SHORT_NAME_COVERAGE_MIN = 0.3
"""Least share of an entity's listed name a short name of it must cover."""
SHORT_NAME_WORD_WEIGHT_MIN = 0.5
"""Least weight of the distinctive word a short name keeps (a generic word weighs at most
``weights.GENERIC_WEIGHT_MAX``: "International Holding" is no short name of anything)."""


SECOND_GIVEN_SIMILARITY_MIN = 0.97
"""Least similarity of every word of a short form that keeps a person's second given
name: a spelling variant at most, no typo."""


def entity_keys(weights: tuple[float, ...]) -> tuple[int, ...]:
    """Positions a short name of an entity must match: its heaviest word, and its first
    word unless that is light (lists and payments alike shorten "Almaz-Antey Air and Space
    Defence Corporation" to its first, distinctive words, never to "Space Defence")."""
    if len(weights) < 2:
        return ()
    heaviest = max(range(len(weights)), key=weights.__getitem__)
    if weights[heaviest] < SHORT_NAME_WORD_WEIGHT_MIN:
        return ()
    if weights[0] * 2 < weights[heaviest]:
        return (heaviest,)
    return tuple(sorted({0, heaviest}))


def person_keys(
    weights: tuple[float, ...], surname_words: int, words: tuple[str, ...]
) -> tuple[int, ...]:
    """Positions a short form of a listed person's name must match: the first given name
    and the heaviest word of the surname ("LAREDO, Ismael" for "LAREDO DONJUAN, Ismael";
    never the given name alone; ``second_given_keys`` for the second given name). Only
    names of three words or more whose surname is known ("SURNAME, Given") have a short
    form; the first given name is the first after its titles ("KHAN, Haji Nasir Ali").
    A Korean or Chinese name written one syllable a word has none: one syllable of its
    given name is another name ("KIM, Yong" is not "KIM, Yong Chol", ``weights.syllabic``)."""
    titles = leading_titles(words)
    if surname_words <= 0 or len(weights) - titles < 3 or surname_words + titles >= len(weights):
        return ()
    if syllabic(words):
        return ()
    first_surname = len(weights) - surname_words
    surname = max(range(first_surname, len(weights)), key=weights.__getitem__)
    if weights[surname] < SHORT_NAME_WORD_WEIGHT_MIN:
        return ()
    return (titles, surname)


def second_given_keys(required: tuple[int, ...], surname_words: int, words: int) -> tuple[int, ...]:
    """A person's short form with the second given name: when the name has two given
    names before its surname, the second and the surname word the short form keeps."""
    if len(required) != 2 or required[0] + 1 >= words - surname_words:
        return ()
    return (required[0] + 1, required[1])


def family_in_given_keys(
    required: tuple[int, ...], surname_words: int, factors: tuple[float, ...],
    weights: tuple[float, ...],
) -> tuple[int, ...]:  # fmt: skip
    """A person's short form that takes the last given name for the surname and leaves the
    listed surname out: Arabic, Pashto and South Sudanese names listed with a tribe, clan
    or place name as surname are also written with a father's or grandfather's name as the
    surname ("RAMADAN, Taha Yassin" for "AL-JIZRAWI, Taha Yassin Ramadan", "MALONG, Paul"
    for "AWAN, Paul Malong"). The first given name and that last given name, which must
    be rare (its weight before its middle-name factor ``SHORT_NAME_WORD_WEIGHT_MIN``)."""
    last_given = len(weights) - surname_words - 1
    if len(required) != 2 or required[0] >= last_given:
        return ()
    if weights[last_given] < SHORT_NAME_WORD_WEIGHT_MIN * factors[last_given]:
        return ()
    return (required[0], last_given)


def other_keys(
    required: tuple[int, ...], surname_words: int, factors: tuple[float, ...],
    weights: tuple[float, ...],
) -> tuple[tuple[tuple[int, ...], ...], int]:  # fmt: skip
    """The positions of a listed person's other short forms, each matched as written or
    nearly (with the second given name; with the last given name as the surname), and
    the position of that last given name (-1 if it makes no short form)."""
    family = family_in_given_keys(required, surname_words, factors, weights)
    keys = (second_given_keys(required, surname_words, len(weights)), family)
    return tuple(dict.fromkeys(k for k in keys if k)), family[1] if family else -1


def may_be_short(form: ShortFormed, best: dict[int, float], bound: float) -> bool:
    """Whether a form may be a short name of the query, from the best similarity of each
    listed word (``best``) and the form's bound: before it is aligned."""
    if not form.required or bound < SHORT_NAME_COVERAGE_MIN * form.total:
        return False
    words = form.words
    if all(words[p] in best for p in form.required):
        return True
    return any(all(words[p] in best for p in keys) for keys in form.required_otherwise)


def is_short(
    form: ShortFormed, alignment: Alignment, query_words: int, query_surname: int = 0
) -> bool:
    """Whether the query, all of its words aligned, is a short name of the form; the last
    given name stands for the surname only in a query written "SURNAME, Given" (its last
    ``query_surname`` words), as that surname ("Jorge Alberto" is no short form of
    "ARREAZA MONTSERRAT, Jorge Alberto")."""
    if not form.required or alignment.matched < SHORT_NAME_COVERAGE_MIN * form.total:
        return False
    paired = {pair.position for pair in alignment.pairs}
    aligned = {p for pair in alignment.pairs for p in pair.unit.positions}
    if len(aligned) != query_words:
        return False
    if all(p in paired for p in form.required):
        return True
    # the other short forms, only as written or nearly ("KHALID" is not "KHALIL")
    if not all(pair.similarity >= SECOND_GIVEN_SIMILARITY_MIN for pair in alignment.pairs):
        return False
    family = form.given_as_surname
    for keys in form.required_otherwise:
        if not all(p in paired for p in keys):
            continue
        if keys[-1] != family or any(
            pair.position == family and min(pair.unit.positions) >= query_words - query_surname
            for pair in alignment.pairs
            if query_surname
        ):
            return True
    return False
