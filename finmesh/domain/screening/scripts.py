"""Script-specific romanisation, in the forms sanctions lists use, before anyascii.

anyascii handles every script, but its choices are not always the lists': Greek "ου"
becomes "oy" (lists write "ou": Papadopoulos), "γγ" stays "gg" (lists: "ng"), and it
drops Arabic vowels without any way to recover them. So:

- Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Macedonian) follows the BGN/PCGN
  forms without diacritics that OFAC, EU and UN lists write: "Сечин" -> "sechin",
  "х" -> "kh", "ж" -> "zh", "щ" -> "shch", "й" -> "y", soft and hard signs dropped
  ("Роснефть" -> "rosneft").
- Greek follows ELOT 743 (the Greek passport standard): "ου" -> "ou", "αυ"/"ευ" -> "av"/"ev"
  ("af"/"ef" before voiceless consonants), "γγ" -> "ng", "μπ" -> "b" at the start of a
  word, "ντ" -> "d" at the start, "χ" -> "ch", "η" -> "i", "β" -> "v".
- Arabic script writes no short vowels, so a word cannot be romanised the way a list
  spells it. Common name words (Muhammad, Abdullah, bin, Abu, ...) come from a table; any
  other word becomes a romanised consonant skeleton and is marked *abjad*: the matcher
  compares such words by consonant skeleton only. The article "ال" is split off as "al".

Input is lower case (``str.lower`` already applies the Greek final-sigma rule).
"""

from __future__ import annotations

import re
import unicodedata

from finmesh.domain.screening import institution_words

CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
        # Ukrainian and Belarusian
        "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u",
        # Serbian and Macedonian
        "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
        "ѕ": "dz",
    }
)  # fmt: skip
"""Lower-case Cyrillic letter -> BGN/PCGN romanisation without diacritics."""

GREEK_LETTERS = str.maketrans(
    {
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
        "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
        "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
        "ω": "o",
    }
)  # fmt: skip
"""Lower-case unaccented Greek letter -> ELOT 743."""

_GREEK_VOICELESS = "θκξπστφχψ"
_GREEK_DIGRAPHS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ου"), "ou"),
    (re.compile(rf"([αεη])υ(?=[{_GREEK_VOICELESS}]|\b)"), r"\1f"),
    (re.compile(r"([αεη])υ"), r"\1v"),
    (re.compile(r"γγ"), "ng"),
    (re.compile(r"γξ"), "nx"),
    (re.compile(r"γχ"), "nch"),
    (re.compile(r"\bμπ"), "b"),
    (re.compile(r"\bντ"), "d"),
)
"""ELOT 743 digraphs, applied in this order before the letters."""

_GREEK_LETTER = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_HAN_LETTER = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
"""Short-vowel signs (harakat), superscript alef and the tatweel: none carry letters."""

ARABIC_LETTERS = str.maketrans(
    {
        "ا": "a", "أ": "a", "إ": "a", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th",
        "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s",
        "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f",
        "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w",
        "ي": "y", "ى": "a", "ء": "", "ئ": "y", "ؤ": "w",
        # Persian and Urdu letters
        "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "y",
    }
)  # fmt: skip
"""Arabic-script letter -> consonant-skeleton romanisation (ayn and alef as "a")."""

_ALEFS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"}
)

ARABIC_WORDS: dict[str, str] = {
    "محمد": "muhammad", "احمد": "ahmad", "محمود": "mahmud", "علي": "ali", "حسن": "hasan",
    "حسين": "husayn", "عمر": "umar", "عثمان": "uthman", "خالد": "khalid", "يوسف": "yusuf",
    "ابراهيم": "ibrahim", "اسماعيل": "ismail", "مصطفي": "mustafa", "سعيد": "said",
    "صالح": "salih", "ناصر": "nasir", "فيصل": "faisal", "اسامه": "usama", "حمزه": "hamza",
    "فاطمه": "fatima", "عائشه": "aisha", "مريم": "maryam", "زينب": "zaynab", "يحيي": "yahya",
    "موسي": "musa", "عيسي": "isa", "جعفر": "jafar", "طارق": "tariq", "جمال": "jamal",
    "كريم": "karim", "رشيد": "rashid", "سليمان": "sulayman", "عبدالله": "abdullah",
    "الله": "allah", "بن": "bin", "ابن": "ibn", "بنت": "bint", "ابو": "abu", "عبد": "abd",
    "ال": "al",
}  # fmt: skip
"""Common Arabic name words (after alef and ta-marbuta folding) -> the usual list spelling."""

ARABIC_ARTICLE = "ال"


def has_greek(text: str) -> bool:
    return _GREEK_LETTER.search(text) is not None


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC_LETTER.search(text) is not None


def has_arabic(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


def romanise_cyrillic(text: str) -> str:
    return text.translate(CYRILLIC)


CYRILLIC_H = str.maketrans({**CYRILLIC, ord("г"): "h"})
"""The same with "г" as "h", as Ukrainian and Belarusian romanisations write it."""


def romanise_cyrillic_h(text: str) -> str:
    """The Ukrainian / Belarusian reading of "г" ("Герман" -> "herman"), else BGN."""
    return text.translate(CYRILLIC_H)


def has_han(text: str) -> bool:
    return _HAN_LETTER.search(text) is not None


def romanise_greek(text: str) -> str:
    """ELOT 743 for the Greek letters of ``text``; other characters pass through."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    for pattern, replacement in _GREEK_DIGRAPHS:
        bare = pattern.sub(replacement, bare)
    return bare.translate(GREEK_LETTERS)


def arabic_words(text: str) -> list[tuple[str, bool, str | None]]:
    """The romanised words of an Arabic-script text: (word, True when abjad, the English
    reading of a common institution word or None; "" for a legal-form word)."""
    words: list[tuple[str, bool, str | None]] = []
    for word in _ARABIC_MARKS.sub("", text).translate(_ALEFS).split():
        words.extend(_arabic_word(word))
    return words


_ARTICLE_FORMS = ("لل", "ال")
"""The article, and "li-" before it written together ("للتنمية": for development)."""


def _reading(word: str) -> str | None:
    reading = institution_words.arabic_reading(word)
    if reading is None and word.startswith(("و", "ب")) and len(word) > 3:
        reading = institution_words.arabic_reading(word[1:])  # "wa-", "bi-" written joined
    return reading


def _arabic_word(word: str) -> list[tuple[str, bool, str | None]]:
    known = ARABIC_WORDS.get(word)
    if known is not None:
        return [(known, False, None)]
    if not has_arabic(word):
        return [(word, False, None)]
    for article in _ARTICLE_FORMS:
        if word.startswith(article) and len(word) > len(article) + 1:
            return [("al", False, None), *_arabic_word(word[len(article) :])]
    return [(word.translate(ARABIC_LETTERS), True, _reading(word))]
