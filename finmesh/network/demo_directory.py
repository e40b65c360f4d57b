"""A demo directory: real banks from schwifty's registries plus marked synthetic entries.

Synthetic entries fill the countries schwifty does not cover and stand in for the banks
named in the EU 2022 measures, whose BICs the legal acts do not publish. Everything is
derived from fixed seeds, so two builds (and the BICs tests look up) are identical.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pycountry
from schwifty import registry

from finmesh.domain.bic import USER_ASSIGNED_COUNTRIES, Bic
from finmesh.domain.directory import Institution, OwnershipLink
from finmesh.domain.errors import InvalidBic

_SEED = "finmesh-demo-directory-v1"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GENERATED_PER_COUNTRY = (3, 7)
"""Inclusive range of synthetic banks per country (schwifty covers about 55 countries)."""

_COUNTRY_NAMES_EXTRA = {"XK": "Kosovo"}


@dataclass(frozen=True)
class _Listed:
    key: str
    name: str
    country: str


# Names as used in the acts and common usage; the BICs are generated (see FACTS.md).
_SANCTIONS_ENTITIES = (
    _Listed("otkritie", "Bank Otkritie", "RU"),
    _Listed("novikombank", "Novikombank", "RU"),
    _Listed("promsvyazbank", "Promsvyazbank", "RU"),
    _Listed("rossiya", "Bank Rossiya", "RU"),
    _Listed("sovcombank", "Sovcombank", "RU"),
    _Listed("veb", "VEB.RF (Vnesheconombank)", "RU"),
    _Listed("vtb", "VTB Bank", "RU"),
    _Listed("sberbank", "Sberbank", "RU"),
    _Listed("cbm", "Credit Bank of Moscow", "RU"),
    _Listed("rosselkhozbank", "Rosselkhozbank", "RU"),
    _Listed("gazprombank", "Gazprombank", "RU"),
    _Listed("cbr", "Central Bank of the Russian Federation", "RU"),
    _Listed("belagroprombank", "Belagroprombank", "BY"),
    _Listed("dabrabyt", "Bank Dabrabyt", "BY"),
    _Listed("devbank_by", "Development Bank of the Republic of Belarus", "BY"),
)


@dataclass(frozen=True)
class _Subsidiary:
    key: str
    parent_key: str
    owners: tuple[tuple[str, str], ...]
    """(owner key, percent) pairs; an owner key names an entity or another subsidiary."""


# Each case exercises one branch of the "owned more than 50 %" rule of Reg. 2022/345:
# direct control, chains, aggregation (also across listed banks, so capture can depend on
# the date a bank was listed), and holdings of exactly or under 50 % that must stay out.
_SUBSIDIARIES = (
    _Subsidiary("otkritie_1", "otkritie", (("otkritie", "100"),)),
    _Subsidiary("novikombank_1", "novikombank", (("novikombank", "75"),)),
    _Subsidiary("promsvyazbank_1", "promsvyazbank", (("promsvyazbank", "51"),)),
    _Subsidiary("promsvyazbank_2", "promsvyazbank", (("promsvyazbank", "50"),)),
    _Subsidiary("rossiya_1", "rossiya", (("rossiya", "60"),)),
    _Subsidiary("rossiya_2", "rossiya", (("rossiya_1", "70"),)),
    _Subsidiary("sovcombank_1", "sovcombank", (("sovcombank", "80"),)),
    _Subsidiary("sovcombank_2", "sovcombank", (("sovcombank", "30"), ("sovcombank_1", "30"))),
    _Subsidiary("veb_1", "veb", (("veb", "100"),)),
    _Subsidiary("veb_2", "veb", (("veb", "45"),)),
    _Subsidiary("vtb_1", "vtb", (("vtb", "60"),)),
    _Subsidiary("vtb_2", "vtb", (("vtb_1", "70"),)),
    _Subsidiary("vtb_3", "vtb", (("vtb", "50"),)),
    _Subsidiary("sberbank_1", "sberbank", (("sberbank", "100"),)),
    _Subsidiary("sberbank_2", "sberbank", (("sberbank", "30"), ("vtb", "30"))),
    _Subsidiary("cbm_1", "cbm", (("cbm", "90"),)),
    _Subsidiary("cbm_2", "cbm", (("cbm", "50"),)),
    _Subsidiary("rosselkhozbank_1", "rosselkhozbank", (("rosselkhozbank", "70"),)),
    _Subsidiary("rosselkhozbank_2", "rosselkhozbank", (("rosselkhozbank_1", "55"),)),
    _Subsidiary("gazprombank_1", "gazprombank", (("gazprombank", "100"),)),
)

# Well-known head offices, tried in this order; the first two are in different countries
# because the demo's first message goes from the first to the second.
_PREFERRED_PARTICIPANTS = (
    "DEUTDEFFXXX", "BNPAFRPPXXX", "INGBNL2AXXX", "GEBABEBBXXX", "BKAUATWWXXX",
    "BCVLCH2LXXX", "BKBKESMMXXX", "BCITITMMXXX", "NDEAFIHHXXX", "DABADKKKXXX",
    "DNBANOKKXXX", "HANDSESSXXX", "BARCGB22XXX", "AIBKIE2DXXX", "BCEELULLXXX",
    "KOMBCZPPXXX", "COBADEFFXXX", "RZBAATWWXXX",
)  # fmt: skip
_REAL_PARTICIPANTS_MIN = 12
_DEMO_SUBSIDIARY_PARTICIPANTS = ("vtb_2", "vtb_3", "sberbank_2")


def _country_names() -> dict[str, str]:
    names = {
        str(country.alpha_2): str(getattr(country, "common_name", None) or country.name)
        for country in pycountry.countries
    }
    names.update({code: _COUNTRY_NAMES_EXTRA[code] for code in USER_ASSIGNED_COUNTRIES})
    return dict(sorted(names.items()))


def _pick_name(candidates: Counter[str]) -> str:
    # Registries list a BIC once per national bank code, and merged banks keep their old
    # codes under the new BIC, so the most frequent name is usually the current one.
    # Ties go to the shortest name: it tends to be the entity rather than a department.
    return min(candidates.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def _real_institutions() -> list[Institution]:
    home: dict[Bic, Counter[str]] = {}
    abroad: dict[Bic, Counter[str]] = {}
    for bank in registry.get_all_banks():
        if not bank.bic or not bank.name or not bank.name.strip():
            continue
        try:
            bic = Bic.parse(bank.bic)
        except InvalidBic:
            continue
        # Foreign registries (e.g. SIX listing Deutsche Bank) only name a bank when its
        # home registry does not.
        names = home if bank.country_code == bic.country else abroad
        names.setdefault(bic, Counter())[bank.name.strip()] += 1
    return [
        Institution(
            bic=bic,
            name=_pick_name(home.get(bic) or abroad[bic]),
            country=bic.country,
            city=None,
            generated=False,
        )
        for bic in sorted(home.keys() | abroad.keys())
    ]


def _new_bic(rng: random.Random, country: str, taken_prefixes: set[str]) -> Bic:
    """A BIC whose institution+country prefix nobody else uses, so it names no real bank."""
    while True:
        institution = "".join(rng.choice(_LETTERS) for _ in range(4))
        if institution + country in taken_prefixes:
            continue
        # Letters only in the location code: a "0" in second place would make it a test BIC.
        location = rng.choice(_LETTERS) + rng.choice(_LETTERS)
        taken_prefixes.add(institution + country)
        return Bic.parse(institution + country + location)


@dataclass(frozen=True)
class _Directory:
    institutions: tuple[Institution, ...]
    links: tuple[OwnershipLink, ...]
    entities: tuple[tuple[str, str], ...]
    subsidiaries: tuple[tuple[str, str], ...]


@cache
def _build() -> _Directory:
    real = _real_institutions()
    taken = {institution.bic.value[:6] for institution in real}
    generated: list[Institution] = []

    # One generator per purpose and country keeps BICs stable when another part changes.
    for country, country_name in _country_names().items():
        rng = random.Random(f"{_SEED}:country:{country}")
        for number in range(1, rng.randint(*_GENERATED_PER_COUNTRY) + 1):
            bic = _new_bic(rng, country, taken)
            name = f"Demo Bank {number} of {country_name} (generated)"
            generated.append(Institution(bic, name, country, None, generated=True))

    bics: dict[str, Bic] = {}
    names: dict[str, str] = {}
    for listed in _SANCTIONS_ENTITIES:
        rng = random.Random(f"{_SEED}:entity:{listed.key}")
        bics[listed.key] = _new_bic(rng, listed.country, taken)
        names[listed.key] = listed.name
        generated.append(
            Institution(bics[listed.key], listed.name, listed.country, None, generated=True)
        )

    links: list[OwnershipLink] = []
    counters: Counter[str] = Counter()
    for sub in _SUBSIDIARIES:
        rng = random.Random(f"{_SEED}:subsidiary:{sub.key}")
        bic = _new_bic(rng, "RU", taken)
        counters[sub.parent_key] += 1
        name = f"{names[sub.parent_key]} Demo Subsidiary {counters[sub.parent_key]} (generated)"
        bics[sub.key], names[sub.key] = bic, name
        generated.append(Institution(bic, name, "RU", None, generated=True))
        links.extend(
            OwnershipLink(parent=bics[owner].bic8, child=bic.bic8, share=Decimal(share))
            for owner, share in sub.owners
        )

    institutions = sorted(real + generated, key=lambda institution: institution.bic)
    return _Directory(
        institutions=tuple(institutions),
        links=tuple(links),
        entities=tuple((item.key, bics[item.key].bic11) for item in _SANCTIONS_ENTITIES),
        subsidiaries=tuple((item.key, bics[item.key].bic11) for item in _SUBSIDIARIES),
    )


def build_demo_directory() -> tuple[list[Institution], list[OwnershipLink]]:
    """All demo institutions sorted by BIC, and the ownership links among them."""
    directory = _build()
    return list(directory.institutions), list(directory.links)


def sanctions_demo_entities() -> dict[str, str]:
    """Short key (e.g. "vtb", "cbr", "devbank_by") to the BIC11 of the listed bank."""
    return dict(_build().entities)


def sanctions_demo_subsidiaries() -> dict[str, str]:
    """Key to BIC11 of the synthetic Russian subsidiaries; see _SUBSIDIARIES for shares.

    Captured when their parent is listed: otkritie_1, novikombank_1, promsvyazbank_1,
    rossiya_1 and rossiya_2 (chain 60 % then 70 %), sovcombank_1 and sovcombank_2
    (30 % + 30 % via sovcombank_1), veb_1, vtb_1 and vtb_2 (chain), sberbank_1, cbm_1,
    rosselkhozbank_1 and rosselkhozbank_2 (chain). Never captured on their own parent:
    promsvyazbank_2, vtb_3 and cbm_2 (exactly 50 %), veb_2 (45 %). sberbank_2 is held
    30 % by Sberbank and 30 % by VTB: captured only once both are listed (June 2022).
    gazprombank_1 belongs to Gazprombank, which was never listed.
    """
    return dict(_build().subsidiaries)


def demo_participants(institutions: Iterable[Institution]) -> list[str]:
    """BIC11s that get network identities in the demo, in a fixed order.

    Real head offices first (the first two in different countries), then every
    sanctions demo entity, then a few of their subsidiaries. Only BICs present in
    `institutions` are returned.
    """
    present = {institution.bic.bic11: institution for institution in institutions}
    real = [bic for bic in _PREFERRED_PARTICIPANTS if bic in present and not present[bic].generated]
    if len(real) < _REAL_PARTICIPANTS_MIN or len({bic[4:6] for bic in real[:2]}) < 2:
        real = _fill_real(real, present)
    tail = [*sanctions_demo_entities().values()]
    subsidiaries = sanctions_demo_subsidiaries()
    tail += [subsidiaries[key] for key in _DEMO_SUBSIDIARY_PARTICIPANTS]
    return real + [bic for bic in tail if bic in present and bic not in real]


def _fill_real(chosen: list[str], present: dict[str, Institution]) -> list[str]:
    """Top up with other real head offices, preferring countries not yet represented."""
    result = list(chosen)
    countries = {bic[4:6] for bic in result}
    spare = sorted(
        bic
        for bic, institution in present.items()
        if not institution.generated and bic.endswith("XXX") and bic not in result
    )
    for bic in spare:
        if len(result) >= _REAL_PARTICIPANTS_MIN:
            break
        if bic[4:6] not in countries:
            result.append(bic)
            countries.add(bic[4:6])
    for bic in spare:
        if len(result) >= _REAL_PARTICIPANTS_MIN:
            break
        if bic not in result:
            result.append(bic)
    if len({bic[4:6] for bic in result[:2]}) < 2:
        # Move the first bank from another country into second place.
        for index, bic in enumerate(result[2:], start=2):
            if bic[4:6] != result[0][4:6]:
                result.insert(1, result.pop(index))
                break
    return result
