"""finmesh.domain.rules: each network rule beyond the schema refuses a schema-valid
message that breaks it with its own code, naming the element; published samples the
official XSD accepts pass, except those that break a rule (named by their publisher)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.reasons import Reason
from finmesh.domain.rules import RuleBook
from finmesh.domain.rules.book import UnknownRuleSet
from tests.shareddata import SCHEMAS, shared
from tests.unit.iso20022_helpers import RECEIVER, SENDER, edit, find, header

BOOK = RuleBook()
NOW = datetime.now(UTC)


def refusal(payload: bytes, book: RuleBook = BOOK) -> Rejected:
    parse_message(payload, SCHEMAS)  # schema-valid: only the rules refuse it
    with pytest.raises(Rejected) as caught:
        parse_message(payload, SCHEMAS, rules=book, now=NOW)
    return caught.value


def pacs008(change: Callable[[etree._Element], object], **kwargs: object) -> bytes:
    return edit(example_message("pacs.008", SENDER, RECEIVER, **kwargs), change)  # type: ignore[arg-type]


def amount(root: etree._Element) -> etree._Element:
    return find(root, "pacs.008", "CdtTrfTxInf/IntrBkSttlmAmt")


def test_examples_of_every_kind_pass_every_rule() -> None:
    for kind in ("pacs.008", "pacs.009", "pacs.002"):
        parse_message(example_message(kind, SENDER, RECEIVER), SCHEMAS, rules=BOOK, now=NOW)


def test_unknown_currency_is_v01_naming_the_attribute() -> None:
    caught = refusal(pacs008(lambda r: amount(r).set("Ccy", "XYZ")))
    assert caught.reason is Reason.UNKNOWN_CURRENCY
    assert caught.detail == "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/IntrBkSttlmAmt/@Ccy: 'XYZ'"


def test_jpy_with_decimals_is_v02() -> None:
    def jpy(root: etree._Element) -> None:
        amount(root).set("Ccy", "JPY")
        amount(root).text = "10.50"

    caught = refusal(pacs008(jpy))
    assert caught.reason is Reason.CURRENCY_MINOR_UNITS
    assert "IntrBkSttlmAmt: 10.50 JPY (JPY has 0 decimals)" in caught.detail


def test_trailing_zeros_and_whole_yen_pass() -> None:
    def jpy(root: etree._Element) -> None:
        amount(root).set("Ccy", "JPY")
        amount(root).text = "1050.00"

    parse_message(pacs008(jpy), SCHEMAS, rules=BOOK, now=NOW)
    three = pacs008(lambda r: setattr(amount(r), "text", "10.5"))
    parse_message(three, SCHEMAS, rules=BOOK, now=NOW)


def test_commodity_under_cbpr_is_v03_but_not_without_the_service() -> None:
    gold = pacs008(lambda r: amount(r).set("Ccy", "XAU"))
    assert refusal(gold).reason is Reason.CURRENCY_NOT_ALLOWED
    parse_message(gold, SCHEMAS, rules=RuleBook(["iso20022"]), now=NOW)


def test_bic_with_unknown_country_is_v04() -> None:
    def bad(root: etree._Element) -> None:
        find(root, "pacs.008", "CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI").text = "BNPAXQPP"

    caught = refusal(pacs008(bad))
    assert caught.reason is Reason.INVALID_BIC_CODE
    assert caught.detail.startswith("Document/FIToFICstmrCdtTrf/CdtTrfTxInf/CdtrAgt/")


def _with_iban(iban: str) -> Callable[[etree._Element], object]:
    def change(root: etree._Element) -> None:
        ns = "{urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13}"
        creditor = find(root, "pacs.008", "CdtTrfTxInf/Cdtr")
        account = etree.Element(f"{ns}CdtrAcct")
        identifier = etree.SubElement(account, f"{ns}Id")
        etree.SubElement(identifier, f"{ns}IBAN").text = iban
        creditor.addnext(account)

    return change


def test_iban_with_wrong_check_digits_is_v05_and_a_good_one_passes() -> None:
    caught = refusal(pacs008(_with_iban("FR7630006000011234567890188")))
    assert caught.reason is Reason.INVALID_IBAN
    assert "CdtTrfTxInf/CdtrAcct/Id/IBAN" in caught.detail
    good = pacs008(_with_iban("FR7630006000011234567890189"))
    parse_message(good, SCHEMAS, rules=BOOK, now=NOW)


def test_instructing_agent_other_than_header_from_is_v06() -> None:
    def other(root: etree._Element) -> None:
        find(root, "pacs.008", "CdtTrfTxInf/InstgAgt/FinInstnId/BICFI").text = "COBADEFFXXX"

    caught = refusal(pacs008(other))
    assert caught.reason is Reason.HEADER_AGENT_MISMATCH
    assert "InstgAgt/FinInstnId/BICFI COBADEFFXXX differs from AppHdr/Fr DEUTDEFFXXX" in (
        caught.detail
    )


def test_bic8_and_its_xxx_branch_are_the_same_institution() -> None:
    def short(root: etree._Element) -> None:
        find(root, "pacs.008", "CdtTrfTxInf/InstdAgt/FinInstnId/BICFI").text = "BNPAFRPPXXX"

    parse_message(pacs008(short), SCHEMAS, rules=BOOK, now=NOW)


def test_uetr_missing_under_cbpr_is_v07() -> None:
    def drop(root: etree._Element) -> None:
        uetr = find(root, "pacs.008", "CdtTrfTxInf/PmtId/UETR")
        uetr.getparent().remove(uetr)  # type: ignore[union-attr]

    caught = refusal(pacs008(drop))
    assert caught.reason is Reason.INVALID_UETR
    assert caught.detail == "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/UETR: missing"


def test_uetr_not_version_4_is_v07_where_the_schema_has_no_pattern() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER, definition="pacs.008.001.08")
    wrong = "174944a6-a69f-1942-91f4-a415dfdb32f0"

    def change(root: etree._Element) -> None:
        ns = "{urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08}"
        found = root.find(f".//{ns}UETR")
        assert found is not None
        found.text = wrong

    try:
        caught = refusal(edit(payload, change))
    except Rejected as exc:  # this version's XSD carries the pattern itself
        assert exc.reason is Reason.SCHEMA_INVALID
        return
    assert caught.reason is Reason.INVALID_UETR


def test_creation_date_without_offset_or_in_the_future_is_v08() -> None:
    naive = pacs008(lambda r: setattr(header(r, "CreDt"), "text", "2026-01-05T10:00:00"))
    caught = refusal(naive)
    assert caught.reason is Reason.INVALID_DATE
    assert caught.detail.startswith("AppHdr/CreDt: '2026-01-05T10:00:00': no UTC offset")
    ahead = (NOW + timedelta(days=3)).replace(microsecond=0).isoformat()
    caught = refusal(pacs008(lambda r: setattr(header(r, "CreDt"), "text", ahead)))
    assert caught.reason is Reason.INVALID_DATE
    assert "later than the network's clock" in caught.detail


def test_offset_past_fourteen_hours_is_v08_when_the_schema_lets_it_through() -> None:
    late = "2026-01-05T10:00:00+14:30"
    far = pacs008(lambda r: setattr(find(r, "pacs.008", "GrpHdr/CreDtTm"), "text", late))
    try:
        parse_message(far, SCHEMAS)
    except Rejected as exc:
        assert exc.reason is Reason.SCHEMA_INVALID  # libxml2 refuses it already
        return
    assert refusal(far).reason is Reason.INVALID_DATE


def test_rule_sets_switch_off_per_network() -> None:
    naive = pacs008(lambda r: amount(r).set("Ccy", "XYZ"))
    parse_message(naive, SCHEMAS, rules=RuleBook([]), now=NOW)
    with pytest.raises(UnknownRuleSet, match=r"swift\.nope"):
        RuleBook(["swift.nope"])


SAMPLES = Path("iso20022", "samples")


def _schema_valid_samples() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(shared(*SAMPLES.parts).rglob("*.xml")):
        data = path.read_bytes()
        try:
            parse_message(data, SCHEMAS)
        except Rejected:
            continue
        out.append((path.name, data))
    return out


def test_published_samples_keep_the_xsd_verdict_unless_they_break_a_named_rule() -> None:
    expected_refusals = {"violates", "bic_mismatch", "dodgy_IBAN", "_invalid"}
    results: dict[str, str] = {}
    for name, data in _schema_valid_samples():
        try:
            parse_message(data, SCHEMAS, rules=BOOK, now=NOW)
            results[name] = "pass"
        except Rejected as exc:
            results[name] = exc.reason.code
    passed = [n for n, r in results.items() if r == "pass"]
    refused = {n: r for n, r in results.items() if r != "pass"}
    assert len(passed) >= 20
    # every refusal is of a file its publisher marks as breaking a rule, or a CBPR+
    # pacs.008/009 without the UETR the usage guidelines make mandatory (V07)
    for name, code in refused.items():
        assert code == "V07" or any(mark in name for mark in expected_refusals), (name, code)
    gold = [n for n in results if "commodity_currency_XAU" in n]
    assert gold and all(n in refused for n in gold)
    assert {"V03", "V05", "V06"} <= set(refused.values())
