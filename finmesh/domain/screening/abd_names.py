"""Arabic "Abd X" names ("servant of X") by what follows "Abd": the one part of the name
that every spelling keeps, and the part that aliases use alone.

``normalise`` writes "Abdul Rahman", "Abd al-Rahman" and "Abdur Rahman" as one word
("abdulrahman", "abdalrahman", "abdurrahman"), and lists write them so too; the vowel
key relates some of these spellings, not those whose connecting article differs in its
consonant as well ("abdurrahman", "abdulrahman"; Somali "abdiqadir", "abdulqadir";
"abdurazak", "abdalrazzak"). ``stem_keys`` gives the keys of what may follow "Abd" once
its connecting vowel and article ("ul", "al", "el", "ur" assimilated, "i", "u", ...) is
taken off, so that two spellings of one name share one; ``Vocabulary`` files listed
"Abd" words under them. A plain word that is such a key ("Rahman", "Aziz", "Hamid") is
the name without its "Abd", which aliases and payments write ("RAHMAN, Mohamad Iqbal"
for "ABDURRAHMAN, Mohamad Iqbal"): a lesser kinship (``vocabulary.SIM_ABD_STEM``).

The connectors are facts of how Arabic names are romanised, written for this project.
"""

from __future__ import annotations

from functools import lru_cache

from finmesh.domain.screening.normalise import fold, vowel_key

ABD = "abd"
STEM_CHARS_MIN = 4
"""Shortest part after "Abd" given a key ("Abdullah": "lah", "llah" have none)."""
_CONNECTORS = ("", "a", "e", "i", "o", "u", "ou", "al", "el", "ul", "ol", "il", "oul")
"""Vowels and articles written between "Abd" and the name that follows."""
_SUN_VOWELS = ("a", "e", "u", "ou")
"""Vowels before an article assimilated to the next consonant ("Abdur Rahman",
"Abdus Salam", "Abdun Nasir"): the doubled consonant is the article."""


@lru_cache(maxsize=65536)
def stem_keys(word: str) -> tuple[str, ...]:
    """The keys of what may follow "Abd" in ``word`` (none for a word without "Abd")."""
    if not word.startswith(ABD):
        return ()
    rest = word[len(ABD) :]
    stems = {rest[len(c) :] for c in _CONNECTORS if rest.startswith(c)}
    for vowel in _SUN_VOWELS:
        after = rest[len(vowel) :]
        if rest.startswith(vowel) and len(after) > 1 and after[0] == after[1]:
            stems.add(after[1:])  # "ur" + "rahman", "us" + "salam"
    return tuple(sorted({key(stem) for stem in stems if len(stem) >= STEM_CHARS_MIN}))


def key(stem: str) -> str:
    """The key of a part after "Abd", or of a plain word that may be one."""
    return vowel_key(fold(stem))
