"""Invented listed names with their structure, written in several scripts and spellings.

A ``Composed`` name keeps its parts (given name, middle names, surname; or legal form,
distinctive words, generic words), each with its spellings (the first is the listed
one) and its original-script form, so evaluation variants can respell, reorder, drop or
mistype one part at a time. Origins: Russian, Greek and Arabic persons (written in their
scripts and romanised), Western persons, Russian, Greek, Arabic and Western entities.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.screening import namepools as pools
from benchmarks.screening.romanisers import GREEK_SYSTEMS, RUSSIAN_SYSTEMS


@dataclass(frozen=True)
class Part:
    role: str
    """given, middle, surname, particle, form, core, generic."""
    spellings: tuple[str, ...]
    """Latin spellings; the first is the one the list uses."""
    native: str | None = None


@dataclass(frozen=True)
class Composed:
    origin: str
    person: bool
    parts: tuple[Part, ...]
    """In natural order: given, middle..., surname; or form first for Russian entities."""
    native_form: str | None = None
    """The whole name in its original script, as written at home (None for Latin origins)."""
    weak_alias: str | None = None

    def listed(self) -> str:
        return " ".join(part.spellings[0] for part in self.parts)

    def of_role(self, *roles: str) -> tuple[Part, ...]:
        return tuple(part for part in self.parts if part.role in roles)


def _russian_parts(rng: random.Random, native: list[tuple[str, str]]) -> tuple[Part, ...]:
    listed = rng.choice(("bgn", "icao"))  # lists use BGN/PCGN or passport (ICAO) spellings
    systems = (listed, *(system for system in RUSSIAN_SYSTEMS if system != listed))
    return tuple(
        Part(role, tuple(dict.fromkeys(RUSSIAN_SYSTEMS[s](word) for s in systems)), word)
        for role, word in native
    )


def russian_person(rng: random.Random) -> Composed:
    female = rng.random() < 0.3
    given = rng.choice(pools.RU_GIVEN_FEMALE if female else pools.RU_GIVEN_MALE)
    middle = rng.choice(pools.RU_PATRONYMICS)
    surname = rng.choice(pools.RU_SURNAMES)
    if female:
        middle = middle.replace("вич", "вна").replace("Ильич", "Ильинична")
        surname = surname + "а" if surname.endswith(("ов", "ёв", "ев", "ин", "ын")) else surname
    parts = _russian_parts(rng, [("given", given), ("middle", middle), ("surname", surname)])
    return Composed("ru", True, parts, f"{surname} {given} {middle}")


def russian_entity(rng: random.Random) -> Composed:
    form = rng.choice(list(pools.RU_LEGAL_FORMS))
    stems = rng.sample(pools.RU_STEMS, rng.choice((2, 2, 3)))
    core = "".join(stems).capitalize()
    generic = rng.choice((*pools.RU_GENERIC, None, None))
    native_core = core + (" " + pools.RU_GENERIC_LATIN[generic] if generic else "")
    parts: list[Part] = [Part("form", pools.RU_LEGAL_FORMS[form], form)]
    parts.extend(_russian_parts(rng, [("core", core)]))
    if generic:
        parts.append(Part("generic", (pools.RU_GENERIC_LATIN[generic],), generic.capitalize()))
    acronym = "".join(stem[0] for stem in stems).upper()
    weak = RUSSIAN_SYSTEMS["bgn"](acronym) if len(stems) == 3 else None
    return Composed("ru", False, tuple(parts), f"{form} «{native_core}»", weak)


def greek_person(rng: random.Random) -> Composed:
    given, surname = rng.choice(pools.EL_GIVEN), rng.choice(pools.EL_SURNAMES)
    systems = list(GREEK_SYSTEMS.values())

    def spell(word: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(system(word) for system in systems))

    parts = (Part("given", spell(given), given), Part("surname", spell(surname), surname))
    return Composed("el", True, parts, f"{given} {surname}")


def greek_entity(rng: random.Random) -> Composed:
    word = rng.choice(pools.EL_SHIPPING_WORDS)
    owner = GREEK_SYSTEMS["elot"](rng.choice(pools.EL_SURNAMES))
    form = rng.choice((("S.A.", "SA"), ("Shipping Co", "Shipping Company"), ("Maritime S.A.",)))
    parts = (Part("core", (word,)), Part("core", (owner,)), Part("form", form))
    return Composed("el", False, parts)


def _arabic(role: str, entry: tuple[str, tuple[str, ...]], rng: random.Random) -> Part:
    native, spellings = entry
    first = rng.choice(spellings) if rng.random() < 0.3 else spellings[0]
    return Part(role, (first, *(s for s in spellings if s != first)), native)


def arabic_person(rng: random.Random) -> Composed:
    given = _arabic("given", rng.choice(pools.AR_GIVEN), rng)
    father = _arabic("middle", rng.choice(pools.AR_GIVEN), rng)
    family = _arabic("surname", rng.choice(pools.AR_FAMILY), rng)
    parts: list[Part] = [given]
    if rng.random() < 0.6:
        parts.extend((Part("particle", ("bin", "ibn", "ben"), "بن"), father))
    parts.append(family)
    native = " ".join(p.native or "" for p in parts)
    son = rng.choice(pools.AR_GIVEN)[1][0]
    return Composed("ar", True, tuple(parts), native, f"Abu {son}")


def arabic_entity(rng: random.Random) -> Composed:
    word = rng.choice(pools.AR_ENTITY_WORDS)
    generic = rng.choice(("Trading", "Exchange", "General Trading", "Contracting"))
    form = rng.choice((("LLC", "L.L.C."), ("FZE",), ("Co", "Company"), ("WLL",)))
    parts = (Part("core", (f"Al {word}", f"Al-{word}", f"El {word}")), Part("generic", (generic,)))
    return Composed("ar", False, (*parts, Part("form", form)))


def western_person(rng: random.Random) -> Composed:
    given, surname = rng.choice(pools.WEST_GIVEN), rng.choice(pools.WEST_SURNAMES)
    parts = [Part("given", (given,))]
    if rng.random() < 0.3:
        parts.append(Part("middle", (rng.choice(pools.WEST_GIVEN),)))
    parts.append(Part("surname", (surname,)))
    return Composed("west", True, tuple(parts))


def western_entity(rng: random.Random) -> Composed:
    if rng.random() < 0.15:
        core = Part("core", (rng.choice(pools.SHORT_ENTITY_NAMES),))
    else:
        core = Part("core", (rng.choice(pools.WEST_ENTITY_WORDS),))
    generic = Part("generic", (rng.choice(pools.WEST_GENERIC),))
    form = Part("form", rng.choice(pools.WEST_LEGAL_FORMS))
    return Composed("west", False, (core, generic, form))


MAKERS: tuple[tuple[Callable[[random.Random], Composed], float], ...] = (
    (russian_person, 0.22),
    (arabic_person, 0.20),
    (greek_person, 0.08),
    (western_person, 0.12),
    (russian_entity, 0.20),
    (arabic_entity, 0.06),
    (greek_entity, 0.04),
    (western_entity, 0.08),
)
"""Each origin's maker and its share of listed names."""


_MAKERS = [maker for maker, _ in MAKERS]
_SHARES = [share for _, share in MAKERS]


def compose(rng: random.Random) -> Composed:
    """One invented listed name, of an origin drawn with ``MAKERS``' shares."""
    maker: Callable[[random.Random], Composed] = rng.choices(_MAKERS, weights=_SHARES)[0]
    return maker(rng)
