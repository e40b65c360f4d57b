"""The screening index: built once per set of list versions, then queried many times.

Building normalises every listed name (primary, strong and weak aliases) once and weighs
its words by rarity (``weights``). Names that normalise to the same words with the same
weights share one *form* (lists repeat "Abu Muhammad" on many entries), and each form is
filed under its *anchor* words only: the fewest highest-weight words without which it
could not reach ``coverage_floor`` of its weight. A form is therefore only looked at when
a screened word is akin to one of its anchors, so common words ("bank", "ivan") never
pull in thousands of candidates, and nothing that could score above the floor is missed
(prefix filtering, as in similarity joins).

Screening a query:

1. every screened word is compared with the listed words through ``Vocabulary`` lookups
   (exact, romanisation fold, vowel key, consonant skeleton, one or two typos), plus each
   pair of adjacent words written together;
2. the forms filed under an akin word are candidates; an upper bound of their coverage
   discards most of them at once;
3. each remaining form is aligned word by word with the query (``scoring``): token order
   does not matter, each word is used once; the score is the share of the name's weight
   matched (times the similarity of each pair), lowered when the query has heavy words
   the name lacks, lowered for weak aliases, raised or lowered by country and BIC
   evidence (``scoring.evidence``);
4. the best name per entry is kept; hits come back best first.

Free text is searched for listed names inside it: each candidate name is aligned with
a window of the text around the word that found it, must appear within a span of its
own length plus ``TEXT_SPAN_SLACK_WORDS`` and cover ``TEXT_COVERAGE_MIN`` of its weight.

A query BIC whose first eight characters equal a listed BIC's is a hit by itself (score 1).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul

from finmesh.domain.screening import scoring, short_forms
from finmesh.domain.screening.entry_names import entry_names
from finmesh.domain.screening.given_names import expansions
from finmesh.domain.screening.model import EntryType, Hit, ListEntry, ListVersion, Query, VersionRef
from finmesh.domain.screening.multimap import MultiMap
from finmesh.domain.screening.normalise import NormalName, normalise_name, text_words
from finmesh.domain.screening.slavic_names import latin_readings
from finmesh.domain.screening.vocabulary import ARTICLE_PREFIXES, Matches, Vocabulary
from finmesh.domain.screening.weights import idf_weight, positional_factors, word_weight

COVERAGE_FLOOR = 0.55
"""Least share of a listed name's weight a query must match for the name to be scored."""
REPORT_SCORE_MIN = 0.70
"""Hits scoring below this are not returned by ``screen`` (the hold threshold is higher)."""
HITS_MAX = 10
"""Most hits returned per query."""
TEXT_WORDS_MAX = 400
"""Most words of free text searched per query."""
TEXT_SPAN_SLACK_WORDS = 1
"""Extra words allowed between the words of a listed name found in free text."""
TEXT_COVERAGE_MIN = 0.85
"""Share of a listed name's weight free text must match: text has no name boundaries, so
"Rossiya" alone in a sentence is not "Bank Rossiya" (a name field may be)."""
UNKNOWN_WORD_WEIGHT = 0.5
"""Weight of a screened word akin to no listed word (often a typo of a common word)."""
ALTERNATIVE_FACTOR = 0.97
"""Share of its similarity a match through another reading of a word keeps (the English
reading of "банк" finds "bank" at 0.97)."""
_ZEROS = repeat(0.0)  # the default of every lookup in ``_candidates``
MATCH_CACHE_WORDS_MAX = 200_000
"""Most screened words whose lookups are remembered (the cache is cleared when full)."""


