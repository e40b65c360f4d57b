"""How a listed name arrives in a payment (true variants) and names that only resemble it.

True variants of a ``Composed`` name, by kind:

- ``script``: written in its original script (Cyrillic, Greek, Arabic) as at home;
- ``script_short``: the same without middle names ("Сечин Игорь" style);
- ``translit``: every part in another romanisation system or spelling;
- ``reorder``: "SURNAME, Given" or surname first; the legal form on the other side;
- ``typo1`` / ``typo2``: one or two typing errors (substitution, deletion, insertion or
  swap of neighbours, never the first letter) in words of five letters or more;
- ``drop_middle``: middle names and patronymics left out;
- ``legal_form``: the legal form spelled another way, dropped or moved;
- ``weak_alias``: the entry's weak alias as written.

Clean names that resemble a listed name, by kind:

- ``other_surname``: the same given name with another surname;
- ``other_given``: the same surname with another given name;
- ``shared_common``: an entity with the same generic words and legal form but another
  distinctive name;
- ``near_short``: a three-letter name with one consonant changed ("VTK" -> "VTN");
- ``same_legal_form``: another entity of the same origin with the same legal form.
"""

from __future__ import annotations

import random
import re
import string

from benchmarks.screening.listed_names import Composed, Part, compose

TYPO_WORD_CHARS_MIN = 5
_CONSONANTS = "bcdfghjklmnpqrstvwxz"


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one typing error at a position after the first letter."""
    position = rng.randrange(1, len(word))
    operation = rng.choice(("substitute", "delete", "insert", "swap"))
    if operation == "swap" and position < len(word) - 1 and word[position] != word[position + 1]:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if operation == "delete":
        return word[:position] + word[position + 1 :]
    letter = rng.choice(string.ascii_lowercase)
    if operation == "insert":
        return word[:position] + letter + word[position:]
    while letter == word[position].lower():
        letter = rng.choice(string.ascii_lowercase)
    return word[:position] + letter + word[position + 1 :]


def _spelled(parts: tuple[Part, ...]) -> list[str]:
    return [part.spellings[0] for part in parts]


def _typos(name: Composed, count: int, rng: random.Random) -> str | None:
    words = " ".join(_spelled(name.parts)).split()
    long_words = [i for i, w in enumerate(words) if len(w) >= TYPO_WORD_CHARS_MIN and w.isalpha()]
    if not long_words:
        return None
    if count == 2 and len(long_words) == 1 and len(words[long_words[0]]) < 9:
        return None
    for position in rng.sample(long_words, min(count, len(long_words))):
        words[position] = typo(words[position], rng)
    if count == 2 and len(long_words) == 1:
        words[long_words[0]] = typo(words[long_words[0]], rng)
    return " ".join(words)


def _translit(name: Composed, rng: random.Random) -> str | None:
    spelled = [
        rng.choice(p.spellings[1:]) if len(p.spellings) > 1 else p.spellings[0] for p in name.parts
    ]
    if spelled == _spelled(name.parts):
        return None
    return " ".join(spelled)


def _reorder(name: Composed, rng: random.Random) -> str | None:
    if name.person:
        head = " ".join(_spelled(name.of_role("surname")))
        given = _spelled(tuple(p for p in name.parts if p.role != "surname"))
        if rng.random() < 0.5:
            return f"{head.upper()}, {' '.join(given)}"
        return " ".join([head, *given])
    forms = name.of_role("form")
    if not forms:
        return None
    others = _spelled(tuple(p for p in name.parts if p.role != "form"))
    first_is_form = name.parts[0].role == "form"
    return " ".join([*others, *_spelled(forms)] if first_is_form else [*_spelled(forms), *others])


def _drop_middle(name: Composed) -> str | None:
    kept = tuple(p for p in name.parts if p.role not in ("middle", "particle"))
    return " ".join(_spelled(kept)) if len(kept) < len(name.parts) else None


def _legal_form(name: Composed, rng: random.Random) -> str | None:
    forms = name.of_role("form")
    if not forms:
        return None
    options = [*forms[0].spellings[1:], ""]
    chosen = rng.choice(options)
    words = [chosen if p.role == "form" else p.spellings[0] for p in name.parts]
    return " ".join(w for w in words if w)


def _script_short(name: Composed) -> str | None:
    if name.native_form is None or not name.person or not name.of_role("middle"):
        return None
    kept = [p.native or "" for p in name.parts if p.role not in ("middle", "particle")]
    return " ".join(reversed(kept)) if name.origin == "ru" else " ".join(kept)


def true_variants(name: Composed, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs: the ways this listed name may be written in a payment."""
    found: list[tuple[str, str | None]] = [
        ("script", name.native_form),
        ("script_short", _script_short(name)),
        ("translit", _translit(name, rng)),
        ("reorder", _reorder(name, rng)),
        ("typo1", _typos(name, 1, rng)),
        ("typo2", _typos(name, 2, rng)),
        ("drop_middle", _drop_middle(name)),
        ("legal_form", _legal_form(name, rng)),
        ("weak_alias", name.weak_alias),
    ]
    return [(kind, query) for kind, query in found if query]


