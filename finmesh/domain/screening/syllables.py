"""Korean and Chinese syllables as the romanisation systems write them, so that two
spellings of one syllable meet: "PAK", "BAK" and "PARK" (박), "CHO'NG" and "JONG" (정),
"POK" and "BOK" (복), "CHAO" and "ZHAO" (赵), "HSU" and "XU" (徐).

The names of Korean and Chinese persons are written one syllable a word ("KIM, Yong
Chol", "WEI, Zhao"), and a syllable is short: one letter changes it ("Kim", "Kum"),
so ``typos`` allows no typo in it and ``fold`` and ``sound_keys`` relate only some of
its spellings. Here every spelling a system gives a syllable is looked up by the
syllable itself (a *key*), never by letter rules: two words are spellings of one
syllable when some system writes each of them for it.

Korean (``KOREAN_INITIALS``, ``KOREAN_VOWELS``, ``KOREAN_FINALS``): McCune-Reischauer
(with its breves and apostrophes dropped, as lists write it: "Ch'ŏl" is "chol", which
North Korea's official romanisation also writes), the Revised Romanisation ("cheol"),
and the spellings usage has fixed for names ("young", "yoon", "choi", "lee",
``COMMON``). Yale, a linguists' system, is left out: it writes ㅓ as "e" and ㅐ as "ay",
which would make one syllable of many names; so is the initial-sound rule of the South
for other syllables than 李's (료 "Ryo" in the North is "Yo" in the South), which on the
development half found no alias and made four look-alikes ("RYU, Kwang" for "YU, Kwang
Ho"), and "u" for ㅓ ("Sung", "Chul"), which ``vowel_key`` already relates. A key is the
Hangul syllable (its final consonant as the sound it is read with at the end of a
syllable: ㅅ, ㅈ, ㅊ are "t").

Chinese (``PINYIN``): each pinyin syllable and its Wade-Giles spelling, apostrophes and
umlauts dropped as lists write them ("Ch'ao" is "chao": 赵 "Zhao" and 超 "Chao"). A key is
the pinyin syllable. Cantonese, Hokkien and other spellings ("Wong", "Tan") are other
languages' readings of a character, not spellings of one syllable, and are left out.

The tables are facts of the systems, written for this project.
"""

from __future__ import annotations

KOREAN_INITIALS = (
    "k g", "kk gg", "n", "t d", "tt dd", "r l", "m", "p b", "pp bb", "s", "ss", "",
    "ch j", "tch jj", "ch", "k", "t", "p", "h",
)  # fmt: skip
"""ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ (Hangul order): McCune-Reischauer, then
Revised Romanisation where it differs (aspirated ㅊ ㅋ ㅌ ㅍ lose their apostrophe)."""
KOREAN_VOWELS = (
    "a", "ae", "ya", "yae", "o eo", "e", "yo yeo you", "ye", "o", "wa", "wae",
    "oe oi", "yo", "u oo", "wo", "we", "wi", "yu yoo", "u eu", "ui eui", "i ee",
)  # fmt: skip
"""ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ: McCune-Reischauer
without its breve ("ŏ" "o", "ŭ" "u"), Revised Romanisation ("eo", "eu"), and usage in
names ("Young" for ㅕ, "Choi", "Moon", "Yoo", "Lee")."""
KOREAN_FINALS = {"": 0, "k": 1, "n": 4, "t": 7, "l": 8, "m": 16, "p": 17, "ng": 21}
"""The sounds a syllable may end in, and the Hangul final that stands for each in a key."""
_SIOT = 9
_I_VOWELS = frozenset((16, 20))
"""ㅟ ㅣ: before them McCune-Reischauer writes ㅅ "sh" ("Shin", "Shwi")."""
COMMON = {
    "park": "박", "rhee": "이리", "yi": "이리", "woo": "우", "noh": "노", "roh": "노",
    "oh": "오", "ahn": "안", "suh": "서",
}  # fmt: skip
"""Spellings of Korean surnames that usage fixed outside the systems (李 is 이 in the
South, 리 in the North)."""

