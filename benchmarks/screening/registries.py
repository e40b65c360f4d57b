"""Clean names from public registries of real institutions: the bank registries that
``schwifty`` ships (national bank-code registries of about 50 countries: names as the
registries write them, in Latin script and, for Ukraine and Kazakhstan, in Cyrillic).

A registry name that contains every word of some listed name (primary or alias, in
plain tokens, ``kinds.tokens``) names that listed institution or a branch of it: it is
dropped, not counted as clean (``NAMES_A_LISTED_ENTITY``). A kept name is a
*look-alike* when it shares a rare word (in at most ``RARE_WORD_NAMES_MAX`` listed
names) with the list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from anyascii import anyascii
from schwifty import registry

from benchmarks.screening import kinds
from benchmarks.screening.scoreboard import Case

if TYPE_CHECKING:
    from benchmarks.screening.published import Published

RARE_WORD_NAMES_MAX = 20
WORD_CHARS_MIN = 4
NAMES_A_LISTED_ENTITY: list[str] = []
"""Registry names dropped by the last ``clean_banks`` call (for the report)."""


def bank_names() -> list[str]:
    """Distinct bank names of schwifty's registries, in registry order."""
    names = (" ".join(bank.name.split()) for bank in registry.get_all_banks())
    return list(dict.fromkeys(name for name in names if name))


def _listed_word_sets(entries: Iterable[Published]) -> list[frozenset[str]]:
    return [
        frozenset(kinds.tokens(name, e.person))
        for e in entries
        for name in (e.name, *(alias for _, alias in e.aliases))
    ]


def clean_banks(entries: list[Published]) -> list[Case]:
    """Registry bank names that name no listed entity, as clean cases."""
    listed = [words for words in _listed_word_sets(entries) if words]
    frequency = Counter(word for words in listed for word in words)
    rare = {
        w for w, n in frequency.items() if n <= RARE_WORD_NAMES_MAX and len(w) >= WORD_CHARS_MIN
    }
    NAMES_A_LISTED_ENTITY.clear()
    cases = []
    for name in bank_names():
        words = frozenset(kinds.tokens(anyascii(name), False))
        if any(words >= names for names in listed):
            NAMES_A_LISTED_ENTITY.append(name)
            continue
        cases.append(Case(name, "clean:registry_bank", None, lookalike=bool(words & rare)))
    return cases
