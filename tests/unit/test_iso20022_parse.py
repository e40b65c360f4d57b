"""finmesh.domain.iso20022: the supported definitions, the example messages and what is
extracted from a message that parses."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

from finmesh.domain.iso20022 import (
    ParsedMessage,
    Party,
    example_message,
    parse_message,
)
from finmesh.domain.iso20022.registry import SchemaRegistry, fixed_loader
from finmesh.node.schemas import packaged_loader, packaged_path
from tests.shareddata import SCHEMAS, official_schemas
from tests.unit.iso20022_helpers import (
    DEFINITION,
    HEAD,
    KINDS,
    RECEIVER,
    SENDER,
    edit,
    find,
    header,
    ns,
    set_text,
)

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# --- registry -----------------------------------------------------------------------------


def test_installed_packages_give_the_header_and_pacs008_13_and_nothing_unofficial() -> None:
    packaged = SchemaRegistry([packaged_loader])
    for definition in ("head.001.001.02", "pacs.008.001.13"):
        validator = packaged.validator_for(definition)
        assert validator is not None and validator.how == "xsd:package:openpurse"
    # no package ships the official CBPR+ pacs.009 / pacs.002: the operator registers them
    assert packaged.validator_for("pacs.009.001.08") is None
    assert packaged.validator_for("pacs.002.001.10") is None
    # the hand-written stub XSDs some packages ship next to official ones are never used
    for stub in ("pacs.009.001.10", "pacs.002.001.12", "pacs.004.001.11"):
        assert packaged_path(stub) is None


def test_every_official_shared_xsd_is_accepted_and_compiles() -> None:
    sources = official_schemas()
    assert len(sources) >= 59
    registry = SchemaRegistry([fixed_loader(sources)])
    for source in sources:
        validator = registry.validator_for(source.definition)
        assert validator is not None
        assert validator.validate(etree.Element("Nothing")) is not None


# --- examples and extraction -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_example_parses_with_the_right_fields(kind: str) -> None:
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    payload = example_message(kind, SENDER, RECEIVER, amount=Decimal("1234.5"), now=now)
    parsed = parse_message(payload, SCHEMAS)
    assert isinstance(parsed, ParsedMessage)
    assert (parsed.sender_bic, parsed.receiver_bic) == (SENDER, RECEIVER)
    assert parsed.msg_def_id == DEFINITION[kind]
    assert parsed.business_service == "swift.cbprplus.02"
    assert parsed.created == "2026-03-04T05:06:07+00:00"
    assert parsed.priority == "NORM"
    assert parsed.possible_duplicate is False
    assert parsed.uetr is not None and UUID4.fullmatch(parsed.uetr)
    assert parsed.transactions == 1
    assert len(parsed.biz_msg_id) <= 35
    if kind == "pacs.002":
        assert (parsed.amount, parsed.currency) == (None, None)
    else:
        assert (parsed.amount, parsed.currency) == (Decimal("1234.50"), "EUR")
    assert parsed.purposes == ()


@pytest.mark.parametrize("kind", KINDS)
def test_example_ids_are_fresh_on_every_call(kind: str) -> None:
    id_tags = {"BizMsgIdr", "MsgId", "InstrId", "EndToEndId", "TxId"}
    id_tags |= {"Orgnl" + tag for tag in id_tags}
    seen: list[str] = []
    uetrs = set()
    for _ in range(3):
        payload = example_message(kind, SENDER, RECEIVER)
        ids = [
            element.text or ""
            for element in etree.fromstring(payload).iter()
            if isinstance(element.tag, str) and etree.QName(element).localname in id_tags
        ]
        assert len(ids) >= 5
        assert all(1 <= len(value) <= 35 for value in ids)
        seen.extend(ids)
        uetrs.add(parse_message(payload, SCHEMAS).uetr)
    assert len(seen) == len(set(seen))
    assert len(uetrs) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_parties_and_purposes_are_extracted(kind: str) -> None:
    payload = example_message(
        kind,
        SENDER,
        RECEIVER,
        purpose="GDDS",
        category_purpose="SUPP",
        debtor_name="Ivan Petrov",
        creditor_name="ACME Ltd",
        extra_agent_bics=["CHASUS33XXX", "MIDLGB22"],
        priority="HIGH",
    )
    parsed = parse_message(payload, SCHEMAS)
    assert parsed.priority == "HIGH"
    assert parsed.purposes == ("SUPP", "GDDS")
    roles = {party.role: party for party in parsed.parties}
    assert roles["Fr"] == Party("Fr", SENDER, None, None)
    assert roles["To"] == Party("To", RECEIVER, None, None)
    assert roles["InstgAgt"].bic == SENDER and roles["InstdAgt"].bic == RECEIVER
    if kind == "pacs.002":  # reports on a pacs.008 the receiver had sent
        assert roles["DbtrAgt"].bic == RECEIVER and roles["CdtrAgt"].bic == SENDER
        assert roles["Dbtr"] == Party("Dbtr", None, "Ivan Petrov", "FR")
        assert roles["Cdtr"] == Party("Cdtr", None, "ACME Ltd", "DE")
        return
    assert roles["DbtrAgt"].bic == SENDER and roles["CdtrAgt"].bic == RECEIVER
    assert roles["IntrmyAgt1"].bic == "CHASUS33XXX" and roles["IntrmyAgt2"].bic == "MIDLGB22"
    if kind == "pacs.008":
        assert roles["Dbtr"] == Party("Dbtr", None, "Ivan Petrov", "DE")
        assert roles["Cdtr"] == Party("Cdtr", None, "ACME Ltd", "FR")
    else:  # pacs.009: debtor and creditor are institutions
        assert roles["Dbtr"] == Party("Dbtr", SENDER, "Ivan Petrov", None)
        assert roles["Cdtr"] == Party("Cdtr", RECEIVER, "ACME Ltd", None)


def test_amounts_follow_currency_minor_units() -> None:
    jpy = parse_message(
        example_message("pacs.008", SENDER, RECEIVER, amount=Decimal(1500), currency="JPY"), SCHEMAS
    )
    assert (jpy.amount, jpy.currency) == (Decimal(1500), "JPY")
    bhd = parse_message(
        example_message("pacs.009", SENDER, RECEIVER, amount=Decimal("1.125"), currency="BHD"),
        SCHEMAS,
    )
    assert bhd.amount == Decimal("1.125")
    for amount, currency in (
        (Decimal("10.005"), "EUR"),
        (Decimal("1.5"), "JPY"),
        (Decimal(-1), "EUR"),
    ):
        with pytest.raises(ValueError):
            example_message("pacs.008", SENDER, RECEIVER, amount=amount, currency=currency)


def test_example_refuses_arguments_no_valid_message_can_carry() -> None:
    bad: list[dict[str, object]] = [
        {"kind": "pacs.004"},
        {"sender": "deutdeff"},
        {"currency": "euro"},
        {"purpose": "TOOLONG"},
        {"extra_agent_bics": ["CHASUS33"] * 4},
        {"debtor_name": "x" * 141},
    ]
    for override in bad:
        arguments: dict[str, object] = {"kind": "pacs.008", "sender": SENDER, "receiver": RECEIVER}
        arguments.update(override)
        with pytest.raises(ValueError):
            example_message(**arguments)  # type: ignore[arg-type]


def test_several_transactions_sum_and_header_flags() -> None:
    def second_transaction(root: etree._Element) -> None:
        transaction = find(root, "pacs.008", "CdtTrfTxInf")
        transaction.addnext(copy.deepcopy(transaction))
        find(root, "pacs.008", "NbOfTxs").text = "2"
        header(root, "Prty").addprevious(etree.Element(f"{HEAD}PssblDplct"))
        header(root, "PssblDplct").text = "true"

    payload = edit(
        example_message("pacs.008", SENDER, RECEIVER, amount=Decimal("2.50")), second_transaction
    )
    parsed = parse_message(payload, SCHEMAS)
    assert (parsed.transactions, parsed.amount, parsed.currency) == (2, Decimal("5.00"), "EUR")
    assert parsed.possible_duplicate is True


def test_mixed_currencies_give_no_amount() -> None:
    def second_currency(root: etree._Element) -> None:
        transaction = find(root, "pacs.008", "CdtTrfTxInf")
        other = copy.deepcopy(transaction)
        find(other, "pacs.008", "IntrBkSttlmAmt").set("Ccy", "USD")
        transaction.addnext(other)

    parsed = parse_message(
        edit(example_message("pacs.008", SENDER, RECEIVER), second_currency), SCHEMAS
    )
    assert (parsed.transactions, parsed.amount, parsed.currency) == (2, None, None)


def test_pacs008_version_13_is_validated_by_its_official_xsd() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER, definition="pacs.008.001.13")
    assert parse_message(payload, SCHEMAS).msg_def_id == "pacs.008.001.13"


def test_pacs008_version_08_is_validated_by_its_registered_official_xsd() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER, definition="pacs.008.001.08")
    assert parse_message(payload, SCHEMAS).msg_def_id == "pacs.008.001.08"


# --- values and parties in edited messages ----------------------------------------------


def test_digits_follow_xsd_value_rules() -> None:
    # Leading zeros and trailing fractional zeros are not significant digits in XSD.
    payload = edit(
        example_message("pacs.009", SENDER, RECEIVER),
        set_text("pacs.009", "IntrBkSttlmAmt", "000123456789012345.1200000"),
    )
    assert parse_message(payload, SCHEMAS).amount == Decimal("123456789012345.12")


def test_charges_agents_and_original_agent_parties_are_extracted() -> None:
    def add_charges(root: etree._Element) -> None:
        charges = etree.Element(ns("pacs.008") + "ChrgsInf")
        etree.SubElement(charges, ns("pacs.008") + "Amt", Ccy="EUR").text = "1.00"
        agent = etree.SubElement(charges, ns("pacs.008") + "Agt")
        institution = etree.SubElement(agent, ns("pacs.008") + "FinInstnId")
        etree.SubElement(institution, ns("pacs.008") + "BICFI").text = "CHASUS33"
        find(root, "pacs.008", "ChrgBr").addnext(charges)

    parsed = parse_message(
        edit(example_message("pacs.008", SENDER, RECEIVER), add_charges), SCHEMAS
    )
    assert Party("Agt", "CHASUS33", None, None) in parsed.parties

    def debtor_as_agent(root: etree._Element) -> None:
        debtor = find(root, "pacs.002", "OrgnlTxRef/Dbtr")
        debtor.clear()
        institution = etree.SubElement(
            etree.SubElement(debtor, ns("pacs.002") + "Agt"), ns("pacs.002") + "FinInstnId"
        )
        etree.SubElement(institution, ns("pacs.002") + "BICFI").text = "MIDLGB22"
        etree.SubElement(institution, ns("pacs.002") + "Nm").text = "Midland"

    parsed = parse_message(
        edit(example_message("pacs.002", SENDER, RECEIVER), debtor_as_agent), SCHEMAS
    )
    assert Party("Dbtr", "MIDLGB22", "Midland", None) in parsed.parties
    assert not any(party.role == "Agt" for party in parsed.parties)