@dataclass(slots=True)
class _Form:
    """Listed words with their weights, shared by every listed name that normalises to them."""

    words: tuple[int, ...]
    weights: tuple[float, ...]
    total: float
    required: tuple[int, ...] = ()
    """The positions a short name must match (``short_forms``)."""
    required_otherwise: tuple[tuple[int, ...], ...] = ()
    """For a person's name: the positions of its other short forms, each matched as
    written or nearly (``short_forms.other_keys``)."""
    given_as_surname: int = -1
    """The position of the last given name where a short form takes it for the surname."""
    groups: list[tuple[scoring.Strength, list[int]]] = field(default_factory=list)
    """Numbers of the names of this form, grouped by alias strength."""
    person: bool = False
    surname_from: int = 0
    """For a person's name written "SURNAME, Given": the position of its surname."""

    def add(self, strength: scoring.Strength, name: int) -> None:
        for held, names in self.groups:
            if held is strength:
                names.append(name)
                return
        self.groups.append((strength, [name]))


@dataclass(frozen=True, slots=True)
class _Name:
    """One listed name: its entry, alias strength, text as listed and form."""

    entry: int
    strength: scoring.Strength
    text: str
    form: _Form


@dataclass(frozen=True)
class _Found:
    """A listed name that scored, before it becomes a Hit (explanations cost)."""

    score: float
    name: _Name
    alignment: scoring.Alignment
    result: scoring.Score


