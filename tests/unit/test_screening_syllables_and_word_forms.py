"""The fifth round's kinds of variant and look-alike (issue 18), one test each: the
forms of one common word of institution names ("MANAGING", "MANAGEMENT"); Korean and
Chinese syllables in two romanisation systems ("PAK", "BAK", "PARK"; "CHAO", "ZHAO");
a Korean or Chinese name's given syllables counting in full (one of them is another
name); Thai names in the RTGS and as their bearers spell them ("PHUANGPHET",
"PUANGPETCH"); and the look-alikes that must stay clear."""

from __future__ import annotations

import pytest

from finmesh.domain.screening import syllables, word_forms
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry
from finmesh.domain.screening.normalise import fold
from finmesh.domain.screening.thai_names import thai_key
from finmesh.domain.screening.weights import (
    GENERIC_WEIGHT_MAX,
    positional_factors,
    screened_weight,
    syllabic,
)
from tests.unit.screening_index import held, unit_index


def _same_syllable(word: str, other: str) -> bool:
    """Whether some system writes ``word`` and ``other`` for one syllable."""
    return not set(syllables.syllable_keys(word)).isdisjoint(syllables.syllable_keys(other))

PERSON, ENTITY = EntryType.PERSON, EntryType.ENTITY
FILLERS = (
    "KOREA MINING DEVELOPMENT TRADING CORPORATION;IRAN INSURANCE COMPANY;"
    "NATIONAL IRANIAN OIL COMPANY;KOREA KWANGSON BANKING CORPORATION;"
    "MINING INDUSTRIES GROUP;INTERNATIONAL TRADE BANK;AL-NOUR CHARITY;"
    "KIM, Il;KIM, Jong Un;RI, Yong Il;CHOE, Ryong Hae;PAK, Nam;WANG, Wei;LI, Ming;"
    "CHEN, Wei;HAN, Song;JONG, Il"
)
ENTRIES = (
    ListEntry("sovfracht", ENTITY, "SOVFRACHT MANAGING COMPANY LLC"),
    ListEntry("rahmah", ENTITY, "RAHMAH CHARITABLE ORGANIZATION"),
    ListEntry("yazd", ENTITY, "YAZD METALLURGY INDUSTRIES"),
    ListEntry("joza", ENTITY, "JOZA INDUSTRIAL COMPANY"),
    ListEntry("council", ENTITY, "STATE ADMINISTRATIVE COUNCIL"),
    ListEntry("aluminum", ENTITY, "IRAN ALUMINUM COMPANY"),
    ListEntry("hana", ENTITY, "HANA BANKING CORPORATION LTD"),
    ListEntry("osleg", ENTITY, "OSLEG"),
    ListEntry("europe", ENTITY, "EUROPE TRANSPORTATION LIMITED"),
    ListEntry("kardiam", ENTITY, "KARDIAM"),
    ListEntry("tawasul", ENTITY, "TAWASUL COMPANY"),
    ListEntry("mosoblbank", ENTITY, "PAO MOSOBLBANK"),
    ListEntry("belneftekhim", ENTITY, "BELNEFTEKHIM"),
    ListEntry("pak", PERSON, "PAK, Kwang Hun"),
    ListEntry("phuangphet", PERSON, "PHUANGPHET, Suwit"),
    ListEntry("pichayos", PERSON, "PICHAYOS, Winai"),
    ListEntry("park", PERSON, "PARK, Jin Hyok"),
    ListEntry("jong", PERSON, "JONG, Man Bok"),
    ListEntry("zhao", PERSON, "WEI, Zhao"),
    ListEntry("xu", PERSON, "XU, Ming"),
    ListEntry("mun", PERSON, "PAK, Mun Il"),
    ListEntry("kwon", PERSON, "HAN, Kwon U"),
    *(
        ListEntry(f"filler{n}", PERSON if "," in name else ENTITY, name)
        for n, name in enumerate(FILLERS.split(";"))
    ),
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
    # screened, a form of a common word weighs as a generic word; listed, as rare as it is
    assert screened_weight("mines", 1.0) == screened_weight("mining", 1.0) == GENERIC_WEIGHT_MAX
    assert screened_weight("osleg", 1.0) == 1.0


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("SOVFRACHT MANAGEMENT COMPANY", "sovfracht"),
        ("AL-RAHMAH CHARITY ORGANIZATION", "rahmah"),
        ("YAZD METALLURGICAL INDUSTRIES", "yazd"),
        ("JOZA INDUSTRIES COMPANY", "joza"),
        ("STATE ADMINISTRATION COUNCIL", "council"),
        ("IRANIAN ALUMINUM COMPANY", "aluminum"),
        ("OSLEG MINES", "osleg"),  # "mines" weighs as a generic word, as "mining" does
        ("OSLEG (PVT.) LTD.", "osleg"),  # Pakistani "(Pvt.) Ltd.", a legal form
        ("KARDIAM BVBA", "kardiam"),  # Belgian B.V.B.A.
        ("CONCERN BELNEFTEKHIM", "belneftekhim"),  # a Belarusian state "concern"
        ("TAWASUL HAWALA COMPANY", "tawasul"),  # a hawala is a kind of business
        ("AKB MOSOBLBANK OAO", "mosoblbank"),  # Russian АКБ, a joint-stock commercial bank
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
        ("UBS EUROPE SE", "europe"),  # listed "transportation" keeps its weight
        ("KOREA BANKS CORPORATION", "hana"),  # "banks" is "bank", not "banking"
    ],
)
def test_word_forms_make_no_look_alike(index: ScreeningIndex, name: str, entry: str) -> None:
    assert entry not in held(index, name)


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("pak", "bak"),  # 박: McCune-Reischauer, Revised Romanisation
        ("pak", "park"),  # and usage
        ("chong", "jeong"),  # 정
        ("pok", "bok"),  # 복
        ("chol", "cheol"),  # 철
        ("ri", "lee"),  # 李, North and South
        ("chao", "zhao"),  # Wade-Giles, pinyin
        ("hsu", "xu"),
        ("chang", "zhang"),
        ("hsieh", "xie"),
        ("kuo", "guo"),
    ],
)
def test_two_systems_write_one_syllable(word: str, other: str) -> None:
    assert _same_syllable(word, other)


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("kon", "kwon"),  # 건 and 권: one letter, two syllables
        ("wan", "wang"),
        ("yun", "yung"),
        ("kim", "kum"),
        ("ryu", "yu"),  # the South's initial-sound rule only for 李
        ("mohammed", "mohammed"),  # no syllable
    ],
)
def test_other_syllables_stay_apart(word: str, other: str) -> None:
    assert not _same_syllable(word, other)


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("BAK, Gwang Hun", "pak"),
        ("PAK, Jin Hyok", "park"),
        ("CHO'NG, Man-pok", "jong"),
        ("WEI, Chao", "zhao"),
        ("HSU, Ming", "xu"),
    ],
)
def test_a_syllable_in_another_system_is_the_same_name(
    index: ScreeningIndex, name: str, entry: str
) -> None:
    assert entry in held(index, name)


