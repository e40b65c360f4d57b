"""Each way a FIN message can be wrong gets its own code, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.domain.mt import CODES, FIELDS_MAX, MESSAGE_BYTES_MAX, MtError, parse_mt
from finmesh.domain.reasons import Reason
from tests.unit.mt.support import MT103, MT202, fin


def refused(payload: bytes) -> MtError:
    with pytest.raises(MtError) as caught:
        parse_mt(payload)
    return caught.value


def with_field(old: str, new: str, base: str = MT103, **kwargs: object) -> bytes:
    assert old in base, old
    return fin(base.replace(old, new, 1), **kwargs)  # type: ignore[arg-type]


def test_valid_messages_parse() -> None:
    message = parse_mt(fin(MT103))
    assert (message.message_type, message.sender_bic, message.receiver_bic) == (
        "103", "BANKDEFFXXX", "BANKGB2LXXX")
    assert message.uetr is not None
    assert parse_mt(fin(MT202, mt="202")).message_type == "202"


def test_codes_do_not_collide_with_the_network_codes() -> None:
    network = {reason.code for reason in Reason}
    assert not network & set(CODES)
    assert all(code[0] in "TCDEHM" for code in CODES)


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (b"", "H10", "block1"),
        (b"x" * (MESSAGE_BYTES_MAX + 1), "M60", None),
        (fin(MT103).replace(b"JANE", b"J\xc3\x84NE"), "M63", None),
        (fin(MT103).replace(b"{1:F01", b"{1:F21"), "H10", "block1"),
        (fin(MT103).replace(b"{2:I103", b"{2:X103"), "H20", "block2"),
        (fin(MT103).replace(b"BANKGB2LXXXX", b"BANKQQ2LXXXX"), "H50", "block2"),
        (fin(MT103).replace(b"XXXXN}", b"XXXXZ}"), "H26", "block2"),
        (fin(MT103).replace(b"{2:I103", b"{2:I101"), "H25", "block2"),
        (fin(MT103).replace(b"{121:", b"{999:"), "H80", "999"),
        (fin(MT103, uetr="eb6305c9-1f7f-39de-aed0-16487c27b42d"), "H81", "121"),
        (fin(MT103, uetr=None), "H82", "121"),
        (fin(MT103, user="{119:COV}"), "H83", "119"),
        (fin(MT103).replace(b"\r\n-}", b"\r\n"), "H11", "block4"),
        (fin(MT103) + b"{5:{XYZ:1}}", "H90", "XYZ"),
        (fin(MT103).replace(b"{4:", b"{5:{CHK:1}}{4:"), "H11", None),
    ],
)
def test_header_and_framing_refusals(payload: bytes, code: str, field: str | None) -> None:
    error = refused(payload)
    assert (error.code, error.field) == (code, field), str(error)


def test_bounds() -> None:
    many = "\n".join(":86:A" for _ in range(FIELDS_MAX + 1))
    statement = f":20:S1\n:25:ACC\n:28C:1\n:60F:C260115EUR1,00\n{many}\n:62F:C260115EUR1,00"
    assert refused(fin(statement, mt="940", uetr=None)).code == "M62"
    lines = "\n".join("A" for _ in range(3000))
    assert refused(fin(f":20:X\n:79:{lines}", mt="199", uetr=None)).code == "M61"


def test_block_s_after_the_trailer_is_accepted() -> None:
    assert parse_mt(fin(MT103) + b"{5:{CHK:123456789ABC}}{S:{SAC:}{COP:P}}").uetr


@pytest.mark.parametrize(
    ("old", "new", "code", "field", "line"),
    [
        (":32A:260115EUR1234,56", ":32A:261315EUR1234,56", "T50", "32A", 4),
        (":32A:260115EUR1234,56", ":32A:260115EUX1234,56", "T52", "32A", 4),
        (":32A:260115EUR1234,56", ":32A:260115EUR1234.56", "T40", "32A", 4),
        (":32A:260115EUR1234,56", ":32A:260115EUR12345678901234,5", "T43", "32A", 4),
        (":32A:260115EUR1234,56", ":32A:260115JPY1234,56", "C03", "32A", 4),
        (":20:REF-103-0001", ":20:/REF", "T26", "20", 2),
        (":20:REF-103-0001", ":20:REF//103", "T26", "20", 2),
        (":20:REF-103-0001", ":20:REFERENCE-LONGER-THAN-16", "T17", "20", 2),
        (":23B:CRED", ":23B:CREX", "T08", "23B", 3),
        (":71A:SHA", ":71A:ALL", "T08", "71A", 14),
        (":71A:SHA", "", "T14", "71A", 13),
        (":23B:CRED\n", "", "T14", "23B", 3),
        (":70:/ROC/E2E-123/INVOICE 42", ":75:QUERY", "T13", "75", 13),
        (":59:/GB29", ":57A:NOTAQQ11\n:59:/GB29", "T27", "57A", 9),
        (":59:/GB29", ":57B:/123\nX\nY\n:59:/GB29", "T17", "57B", 9),
        (":59:/GB29", ":57E:BANKGB2L\n:59:/GB29", "T13", "57E", 9),
        (":50K:/DE89370400440532013000", ":50F:/DE89370400440532013000", "T56", "50F", 6),
        (":70:/ROC/E2E-123/INVOICE 42", ":70:" + "A" * 36, "T17", "70", 13),
        (":70:/ROC/E2E-123/INVOICE 42", ":70:TEXT\n" + "\n".join(["B"] * 4), "T17", "70", 17),
    ],
)
def test_field_refusals(old: str, new: str, code: str, field: str, line: int) -> None:
    error = refused(with_field(old, new))
    assert (error.code, error.field, error.line) == (code, field, line), str(error)


def test_out_of_order_field_is_named() -> None:
    message = MT103.replace(":71A:SHA\n", "").replace(":50K:", ":71A:SHA\n:50K:")
    error = refused(fin(message))
    assert (error.code, error.field) == ("T13", "71A")


def test_option_f_country_and_numbering() -> None:
    base = ":50F:/DE89370400440532013000\n1/JOHANN\n3/ZZ/BERLIN"
    error = refused(with_field(MT103[MT103.index(":50K:"):MT103.index(":59:")], base + "\n"))
    assert (error.code, error.field) == ("T73", "50F")
    error = refused(with_field(MT103[MT103.index(":50K:"):MT103.index(":59:")],
                               ":50F:/DE89370400440532013000\n2/STREET\n1/NAME\n"))
    assert error.code == "T56"


def test_docs_list_every_code() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "mt.md").read_text()
    missing = [code for code in CODES if f"| {code} |" not in docs]
    assert missing == []
