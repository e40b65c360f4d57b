"""The fifth round's kinds of variant and look-alike (issue 18), one test each: the
forms of one common word of institution names ("MANAGING", "MANAGEMENT") and the
look-alikes that must stay clear."""

from __future__ import annotations

import pytest

from finmesh.domain.screening import word_forms
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry
from tests.unit.screening_index import held, unit_index

PERSON, ENTITY = EntryType.PERSON, EntryType.ENTITY
FILLERS = (
    "KOREA MINING DEVELOPMENT TRADING CORPORATION;IRAN INSURANCE COMPANY;"
    "NATIONAL IRANIAN OIL COMPANY;KOREA KWANGSON BANKING CORPORATION;"
    "MINING INDUSTRIES GROUP;INTERNATIONAL TRADE BANK;AL-NOUR CHARITY"
)
ENTRIES = (
    ListEntry("sovfracht", ENTITY, "SOVFRACHT MANAGING COMPANY LLC"),
    ListEntry("rahmah", ENTITY, "RAHMAH CHARITABLE ORGANIZATION"),
    ListEntry("yazd", ENTITY, "YAZD METALLURGY INDUSTRIES"),
    ListEntry("joza", ENTITY, "JOZA INDUSTRIAL COMPANY"),
    ListEntry("council", ENTITY, "STATE ADMINISTRATIVE COUNCIL"),
    ListEntry("aluminum", ENTITY, "IRAN ALUMINUM COMPANY"),
    ListEntry("hana", ENTITY, "HANA BANKING CORPORATION LTD"),
    *(ListEntry(f"filler{n}", ENTITY, name) for n, name in enumerate(FILLERS.split(";"))),
)


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return unit_index(ENTRIES)


def test_the_forms_of_a_common_word_share_one_stem() -> None:
    assert word_forms.stem("managing") == word_forms.stem("management") == "management"
    assert word_forms.stem("charitable") == word_forms.stem("charity")
    assert word_forms.stem("metallurgical") == word_forms.stem("metallurgy")
    assert word_forms.stem("iranian") == word_forms.stem("iran")
    assert word_forms.stem("marina") is None  # a proper word keeps its ending
    assert word_forms.stem("banking") is None


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("SOVFRACHT MANAGEMENT COMPANY", "sovfracht"),
        ("AL-RAHMAH CHARITY ORGANIZATION", "rahmah"),
        ("YAZD METALLURGICAL INDUSTRIES", "yazd"),
        ("JOZA INDUSTRIES COMPANY", "joza"),
        ("STATE ADMINISTRATION COUNCIL", "council"),
        ("IRANIAN ALUMINUM COMPANY", "aluminum"),
    ],
)
def test_a_common_word_in_another_form_is_the_same_institution(
    index: ScreeningIndex, name: str, entry: str
) -> None:
    assert entry in held(index, name)


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Bank of China", "hana"),  # "banking" is not folded to "bank"
        ("KOREA BANKS CORPORATION", "hana"),  # "banks" is "bank", not "banking"
    ],
)
def test_word_forms_make_no_look_alike(index: ScreeningIndex, name: str, entry: str) -> None:
    assert entry not in held(index, name)
