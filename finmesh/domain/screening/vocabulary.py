"""Every distinct word of the listed names, and the lookups that find a screened word's kin.

A screened word is compared with listed words by dictionary lookups, never by scanning:

=======================  ============================================  ==========
kinship                  found through                                 similarity
=======================  ============================================  ==========
same word                the word itself                               1.00
romanisation variant     ``fold`` ("yevgeniy" = "evgeny")              0.97
two words as one         "al"/"el" + word, or two screened words       0.95
Korean, Chinese syllable ``syllables`` ("pak" = "park", "chao" =       0.92
                         "zhao": one syllable in two systems)
one typo                 ``typos.TypoIndex`` on the word as written    0.90
abjad word               consonants, long vowels fit (``abjad_fits``)  0.91
silent h (short words)   ``without_silent_h`` ("thae" = "tae",         0.89
                         "shih" = "shi", "jhon" = "john")
vowels spelled apart     ``vowel_key`` ("mohamed" = "muhammad")        0.88
sound-alike spelling     same ``skeleton``, vowel keys one edit apart  0.86
                         ("soleimani" = "salimani", "zubaida" =
                         "zubaydah", "maalim" = "mualem"; 5+ letters)
variant and one typo     ``typos.TypoIndex`` on the folded word        0.85
Thai spellings           ``thai_names.thai_key`` ("puangpetch" =       0.84
                         "phuangphet"; 7+ letters)
common word, other form  ``word_forms`` ("managing" = "management";   0.83
                         below a typo: "centre" is "center" at 0.90)
sound key                same ``sound_keys`` key, letters close        0.82
                         ("qadhafi" = "gaddafi", "chong" = "jong",
                         "zreik" = "zuraik"; ``SOUND_KEY_LETTERS_MIN``)
"Abd" names             what follows "Abd" (``abd_names``)            0.87
                         ("abdiqadir" = "abdulqadir")
two typos (long word)    ``typos.TypoIndex``                           0.80
"Abd" name without Abd   ``abd_names`` ("rahman" for "abdurrahman";    0.78
                         never enough alone)
abjad, vowels misfit     same consonant ``skeleton`` only              0.75
=======================  ============================================  ==========

Acronyms (three letters or fewer, no vowel) match only as written: "VTB" is not "VEB".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import OSA, Indel

from finmesh.domain.screening import abd_names, syllables, thai_names, word_forms
from finmesh.domain.screening.given_names import canonical_forms, expansions
from finmesh.domain.screening.multimap import MultiMap
from finmesh.domain.screening.normalise import abjad_fits, fold, skeleton, vowel_key
from finmesh.domain.screening.slavic_names import SIM_SAME_NAME
from finmesh.domain.screening.sound_keys import ARTICLE_WORD_CHARS_MIN, sound_keys
from finmesh.domain.screening.typos import TypoIndex
from finmesh.domain.screening.weights import (
    GENERIC_WORDS,
    PARTICLES,
    PATRONYMIC,
    STOPWORDS,
    screened_weight,
)

SIM_EXACT = 1.0
SIM_FOLD = 0.97
SIM_JOINED = 0.95
SIM_WORD_FORM = 0.83
SIM_SYLLABLE = 0.92
SIM_ONE_TYPO = 0.90
SIM_ABJAD = 0.91
SIM_SILENT_H = 0.89
SIM_VOWELS = 0.88
SIM_SOUND_ALIKE = 0.86
SIM_FOLD_TYPO = 0.85
SIM_THAI = 0.84
SIM_SOUND_KEY = 0.82
SIM_ABD_NAME = 0.87
SIM_ABD_STEM = 0.78
SIM_TWO_TYPOS = 0.80
SIM_SKELETON = 0.75
SIM_GIVEN_NAME = SIM_SAME_NAME

KINSHIP = {
    SIM_EXACT: "same word",
    SIM_FOLD: "spelling variant",
    SIM_JOINED: "joined words",
    SIM_WORD_FORM: "other form of the word",
    SIM_SYLLABLE: "same syllable",
    SIM_ONE_TYPO: "1 typo",
    SIM_ABJAD: "abjad spelling",
    SIM_SILENT_H: "silent h",
    SIM_VOWELS: "vowels differ",
    SIM_SOUND_ALIKE: "sounds alike",
    SIM_FOLD_TYPO: "variant with 1 typo",
    SIM_THAI: "Thai spelling",
    SIM_SOUND_KEY: "same sounds",
    SIM_ABD_NAME: "same Abd name",
    SIM_ABD_STEM: "Abd name without Abd",
    SIM_TWO_TYPOS: "2 typos",
    SIM_SKELETON: "same consonants",
    SIM_GIVEN_NAME: "same given name",
}
"""Similarity -> how the words are akin, for explanations (so every value differs)."""

VOWEL_KEY_CHARS_MIN = 4
"""Shortest folded word compared by vowel key."""
SKELETON_CHARS_MIN = 2
SOUND_ALIKE_CHARS_MIN = 5
"""Shortest Latin word (screened and listed) matched by its sound-alike spelling."""
SOUND_ALIKE_SKELETON_MIN = 3
"""Fewest consonants a sound-alike's skeleton must keep ("hn" finds too many)."""
"""Shortest consonant skeleton compared."""
SOUND_KEY_LETTERS_MIN = 0.66
"""Least letter similarity (rapidfuzz ``Indel``, 0-1) of two words sharing a sound key:
"chong" and "jong" (0.67) are one Korean syllable, "salman" and "suleiman" (0.71) one
name; words that share only consonant classes ("kataib", "khattab": 0.62) are
not always, which ``SIM_SOUND_KEY`` leaves to the rest of the name."""
SILENT_H_CHARS_MAX = 5
"""Longest word (screened and listed) matched with a silent h added or left out; longer
words tolerate a typo, which covers it."""
SPLIT_PART_CHARS_MIN = 2
"""Shortest part of a screened word split into two listed words ("Bu" of "Buali")."""
COMMON_WORDS = GENERIC_WORDS | STOPWORDS | PARTICLES | frozenset({"ullah", "allah", "is"})
"""Words a screened word is never split into: generic words of institution names,
grammatical words, particles, and the endings of theophoric names ("Saidullah")."""
SOUND_KEY_LENGTH_DIFFERENCE_MAX = 2
"""Most letters two words sharing a sound key may differ by ("Djordjevic", "Dordevic")."""
ACRONYM_CHARS_MAX = 3
"""Words this short without a vowel are acronyms: they match only as written."""
ARTICLE_PREFIXES = ("al", "el")
"""Articles written joined to the next word ("Alzahrani" = "al-Zahrani")."""
_VOWELS = frozenset("aeiouy")
_GIVEN_NAME_BY_FOLD = {fold(form): name for form, name in canonical_forms().items()}
"""Folded form of a given name -> the name (``slavic_names``, ``given_names``)."""

