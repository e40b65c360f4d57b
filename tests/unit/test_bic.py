"""ISO 9362 BIC parsing and normalisation."""

from __future__ import annotations

import pytest

from finmesh.domain.bic import Bic, is_valid_bic
from finmesh.domain.errors import InvalidBic


def test_bic8_is_normalised_to_bic11() -> None:
    bic = Bic.parse("DEUTDEFF")
    assert bic.value == "DEUTDEFFXXX"
    assert bic.bic11 == "DEUTDEFFXXX"
    assert bic.bic8 == "DEUTDEFF"
    assert str(bic) == "DEUTDEFFXXX"
    assert bic == Bic.parse("DEUTDEFFXXX")
    assert bic.branch is None


def test_direct_construction_normalises_like_parse() -> None:
    assert Bic("DEUTDEFF") == Bic.parse("DEUTDEFFXXX")
    with pytest.raises(InvalidBic):
        Bic("nonsense")


def test_parts_of_a_branch_bic() -> None:
    bic = Bic.parse("DEUTDEFF500")
    assert bic.institution == "DEUT"
    assert bic.country == "DE"
    assert bic.location == "FF"
    assert bic.branch == "500"
    assert bic.bic8 == "DEUTDEFF"
    assert not bic.is_test
    assert bic != Bic.parse("DEUTDEFF")


def test_surrounding_whitespace_is_stripped() -> None:
    assert Bic.parse("  BNPAFRPP\n").value == "BNPAFRPPXXX"


def test_alphanumeric_institution_code_is_allowed() -> None:
    assert Bic.parse("1A2BDEFF").institution == "1A2B"


def test_kosovo_user_assigned_code_is_accepted() -> None:
    assert Bic.parse("ABCDXKPR").country == "XK"


def test_test_bic_has_zero_as_second_location_character() -> None:
    assert Bic.parse("DEUTDEF0").is_test
    assert not Bic.parse("DEUTDE0F").is_test


def test_bics_order_by_value() -> None:
    assert sorted([Bic.parse("ZZZZDEFF"), Bic.parse("AAAADEFF")])[0].institution == "AAAA"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("deutdeff", "lowercase letter 'd' at position 1"),
        ("DEUTdeFF", "lowercase letter 'd' at position 5"),
        ("DEUTDEF", "8 or 11 characters"),
        ("DEUTDEFF5", "8 or 11 characters"),
        ("DEUTDEFF50000", "8 or 11 characters"),
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("DEUT DEF", "character ' ' at position 5"),
        ("DEUT-EFF", "character '-' at position 5"),
        ("DEUTQQFF", "'QQ' is not an ISO 3166-1 alpha-2"),
        ("DEUTD1FF", "country code 'D1' (positions 5-6) must be letters"),
        ("DEUTÄEFF", "position 5"),
    ],
)
def test_invalid_bics_are_rejected_with_a_precise_reason(text: str, fragment: str) -> None:
    with pytest.raises(InvalidBic, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Bic.parse(text)
    assert not is_valid_bic(text)


def test_non_text_is_rejected() -> None:
    with pytest.raises(InvalidBic, match="must be text"):
        Bic.parse(12345678)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["DEUTDEFF", "DEUTDEFFXXX", "BNPAFRPP123", "ABCDXKPR"])
def test_is_valid_bic_accepts_valid_codes(text: str) -> None:
    assert is_valid_bic(text)


def test_bic_is_immutable_and_hashable() -> None:
    bic = Bic.parse("DEUTDEFF")
    assert {bic, Bic.parse("DEUTDEFFXXX")} == {bic}
    with pytest.raises(AttributeError):
        bic.value = "X"  # type: ignore[misc]