PINYIN = {
    "b": "a o ai ei ao an en ang eng i ie iao ian in ing u",
    "p": "a o ai ei ao ou an en ang eng i ie iao ian in ing u",
    "m": "a o e ai ei ao ou an en ang eng i ie iao iu ian in ing u",
    "f": "a o ei ou an en ang eng u",
    "d": "a e ai ei ao ou an en ang eng ong i ie iao iu ian ing u uo ui uan un",
    "t": "a e ai ao ou an ang eng ong i ie iao ian ing u uo ui uan un",
    "n": "a e ai ei ao ou an en ang eng ong i ie iao iu ian in iang ing u uo uan v ve",
    "l": "a e ai ei ao ou an ang eng ong i ia ie iao iu ian in iang ing u uo uan un v ve",
    "g": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "k": "a e ai ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "h": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "j": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "q": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "x": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "zh": "a e i ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "ch": "a e i ai ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "sh": "a e i ai ei ao ou an en ang eng u ua uo uai ui uan un uang",
    "r": "e i ao ou an en ang eng ong u uo ui uan un",
    "z": "a e i ai ei ao ou an en ang eng ong u uo ui uan un",
    "c": "a e i ai ao ou an en ang eng ong u uo ui uan un",
    "s": "a e i ai ao ou an en ang eng ong u uo ui uan un",
    "": "a o e ai ei ao ou an en ang eng er",
    "y": "i a e ao ou an in ang ing ong u ue uan un",
    "w": "u a o ai ei an en ang eng",
}
"""Pinyin syllables by initial (``v`` for ü; "y" and "w" begin the syllables that have
no initial consonant)."""
WADE_GILES_INITIALS = {
    "b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k", "j": "ch", "q": "ch",
    "x": "hs", "zh": "ch", "ch": "ch", "r": "j", "z": "ts", "c": "ts",
}  # fmt: skip
"""Pinyin initials Wade-Giles writes otherwise (aspiration apostrophes dropped)."""
WADE_GILES_FINALS = {
    "ong": "ung", "ie": "ieh", "ian": "ien", "iong": "iung", "ue": "ueh", "er": "erh",
    "v": "u", "ve": "ueh",
}  # fmt: skip
"""Pinyin finals Wade-Giles writes otherwise (ü as "u", its umlaut dropped)."""
WADE_GILES_SYLLABLES = {
    "zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih", "zi": "tzu", "ci": "tzu",
    "si": "ssu", "yi": "i", "ye": "yeh", "you": "yu", "yan": "yen", "yong": "yung",
    "yue": "yueh", "e": "o", "ge": "ko", "ke": "ko", "he": "ho", "gui": "kuei",
    "kui": "kuei", "duo": "to", "tuo": "to", "nuo": "no", "luo": "lo", "zuo": "tso",
    "cuo": "tso", "suo": "so", "zhuo": "cho", "chuo": "cho", "ruo": "jo",
}  # fmt: skip
"""Whole syllables Wade-Giles writes otherwise than by initial and final."""
SYLLABLE_CHARS_MAX = 6
"""Longest word looked up as a syllable ("chuang", "shuang"; "hsiung")."""


def _korean_key(initial: int, vowel: int, final: int) -> str:
    return chr(0xAC00 + (initial * 21 + vowel) * 28 + final)


def _initial_spellings(initial: int, vowel: int) -> list[str]:
    spellings = KOREAN_INITIALS[initial].split(" ")
    if initial == _SIOT and vowel in _I_VOWELS:
        spellings.append("sh")
    return spellings


def _korean() -> dict[str, set[str]]:
    spellings: dict[str, set[str]] = {}
    for vowel, vowel_spellings in enumerate(KOREAN_VOWELS):
        for initial in range(len(KOREAN_INITIALS)):
            for first in _initial_spellings(initial, vowel):
                for middle in vowel_spellings.split():
                    for last, final in KOREAN_FINALS.items():
                        key = _korean_key(initial, vowel, final)
                        spellings.setdefault(first + middle + last, set()).add(key)
    for spelling, syllables in COMMON.items():
        spellings.setdefault(spelling, set()).update(syllables)
    return spellings


def _wade_giles(initial: str, final: str) -> str:
    whole = WADE_GILES_SYLLABLES.get(initial + final)
    if whole is not None:
        return whole
    return WADE_GILES_INITIALS.get(initial, initial) + WADE_GILES_FINALS.get(final, final)


def _chinese() -> dict[str, set[str]]:
    spellings: dict[str, set[str]] = {}
    for initial, finals in PINYIN.items():
        for final in finals.split():
            syllable = initial + final
            key = "zh:" + syllable
            written = syllable.replace("v", "u")
            for spelling in (written, _wade_giles(initial, final)):
                spellings.setdefault(spelling, set()).add(key)
    return spellings


def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for part in (_korean(), _chinese()):
        for spelling, keys in part.items():
            table.setdefault(spelling, set()).update(keys)
    return {spelling: tuple(sorted(keys)) for spelling, keys in table.items() if spelling}


SPELLINGS = _table()
"""A spelling of a syllable -> the syllables (keys) it may write."""


def syllable_keys(word: str) -> tuple[str, ...]:
    """The Korean and Chinese syllables a lower-case word may write (none for a word
    longer than ``SYLLABLE_CHARS_MAX`` or not a syllable of either language)."""
    if len(word) > SYLLABLE_CHARS_MAX:
        return ()
    return SPELLINGS.get(word, ())