Matches = dict[int, float]
"""Listed word id -> similarity of a screened word to it."""


_EAST_SLAVIC_SURNAME = re.compile(r"(?:[oe]va?|sk[iy]i?|skaya|enko)$")
_SILENT_H = re.compile(r"(?<=[^aeiou])h|h(?![aeiouy])")


def without_silent_h(word: str) -> str:
    """``word`` without the "h" that romanisations of Korean, Chinese, Burmese and
    Spanish add or leave out after a consonant or before one ("Thae" = "Tae", "Shih" =
    "Shi", "Htun" = "Tun", "Jhon" = "John"); an "h" before a vowel or "y" stays ("Han",
    "Hyon")."""
    return _SILENT_H.sub("", word)


def _fold_applies(word: str, folded: str) -> bool:
    """Whether a word is looked up by its fold: a short word only when folding keeps its
    letters or changes only its vowels (Korean "Sou" = "Su"; "Cho" is not "Ho")."""
    return len(word) > ACRONYM_CHARS_MAX or len(folded) == len(word) or (
        skeleton(word) == skeleton(folded)
    )


def _letters_close(word: str, other: str) -> bool:
    """Whether two words sharing a sound key are ``SOUND_KEY_LETTERS_MIN`` alike in their
    letters, either of them without a joined article ("elkaddafi", "qadhafi")."""
    if Indel.normalized_similarity(word, other) >= SOUND_KEY_LETTERS_MIN:
        return True
    return any(
        one[:2] in ARTICLE_PREFIXES
        and len(one) >= ARTICLE_WORD_CHARS_MIN
        and Indel.normalized_similarity(one[2:], two) >= SOUND_KEY_LETTERS_MIN
        for one, two in ((word, other), (other, word))
    )


