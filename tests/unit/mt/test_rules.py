"""Network validated rules of MT103 (and STP), MT202COV and MT910, with FIN's codes."""

from __future__ import annotations

import pytest

from finmesh.domain.mt import MtError, parse_mt
from tests.unit.mt.support import MT103, fin

BENEFICIARY = ":59:/GB29NWBK60161331926819"


def _103(*, before_50: str = "", before_59: str = "", charges: str = ":71A:SHA",
         operation: str = "CRED", stp: bool = False, instructions: str = "") -> bytes:
    text = MT103.replace(":23B:CRED\n", f":23B:{operation}\n{instructions}")
    text = text.replace(":50K:", before_50 + ":50K:") if before_50 else text
    text = text.replace(BENEFICIARY, before_59 + BENEFICIARY) if before_59 else text
    text = text.replace(":71A:SHA", charges)
    return fin(text, user="{119:STP}" if stp else None)


def code_of(payload: bytes) -> tuple[str, str | None]:
    with pytest.raises(MtError) as caught:
        parse_mt(payload)
    return caught.value.code, caught.value.field


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (_103(before_50=":33B:USD1300,00\n"), ("D75", "33B")),
        (_103(before_50=":33B:EUR1234,56\n:36:1,0\n"), ("D75", "36")),
        (_103(operation="SPRI", instructions=":23E:HOLD\n"), ("E01", "23E")),
        (_103(operation="SSTD", instructions=":23E:SDVA\n"), ("E02", "23E")),
        (_103(before_59=":55A:BANKFRPPXXX\n:57A:BANKGB2LXXX\n"), ("E06", "55A")),
        (_103(before_59=":56A:BANKFRPPXXX\n"), ("C81", "56A")),
        (_103(operation="SPRI", before_59=":56A:BANKFRPPXXX\n:57A:BANKGB2LXXX\n"),
         ("E16", "56A")),
        (_103(charges=":71A:OUR\n:71F:EUR1,00", before_50=":33B:EUR1235,56\n"),
         ("E13", "71F")),
        (_103(charges=":71A:SHA\n:71G:EUR1,00", before_50=":33B:EUR1233,56\n"),
         ("D50", "71G")),
        (_103(charges=":71A:BEN"), ("E15", "71A")),
        (_103(charges=":71A:BEN\n:71F:EUR1,00"), ("D51", "71F")),
        (_103(charges=":71A:OUR\n:71G:USD1,00", before_50=":33B:EUR1233,56\n"),
         ("C02", "71G")),
        (_103(instructions=":23E:TELI\n"), ("E44", "23E")),
        (_103(instructions=":23E:PHON\n"), ("E45", "23E")),
        (_103(instructions=":23E:SDVA\n:23E:SDVA\n"), ("E46", "23E")),
        (_103(instructions=":23E:CHQB\n"), ("E18", "59")),
        (_103(stp=True, instructions=":23E:HOLD\n"), ("E47", "23E")),
        (_103(stp=True, before_59=":57D:SOME BANK\n"), ("T13", "57D")),
    ],
)
def test_mt103_rules(payload: bytes, expected: tuple[str, str]) -> None:
    assert code_of(payload) == expected


def test_rules_that_hold_pass() -> None:
    assert parse_mt(_103(before_50=":33B:USD1300,00\n:36:0,9497\n")).message_type == "103"
    assert parse_mt(_103(charges=":71A:BEN\n:71F:EUR1,00",
                         before_50=":33B:EUR1235,56\n")).message_type == "103"
    assert parse_mt(_103(stp=True)).message_type == "103STP"


def test_mt910_needs_an_ordering_party() -> None:
    text = ":20:C1\n:21:R1\n:25:123\n:32A:260115EUR1,00"
    assert code_of(fin(text, mt="910", uetr=None)) == ("C06", "32A")
    assert parse_mt(fin(text + "\n:52A:BANKDEFFXXX", mt="910", uetr=None)).message_type \
        == "910"


def test_mt202cov_sequence_b_intermediary_needs_account_with() -> None:
    text = (":20:C1\n:21:R1\n:32A:260115EUR1,00\n:58A:BANKUS33XXX\n:50K:PAYER\n"
            ":56A:BANKFRPPXXX\n:59:PAYEE")
    assert code_of(fin(text, mt="202", user="{119:COV}")) == ("C81", "56A")
