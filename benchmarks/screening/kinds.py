"""What kind of variation an alias is of its entry's primary name, decided from the two
strings alone (never by the matcher), so the evaluation's kinds do not bend to it.

Both names are reduced to plain tokens (anyascii, lower case, letters and digits; a
person's "SURNAME, Given" turned round). Tokens are paired greedily by character
similarity (rapidfuzz ``fuzz.ratio``, at least ``PAIR_SIMILARITY_MIN``: "Mohammed" and
"Muhammad" pair, "Mykola" and "Nikolai" do not); then, by what is left unpaired:

===================  =========================================================
kind                 the alias ...
===================  =========================================================
``reorder``          has the same tokens in another order
``respelled``        pairs every token both ways, some spelled differently
``fewer_parts``      pairs all its tokens, the primary has more (patronymic,
                     middle name, descriptive words of a long company name)
``more_parts``       pairs all the primary's tokens and adds some
``single_word``      is one word of a person's several (cannot identify a person)
``acronym``          is the initials of the primary name ("BNC")
``other_name``       leaves tokens unpaired on both sides: another name, a
                     nickname, a translation (a matcher of spellings cannot be
                     asked to find these)
===================  =========================================================

``respelled`` may combine with ``fewer_parts`` / ``more_parts`` (``respelled+fewer_parts``).
``IN_SCOPE`` are the kinds the matcher is held to: variations of the same name.
"""

from __future__ import annotations

import re

from anyascii import anyascii
from rapidfuzz import fuzz

PAIR_SIMILARITY_MIN = 60.0
"""Least ``fuzz.ratio`` (0-100) of two tokens taken as spellings of one word."""
IN_SCOPE = frozenset(
    {
        "reorder", "respelled", "fewer_parts", "more_parts",
        "respelled+fewer_parts", "respelled+more_parts",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9]+")
_MINOR = frozenset("of the and for de la le du des del y e et in al el".split())  # noqa: SIM905


def tokens(name: str, person: bool) -> list[str]:
    """Plain tokens of a name ("SURNAME, Given" turned round for a person)."""
    surname, comma, given = name.partition(",")
    if person and comma and given.strip():
        name = f"{given} {surname}"
    return _TOKEN.findall(anyascii(name).lower().replace("'", ""))


def _pairs(left: list[str], right: list[str]) -> tuple[list[str], list[str], bool]:
    """Greedy pairing: (unpaired of left, unpaired of right, any pair respelled)."""
    options = sorted(
        (
            (fuzz.ratio(a, b), i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(right)
            if fuzz.ratio(a, b) >= PAIR_SIMILARITY_MIN
        ),
        reverse=True,
    )
    used_left: set[int] = set()
    used_right: set[int] = set()
    respelled = False
    for score, i, j in options:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        respelled = respelled or score < 100
    return (
        [t for i, t in enumerate(left) if i not in used_left],
        [t for j, t in enumerate(right) if j not in used_right],
        respelled,
    )


def _is_acronym(alias: list[str], primary: list[str]) -> bool:
    if len(alias) != 1 or len(primary) < 2:
        return False
    initials = "".join(t[0] for t in primary)
    major = "".join(t[0] for t in primary if t not in _MINOR)
    return alias[0] in (initials, major)


def variation_kind(primary: str, alias: str, person: bool) -> str | None:
    """The kind of variation ``alias`` is of ``primary`` (None: the same words in order)."""
    listed, other = tokens(primary, person), tokens(alias, person)
    if listed == other or not other:
        return None
    if sorted(listed) == sorted(other):
        return "reorder"
    if _is_acronym(other, listed):
        return "acronym"
    alias_left, primary_left, respelled = _pairs(other, listed)
    prefix = "respelled+" if respelled else ""
    if alias_left and primary_left:
        return "other_name"
    if not alias_left and not primary_left:
        return "respelled"
    if primary_left:
        if person and len(other) == 1:
            return "single_word"
        return prefix + "fewer_parts"
    return prefix + "more_parts"
