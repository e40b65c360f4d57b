"""Romanisation systems used in practice, to write evaluation names the ways they arrive.

Deliberately separate from the matcher's own romanisation (``finmesh.domain.screening
.scripts``): a listed name is written in one system and screened in another, so the
evaluation measures how well the matcher bridges systems, not whether it agrees with
itself.

Russian: BGN/PCGN (US and UK lists: "Yuriy", "Aleksey", soft sign as an apostrophe),
ICAO 9303 (Russian passports since 2014: "Iurii", "Aleksei"), and German Duden ("Juri",
"Alexej", "Schukow"). Greek: ELOT 743 (passports), a phonetic spelling ("Hristos",
"Kiriakidis") and a learned one ("Papadopulos", "Christodulu").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_RU_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "ы": "y", "э": "e",
}  # fmt: skip
_RU_BGN = {
    **_RU_COMMON, "е": "e", "ё": "ë", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "\"", "ь": "'", "ю": "yu", "я": "ya",
}  # fmt: skip
_RU_ICAO = {
    **_RU_COMMON, "е": "e", "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "ie", "ь": "", "ю": "iu", "я": "ia",
}  # fmt: skip
_RU_GERMAN = {
    **_RU_COMMON, "в": "w", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "х": "ch",
    "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ь": "", "ю": "ju", "я": "ja",
}  # fmt: skip
_RU_VOWELS = "аеёиоуыэюяьъ"


def _cyrillic(table: dict[str, str], after_vowel_e: str) -> Callable[[str], str]:
    def romanise(text: str) -> str:
        out: list[str] = []
        previous = " "
        for char in text:
            lower = char.lower()
            latin = table.get(lower)
            if latin is None:
                out.append(char)
            else:
                if lower == "е" and (previous in _RU_VOWELS or not previous.isalpha()):
                    latin = after_vowel_e
                out.append(latin.capitalize() if char != lower else latin)
            previous = lower
        return "".join(out)

    return romanise


def _bgn_finish(text: str) -> str:
    return text.replace("ë", "yo")


def bgn(text: str) -> str:
    return _bgn_finish(_cyrillic(_RU_BGN, "ye")(text))


icao = _cyrillic(_RU_ICAO, "e")


def german(text: str) -> str:
    latin = _cyrillic(_RU_GERMAN, "je")(text)
    # Duden writes "ks" as "x" and a single "s" between vowels as "ss".
    latin = latin.replace("ks", "x")
    return re.sub(r"(?<=[aeiouy])s(?=[aeiouy])", "ss", latin)


RUSSIAN_SYSTEMS: dict[str, Callable[[str], str]] = {"bgn": bgn, "icao": icao, "german": german}

_EL_LETTERS = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r",
    "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_EL_ELOT = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"), ("μπ", "mp"))
_EL_PHONETIC = (
    ("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "g"), ("μπ", "b"),
    ("ντ", "d"), ("οι", "i"), ("ει", "i"), ("αι", "e"), ("υ", "i"), ("χ", "h"),
)  # fmt: skip
_EL_LEARNED = (("ου", "u"), ("αυ", "au"), ("ευ", "eu"), ("γγ", "ng"), ("γκ", "nc"), ("κ", "c"))


def _greek(digraphs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    def romanise(text: str) -> str:
        words = []
        for word in text.split():
            bare = "".join(
                c
                for c in unicodedata.normalize("NFD", word.lower())
                if not unicodedata.combining(c)
            )
            for greek, latin in digraphs:
                bare = bare.replace(greek, latin)
            words.append("".join(_EL_LETTERS.get(c, c) for c in bare).capitalize())
        return " ".join(words)

    return romanise


GREEK_SYSTEMS: dict[str, Callable[[str], str]] = {
    "elot": _greek(_EL_ELOT),
    "phonetic": _greek(_EL_PHONETIC),
    "learned": _greek(_EL_LEARNED),
}