def _is_acronym(word: str) -> bool:
    return len(word) <= ACRONYM_CHARS_MAX and _VOWELS.isdisjoint(word)


class Vocabulary:
    """Word ids, weights and the kinship lookups (built once, then read only)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self.abjad: list[bool] = []
        self.weights: list[float] = []
        self._by_fold: MultiMap[str, int] = MultiMap()
        self._by_vowels: MultiMap[str, int] = MultiMap()
        self._by_skeleton: MultiMap[str, int] = MultiMap()
        self._abjad_by_skeleton: MultiMap[str, int] = MultiMap()
        self._by_joined: MultiMap[str, int] = MultiMap()
        self._by_given_name: MultiMap[str, int] = MultiMap()
        self._by_sound: MultiMap[str, int] = MultiMap()
        self._by_silent_h: MultiMap[str, int] = MultiMap()
        self._by_abd_stem: MultiMap[str, int] = MultiMap()
        self._by_word_form: MultiMap[str, int] = MultiMap()
        self._by_syllable: MultiMap[str, int] = MultiMap()
        self._by_thai: MultiMap[str, int] = MultiMap()
        self._typos = TypoIndex()
        """Listed words as written and, where different, folded."""

    def add(self, word: str, abjad: bool) -> int:
        """The id of ``word``, adding it on first sight."""
        known = self.ids.get(word)
        if known is not None:
            return known
        index = self.ids[word] = len(self.words)
        self.words.append(word)
        self.abjad.append(abjad)
        self.weights.append(1.0)
        return index

    def screened_weight(self, word: int) -> float:
        """The weight of listed word ``word`` written in a screened name
        (``weights.screened_weight``)."""
        return screened_weight(self.words[word], self.weights[word])

    def add_joined(self, article: str, word: int) -> None:
        """Let ``article`` and the listed word ``word``, written as one, find ``word``."""
        if not self.abjad[word]:
            self._by_joined.add_new(fold(article + self.words[word]), word)

    def build_keys(self) -> None:
        """Fill the kinship lookups once every word is added."""
        for index, word in enumerate(self.words):
            self._index_word(index, word)

    def _index_word(self, index: int, word: str) -> None:
        shape = skeleton(word)
        if shape:
            self._by_skeleton.add(shape, index)
            if self.abjad[index]:
                self._abjad_by_skeleton.add(shape, index)
        for name in () if self.abjad[index] else expansions(word):
            self._by_vowels.add(vowel_key(fold(name)), index)  # "mhd" as Muhammad's spellings
        if self.abjad[index] or _is_acronym(word):
            return
        folded = fold(word)
        if _fold_applies(word, folded):
            self._by_fold.add(folded, index)
        family = word_forms.stem(word)
        if family is not None:
            self._by_word_form.add(family, index)
        for syllable in () if word in COMMON_WORDS else syllables.syllable_keys(word):
            self._by_syllable.add(syllable, index)
        thai = thai_names.thai_key(word)
        if thai is not None:
            self._by_thai.add(thai, index)
        if len(folded) >= VOWEL_KEY_CHARS_MIN:
            self._by_vowels.add(vowel_key(folded), index)
        given_name = _GIVEN_NAME_BY_FOLD.get(folded)
        if given_name is not None:
            self._by_given_name.add(given_name, index)
        self._typos.add(word)
        if folded != word:
            self._typos.add(folded)
        for key in sound_keys(word):
            self._by_sound.add(key, index)
        if len(word) <= SILENT_H_CHARS_MAX and "h" in word:
            self._by_silent_h.add(without_silent_h(word), index)
        for stem in abd_names.stem_keys(word):
            self._by_abd_stem.add_new(stem, index)

    def matches(self, word: str, abjad: bool) -> Matches:
        """Listed words akin to a screened ``word``, with their similarity."""
        found: Matches = {}
        if abjad:
            self._add_abjad(found, word)
            return found
        exact = self.ids.get(word)
        if exact is not None and not self.abjad[exact]:
            found[exact] = SIM_EXACT
        if _is_acronym(word):
            return found
        folded = fold(word)
        if _fold_applies(word, folded):
            self._add(found, self._by_fold.get(folded), SIM_FOLD)
        self._add(found, self._by_joined.get(folded), SIM_JOINED)
        family = word_forms.stem(word)
        if family is not None:
            self._add(found, self._by_word_form.get(family), SIM_WORD_FORM)
        for syllable in () if word in COMMON_WORDS else syllables.syllable_keys(word):
            self._add(found, self._by_syllable.get(syllable), SIM_SYLLABLE)
        thai = thai_names.thai_key(word)
        if thai is not None:
            self._add(found, self._by_thai.get(thai), SIM_THAI)
        if len(folded) >= VOWEL_KEY_CHARS_MIN:
            self._add(found, self._by_vowels.get(vowel_key(folded)), SIM_VOWELS)
        given_name = _GIVEN_NAME_BY_FOLD.get(folded)
        if given_name is not None:
            self._add(found, self._by_given_name.get(given_name), SIM_GIVEN_NAME)
        self._add_typos(found, word, folded)
        if len(word) <= SILENT_H_CHARS_MAX:
            plain = without_silent_h(word)
            self._add(found, self._by_silent_h.get(plain), SIM_SILENT_H)
            listed = self.ids.get(plain) if plain != word else None
            if listed is not None and not self.abjad[listed]:  # "htun" = "tun", "shin" = "sin"
                self._add(found, (listed,), SIM_SILENT_H)
        self._add_latin_to_abjad(found, word)
        self._add_abd_stems(found, word)
        if len(word) >= SOUND_ALIKE_CHARS_MIN and max(found.values(), default=0.0) < SIM_VOWELS:
            self._add_sound_alikes(found, word, folded)
        self._add_sound_keys(found, word)
        return found

    def _add_abd_stems(self, found: Matches, word: str) -> None:
        """Listed "Abd" names sharing what follows "Abd" with ``word`` ("abdiqadir",
        "abdulqadir"), or whose part after "Abd" ``word`` is ("rahman", "abdurrahman")."""
        by_stem = self._by_abd_stem
        if word.startswith(abd_names.ABD):
            for stem in abd_names.stem_keys(word):
                self._add(found, by_stem.get(stem), SIM_ABD_NAME)
        elif len(word) >= abd_names.STEM_CHARS_MIN:
            self._add(found, by_stem.get(abd_names.key(word)), SIM_ABD_STEM)

    def _add_sound_alikes(self, found: Matches, word: str, folded: str) -> None:
        """Latin words with the same consonant skeleton whose vowel keys are one edit
        apart: the respellings of one name between romanisation systems and traditions
        ("Soleimani", "Salimani"), not different names sharing consonants ("Soleimani",
        "Salman": three edits)."""
        shape = skeleton(word)
        if len(shape) < SOUND_ALIKE_SKELETON_MIN:
            return
        key = vowel_key(folded)
        words, abjad = self.words, self.abjad
        for index in self._by_skeleton.get(shape):
            other = words[index]
            if abjad[index] or len(other) < SOUND_ALIKE_CHARS_MIN or index in found:
                continue
            if OSA.distance(key, vowel_key(fold(other)), score_cutoff=1) <= 1:
                self._add(found, (index,), SIM_SOUND_ALIKE)

    def _add_sound_keys(self, found: Matches, word: str) -> None:
        """Latin words sharing a sound key whose letters are close enough and whose
        lengths differ by ``SOUND_KEY_LENGTH_DIFFERENCE_MAX`` at most (see
        ``sound_keys``): spellings of one name in different romanisation traditions.
        Not for patronymics and East Slavic surnames ("-ov", "-sky", "-enko"): ``fold``
        and ``slavic_names`` relate their romanisations, and patronymics weigh little."""
        if PATRONYMIC.search(word) or _EAST_SLAVIC_SURNAME.search(word):
            return
        words, abjad = self.words, self.abjad
        for key in sound_keys(word):
            for index in self._by_sound.get(key):
                if index in found or abjad[index]:
                    continue
                if abs(len(words[index]) - len(word)) > SOUND_KEY_LENGTH_DIFFERENCE_MAX:
                    continue
                if _letters_close(word, words[index]):
                    found[index] = SIM_SOUND_KEY

    def joined_matches(self, first: str, second: str) -> Matches:
        """Listed words spelled as ``first`` and ``second`` written together."""
        found: Matches = {}
        self._add(found, self._by_fold.get(fold(first + second)), SIM_JOINED)
        return found

    def split_matches(self, word: str) -> Matches:
        """Two listed words that ``word`` writes as one ("Bioforestal" for "BIO
        FORESTAL", "Kalanaft" for "KALA NAFT"): the first split into two listed words,
        each of ``SPLIT_PART_CHARS_MIN`` letters or more (none for a listed word)."""
        if len(word) < 2 * SPLIT_PART_CHARS_MIN or not word.isalpha() or word in self.ids:
            return {}
        for cut in range(SPLIT_PART_CHARS_MIN, len(word) - SPLIT_PART_CHARS_MIN + 1):
            left, right = self._split_part(word[:cut]), self._split_part(word[cut:])
            if left is not None and right is not None and left != right:
                return {left: SIM_JOINED, right: SIM_JOINED}
        return {}

    def _split_part(self, part: str) -> int | None:
        """The listed word ``part``, unless it is a common word ("Isbank" is not "IS
        BANK", "Saidullah" not "Said Ullah")."""
        index = self.ids.get(part)
        if index is None or self.abjad[index] or part in COMMON_WORDS:
            return None
        return index

    def _add_typos(self, found: Matches, word: str, folded: str) -> None:
        ids, abjad = self.ids, self.abjad
        for key, distance in self._typos.near(word, two=not found):
            written = ids.get(key)  # keys are words as written or folded: take the former
            if written is not None and not abjad[written]:
                self._add(found, (written,), SIM_ONE_TYPO if distance == 1 else SIM_TWO_TYPOS)
        for key, _ in self._typos.near(folded, two=False) if folded != word else ():
            self._add(found, self._by_fold.get(key), SIM_FOLD_TYPO)

    def _add_abjad(self, found: Matches, word: str) -> None:
        # Any skeleton, even one consonant: "الراوي" is r + long vowels ("al-Rawi").
        for index in self._by_skeleton.get(skeleton(word)):
            fits = self.abjad[index] or abjad_fits(word, self.words[index])
            self._add(found, (index,), SIM_ABJAD if fits else SIM_SKELETON)

    def _add_latin_to_abjad(self, found: Matches, word: str) -> None:
        shape = skeleton(word)
        if len(shape) >= SKELETON_CHARS_MIN:
            for index in self._abjad_by_skeleton.get(shape):
                fits = abjad_fits(self.words[index], word)
                self._add(found, (index,), SIM_ABJAD if fits else SIM_SKELETON)

    @staticmethod
    def _add(found: Matches, ids: Sequence[int], similarity: float) -> None:
        for index in ids:
            if found.get(index, 0.0) < similarity:
                found[index] = similarity