def _replace(name: Composed, role: str, other: Composed) -> Composed | None:
    """``name`` with its parts of ``role`` taken from ``other`` (None if nothing changes)."""
    mine, theirs = name.of_role(role), list(other.of_role(role))
    if (
        not mine
        or not theirs
        or identity(Composed(name.origin, name.person, mine))
        & identity(Composed(other.origin, other.person, tuple(theirs)))
    ):
        return None
    parts = []
    for part in name.parts:
        if part.role == role and theirs:
            parts.append(theirs.pop(0))
        elif part.role != role:
            parts.append(part)
    return Composed(name.origin, name.person, tuple(parts))


def _same_origin(name: Composed, rng: random.Random) -> Composed:
    while True:
        other = compose(rng)
        if other.origin == name.origin and other.person == name.person:
            return other


IDENTITY_ROLES = frozenset({"given", "surname", "core"})
"""Parts that say who or which entity a name is (not middle names, forms or generic words)."""


_RU_FEMININE = re.compile(r"(?<=[оеёи]в|[иы]н)а$")


def _identity_word(part: Part) -> str:
    word = (part.native or part.spellings[0]).lower().removeprefix("ال")  # Arabic article
    return _RU_FEMININE.sub("", word) if part.role == "surname" else word  # Ivanova = Ivanov


def identity(name: Composed, *, with_middle: bool = False) -> frozenset[str]:
    """The name's identifying parts, independent of spelling (original script if any)."""
    roles = IDENTITY_ROLES | {"middle"} if with_middle else IDENTITY_ROLES
    return frozenset(_identity_word(part) for part in name.parts if part.role in roles)


def clean_variants(name: Composed, rng: random.Random) -> list[tuple[str, Composed]]:
    """(kind, name) pairs: names that resemble this listed name but belong to others."""
    other = _same_origin(name, rng)
    found: list[tuple[str, Composed | None]] = []
    if name.person:
        found.append(("other_surname", _replace(name, "surname", other)))
        found.append(("other_given", _replace(name, "given", _same_origin(name, rng))))
    else:
        found.append(("shared_common", _replace(name, "core", other)))
        found.append(("same_legal_form", _same_form(name, other)))
        found.append(("near_short", _near_short(name, rng)))
    return [(kind, composed) for kind, composed in found if composed is not None]


def _same_form(name: Composed, other: Composed) -> Composed | None:
    forms = name.of_role("form")
    if not forms or identity(name) & identity(other):
        return None
    return Composed(other.origin, False, (forms[0], *(p for p in other.parts if p.role != "form")))


def _near_short(name: Composed, rng: random.Random) -> Composed | None:
    core = name.of_role("core")
    if not core or len(core[0].spellings[0]) != 3:
        return None
    word = core[0].spellings[0]
    position = rng.randrange(1, 3)
    letter = rng.choice([c for c in _CONSONANTS.upper() if c != word[position]])
    changed = Part("core", (word[:position] + letter + word[position + 1 :],))
    parts = tuple(changed if p.role == "core" else p for p in name.parts)
    return Composed(name.origin, False, parts)
