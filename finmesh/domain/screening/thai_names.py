"""Thai names as the Royal Thai General System writes them and as their bearers do.

The Royal Thai General System (RTGS) writes a name as it sounds: an aspirated consonant
with an "h" ("ph", "th", "kh"), จ, ฉ and ช as "ch", and a syllable's final consonant as
the sound it takes there ("t" for ด, ต, ท, ส, ศ, ษ, จ, ช: "PHUANGPHET", "PICHAYOT").
Thais often spell their own names letter for letter instead, or the English way: an
aspirated consonant without its "h" ("PUANGPETCH", "Pichai"), จ as "j" ("Jintana"), a
final consonant as the letter it is written with ("PICHAYOS" for พิชญ์ยศ, "-tch" for a
final ช). So a long word is also looked up by ``thai_key``, those differences undone
(``vocabulary.SIM_THAI``), only for words of ``THAI_CHARS_MIN`` letters or more: a short
word is one syllable, and its letters are much of the name.

Vowels, an inserted syllable ("CHANTARAPRAPAPORN") and "-porn" for "-phon" are left
alone: they differ in so many ways between spellings that a key for them would join
names of other languages.

The rules are facts of the RTGS and of Thai spelling, written for this project.
"""

from __future__ import annotations

import re

THAI_CHARS_MIN = 7
"""Shortest word looked up by its Thai key."""

_LETTERS = re.compile(r"tch|ph|th|kh|j")
_LETTER = {"tch": "ch", "ph": "p", "th": "t", "kh": "k", "j": "ch"}
_FINAL = re.compile(r"(?:ch|s|d)$")
"""A final consonant the RTGS writes "t" ("-ch" after ``_LETTERS``: "-tch", "-j")."""


def thai_key(word: str) -> str | None:
    """``word`` with the differences between the RTGS and Thai personal spellings
    undone ("phuangphet", "puangpetch" -> "puangpet"), None for a short word."""
    if len(word) < THAI_CHARS_MIN or not word.isalpha():
        return None
    return _FINAL.sub("t", _LETTERS.sub(lambda m: _LETTER[m.group()], word))