def test_the_syllables_of_a_korean_given_name_count_in_full() -> None:
    assert syllabic(("mun", "il", "pak"))
    assert positional_factors(("mun", "il", "pak"), True, 1) == (1.0, 1.0, 1.0)
    assert not syllabic(("ali", "hasan", "khan"))


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("PARK, Mun", "mun"),  # one syllable of "Mun Il" is another given name
        ("PAK, Mun", "mun"),
        ("HAN, Kon U", "kwon"),  # "Kon" is not a spelling of "Kwon"
    ],
)
def test_one_syllable_of_a_given_name_is_someone_else(
    index: ScreeningIndex, name: str, entry: str
) -> None:
    assert entry not in held(index, name)


def test_thai_spellings_share_a_key() -> None:
    assert thai_key("phuangphet") == thai_key("puangpetch") == "puangpet"
    assert thai_key("phitchayot") == thai_key("pichayos")
    assert thai_key("jintana") == thai_key("chintana")
    assert thai_key("pichai") is None  # one syllable or two: its letters are the name


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("PUANGPETCH, Suwit", "phuangphet"),
        ("PHITCHAYOT, Winai", "pichayos"),
    ],
)
def test_a_thai_name_spelled_letter_for_letter_is_the_name(
    index: ScreeningIndex, name: str, entry: str
) -> None:
    assert entry in held(index, name)


def test_a_thai_spelling_makes_no_look_alike(index: ScreeningIndex) -> None:
    assert "phuangphet" not in held(index, "PUANGPETCH, Somchai")  # another given name


def test_persian_gh_after_a_vowel_is_q() -> None:
    assert fold("sadegh") == fold("sadeq")
    assert fold("araghi") == fold("araqi")
    assert fold("ghazi") != fold("qazi")  # an initial gh stays: Arabic غ is not ق
