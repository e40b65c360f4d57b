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

from anyascii import anyascii

from finmesh.domain.policy.screening import LEGAL_FORM_PHRASES
from finmesh.domain.policy.screening import LEGAL_FORMS as POLICY_LEGAL_FORMS
from finmesh.domain.screening import scripts

NAME_CHARS_MAX = 500
"""Longest name normalised, in characters; the rest is ignored (ISO names are 140)."""
TEXT_CHARS_MAX = 2_000
"""Longest free text normalised, in characters (an ISO RmtInf/Ustrd is 140)."""

LEGAL_FORMS = POLICY_LEGAL_FORMS | frozenset(
    {
        # Ukrainian, Kazakh, Uzbek; Russian "individual entrepreneur" and "state unitary"
        "tov", "pat", "prat", "too", "mchj", "gup", "fgup", "mup", "ip", "npo", "nko",
        # Greek (A.E., E.P.E., O.E., I.K.E.), Turkish, Gulf and Iranian
        "ae", "epe", "oe", "ike", "as", "sti", "fze", "fzco", "fzc", "fzllc", "wll", "bsc",
        "psc", "qsc", "qpsc", "saog", "saoc", "pjs", "ppjs",
        # English long forms
        "incorporated", "corporation", "company", "gesellschaft",
    }
)  # fmt: skip
"""Legal-form words (extends the policy list, which measures use)."""

_APOSTROPHES = re.compile(r"['’`ʹʼ\u02bf\u02be]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_INITIALISM = re.compile(r"\b(?:[a-z0-9]\.)+[a-z0-9]\b\.?")
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")


@dataclass(frozen=True)
class NormalName:
    """The comparable words of a name, and which of them came from Arabic script."""

    tokens: tuple[str, ...]
    abjad: tuple[bool, ...]
    """Parallel to ``tokens``: True for a word romanised from Arabic script without a table
    entry (a consonant skeleton, compared by ``skeleton`` only)."""

    def __len__(self) -> int:
        return len(self.tokens)


def _latin_words(text: str) -> list[tuple[str, bool]]:
    """Lower-case romanised words of ``text`` with their abjad flags (nothing dropped)."""
    lowered = text.lower()
    if scripts.has_cyrillic(lowered):
        lowered = scripts.romanise_cyrillic(lowered)
    if scripts.has_greek(lowered):
        lowered = scripts.romanise_greek(lowered)
    pieces: list[tuple[str, bool]] = []
    if scripts.has_arabic(lowered):
        for chunk in lowered.split():
            pieces.extend(
                scripts.arabic_words(chunk) if scripts.has_arabic(chunk) else [(chunk, False)]
            )
    else:
        pieces.append((lowered, False))
    words: list[tuple[str, bool]] = []
    for piece, abjad in pieces:
        latin = _APOSTROPHES.sub("", anyascii(piece)).lower()
        joined = _SLASHED.sub(r"\1\2", _INITIALISM.sub(lambda m: m.group().replace(".", ""), latin))
        words.extend((word, abjad) for word in _NOT_ALNUM.sub(" ", joined).split())
    return words


_PHRASE_STARTS = frozenset(phrase[0] for phrase in LEGAL_FORM_PHRASES)


def _phrase_at(words: list[tuple[str, bool]], index: int) -> int:
    """Length of the spelled-out legal form starting at ``index`` (0 if none)."""
    if words[index][0] not in _PHRASE_STARTS:
        return 0
    for phrase in LEGAL_FORM_PHRASES:
        if tuple(word for word, _ in words[index : index + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _drop_legal_forms(words: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    kept: list[tuple[str, bool]] = []
    index = 0
    while index < len(words):
        skip = _phrase_at(words, index)
        if skip:
            index += skip
            continue
        if words[index][0] not in LEGAL_FORMS or words[index][1]:
            kept.append(words[index])
        index += 1
    return kept or words


_ABD = frozenset({"abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdoul"})
_ARTICLES = frozenset({"al", "el", "ul"})


def _join_abd(words: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """ "Abd X" names as one word, as lists mostly write them: "Abdul Rahman" ->
    "abdulrahman", "Abd al-Rahman" -> "abdalrahman", "عبد الله" -> "abdallah" (the spellings
    then meet by vowel key: "Abdullah" = "Abdallah")."""
    out: list[tuple[str, bool]] = []
    joining = ""
    for word, abjad in words:
        if joining and word in _ARTICLES and not abjad:
            joining += word
        elif joining:
            out.append((joining + word, abjad))
            joining = ""
        elif word in _ABD and not abjad:
            joining = word
        else:
            out.append((word, abjad))
    if joining:
        out.append((joining, False))
    return out


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> NormalName:
    """The comparable words of a person's or an entity's name (see the module docstring)."""
    name = name[:NAME_CHARS_MAX]
    surname, comma, given = name.partition(",")
    if comma and surname.strip() and given.strip() and "," not in given:
        name = f"{given} {surname}"
    words = _drop_legal_forms(_join_abd(_latin_words(name)))
    return NormalName(tuple(w for w, _ in words), tuple(a for _, a in words))


def text_words(text: str) -> NormalName:
    """The comparable words of free text, in order (legal forms kept: no name boundaries)."""
    words = _latin_words(text[: NAME_CHARS_MAX * 4])
    return NormalName(tuple(w for w, _ in words), tuple(a for _, a in words))


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
        ("ck|q|c", "k"),
        ("ks|x", "x"),
        ("w", "v"),
        ("tz|z(?=[vw])", "ts"),  # ц: German "Zwetkow" = "Tsvetkov"
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


def _vowel_class(run: re.Match[str]) -> str:
    # A single vowel letter is a short vowel; two different ones a long vowel or a diphthong
    # ("Hussein", "Husayn" = "hasain", apart from "Hasan" = "hasan").
    return "a" if run.start() == 0 or len(run.group()) == 1 else "ai"


def vowel_key(folded: str) -> str:
    """A folded word with vowels written as classes ("mohamed", "muhamad" -> "mahamad")."""
    return _VOWEL_RUN.sub(_vowel_class, _DOUBLED.sub(r"\1", folded))


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
