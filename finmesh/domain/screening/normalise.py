"""Names and free text to comparable Latin words, and the keys words are compared by.

``normalise_name`` is the one entry point for names, listed or screened alike, so both
sides always agree: each script is romanised the way lists write it (``scripts``), the
rest by anyascii; case, accents and punctuation go; "SURNAME, Given" is turned round to
"Given SURNAME"; company legal forms (``LEGAL_FORMS`` and spelled-out phrases such as
"public joint stock company") are dropped so they neither create nor hide a match, unless
nothing would be left.

Three keys then compare words that are spelled differently:

- ``fold``: undoes the differences between romanisation systems ("Yevgeniy", "Evgeny" and
  "Jewgeni" -> "evgeni"; "Aleksandr"/"Alexandr"; "Iouri"/"Yuri"; doubled letters).
- ``vowel_key``: every vowel run as "a", for names whose vowels lists spell differently
  ("Mohamed", "Muhammad", "Mohammad" -> "mahamad"; "Mahmoud" stays apart: "mahmad").
- ``skeleton``: consonants only (an initial vowel kept as "a"), for words coming from
  Arabic script, which writes no short vowels (``scripts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from anyascii import anyascii

from finmesh.domain.policy.screening import LEGAL_FORM_PHRASES
from finmesh.domain.policy.screening import LEGAL_FORMS as POLICY_LEGAL_FORMS
from finmesh.domain.screening import institution_words, scripts

NAME_CHARS_MAX = 500
"""Longest name normalised, in characters; the rest is ignored (ISO names are 140)."""
TEXT_CHARS_MAX = 2_000
"""Longest free text normalised, in characters (an ISO RmtInf/Ustrd is 140)."""

LEGAL_FORMS = POLICY_LEGAL_FORMS | frozenset(
    {
        # Ukrainian, Kazakh, Uzbek; Russian "individual entrepreneur" and "state unitary"
        "tov", "pat", "prat", "too", "mchj", "gup", "fgup", "mup", "ip", "npo", "nko",
        # Greek (A.E., E.P.E., O.E., I.K.E.), Turkish, Gulf, Lebanese (S.A.L.) and Iranian
        "ae", "epe", "oe", "ike", "as", "sti", "fze", "fzco", "fzc", "fzllc", "wll", "bsc",
        "psc", "qsc", "qpsc", "saog", "saoc", "pjs", "ppjs", "sal",
        # English long forms
        "incorporated", "corporation", "company", "gesellschaft",
        # Belgian (B.V.B.A., S.P.R.L.), Pakistani and Indian "(Pvt.) Ltd.", Russian АКБ
        "bvba", "sprl", "pvt", "akb",
    }
)  # fmt: skip
"""Legal-form words (extends the policy list, which measures use)."""

_APOSTROPHES = re.compile(r"['’`ʹʼ\u02bf\u02be]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_INITIALISM = re.compile(r"\b(?:[a-z0-9]\.)+[a-z0-9]\b\.?")
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")
_CYRILLIC_WORD = re.compile(r"[0-9a-z\u0400-\u04ff]+")


@dataclass(frozen=True)
class NormalName:
    """The comparable words of a name, and which of them came from Arabic script."""

    tokens: tuple[str, ...]
    abjad: tuple[bool, ...]
    """Parallel to ``tokens``: True for a word romanised from Arabic script without a table
    entry (a consonant skeleton, compared by ``skeleton`` only)."""
    alternatives: tuple[tuple[str, ...], ...] = ()
    """Parallel to ``tokens`` (or empty: none): other readings of each word, looked up as
    well (the Ukrainian or Belarusian reading of Cyrillic "г" as "h"; the English reading
    of a common institution word, ``institution_words``)."""
    surname_words: int = 0
    """How many of the last tokens came before the comma of "SURNAME, Given": the
    surname (0 when the name was not written so)."""

    def __len__(self) -> int:
        return len(self.tokens)

    def readings(self, position: int) -> tuple[str, ...]:
        """The token at ``position`` and its alternative readings."""
        if not self.alternatives:
            return (self.tokens[position],)
        return (self.tokens[position], *self.alternatives[position])


class Word(NamedTuple):
    text: str
    abjad: bool = False
    alternatives: tuple[str, ...] = ()
    legal: bool = False
    """A legal-form word found by a table of another script ("общество", "有限公司")."""
    surname: bool = False


def _plain_words(piece: str, abjad: bool = False) -> list[Word]:
    """Lower-case Latin words of an already lower-cased piece (anyascii for the rest)."""
    latin = _APOSTROPHES.sub("", anyascii(piece)).lower()
    joined = _SLASHED.sub(r"\1\2", _INITIALISM.sub(lambda m: m.group().replace(".", ""), latin))
    return [Word(word, abjad) for word in _NOT_ALNUM.sub(" ", joined).split()]


def _with_readings(words: list[Word], readings: tuple[str, ...], legal: bool) -> list[Word]:
    """``words`` (from one source word) with its alternative readings, if it made one."""
    if len(words) != 1:
        return words
    alternatives = tuple(r for r in dict.fromkeys(readings) if r and r != words[0].text)
    return [words[0]._replace(alternatives=alternatives, legal=legal)]


def _cyrillic_words(chunk: str) -> list[Word]:
    words: list[Word] = []
    for piece in _CYRILLIC_WORD.findall(chunk):
        translated = institution_words.slavic_reading(piece)
        readings = (scripts.romanise_cyrillic_h(piece), translated or "")
        romanised = _plain_words(scripts.romanise_cyrillic(piece))
        words.extend(_with_readings(romanised, readings, translated == ""))
    return words


def _arabic_words(chunk: str) -> list[Word]:
    words: list[Word] = []
    for latin, abjad, reading in scripts.arabic_words(chunk):
        plain = _plain_words(latin, abjad)
        words.extend(_with_readings(plain, (reading or "",), reading == ""))
    return words


def _chinese_words(chunk: str) -> list[Word]:
    words: list[Word] = []
    position = 0
    while position < len(chunk):
        found, length = _chinese_word_at(chunk, position)
        piece = chunk[position : position + length]
        if found is None:
            words.extend(_plain_words(piece))
        elif found == "":
            words.extend(Word(w.text, legal=True) for w in _plain_words(piece))
        else:
            pinyin = "".join(w.text for w in _plain_words(piece))
            words.extend(Word(english, alternatives=(pinyin,)) for english in found.split())
        position += length
    return words


def _chinese_word_at(chunk: str, position: int) -> tuple[str | None, int]:
    """(English reading, "" for a legal form, None for none; length) of the longest
    table word at ``position`` (length 1 when none)."""
    longest = min(institution_words.CHINESE_WORD_CHARS_MAX, len(chunk) - position)
    for length in range(longest, 1, -1):
        word = chunk[position : position + length]
        if word in institution_words.CHINESE_LEGAL_FORMS:
            return "", length
        if word in institution_words.CHINESE_WORDS:
            return institution_words.CHINESE_WORDS[word], length
    return None, 1


def _latin_words(text: str) -> list[Word]:
    """Lower-case romanised words of ``text`` with their flags (nothing dropped)."""
    lowered = text.lower()
    if scripts.has_greek(lowered):
        lowered = scripts.romanise_greek(lowered)
    words: list[Word] = []
    for chunk in lowered.split():
        if scripts.has_cyrillic(chunk):
            words.extend(_cyrillic_words(chunk))
        elif scripts.has_arabic(chunk):
            words.extend(_arabic_words(chunk))
        elif scripts.has_han(chunk):
            words.extend(_chinese_words(chunk))
        else:
            words.extend(_plain_words(chunk))
    return words


_PHRASE_STARTS = frozenset(phrase[0] for phrase in LEGAL_FORM_PHRASES)


def _phrase_at(words: list[Word], index: int) -> int:
    """Length of the spelled-out legal form starting at ``index`` (0 if none)."""
    if words[index].text not in _PHRASE_STARTS:
        return 0
    for phrase in LEGAL_FORM_PHRASES:
        if tuple(word.text for word in words[index : index + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _drop_legal_forms(words: list[Word]) -> list[Word]:
    kept: list[Word] = []
    index = 0
    while index < len(words):
        skip = _phrase_at(words, index)
        if skip:
            index += skip
            continue
        word = words[index]
        if not (word.legal or (word.text in LEGAL_FORMS and not word.abjad)):
            kept.append(word)
        index += 1
    return kept or words


_ABD = frozenset({"abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdur"})
_ARTICLES = frozenset({"al", "el", "ul"})


def _join_abd(words: list[Word]) -> list[Word]:
    """ "Abd X" names as one word, as lists mostly write them: "Abdul Rahman" ->
    "abdulrahman", "Abd al-Rahman" -> "abdalrahman", "عبد الله" -> "abdallah" (the spellings
    then meet by vowel key: "Abdullah" = "Abdallah")."""
    out: list[Word] = []
    joining = ""
    for word in words:
        if joining and word.text in _ARTICLES and not word.abjad:
            joining += word.text
        elif joining:
            out.append(word._replace(text=joining + word.text, alternatives=()))
            joining = ""
        elif word.text in _ABD and not word.abjad:
            joining = word.text
        else:
            out.append(word)
    if joining:
        out.append(Word(joining, surname=bool(words) and words[-1].surname))
    return out


def _normal(words: list[Word]) -> NormalName:
    alternatives = tuple(w.alternatives for w in words)
    surname_words = 0
    for word in reversed(words):
        if not word.surname:
            break
        surname_words += 1
    return NormalName(
        tuple(w.text for w in words),
        tuple(w.abjad for w in words),
        alternatives if any(alternatives) else (),
        surname_words if surname_words < len(words) else 0,
    )


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> NormalName:
    """The comparable words of a person's or an entity's name (see the module docstring)."""
    name = name[:NAME_CHARS_MAX]
    surname, comma, given = name.partition(",")
    if comma and surname.strip() and given.strip() and "," not in given:
        words = _latin_words(given)
        words.extend(word._replace(surname=True) for word in _latin_words(surname))
    else:
        words = _latin_words(name)
    return _normal(_drop_legal_forms(_join_abd(words)))


def text_words(text: str) -> NormalName:
    """The comparable words of free text, in order (legal forms kept: no name boundaries)."""
    return _normal(_latin_words(text[: NAME_CHARS_MAX * 4]))


def _one_pass(rules: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], list[str]]:
    """One regex trying ``rules`` in order at each position, and their replacements."""
    pattern = re.compile("|".join(f"({rule})" for rule, _ in rules))
    return pattern, [replacement for _, replacement in rules]


_FOLD_LETTERS = _one_pass(
    (
        ("schtsch|shch|chtch", "sh"),  # щ: German, BGN, French
        ("tsch|tch", "h"),  # ч: German, French (as "ch" below)
        ("sch|zh", "sh"),  # ш, ж: German "sch", BGN "zh"
        ("dzh|dj|j", "y"),
        ("mp|mb", "b"),  # Greek μπ, ντ: passports "Lampros", "Antonios"; also "Lambros", "Adonios"
        ("nt|nd", "d"),
        ("^gk", "g"),
        ("kh|ch", "h"),  # х (BGN "kh", German "ch"), χ ("ch", "h"); so ч too
        ("ph", "f"),
        ("ck|q|c|(?<=[aeiou])gh", "k"),  # Persian ق, غ after a vowel: "Sadegh" = "Sadeq"
        ("ks|x", "x"),
        ("w", "v"),
        ("tz|z(?=[vw])", "ts"),  # ц: German "Zwetkow" = "Tsvetkov"
        ("(?<=[aeiouy])z(?=[aeiouy])", "s"),  # з: German "Tschemesow" = "Chemezov"
        ("(?<=[oe])ff$", "v"),  # -ов, -ев: French and older German "Ivanoff", "Lebedeff"
        ("ou|oo", "u"),
        ("eu", "ev"),  # Greek ευ, αυ written the learned way
        ("au", "av"),
    )
)
_FOLD_VOWELS = _one_pass(
    (
        ("^ye", "e"),
        ("(?<=[aeiou])y(?=e)", ""),  # BGN "Sergeyevich" = passport "Sergeevich"
        ("yo", "e"),
        ("(?:iy|yy|ii|y)$", "i"),
        ("y(?=[aeu])|(?<=[aeiou])y(?![aeiou])", "i"),
        ("(?<=[a-z]{3}[aeiouy])eh$", "a"),  # Persian ta marbuta: "Haniyeh" = "Haniya"
    )
)
_DOUBLED = re.compile(r"(.)\1+")


def _apply(rules: tuple[re.Pattern[str], list[str]], text: str) -> str:
    pattern, replacements = rules
    return pattern.sub(lambda m: replacements[(m.lastindex or 1) - 1], text)


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """``token`` with romanisation-system differences undone (see the module docstring)."""
    return _DOUBLED.sub(r"\1", _apply(_FOLD_VOWELS, _apply(_FOLD_LETTERS, token)))


_VOWEL_RUN = re.compile(r"^[aeiouy]+|(?<=.)[aeiouy]+")


_INITIAL_VOWEL_CLASS = str.maketrans("aeiouy", "aiiuui")
_INITIAL_VOWELS = frozenset("aeiouy")
INITIAL_VOWEL_CHARS_MAX = 5
"""Longest folded word whose initial vowel keeps its quality in ``vowel_key``."""


def _vowel_class(run: re.Match[str]) -> str:
    # A single vowel letter is a short vowel; two different ones a long vowel or a diphthong
    # ("Hussein", "Husayn" = "hasain", apart from "Hasan" = "hasan").
    return "a" if run.start() == 0 or len(run.group()) == 1 else "ai"


def vowel_key(folded: str) -> str:
    """A folded word with vowels written as classes ("mohamed", "muhamad" -> "mahamad").
    In a short word an initial vowel keeps its quality, a, i/e or u/o, the way
    romanisations of Arabic write it: "Omar" = "Umar", "Imad" = "Emad", but "Amir" is not
    "Omar" (in a short word one vowel is much of the name; longer words starting with an
    ʿayn take any vowel: "Anayat" = "Inayat")."""
    key = _VOWEL_RUN.sub(_vowel_class, _DOUBLED.sub(r"\1", folded))
    if len(folded) <= INITIAL_VOWEL_CHARS_MAX and folded[:1] in _INITIAL_VOWELS:
        return folded[0].translate(_INITIAL_VOWEL_CLASS) + key[1:]
    return key


_SKELETON_DIGRAPHS = re.compile(r"kh|gh|sh|ch|th|dh|ph|ou")
_SKELETON_DIGRAPH = {
    "kh": "x", "gh": "g", "sh": "s", "ch": "s", "th": "t", "dh": "d", "ph": "f", "ou": "u",
}  # fmt: skip
_SKELETON_LETTERS = str.maketrans(
    {"q": "k", "c": "k", "g": "j", "v": "f", "e": "a", "i": "a", "o": "a", "u": "a"}
)
_SKELETON_INNER_VOWELS = re.compile(r"(?<=.)[ayw]")


_SHAPE_LETTERS = str.maketrans({"q": "k", "c": "k", "g": "j", "v": "f"})
_LONG_VOWEL_LATIN = {"w": frozenset("uow"), "y": frozenset("iey")}


def _shape(token: str) -> tuple[str, list[str]]:
    """Consonants of a word and the vowel letters in each gap around them."""
    token = _SKELETON_DIGRAPHS.sub(lambda m: _SKELETON_DIGRAPH[m.group()], token)
    token = token.translate(_SHAPE_LETTERS)
    consonants: list[str] = []
    gaps: list[str] = [""]
    for index, char in enumerate(token):
        if char in "aeiou" or (char in "yw" and index > 0):
            gaps[-1] += char
        elif consonants and consonants[-1] == char and not gaps[-1]:
            continue
        else:
            consonants.append(char)
            gaps.append("")
    if len(consonants) > 2 and consonants[-1] == "h" and not gaps[-1]:
        consonants.pop()
        gaps.pop()
    return "".join(consonants), gaps


@lru_cache(maxsize=65536)
def abjad_fits(abjad: str, latin: str) -> bool:
    """True when a Latin word can spell an abjad word: same consonants, and every long
    vowel the abjad writes (alef, waw, ya) is written by a fitting Latin vowel
    ("jbwry" fits "Juburi", not "Jabir"). Short vowels are free: abjads omit them."""
    abjad_consonants, abjad_gaps = _shape(abjad)
    latin_consonants, latin_gaps = _shape(latin)
    if abjad_consonants != latin_consonants:
        return False
    for written, spelled in zip(abjad_gaps, latin_gaps, strict=True):
        if written and not spelled:
            return False
        for long_vowel, letters in _LONG_VOWEL_LATIN.items():
            if long_vowel in written and letters.isdisjoint(spelled):
                return False
    return True


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """Consonants of a word, the way an abjad writes them ("husayn", "hussein" -> "hsn")."""
    token = _SKELETON_DIGRAPHS.sub(lambda m: _SKELETON_DIGRAPH[m.group()], token)
    token = token.translate(_SKELETON_LETTERS)
    token = _SKELETON_INNER_VOWELS.sub("", token.removesuffix("h") if len(token) > 2 else token)
    return _DOUBLED.sub(r"\1", token)
