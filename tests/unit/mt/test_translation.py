"""MT -> MX: every translated sample validates against the official XSDs, and the values
CBPR+ maps are where they belong; MX -> MT: lengths and characters MT cannot hold are
cut and replaced the CBPR+ way, and said so in the report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.mt import MtError, mt_to_mx, mx_to_mt, parse_mt
from finmesh.domain.mt.mx_tree import find, text
from tests.shareddata import SCHEMAS
from tests.unit.mt.support import MT103, MT202, UETR, fin, sample_files, xsd_problems

NOW = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


def _translatable() -> list[Path]:
    found = []
    for path in sample_files():
        try:
            parse_mt(path.read_bytes(), require_uetr=False)
        except MtError:
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("path", _translatable(), ids=lambda p: p.name)
def test_translated_samples_validate_against_the_official_xsds(path: Path) -> None:
    translation = mt_to_mx(path.read_bytes(), now=NOW, require_uetr=False)
    assert xsd_problems(translation.payload, translation.report.target) == []


def _document(payload: bytes) -> etree._Element:
    return etree.fromstring(payload)[1][0]


def test_mt103_maps_identities_parties_amounts_and_remittance() -> None:
    text_block = MT103.replace(":71A:SHA", ":71A:OUR\n:71G:EUR2,50").replace(
        ":50K:", ":33B:EUR1231,06\n:50K:").replace(":59:", ":57A:BANKGB2LXXX\n:59:")
    translation = mt_to_mx(fin(text_block), now=NOW)
    assert xsd_problems(translation.payload, "pacs.008.001.08") == []
    envelope = etree.fromstring(translation.payload)
    assert text(envelope[0], "Fr/FIId/FinInstnId/BICFI") == "BANKDEFFXXX"
    assert text(envelope[0], "MktPrctc/Id") == "MT103"
    tx = find(_document(translation.payload), "CdtTrfTxInf")
    assert text(tx, "PmtId/UETR") == UETR
    assert text(tx, "PmtId/InstrId") == "REF-103-0001"
    assert text(tx, "PmtId/EndToEndId") == "E2E-123"  # CBPR+: /ROC/ of field 70
    assert text(tx, "IntrBkSttlmAmt") == "1234.56"
    assert text(tx, "IntrBkSttlmDt") == "2026-01-15"
    assert text(tx, "InstdAmt") == "1231.06"
    assert text(tx, "ChrgBr") == "DEBT"
    assert text(tx, "ChrgsInf/Agt/FinInstnId/BICFI") == "BANKGB2LXXX"
    assert text(tx, "DbtrAcct/Id/IBAN") == "DE89370400440532013000"
    assert text(tx, "Dbtr/Nm") == "JOHANN MUSTERMANN"
    address = find(tx, "Dbtr/PstlAdr")
    assert address is not None
    assert [e.text for e in address] == ["HAUPTSTRASSE 1", "10115 BERLIN"]
    assert text(tx, "DbtrAgt/FinInstnId/BICFI") == "BANKDEFFXXX"  # implied: the sender
    assert text(tx, "CdtrAcct/Id/IBAN") == "GB29NWBK60161331926819"
    assert text(tx, "RmtInf/Ustrd") == "/ROC/E2E-123/INVOICE 42"
    assert translation.report.lossless


def test_mt202cov_carries_the_underlying_customer_transfer() -> None:
    cover = MT202 + ":50K:/12345\nPAYER NAME\n:59:/GB29NWBK60161331926819\nPAYEE\n:70:INV 7"
    translation = mt_to_mx(fin(cover, mt="202", user="{119:COV}"), now=NOW)
    assert xsd_problems(translation.payload, "pacs.009.001.08") == []
    tx = find(_document(translation.payload), "CdtTrfTxInf")
    assert text(tx, "PmtId/EndToEndId") == "RELATED-0001"
    assert text(tx, "Dbtr/FinInstnId/BICFI") == "BANKDEFFXXX"
    assert text(tx, "Cdtr/FinInstnId/BICFI") == "BANKUS33XXX"
    assert text(tx, "UndrlygCstmrCdtTrf/Dbtr/Nm") == "PAYER NAME"
    assert text(tx, "UndrlygCstmrCdtTrf/DbtrAgt/FinInstnId/BICFI") == "BANKDEFFXXX"
    assert text(tx, "UndrlygCstmrCdtTrf/CdtrAgt/FinInstnId/BICFI") == "BANKUS33XXX"
    assert text(tx, "UndrlygCstmrCdtTrf/RmtInf/Ustrd") == "INV 7"


def test_statement_entries_and_balances() -> None:
    statement = (":20:STMT1\n:25:DE89370400440532013000\n:28C:7/2\n:60F:C260114EUR100,00\n"
                 ":61:2601150115D25,50NTRFREF1//BANK1\nSUPPLEMENT\n:86:PAID TO X\n"
                 ":62M:C260115EUR74,50\n:64:C260115EUR74,50")
    translation = mt_to_mx(fin(statement, mt="940", uetr=None), now=NOW)
    assert xsd_problems(translation.payload, "camt.053.001.08") == []
    stmt = find(_document(translation.payload), "Stmt")
    assert text(stmt, "Acct/Id/IBAN") == "DE89370400440532013000"
    assert (text(stmt, "ElctrncSeqNb"), text(stmt, "StmtPgntn/PgNb")) == ("7", "2")
    assert text(stmt, "StmtPgntn/LastPgInd") == "false"  # 62M: more pages follow
    assert [text(b, "Tp/CdOrPrtry/Cd") for b in stmt if b.tag.endswith("Bal")] == [
        "OPBD", "ITBD", "CLAV"]
    entry = find(stmt, "Ntry")
    assert (text(entry, "Amt"), text(entry, "CdtDbtInd")) == ("25.50", "DBIT")
    assert text(entry, "AcctSvcrRef") == "BANK1"
    assert text(entry, "NtryDtls/TxDtls/Refs/AcctOwnrTxId") == "REF1"
    assert text(entry, "NtryDtls/TxDtls/AddtlTxInf") == "PAID TO X"
    assert text(entry, "AddtlNtryInf") == "SUPPLEMENT"


def test_free_format_message_keeps_every_line() -> None:
    lines = [f"LINE {n:02d} " + "X" * 40 for n in range(35)]
    message = ":20:Q1\n:21:ORIGINAL-REF\n:79:" + "\n".join(lines)
    translation = mt_to_mx(fin(message, mt="299", uetr=None), now=NOW)
    assert xsd_problems(translation.payload, "camt.029.001.09") == []
    back = mx_to_mt(translation.payload, SCHEMAS)
    assert parse_mt(back.payload).blocks.application.message_type == "299"
    assert [f.value for f in parse_mt(back.payload).fields][2] == "\n".join(lines)


def _pacs008(**replace: str) -> bytes:
    payload = mt_to_mx(fin(MT103), now=NOW).payload.decode()
    for old, new in replace.items():
        assert old in payload, old
        payload = payload.replace(old, new)
    return payload.encode()


def test_mx_to_mt_cuts_long_values_with_a_plus_and_reports_it() -> None:
    long_name = "INTERNATIONAL " * 8  # 112 characters, 50K lines hold 35
    payload = _pacs008(**{"<InstrId>REF-103-0001<": "<InstrId>REFERENCE-OF-35-CHARACTERS-XX<",
                          "<Nm>JOHANN MUSTERMANN<": f"<Nm>{long_name.strip()}<"})
    translation = mx_to_mt(payload, SCHEMAS)
    message = parse_mt(translation.payload)
    assert message.fields[0].value == "REFERENCE-OF-35+"
    kinds = {(note.kind, note.where) for note in translation.report.notes}
    assert ("truncated", "PmtId/InstrId") in kinds
    assert ("truncated", "Dbtr") in kinds
    assert not translation.report.lossless


def test_mx_to_mt_replaces_characters_outside_the_x_set() -> None:
    translation = mx_to_mt(_pacs008(**{"JANE DOE": "JOSÉ ÑÚÑEZ &amp; CO"}), SCHEMAS)
    beneficiary = next(f for f in parse_mt(translation.payload).fields if f.tag == "59")
    assert "JOSE NUNEZ . CO" in beneficiary.value
    assert any(note.kind == "replaced" for note in translation.report.notes)


def test_mx_to_mt_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(Rejected) as rejected:
        mx_to_mt(b"<not-xml", SCHEMAS)
    assert rejected.value.reason.code == "T01"
    with pytest.raises(Rejected):
        mx_to_mt(_pacs008(**{"<ChrgBr>SHAR</ChrgBr>": "<ChrgBr>ALL</ChrgBr>"}), SCHEMAS)
    two = _pacs008()
    start, end = two.index(b"<CdtTrfTxInf>"), two.index(b"</CdtTrfTxInf>") + 14
    with pytest.raises(MtError) as refused:
        mx_to_mt(two[:end] + two[start:end] + two[end:], SCHEMAS)
    assert refused.value.code == "H27"


def test_block_3_fields_without_a_place_are_reported() -> None:
    translation = mt_to_mx(fin(MT103, user="{108:MUR-42}{433:/AOK/NO HIT}"), now=NOW)
    notes = {(note.kind, note.where) for note in translation.report.notes}
    assert notes == {("not_translated", "108"), ("not_translated", "433")}
    with pytest.raises(MtError) as refused:
        mt_to_mx(fin(MT103, user="{119:REMIT}"))
    assert refused.value.code == "H25"
