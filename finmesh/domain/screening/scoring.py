"""Word alignment, the score of a listed name against a query, and its explanation.

Score of a listed name N against a query Q, in [0, 1]:

    coverage = sum(similarity(q, n) * weight(n) over aligned pairs) / weight(N)
    extra    = weight of Q's unaligned words / weight of all of Q's words
    score    = coverage * (1 - EXTRA_WORDS_PENALTY * extra) * alias factor + evidence

Alignment is greedy, closest words first (then heavier words), each query word and each
listed word used at most once, so "PUTIN, Vladimir" and "Vladimir Putin" align fully.
Free text is not penalised for extra words (a sentence around a name is expected).
Weak aliases are multiplied by ``WEAK_ALIAS_FACTOR``, and their extra words cost
``WEAK_EXTRA_WORDS_PENALTY``:
a weak alias (OFAC's "weak AKA", often one short word such as a nickname) holds a
payment only when it is about the whole screened name, never as one word among many
("Iwan Stiffel MBA" is not the entity whose weak alias is "MBA"); OFAC itself
describes weak AKAs as broad and unlikely to match on their own.

Evidence: a query country among the entry's countries adds ``COUNTRY_MATCH_RAISE``;
query countries none of which is the entry's subtract ``COUNTRY_CONFLICT_DROP``; a
query BIC whose BIC8 differs from every listed BIC of the entry subtracts
``BIC_CONFLICT_DROP``. Evidence alone never makes a hit: it only applies to names that
matched, and a listed BIC8 equal to the query's is a hit of its own (score 1, see
``index``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from rapidfuzz.distance import Indel

from finmesh.domain.screening.model import ListEntry, Query
from finmesh.domain.screening.vocabulary import KINSHIP, Matches
from finmesh.domain.screening.weights import GENERIC_WEIGHT_MAX, PARTICLE_WEIGHT, PATRONYMIC

EXTRA_WORDS_PENALTY = 0.25
WEAK_ALIAS_FACTOR = 0.92
WEAK_EXTRA_WORDS_PENALTY = 1.0
ONE_WORD_EXTRA_WORDS_PENALTY = 0.45
"""Extra words cost more against a listed name of one word (a vessel "FORTUNE", a
company "SANTOSO"): it explains one word of "BUKA, Fortune" and says nothing of the
other, while "Gazprom Trading" keeps most of its weight in the listed word."""
WHOLE_NAME_EXTRA_WORDS_PENALTY = 1.0
"""Extra words cost in full when a person's name ("SURNAME, Given") matches an entity's
name by its surname alone or its given names alone ("AL-FAY, Hasan" is not "AL FAY
COMPANY"; "HLAING, Taban" is not the vessel "TABAN 1"): a company is not named after one
part of a person's name with the rest left over (``one_part_of_a_person``). So do they
against a listed name of one generic word ("CAPITAL S.A.L." is not "Bank Trust
Capital")."""
COUNTRY_MATCH_RAISE = 0.03
COUNTRY_CONFLICT_DROP = 0.05
BIC_CONFLICT_DROP = 0.05
EVIDENCE_RAISE_MAX = COUNTRY_MATCH_RAISE
"""The most evidence can add to a name's score."""


class Strength(Enum):
    PRIMARY = "primary name"
    ALIAS = "strong alias"
    WEAK_ALIAS = "weak alias"


@dataclass(frozen=True)
class Unit:
    """A screened word (or two adjacent words written together) and its akin listed words."""

    positions: tuple[int, ...]
    word: str
    matches: Matches
    halves: bool = False
    """A screened word that writes two listed words as one (``Vocabulary.split_matches``):
    it pairs with both, or counts for neither."""


@dataclass(frozen=True)
class Pair:
    unit: Unit
    position: int
    """Position of the listed word in the name."""
    similarity: float


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[Pair, ...]
    matched: float
    """Sum of similarity x weight over the pairs."""
    span: int
    """Query positions from the first to the last aligned word, inclusive (0 if none)."""


def align(units: list[Unit], words: tuple[int, ...], weights: tuple[float, ...]) -> Alignment:
    """Greedy best alignment of screened units with the listed word ids ``words``."""
    options: list[tuple[float, float, int, int]] = []
    for u, unit in enumerate(units):
        matches = unit.matches
        for position, word in enumerate(words):
            similarity = matches.get(word)
            if similarity is not None:
                options.append((similarity, similarity * weights[position], u, position))
    options.sort(reverse=True)
    if any(unit.halves for unit in units):
        return _align_with_halves(units, words, options)
    used_query: set[int] = set()
    used_listed: set[int] = set()
    pairs: list[Pair] = []
    matched = 0.0
    for similarity, contribution, u, position in options:
        unit = units[u]
        if position in used_listed or not used_query.isdisjoint(unit.positions):
            continue
        used_listed.add(position)
        used_query.update(unit.positions)
        pairs.append(Pair(unit, position, similarity))
        matched += contribution
    span = max(used_query) - min(used_query) + 1 if used_query else 0
    return Alignment(tuple(pairs), matched, span)


def _align_with_halves(
    units: list[Unit], words: tuple[int, ...], options: list[tuple[float, float, int, int]]
) -> Alignment:
    """``align`` when a unit writes two listed words as one: it may pair twice, with two
    different listed words; paired once, it counts for none."""
    used_query: set[int] = set()
    used_listed: set[int] = set()
    first_word: dict[int, int] = {}
    chosen: list[tuple[int, Pair, float]] = []
    uses: dict[int, int] = {}
    for similarity, contribution, u, position in options:
        unit = units[u]
        if position in used_listed:
            continue
        if u in uses:
            if not unit.halves or uses[u] > 1 or words[position] == first_word[u]:
                continue
        elif not used_query.isdisjoint(unit.positions):
            continue
        uses[u] = uses.get(u, 0) + 1
        first_word.setdefault(u, words[position])
        used_listed.add(position)
        used_query.update(unit.positions)
        chosen.append((u, Pair(unit, position, similarity), contribution))
    kept = [(pair, c) for u, pair, c in chosen if not (units[u].halves and uses[u] == 1)]
    aligned = {p for pair, _ in kept for p in pair.unit.positions}
    span = max(aligned) - min(aligned) + 1 if aligned else 0
    return Alignment(tuple(pair for pair, _ in kept), sum(c for _, c in kept), span)


@dataclass(frozen=True)
class Score:
    score: float
    coverage: float
    extra: float
    evidence: tuple[tuple[str, float], ...]


def base(
    alignment: Alignment,
    total: float,
    query_weights: tuple[float, ...] | None,
    strength: Strength,
    listed_words: int = 2,
    one_part: bool = False,
    crossed: bool = False,
) -> tuple[float, float, float]:
    """(score before evidence, coverage, extra) of a listed name of weight ``total`` and
    ``listed_words`` words; ``one_part``: a person's name matched an entity's by one of its
    parts (``one_part_of_a_person``); ``crossed``: its surname and given names respelled
    the other way round (``crossed_and_respelled``)."""
    coverage = min(alignment.matched / total, 1.0) if total > 0 else 0.0
    extra = 0.0
    if query_weights:
        aligned = {p for pair in alignment.pairs for p in pair.unit.positions}
        all_weight = sum(query_weights)
        unaligned = sum(w for p, w in enumerate(query_weights) if p not in aligned)
        extra = unaligned / all_weight if all_weight > 0 else 0.0
    if strength is Strength.WEAK_ALIAS:
        value = coverage * (1.0 - WEAK_EXTRA_WORDS_PENALTY * extra) * WEAK_ALIAS_FACTOR
    else:
        penalty = ONE_WORD_EXTRA_WORDS_PENALTY if listed_words == 1 else EXTRA_WORDS_PENALTY
        if one_part or (listed_words == 1 and total <= GENERIC_WEIGHT_MAX):
            penalty = WHOLE_NAME_EXTRA_WORDS_PENALTY
        value = coverage * (1.0 - penalty * extra)
    if crossed:
        value *= CROSSED_FACTOR
    return value, coverage, extra


CROSSED_FACTOR = 0.88
"""Share of its score a person's name keeps when the query's surname is the listed given
name and the other way round, and a word differs (``crossed_and_respelled``)."""


def crossed_and_respelled(
    alignment: Alignment, weights: tuple[float, ...], listed_surname_from: int,
    query_words: int, query_surname_words: int,
) -> bool:  # fmt: skip
    """Whether a query written "SURNAME, Given" pairs its surname with the given names of
    a listed "SURNAME, Given" and its given names with the listed surname, one word at
    least respelled: two persons of one culture whose names share two common words
    ("QASIM, Ahmed" and "AHMED, Qassim"; "AHMED, Dafir" and "DAHIR, Ahmad"). The same
    words turned round as written stay one name ("FAQIR, Muhammad", "MUHAMMAD, Faqir")."""
    if listed_surname_from <= 0 or not 0 < query_surname_words < query_words:
        return False
    query_surname_from = query_words - query_surname_words
    pairs = [pair for pair in alignment.pairs if weights[pair.position] > PARTICLE_WEIGHT]
    return (
        len(pairs) >= 2
        and any(pair.similarity < 1.0 for pair in pairs)
        and all(
            (min(pair.unit.positions) >= query_surname_from)
            != (pair.position >= listed_surname_from)
            for pair in pairs
        )
    )


def one_part_of_a_person(alignment: Alignment, query_words: int, surname_words: int) -> bool:
    """Whether a query written "SURNAME, Given" (its last ``surname_words`` words the
    surname) aligned only words of its surname, or only words of its given names."""
    if surname_words <= 0 or surname_words >= query_words:
        return False
    first_surname = query_words - surname_words
    aligned = {p for pair in alignment.pairs for p in pair.unit.positions}
    return all(p >= first_surname for p in aligned) or all(p < first_surname for p in aligned)


REPLACED_LETTERS_MAX = 0.5
"""Most letter similarity (rapidfuzz ``Indel``, 0-1) of a query word and a listed word
both left unpaired for the one to be taken as replacing the other ("kil", "chol": 0.29),
not as a respelling beyond the lookups ("vladimirovich", "uladzimiravich": 0.74)."""


def a_word_replaced(
    alignment: Alignment,
    listed: tuple[Sequence[str], Sequence[float]],
    query: tuple[Sequence[str], Sequence[float]],
) -> bool:
    """Whether a listed person's name and the query, (words, weights) each, both leave a
    word unpaired (particles and initials aside) that is not a respelling of the other:
    the query names someone else with one of its words ("KIM, Mun Kil" is not "KIM, Mun
    Chol", "PAK, Se Bong" not "PAK, Bong Nam"), where a word the query leaves out
    ("SECHIN, Igor" for "SECHIN, Igor Ivanovich") or adds is a shorter or longer form.
    Two patronymics are compared by their fathers' names ("Sergeyevna" is not
    "Igorevna")."""
    paired = {pair.position for pair in alignment.pairs}
    missing = _unpaired(*listed, paired)
    if not missing:
        return False
    extra = _unpaired(*query, {p for pair in alignment.pairs for p in pair.unit.positions})
    return bool(extra) and all(
        Indel.normalized_similarity(a, b) < REPLACED_LETTERS_MAX for a in extra for b in missing
    )


def _unpaired(words: Sequence[str], weights: Sequence[float], paired: set[int]) -> list[str]:
    """The unpaired words, patronymics as their father's name ("igor" of "igorevna")."""
    return [
        PATRONYMIC.sub("", w)
        for p, w in enumerate(words)
        if p not in paired and weights[p] > PARTICLE_WEIGHT
    ]


SHORT_NAME_FACTOR = 0.85
"""Score of a short name of an entity, all its words matched exactly (``index``)."""


def short_name_base(
    alignment: Alignment, total: float, strength: Strength
) -> tuple[float, float, float]:
    """(score, coverage, extra) of a query that is a short name of an entity's listed
    name: ``SHORT_NAME_FACTOR`` times the mean similarity of the matched words."""
    paired = sum(pair.similarity for pair in alignment.pairs) / max(len(alignment.pairs), 1)
    coverage = min(alignment.matched / total, 1.0) if total > 0 else 0.0
    value = SHORT_NAME_FACTOR * paired
    if strength is Strength.WEAK_ALIAS:
        value *= WEAK_ALIAS_FACTOR
    return value, coverage, 0.0


def finish(value: float, coverage: float, extra: float, entry: ListEntry, query: Query) -> Score:
    """The final score: ``base`` plus country and BIC evidence, within [0, 1]."""
    found = evidence(entry, query)
    value += sum(delta for _, delta in found)
    return Score(round(min(max(value, 0.0), 1.0), 4), coverage, extra, found)


def evidence(entry: ListEntry, query: Query) -> tuple[tuple[str, float], ...]:
    """Country and BIC evidence for a name match, each with its score change."""
    found: list[tuple[str, float]] = []
    countries = {c.upper() for c in query.countries}
    if countries and entry.countries:
        shared = countries.intersection(entry.countries)
        if shared:
            found.append((f"country {','.join(sorted(shared))} listed", COUNTRY_MATCH_RAISE))
        else:
            found.append(
                (f"country {','.join(sorted(countries))} not listed", -COUNTRY_CONFLICT_DROP)
            )
    if query.bic and entry.bics:
        bic8 = query.bic[:8].upper()
        if all(b[:8].upper() != bic8 for b in entry.bics):
            found.append((f"BIC {query.bic} is not a listed BIC", -BIC_CONFLICT_DROP))
    return tuple(found)


def explain(alignment: Alignment, words: list[str], strength: Strength, result: Score) -> str:
    """A short human account: which words matched how, what was missing, the evidence."""
    parts: list[str] = []
    paired = {pair.position: pair for pair in alignment.pairs}
    for position, word in enumerate(words):
        pair = paired.get(position)
        if pair is None:
            parts.append(f"{word} missing")
        elif pair.unit.word == word:
            parts.append(f"{word}")
        else:
            kin = KINSHIP.get(pair.similarity, "akin")
            parts.append(f"{pair.unit.word}~{word} ({kin})")
    text = f"{', '.join(parts)}; {strength.value}; coverage {result.coverage:.2f}"
    if result.extra > 0:
        text += f", extra words {result.extra:.2f}"
    for label, delta in result.evidence:
        text += f"; {label} ({delta:+.2f})"
    return text
