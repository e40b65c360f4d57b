"""The demo directory: size, coverage, markings and the designed sanctions ownership cases."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from finmesh.domain.bic import Bic, is_valid_bic
from finmesh.domain.directory import Institution, OwnershipLink, owned_more_than_half
from finmesh.network.demo_directory import (
    build_demo_directory,
    demo_participants,
    sanctions_demo_entities,
    sanctions_demo_subsidiaries,
)

ANNEX_XIV = ("otkritie", "novikombank", "promsvyazbank", "rossiya", "sovcombank", "veb", "vtb")
JUNE_2022 = ("sberbank", "cbm", "rosselkhozbank")
ALL_KEYS = {
    *ANNEX_XIV,
    *JUNE_2022,
    "gazprombank",
    "cbr",
    "belagroprombank",
    "dabrabyt",
    "devbank_by",
}


@pytest.fixture(scope="module")
def directory() -> tuple[list[Institution], list[OwnershipLink]]:
    return build_demo_directory()


@pytest.fixture(scope="module")
def by_bic(directory: tuple[list[Institution], list[OwnershipLink]]) -> dict[str, Institution]:
    return {institution.bic.bic11: institution for institution in directory[0]}


def test_size_and_coverage(directory: tuple[list[Institution], list[OwnershipLink]]) -> None:
    institutions, _ = directory
    assert len(institutions) >= 11_000
    assert len({institution.country for institution in institutions}) >= 200
    assert "XK" in {institution.country for institution in institutions}


def test_bics_are_unique_valid_and_consistent(by_bic: dict[str, Institution]) -> None:
    institutions = list(by_bic.values())
    assert len(by_bic) == len(build_demo_directory()[0])
    for institution in institutions:
        assert is_valid_bic(institution.bic.bic11)
        assert institution.country == institution.bic.country
        assert institution.name.strip()


def test_real_entries_come_from_the_registry(by_bic: dict[str, Institution]) -> None:
    real = [institution for institution in by_bic.values() if not institution.generated]
    assert len(real) > 10_000
    assert by_bic["DEUTDEFFXXX"].name == "Deutsche Bank"
    assert not by_bic["DEUTDEFFXXX"].generated
    assert by_bic["BNPAFRPPXXX"].name == "BNP PARIBAS"
    for institution in real:
        assert "(generated" not in institution.name


def test_generated_entries_are_marked_and_do_not_shadow_real_banks(
    by_bic: dict[str, Institution],
) -> None:
    real_prefixes = {bic[:6] for bic, inst in by_bic.items() if not inst.generated}
    generated = [institution for institution in by_bic.values() if institution.generated]
    listed = set(sanctions_demo_entities().values())
    assert len(generated) >= 1_000
    for institution in generated:
        bic = institution.bic
        assert bic.bic11[:6] not in real_prefixes
        assert bic.location[1] != "0"
        assert not bic.is_test
        if bic.bic11 not in listed:
            assert institution.name.endswith("(generated)")


def test_every_country_has_generated_entries(by_bic: dict[str, Institution]) -> None:
    per_country = Counter(inst.country for inst in by_bic.values() if inst.generated)
    assert len(per_country) >= 250
    assert min(per_country.values()) >= 3
    assert by_bic and any(inst.name.startswith("Demo Bank 1 of Peru") for inst in by_bic.values())


def test_build_is_deterministic_and_fast() -> None:
    start = time.perf_counter()
    first = build_demo_directory()
    assert time.perf_counter() - start < 3
    assert build_demo_directory() == first
    # The caller gets its own lists.
    first[0].clear()
    assert build_demo_directory()[0]


def test_sanctions_entities_present_with_real_names(by_bic: dict[str, Institution]) -> None:
    entities = sanctions_demo_entities()
    assert set(entities) == ALL_KEYS
    assert len(set(entities.values())) == len(entities)
    for key, bic in entities.items():
        institution = by_bic[bic]
        assert institution.generated
        assert institution.country == (
            "BY" if key in {"belagroprombank", "dabrabyt", "devbank_by"} else "RU"
        )
        assert Bic.parse(bic).branch is None
    assert by_bic[entities["vtb"]].name == "VTB Bank"
    assert by_bic[entities["cbr"]].name == "Central Bank of the Russian Federation"
    assert by_bic[entities["devbank_by"]].name == ("Development Bank of the Republic of Belarus")


def test_each_listed_russian_bank_has_one_to_three_subsidiaries(
    by_bic: dict[str, Institution],
) -> None:
    subsidiaries = sanctions_demo_subsidiaries()
    for key in (*ANNEX_XIV, *JUNE_2022):
        mine = [sub for sub in subsidiaries if sub.rsplit("_", 1)[0] == key]
        assert 1 <= len(mine) <= 3, key
    for bic in subsidiaries.values():
        assert by_bic[bic].country == "RU"
        assert by_bic[bic].generated
        assert by_bic[bic].name.endswith("(generated)")


def _captured(roots: tuple[str, ...], links: list[OwnershipLink]) -> set[str]:
    entities = sanctions_demo_entities()
    bic8s = owned_more_than_half([Bic.parse(entities[key]).bic8 for key in roots], links)
    names = {Bic.parse(bic).bic8: key for key, bic in sanctions_demo_subsidiaries().items()}
    assert bic8s <= names.keys()
    return {names[bic8] for bic8 in bic8s}


def test_annex_xiv_captures_as_designed(
    directory: tuple[list[Institution], list[OwnershipLink]],
) -> None:
    assert _captured(ANNEX_XIV, directory[1]) == {
        "otkritie_1",
        "novikombank_1",
        "promsvyazbank_1",
        "rossiya_1",
        "rossiya_2",  # chain 60 % -> 70 %
        "sovcombank_1",
        "sovcombank_2",  # aggregation 30 % + 30 % through sovcombank_1
        "veb_1",
        "vtb_1",
        "vtb_2",  # chain
    }


def test_june_2022_additions_capture_more(
    directory: tuple[list[Institution], list[OwnershipLink]],
) -> None:
    captured = _captured(ANNEX_XIV + JUNE_2022, directory[1])
    assert captured - _captured(ANNEX_XIV, directory[1]) == {
        "sberbank_1",
        "sberbank_2",  # 30 % Sberbank + 30 % VTB: only once both are listed
        "cbm_1",
        "rosselkhozbank_1",
        "rosselkhozbank_2",
    }
    # Exactly 50 % or less, and Gazprombank's subsidiary, stay out.
    assert captured.isdisjoint({"promsvyazbank_2", "vtb_3", "cbm_2", "veb_2", "gazprombank_1"})
    assert _captured(("sberbank",), directory[1]) == {"sberbank_1"}


def test_every_link_joins_directory_entries(
    directory: tuple[list[Institution], list[OwnershipLink]],
) -> None:
    bic8s = {institution.bic.bic8 for institution in directory[0]}
    for link in directory[1]:
        assert link.parent in bic8s
        assert link.child in bic8s


def test_demo_participants(
    directory: tuple[list[Institution], list[OwnershipLink]], by_bic: dict[str, Institution]
) -> None:
    participants = demo_participants(directory[0])
    assert participants == demo_participants(directory[0])
    assert len(participants) >= 24
    assert len(set(participants)) == len(participants)
    real = [bic for bic in participants if not by_bic[bic].generated]
    assert len(real) >= 12
    assert participants[: len(real)] == real
    assert len({bic[4:6] for bic in real}) >= 6
    assert all(bic.endswith("XXX") for bic in real)
    first, second = (by_bic[bic] for bic in participants[:2])
    assert not first.generated and not second.generated
    assert first.country != second.country
    tail = participants[len(real) :]
    entities = list(sanctions_demo_entities().values())
    assert tail[: len(entities)] == entities
    subsidiaries = set(sanctions_demo_subsidiaries().values())
    assert 2 <= len(tail[len(entities) :]) <= 3
    assert set(tail[len(entities) :]) <= subsidiaries


def test_demo_participants_fall_back_when_preferred_banks_are_missing(
    directory: tuple[list[Institution], list[OwnershipLink]],
) -> None:
    without = [
        inst for inst in directory[0] if inst.bic.bic11 not in {"DEUTDEFFXXX", "BNPAFRPPXXX"}
    ]
    participants = demo_participants(without)
    by_bic = {inst.bic.bic11: inst for inst in without}
    assert len(participants) >= 24
    assert participants[0][4:6] != participants[1][4:6]
    assert not by_bic[participants[0]].generated and not by_bic[participants[1]].generated


def test_demo_participants_fill_from_other_real_banks(
    directory: tuple[list[Institution], list[OwnershipLink]],
) -> None:
    listed = set(sanctions_demo_entities().values())
    few = [
        inst
        for inst in directory[0]
        if (not inst.generated and inst.country in {"HR", "PL", "PT"}) or inst.bic.bic11 in listed
    ]
    participants = demo_participants(few)
    by_bic = {inst.bic.bic11: inst for inst in few}
    real = [bic for bic in participants if not by_bic[bic].generated]
    assert len(real) == 12
    assert {bic[4:6] for bic in real} == {"HR", "PL", "PT"}
    assert participants[0][4:6] != participants[1][4:6]
    assert participants[12:] == list(sanctions_demo_entities().values())
