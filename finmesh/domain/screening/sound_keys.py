"""Sound keys: the consonants of a Latin word as classes of sounds that romanisation
systems write differently, so that spellings of one name in different traditions meet.

``fold`` undoes the differences between systems that write one source letter in one
known way each; ``skeleton`` drops vowels for words from Arabic script. Names romanised
by hand from Arabic, Persian, Korean, Serbian or Thai differ in more than that, and in
several places at once:

- Arabic ق, غ, خ and Persian ق/غ are "q", "gh", "kh", "k" or "g" ("QADHAFI", "GADDAFI";
  "GHASEMI", "QASEMI"; "KHALAF", "QALAF");
- ذ, ث are "dh"/"th" or "d"/"t" or "z" ("HAFIDH", "HAFIZ"; "THAFIR", "ZAFIR"; Libyan
  "GHATHAFI" for "GADDAFI");
- ش is "sh", French "ch", Indonesian "sy" ("SHAFIQ", "CHAFIQ"; "BASHIR", "BA'ASYIR");
- Korean McCune-Reischauer writes "ch", "k", "p" where Revised Romanisation writes "j",
  "g", "b" ("CHONG", "JONG"; "KWANG", "GWANG"; "PONG", "BONG");
- Serbian and Croatian Đ is "dj" or plain "d" ("DJORDJEVIC", "DORDEVIC");
- vowels (but for a sounded last one, ``FINAL_VOWEL_MARK``), doubled letters, "w"/"y"
  glides and a silent "h" come and go ("ZURAIK", "ZREIK"; "HAMDOUNI", "AMDOUNI";
  "ZUBAYDAH", "ZUBAIDA"), and so does a joined article ("ELKADDAFI").

A word's keys are its consonants through ``_DIGRAPHS`` and ``_LETTERS`` (vowels, glides
and a silent "h" dropped, doubled classes written once); a digraph that stands for
different sounds in different traditions ("ch": Korean "j", French "sh", German "kh")
gives one key per reading, at most ``KEYS_MAX``. Two words are sound-alike when they
share a key of at least ``KEY_CHARS_MIN`` classes (``vocabulary`` then also asks their
letters to be close enough: "SALMAN" and "SULEIMAN" share "slmn").

The classes are facts of the romanisation systems named above, written for this project
(no table taken from a list's names).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

KEY_CHARS_MIN = 3
"""Fewest sound classes a key must keep to be looked up ("hsn" would join Hasan and
Husayn; two classes join far too many names)."""
KEYS_MAX = 6
"""Most keys of one word (each ambiguous digraph multiplies them)."""
CH_READINGS_CHARS_MIN = 6
"""Shortest word whose "ch" may read "kh" or "sh" ("Chafiq", "Mochtar"); in shorter
ones it is Korean "j" ("Chong" = "Jong", not "Song"; "Chang" is not "Kang")."""
FINAL_VOWEL_MARK = "-"
"""Written after the classes of a word that ends in a sounded vowel: an ending tells
names apart that share their consonants ("Qasemi", "Qasim"; "Mahmoudi", "Mahmud";
"Sabuni", "Shaban"), while spellings of one name keep it ("Zubaida", "Zubaydah")."""
ARTICLE_WORD_CHARS_MIN = 6
"""Shortest word whose leading "al"/"el" may be a joined article ("Elkaddafi")."""

_DIGRAPHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dzh", ("j",)),
    ("tch", ("j", "s")),
    ("sch", ("s",)),
    ("dj", ("j", "d")),
    ("ch", ("k", "s", "j")),
    ("kh", ("k",)),
    ("gh", ("k",)),
    ("sh", ("s",)),
    ("sy", ("s",)),
    ("zh", ("j", "z")),
    ("th", ("t", "z", "d")),
    ("dh", ("d", "z")),
    ("ph", ("f", "p")),
    ("ck", ("k",)),
    ("ts", ("s",)),
)
"""Letter pairs (and triples) and the sound classes they may write, tried in order."""
_LETTERS = {
    "q": "k", "g": "k", "c": "k", "k": "k", "x": "ks",
    "b": "p", "p": "p", "v": "v", "w": "v", "f": "f",
    "j": "j", "t": "t", "d": "d", "s": "s", "z": "z",
    "l": "l", "r": "r", "m": "m", "n": "n",
}  # fmt: skip
"""Single consonants and their class (Korean and Arabic do not tell k from g, p from b)."""
_VOWELS = frozenset("aeiou")
_GLIDES = frozenset("wy")
_DOUBLED = re.compile(r"(.)\1+")


_UNITS = re.compile("|".join(digraph for digraph, _ in _DIGRAPHS) + "|.")
"""One digraph of ``_DIGRAPHS`` (tried in their order) or one letter."""
_READINGS = dict(_DIGRAPHS)


def _classes(word: str) -> list[tuple[str, ...]]:
    """The sound classes of ``word`` in order, each as its possible readings."""
    short = len(word) < CH_READINGS_CHARS_MIN
    classes: list[tuple[str, ...]] = []
    length = len(word)
    after_vowel = False
    for unit in _UNITS.finditer(word):
        text = unit.group()
        readings = _READINGS.get(text)
        if readings is not None:
            classes.append(("j",) if short and text == "ch" else readings)
        elif text in _VOWELS:
            after_vowel = True
            continue
        elif text == "h":
            # sounded only between a vowel and more letters ("Ahmad", "Mahmud")
            if after_vowel and unit.end() < length:
                classes.append(("h",))
        elif text in _GLIDES:
            # a glide between vowels or after a consonant ("Kwang", "Zubaydah")
            if unit.start() == 0 and text == "w":
                classes.append(("v",))
        else:
            classes.append((_LETTERS.get(text, text),))
        after_vowel = False
    return classes


def _ends_in_vowel(word: str) -> bool:
    """Whether a vowel is sounded last: "Qasemi", "Zubaydah", "Haniyeh" do, "Qasim",
    "Zarif" and French "Hissene" (a silent e after a consonant) do not."""
    word = word.removesuffix("h")
    if len(word) < 2 or (word[-1] not in _VOWELS and word[-1] != "y"):
        return False
    return not (word[-1] == "e" and word[-2] not in _VOWELS and word[-2] not in _GLIDES)


def _keys_of(word: str) -> set[str]:
    options = itertools.islice(itertools.product(*_classes(word)), KEYS_MAX)
    ending = FINAL_VOWEL_MARK if _ends_in_vowel(word) else ""
    return {_DOUBLED.sub(r"\1", "".join(option)) + ending for option in options}


@lru_cache(maxsize=65536)
def sound_keys(word: str) -> tuple[str, ...]:
    """The sound keys of a lower-case Latin word (see the module docstring), those of
    ``KEY_CHARS_MIN`` classes or more; none for a word with other characters."""
    if not word.isascii() or not word.isalpha():
        return ()
    keys = _keys_of(word)
    if len(word) >= ARTICLE_WORD_CHARS_MIN and word[:2] in ("al", "el"):
        keys |= _keys_of(word[2:])
    return tuple(sorted(k for k in keys if len(k.removesuffix(FINAL_VOWEL_MARK)) >= KEY_CHARS_MIN))
