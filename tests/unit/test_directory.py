"""Ownership capture (the "more than 50 %" rule) and directory CSV import."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest

from finmesh.domain.bic import Bic
from finmesh.domain.directory import (
    Institution,
    OwnershipLink,
    owned_more_than_half,
    parse_directory_csv,
)
from finmesh.domain.errors import BadRequest
from finmesh.domain.limits import DIRECTORY_FIELD_CHARS_MAX, DIRECTORY_ROWS_MAX

A, B, C, D, E = "AAAARUMM", "BBBBRUMM", "CCCCRUMM", "DDDDRUMM", "EEEERUMM"


def link(parent: str, child: str, share: str) -> OwnershipLink:
    return OwnershipLink(parent=parent, child=child, share=Decimal(share))


# --- ownership ---------------------------------------------------------------------------


def test_direct_majority_is_captured() -> None:
    assert owned_more_than_half([A], [link(A, B, "50.01")]) == {B}


def test_exactly_half_is_not_captured() -> None:
    assert owned_more_than_half([A], [link(A, B, "50")]) == set()
    assert owned_more_than_half([A], [link(A, B, "49")]) == set()


def test_chain_is_captured() -> None:
    links = [link(A, B, "60"), link(B, C, "70"), link(C, D, "40")]
    assert owned_more_than_half([A], links) == {B, C}


def test_aggregation_with_captured_entity() -> None:
    links = [link(A, B, "80"), link(A, C, "30"), link(B, C, "30")]
    assert owned_more_than_half([A], links) == {B, C}


def test_aggregation_across_roots() -> None:
    links = [link(A, C, "30"), link(B, C, "30")]
    assert owned_more_than_half([A], links) == set()
    assert owned_more_than_half([A, B], links) == {C}


def test_holdings_of_uncaptured_entities_do_not_count() -> None:
    # B is only 50 % owned, so its 30 % in C must not be added to A's 30 %.
    links = [link(A, B, "50"), link(A, C, "30"), link(B, C, "30")]
    assert owned_more_than_half([A], links) == set()


def test_cycle_terminates() -> None:
    links = [link(A, B, "60"), link(B, C, "60"), link(C, B, "40"), link(C, A, "100")]
    assert owned_more_than_half([A], links) == {B, C}
    assert owned_more_than_half([D], [link(B, C, "60"), link(C, B, "60")]) == set()


def test_roots_are_excluded_even_when_owned_by_other_roots() -> None:
    assert owned_more_than_half([A, B], [link(A, B, "100"), link(B, C, "51")]) == {C}


def test_roots_may_be_given_as_bic11() -> None:
    assert owned_more_than_half([A + "XXX"], [link(A, B, "100")]) == {B}


def test_result_does_not_depend_on_link_order() -> None:
    links = [link(A, B, "26"), link(A, C, "60"), link(C, B, "25"), link(B, D, "51")]
    expected = owned_more_than_half([A], links)
    assert expected == {B, C, D}
    for seed in range(20):
        shuffled = list(links)
        random.Random(seed).shuffle(shuffled)
        assert owned_more_than_half([A], shuffled) == expected


def test_long_chain_is_followed() -> None:
    codes = [f"{n:04d}RUMM".replace("0", "Q") for n in range(1, 2001)]
    links = [link(p, c, "51") for p, c in itertools.pairwise(codes)]
    assert owned_more_than_half([codes[0]], links) == set(codes[1:])


@pytest.mark.parametrize("share", ["0", "-1", "100.01", "NaN"])
def test_ownership_link_rejects_share_outside_range(share: str) -> None:
    with pytest.raises(BadRequest, match=r"not in \(0, 100\]"):
        link(A, B, share)


def test_ownership_link_rejects_self_and_non_bic8() -> None:
    with pytest.raises(BadRequest, match="cannot own itself"):
        link(A, A, "10")
    with pytest.raises(BadRequest, match="not a BIC8"):
        link(A + "XXX", B, "10")


def test_institution_country_must_match_bic() -> None:
    with pytest.raises(BadRequest, match="differs"):
        Institution(Bic.parse(A), "Bank A", "DE", None, generated=False)


# --- CSV import --------------------------------------------------------------------------

GOOD = """bic,name,city,parent_bic,share,comment
AAAARUMMXXX,Bank A,Moscow,,,head office
BBBBRUMM,Bank B,,AAAARUMM,60,
CCCCRUMM,"Bank C, Leasing",Kazan,AAAARUMM;BBBBRUMMXXX,30;30,
"""


def test_good_file_is_imported() -> None:
    result = parse_directory_csv(GOOD)
    assert result.ok
    assert [i.bic.bic11 for i in result.institutions] == [
        "AAAARUMMXXX",
        "BBBBRUMMXXX",
        "CCCCRUMMXXX",
    ]
    first = result.institutions[0]
    assert (first.name, first.city, first.country, first.generated) == (
        "Bank A",
        "Moscow",
        "RU",
        False,
    )
    assert result.institutions[1].city is None
    assert result.institutions[2].name == "Bank C, Leasing"
    assert result.links == (
        link(A, B, "60"),
        link(A, C, "30"),
        link(B, C, "30"),
    )
    assert owned_more_than_half([A], result.links) == {B, C}


def test_minimal_header_and_bom_and_blank_lines() -> None:
    result = parse_directory_csv("\ufeffBIC,Name\r\n\r\nDEUTDEFF,Deutsche Bank\r\n")
    assert result.ok
    assert result.institutions[0].bic.bic11 == "DEUTDEFFXXX"
    assert result.links == ()


def errors_of(text: str) -> list[tuple[int, str]]:
    return [(error.line, error.message) for error in parse_directory_csv(text).errors]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("deutdeff,Deutsche Bank,,,", "invalid BIC: 'deutdeff' has lowercase"),
        ("DEUTQQFF,Deutsche Bank,,,", "invalid BIC"),
        ("DEUTDEFF,,,,", "name is missing"),
        ("DEUTDEFF,  ,,,", "name is missing"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF,0", "share '0' is not in (0, 100]"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF,100.5", "share '100.5' is not in (0, 100]"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF,abc", "share 'abc' is not a number"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF,", "given together"),
        ("DEUTDEFF,Deutsche Bank,,,50", "given together"),
        ("DEUTDEFF,Deutsche Bank,,cobadeff,50", "invalid parent_bic"),
        ("DEUTDEFF,Deutsche Bank,,DEUTDEFF500,50", "cannot own itself"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF;MARKDEFF,50", "2 parent_bic value(s) but 1"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF;MARKDEFF,60;50", "add up to 110"),
        ("DEUTDEFF,Deutsche Bank,,COBADEFF;COBADEFFXXX,10;10", "listed twice"),
        ("DEUTDEFF,Deutsche Bank", "expected 5 fields as in the header, got 2"),
        ("DEUTDEFF,Deutsche Bank, AG,Frankfurt,,", "expected 5 fields as in the header, got 6"),
    ],
)
def test_each_bad_row_is_reported_with_its_line(row: str, fragment: str) -> None:
    text = f"bic,name,city,parent_bic,share\nCOBADEFF,Commerzbank,,,\n{row}\n"
    result = parse_directory_csv(text)
    assert len(result.errors) == 1
    assert result.errors[0].line == 3
    assert fragment in result.errors[0].message
    assert [i.bic.bic11 for i in result.institutions] == ["COBADEFFXXX"]
    assert str(result.errors[0]).startswith("line 3: ")


def test_duplicate_bic_names_the_first_line() -> None:
    text = "bic,name\nDEUTDEFF,Deutsche Bank\nCOBADEFF,Commerzbank\nDEUTDEFFXXX,Again\n"
    assert errors_of(text) == [(4, "duplicate BIC DEUTDEFFXXX (first on line 2)")]


def test_overlong_field_is_rejected() -> None:
    name = "N" * (DIRECTORY_FIELD_CHARS_MAX + 1)
    assert errors_of(f"bic,name\nDEUTDEFF,{name}\n") == [
        (2, f"field name has {DIRECTORY_FIELD_CHARS_MAX + 1} characters, at most 140 allowed")
    ]
    assert parse_directory_csv(f"bic,name\nDEUTDEFF,{name[:-1]}\n").ok


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("bic,city", "lacks column(s) name"),
        ("name,city", "lacks column(s) bic"),
        ("code,title", "lacks column(s) bic, name"),
        ("bic,name,parent_bic", "both parent_bic and share"),
        ("bic,name,share", "both parent_bic and share"),
        ("bic,name,bic", "repeats column(s) bic"),
    ],
)
def test_unusable_column_set_is_reported_on_line_1(header: str, fragment: str) -> None:
    result = parse_directory_csv(f"{header}\nDEUTDEFF,Deutsche Bank,x\n")
    assert [error.line for error in result.errors] == [1]
    assert fragment in result.errors[0].message
    assert result.institutions == ()


def test_empty_file_is_reported() -> None:
    assert errors_of("") == [(1, "empty file: expected a header line")]


def test_line_numbers_count_physical_lines() -> None:
    text = 'bic,name\nDEUTDEFF,"Deutsche\nBank"\nbad,x\n'
    result = parse_directory_csv(text)
    assert result.institutions[0].name == "Deutsche\nBank"
    assert [error.line for error in result.errors] == [4]


def test_malformed_quoting_is_reported() -> None:
    result = parse_directory_csv('bic,name\nDEUTDEFF,"Deut"sche\nCOBADEFF,Commerzbank\n')
    assert [error.line for error in result.errors] == [2]
    assert "malformed CSV" in result.errors[0].message


def test_row_limit_is_enforced() -> None:
    rows = "".join(f"{_bic_for(n)},Bank {n}\n" for n in range(DIRECTORY_ROWS_MAX + 1))
    with pytest.raises(BadRequest, match="more than 200000 rows"):
        parse_directory_csv("bic,name\n" + rows)


def _bic_for(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    for _ in range(4):
        n, digit = divmod(n, 26)
        code += letters[digit]
    return f"{code}DEFF"