class ScreeningIndex:
    """Listed names of a set of list versions, ready to screen against. Read-only once built."""

    def __init__(self, versions: tuple[ListVersion, ...], coverage_floor: float) -> None:
        self.versions: tuple[VersionRef, ...] = tuple(v.ref() for v in versions)
        self.coverage_floor = coverage_floor
        self._entries: list[tuple[str, ListEntry]] = []
        self._entry_numbers: dict[tuple[str, str], int] = {}
        self._entry_ids: list[tuple[str, str]] = []
        self._names: list[_Name] = []
        self._forms: dict[tuple[tuple[int, ...], tuple[float, ...], bool], _Form] = {}
        self._anchors: dict[int, list[_Form]] = {}
        self._bics: MultiMap[str, int] = MultiMap()
        self._vocabulary = Vocabulary()
        self._cache: dict[tuple[str, bool], Matches] = {}

    @classmethod
    def build(
        cls, versions: Sequence[ListVersion], *, coverage_floor: float = COVERAGE_FLOOR
    ) -> ScreeningIndex:
        """Index every entry of ``versions`` (one version per list name)."""
        names = [version.list_name for version in versions]
        if len(set(names)) != len(names):
            raise ValueError(f"one version per list, got {names}")
        index = cls(tuple(versions), coverage_floor)
        # Building allocates millions of small objects that live as long as the index; the
        # cyclic collector would rescan them again and again (100,000 entries: 17 s with it,
        # 5 s without), and after the build every full collection would walk them all in
        # the middle of a screening (pauses of a second). Nothing built here forms a cycle:
        # the collector is paused while building, then the index is moved to the permanent
        # generation, which collections skip (``gc.freeze``; dropping the index still frees
        # it by reference counting).
        collecting = gc.isenabled()
        gc.disable()
        try:
            index._load(versions)
        finally:
            if collecting:
                gc.enable()
        gc.freeze()
        return index

    @property
    def entry_count(self) -> int:
        return len(self._entries)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def _load(self, versions: Sequence[ListVersion]) -> None:
        pending: list[tuple[int, scoring.Strength, str, tuple[int, ...], int]] = []
        frequency: dict[int, int] = {}
        vocabulary = self._vocabulary
        for list_name, entry in ((v.list_name, e) for v in versions for e in v.entries):
            number = len(self._entries)
            self._entries.append((list_name, entry))
            self._entry_numbers[(list_name, entry.id)] = number
            self._entry_ids.append((list_name, entry.id))
            for bic in entry.bics:
                self._bics.add(bic[:8].upper(), number)
            for strength, text, normal in entry_names(entry):
                words = tuple(map(vocabulary.add, normal.tokens, normal.abjad))
                pending.append((number, strength, text, words, normal.surname_words))
                self._file_joined(normal.tokens, words)
                for word in set(words):
                    frequency[word] = frequency.get(word, 0) + 1
        for word, count in frequency.items():
            idf = idf_weight(count, len(pending))
            vocabulary.weights[word] = word_weight(vocabulary.words[word], idf)
        for number, strength, text, words, surname_words in pending:
            self._file(number, strength, text, words, surname_words)
        for form in self._forms.values():
            for _, numbers in form.groups:
                numbers.sort(key=lambda n: self._entry_ids[self._names[n].entry])
        vocabulary.build_keys()

    def _file_joined(self, tokens: tuple[str, ...], words: tuple[int, ...]) -> None:
        for position, token in enumerate(tokens[:-1]):
            if token in ARTICLE_PREFIXES:
                self._vocabulary.add_joined(token, words[position + 1])

    def _file(
        self,
        entry: int,
        strength: scoring.Strength,
        text: str,
        words: tuple[int, ...],
        surname_words: int,
    ) -> None:
        vocabulary = self._vocabulary
        person = self._entries[entry][1].type is EntryType.PERSON
        spelled = tuple(vocabulary.words[w] for w in words)
        factors = positional_factors(spelled, person, surname_words)
        weights = tuple(vocabulary.weights[w] * f for w, f in zip(words, factors, strict=True))
        form = self._forms.get((words, weights, person))
        if form is None:
            required = (
                short_forms.person_keys(weights, surname_words, spelled)
                if person
                else short_forms.entity_keys(weights)
            )
            otherwise, family = (
                short_forms.other_keys(required, surname_words, factors, weights)
                if person
                else ((), -1)
            )
            surname_from = len(words) - surname_words if surname_words else 0
            form = _Form(words, weights, sum(weights), required, otherwise, family, person=person,
                         surname_from=surname_from)  # fmt: skip
            self._forms[(words, weights, person)] = form
            self._file_anchors(form)
        form.add(strength, len(self._names))
        self._names.append(_Name(entry, strength, text, form))

    def _file_anchors(self, form: _Form) -> None:
        loose = form.total
        for position in sorted(range(len(form.words)), key=form.weights.__getitem__, reverse=True):
            if loose < self.coverage_floor * form.total:
                break
            loose -= form.weights[position]
            anchored = self._anchors.setdefault(form.words[position], [])
            if not anchored or anchored[-1] is not form:
                anchored.append(form)

    def _matches(self, word: str, abjad: bool) -> Matches:
        key = (word, abjad)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= MATCH_CACHE_WORDS_MAX:
                self._cache.clear()
            found = self._cache[key] = self._vocabulary.matches(word, abjad)
        return found

    def screen(
        self, query: Query, *, min_score: float = REPORT_SCORE_MIN, limit: int = HITS_MAX
    ) -> list[Hit]:
        """Hits of ``query`` scoring at least ``min_score``, best first, one per entry,
        at most ``limit``."""
        hits: list[Hit] = []
        if query.bic:
            hits.extend(
                self._bic_hit(entry, query) for entry in self._bics.get(query.bic[:8].upper())
            )
        found: list[_Found] = []
        if query.name:
            found.extend(self._name_hits(query, normalise_name(query.name), min_score, limit))
        if query.text:
            found.extend(self._text_hits(query, min_score, limit))
        found.sort(key=lambda f: -f.score)
        listed = {self._entry_numbers[(hit.list_name, hit.entry_id)] for hit in hits}
        for item in found:
            if len(hits) >= limit:
                break
            if item.name.entry not in listed:
                listed.add(item.name.entry)
                hits.append(self._hit(query, item))
        return sorted(hits, key=lambda h: (-h.score, h.list_name, h.entry_id))[:limit]

    def _bic_hit(self, entry: int, query: Query) -> Hit:
        list_name, listed = self._entries[entry]
        bic8 = (query.bic or "")[:8].upper()
        matched = next(b for b in listed.bics if b[:8].upper() == bic8)
        why = f"BIC {query.bic} has the BIC8 of listed BIC {matched}"
        return Hit(list_name, listed.id, listed.name, matched, 1.0, why, query)

    def _hit(self, query: Query, found: _Found) -> Hit:
        list_name, listed = self._entries[found.name.entry]
        form, strength = found.name.form, found.name.strength
        why = scoring.explain(found.alignment, self._spelled(form), strength, found.result)
        return Hit(list_name, listed.id, listed.name, found.name.text, found.score, why, query)

    def _word_matches(self, normal: NormalName, position: int) -> Matches:
        """Listed words akin to the word at ``position`` or to one of its other readings
        (those count ``ALTERNATIVE_FACTOR`` of their similarity)."""
        abjad = normal.abjad[position]
        token = normal.tokens[position]
        found = self._matches(token, abjad)
        readings = normal.readings(position)[1:]
        if not abjad:
            readings = (*readings, *latin_readings(token), *expansions(token))
        if not readings:
            return found
        merged = dict(found)
        for reading in readings:
            for word, similarity in self._matches(reading, False).items():
                similarity *= ALTERNATIVE_FACTOR
                if merged.get(word, 0.0) < similarity:
                    merged[word] = similarity
        return merged

    def _units(self, normal: NormalName) -> list[scoring.Unit]:
        units = [
            scoring.Unit((i,), word, self._word_matches(normal, i))
            for i, word in enumerate(normal.tokens)
        ]
        for i, word in enumerate(normal.tokens):
            halves = {} if normal.abjad[i] else self._vocabulary.split_matches(word)
            if halves:
                units.append(scoring.Unit((i,), word, halves, halves=True))
        for i in range(len(normal) - 1):
            first, second = normal.tokens[i], normal.tokens[i + 1]
            if not (normal.abjad[i] or normal.abjad[i + 1]):
                joined = self._vocabulary.joined_matches(first, second)
            elif first in ARTICLE_PREFIXES and normal.abjad[i + 1]:
                joined = self._matches(first + second, True)  # "التميمي" = "Altamimi"
            else:
                continue
            if joined:
                units.append(scoring.Unit((i, i + 1), first + second, joined))
        return units

    def _candidates(self, units: list[scoring.Unit], floor: float) -> Iterator[_Form]:
        """Forms filed under an akin anchor whose best possible coverage reaches ``floor``."""
        best: dict[int, float] = {}
        for unit in units:
            for word, similarity in unit.matches.items():
                if best.get(word, 0.0) < similarity:
                    best[word] = similarity
        seen: set[int] = set()
        similarity_of, anchors = best.get, self._anchors
        for word in best:
            for form in anchors.get(word, ()):
                if id(form) in seen:
                    continue
                seen.add(id(form))
                # sum of weight x best similarity, in C (the hottest loop of a screen)
                bound = sum(map(mul, form.weights, map(similarity_of, form.words, _ZEROS)))
                if bound >= floor * form.total or (
                    form.required and short_forms.may_be_short(form, best, bound)
                ):
                    yield form

    def _name_hits(
        self, query: Query, normal: NormalName, min_score: float, limit: int
    ) -> list[_Found]:
        if not normal.tokens:
            return []
        units = self._units(normal)
        floor = max(self.coverage_floor, min_score - scoring.EVIDENCE_RAISE_MAX)
        query_weights = self._query_weights(normal)
        found: list[_Found] = []
        for form in self._candidates(units, floor):
            alignment = scoring.align(units, form.words, form.weights)
            if alignment.matched >= floor * form.total:
                one_part = self._one_part(form, alignment, normal, query_weights)
                crossed = form.person and scoring.crossed_and_respelled(
                    alignment, form.weights, form.surname_from, len(normal), normal.surname_words
                )
                self._keep(
                    found, query, form, alignment, query_weights, min_score, limit,
                    one_part=one_part, crossed=crossed,
                )  # fmt: skip
            # a short form may score higher than its coverage (one hit per entry is kept)
            if short_forms.is_short(form, alignment, len(normal), normal.surname_words):
                self._keep(found, query, form, alignment, None, min_score, limit, short=True)
        return found

    def _keep(
        self,
        found: list[_Found],
        query: Query,
        form: _Form,
        alignment: scoring.Alignment,
        query_weights: tuple[float, ...] | None,
        min_score: float,
        limit: int,
        *,
        short: bool = False,
        one_part: bool = False,
        crossed: bool = False,
    ) -> None:
        """Score the names of a form that aligned, keep those reaching ``min_score``."""
        neutral = not (query.countries or query.bic)  # no evidence: one score per strength
        for strength, numbers in form.groups:
            if short:
                base = scoring.short_name_base(alignment, form.total, strength)
            else:
                base = scoring.base(alignment, form.total, query_weights, strength,
                                    len(form.words), one_part, crossed)  # fmt: skip
            if base[0] + scoring.EVIDENCE_RAISE_MAX < min_score:
                continue
            result: scoring.Score | None = None
            # Without evidence every name of the group scores the same, and ties are broken
            # by entry id, in which groups are sorted: more than ``limit`` cannot be shown.
            for number in numbers[:limit] if neutral else numbers:
                name = self._names[number]
                if result is None or not neutral:
                    result = scoring.finish(*base, self._entries[name.entry][1], query)
                if result.score >= min_score:
                    found.append(_Found(result.score, name, alignment, result))

    def _spelled(self, form: _Form) -> list[str]:
        return [self._vocabulary.words[w] for w in form.words]

    def _one_part(
        self,
        form: _Form,
        alignment: scoring.Alignment,
        normal: NormalName,
        weights: tuple[float, ...],
    ) -> bool:
        """Whether the query's extra words cost in full: an entity matched by one part of a
        person's name, or a person's word replaced by another (``scoring``)."""
        if not form.person:
            return scoring.one_part_of_a_person(alignment, len(normal), normal.surname_words)
        listed = (self._spelled(form), form.weights)
        return scoring.a_word_replaced(alignment, listed, (normal.tokens, weights))

    def _query_weights(self, normal: NormalName) -> tuple[float, ...]:
        factors = positional_factors(normal.tokens, True, normal.surname_words, listed=False)
        return tuple(
            factor * self._query_word_weight(normal.readings(position))
            for position, factor in enumerate(factors)
        )

    def _query_word_weight(self, readings: tuple[str, ...]) -> float:
        """The listed weight of the first reading that is a listed word (as screened:
        ``Vocabulary.screened_weight``), else a guess."""
        ids = self._vocabulary.ids
        for reading in readings:
            if reading in ids:
                return self._vocabulary.screened_weight(ids[reading])
        return word_weight(readings[0], UNKNOWN_WORD_WEIGHT)

    def _text_hits(self, query: Query, min_score: float, limit: int) -> list[_Found]:
        normal = text_words(query.text or "")
        units = [
            scoring.Unit((i,), word, self._word_matches(normal, i))
            for i, word in enumerate(normal.tokens[:TEXT_WORDS_MAX])
        ]
        floor = max(self.coverage_floor, min_score, TEXT_COVERAGE_MIN)
        positions: dict[int, tuple[_Form, set[int]]] = {}
        for unit in units:
            for word in unit.matches:
                for form in self._anchors.get(word, ()):
                    positions.setdefault(id(form), (form, set()))[1].add(unit.positions[0])
        found: list[_Found] = []
        for form, near in positions.values():
            alignment = _best_window(form, near, units)
            if alignment is not None and alignment.matched >= floor * form.total:
                self._keep(found, query, form, alignment, None, min_score, limit)
        return found


def _best_window(
    form: _Form, near: set[int], units: list[scoring.Unit]
) -> scoring.Alignment | None:
    """The best alignment of ``form`` with the text around the positions that found it."""
    width = len(form.words)
    best: scoring.Alignment | None = None
    for position in sorted(near):
        window = units[max(0, position - width) : position + width + 1]
        alignment = scoring.align(window, form.words, form.weights)
        if alignment.span <= width + TEXT_SPAN_SLACK_WORDS and (
            best is None or alignment.matched > best.matched
        ):
            best = alignment
    return best
