"""finmesh.domain.iso20022: safe parsing, validation, extraction, examples."""

from __future__ import annotations

import copy
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

from finmesh.domain import limits
from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import (
    ParsedMessage,
    Party,
    example_message,
    parse_message,
    supported_definitions,
)
from finmesh.domain.iso20022.schemas import validator_for
from finmesh.domain.iso20022.structural import StructuralValidator
from finmesh.domain.reasons import Reason

SENDER = "DEUTDEFFXXX"
RECEIVER = "BNPAFRPP"
KINDS = ("pacs.008", "pacs.009", "pacs.002")
DEFINITION = {
    "pacs.008": "pacs.008.001.08",
    "pacs.009": "pacs.009.001.08",
    "pacs.002": "pacs.002.001.10",
}
HEAD = "{urn:iso:std:iso:20022:tech:xsd:head.001.001.02}"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def ns(kind: str) -> str:
    return f"{{urn:iso:std:iso:20022:tech:xsd:{DEFINITION[kind]}}}"


def rejected(payload: bytes) -> Reason:
    with pytest.raises(Rejected) as caught:
        parse_message(payload)
    return caught.value.reason


def edit(payload: bytes, change: Callable[[etree._Element], object]) -> bytes:
    """Apply a change to the parsed envelope and serialise it again."""
    root = etree.fromstring(payload)
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def find(root: etree._Element, kind: str, path: str) -> etree._Element:
    """The first element at a slash path of local names in the kind's namespace."""
    steps = "/".join(ns(kind) + step for step in path.split("/"))
    found = root.find(f".//{steps}")
    assert found is not None, path
    return found


def header(root: etree._Element, name: str) -> etree._Element:
    found = root.find(f"{HEAD}AppHdr/{HEAD}{name}")
    assert found is not None, name
    return found


def remove(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)


# --- registry -----------------------------------------------------------------------------


def test_supported_definitions_report_how_each_is_validated() -> None:
    supported = supported_definitions()
    assert supported["head.001.001.02"] == "xsd:openpurse/head.001.001.02.xsd"
    assert supported["pacs.008.001.08"] == "xsd:pacs008/pacs.008.001.08.xsd"
    assert supported["pacs.008.001.13"] == "xsd:openpurse/pacs.008.001.13.xsd"
    assert supported["pacs.009.001.08"] == "structural:pyiso20022"
    assert supported["pacs.002.001.10"] == "structural:pyiso20022"
    assert {f"pacs.008.001.{v:02d}" for v in range(1, 14)} <= set(supported)
    # The hand-written stub XSDs shipped next to the official ones must never be used.
    assert not any(key.startswith(("pacs.009.001.10", "pacs.002.001.12")) for key in supported)


def test_every_official_pacs008_xsd_compiles() -> None:
    for version in range(1, 14):
        validator = validator_for(f"pacs.008.001.{version:02d}")
        assert validator is not None
        assert validator.validate(etree.Element("Nothing")) is not None


# --- examples and extraction -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_example_parses_with_the_right_fields(kind: str) -> None:
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    payload = example_message(kind, SENDER, RECEIVER, amount=Decimal("1234.5"), now=now)
    parsed = parse_message(payload)
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
        uetrs.add(parse_message(payload).uetr)
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
    parsed = parse_message(payload)
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
        example_message("pacs.008", SENDER, RECEIVER, amount=Decimal(1500), currency="JPY")
    )
    assert (jpy.amount, jpy.currency) == (Decimal(1500), "JPY")
    bhd = parse_message(
        example_message("pacs.009", SENDER, RECEIVER, amount=Decimal("1.125"), currency="BHD")
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
    parsed = parse_message(payload)
    assert (parsed.transactions, parsed.amount, parsed.currency) == (2, Decimal("5.00"), "EUR")
    assert parsed.possible_duplicate is True


def test_mixed_currencies_give_no_amount() -> None:
    def second_currency(root: etree._Element) -> None:
        transaction = find(root, "pacs.008", "CdtTrfTxInf")
        other = copy.deepcopy(transaction)
        find(other, "pacs.008", "IntrBkSttlmAmt").set("Ccy", "USD")
        transaction.addnext(other)

    parsed = parse_message(edit(example_message("pacs.008", SENDER, RECEIVER), second_currency))
    assert (parsed.transactions, parsed.amount, parsed.currency) == (2, None, None)


def test_pacs008_version_13_is_validated_by_its_official_xsd() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER).replace(
        b"pacs.008.001.08", b"pacs.008.001.13"
    )
    assert parse_message(payload).msg_def_id == "pacs.008.001.13"


# --- safe parsing ------------------------------------------------------------------------


def test_oversize_is_refused_before_parsing() -> None:
    assert rejected(b"<" * (limits.MESSAGE_BYTES_MAX + 1)) is Reason.OVERSIZE
    padded = example_message("pacs.008", SENDER, RECEIVER)
    padded += b" " * (limits.MESSAGE_BYTES_MAX + 1 - len(padded))
    assert rejected(padded) is Reason.OVERSIZE


@pytest.mark.parametrize(
    "payload",
    [
        b"<a>caf\xe9</a>",  # Latin-1
        "<a>café</a>".encode("utf-16"),
        "<a>x</a>".encode("utf-16-le"),  # no BOM, NUL bytes
        b'<?xml version="1.0" encoding="ISO-8859-1"?><a>x</a>',
        b"<?xml version='1.0' encoding='utf-16'?><a>x</a>",
    ],
)
def test_non_utf8_is_bad_encoding(payload: bytes) -> None:
    assert rejected(payload) is Reason.BAD_ENCODING


def test_non_bytes_is_bad_encoding() -> None:
    assert rejected("<a/>") is Reason.BAD_ENCODING  # type: ignore[arg-type]


def test_utf8_declaration_and_bom_are_accepted() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    assert payload.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert parse_message(b"\xef\xbb\xbf" + payload).sender_bic == SENDER


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'.encode()


@pytest.mark.parametrize(
    "payload",
    [
        b"<!DOCTYPE a><a/>",
        b'<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>',
        b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        b'<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.com/p">%p;]><a/>',
        b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
        b'<?xml version="1.0"?><?xml-stylesheet href="x"?><a/>',
        b"<a><?php echo 1; ?></a>",
        b"<a/><?trailer?>",
        b"<a><?broken</a>",  # malformed, but the PI is what we refuse
    ],
)
def test_dtd_entities_and_processing_instructions_are_forbidden(payload: bytes) -> None:
    assert rejected(payload) is Reason.FORBIDDEN_XML


def test_billion_laughs_is_refused_fast_without_expansion() -> None:
    started = time.perf_counter()
    assert rejected(_billion_laughs()) is Reason.FORBIDDEN_XML
    assert time.perf_counter() - started < 0.5


def test_forbidden_constructs_inside_a_real_message() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    declaration, rest = payload.split(b"?>", 1)
    assert rejected(declaration + b"?><!DOCTYPE BizMsg>" + rest) is Reason.FORBIDDEN_XML
    assert rejected(payload.replace(b"<BizSvc>", b"<?pi x?><BizSvc>")) is Reason.FORBIDDEN_XML
    # Comments are harmless and stripped.
    assert (
        parse_message(payload.replace(b"<BizSvc>", b"<!-- note --><BizSvc>")).sender_bic == SENDER
    )


@pytest.mark.parametrize(
    "payload", [b"", b"   ", b"<a>", b"<a></b>", b"not xml", b"<a>&undefined;</a>"]
)
def test_not_well_formed_is_malformed(payload: bytes) -> None:
    assert rejected(payload) is Reason.MALFORMED_XML


def test_truncated_message_is_malformed() -> None:
    payload = example_message("pacs.009", SENDER, RECEIVER)
    assert rejected(payload[: len(payload) // 2]) is Reason.MALFORMED_XML


def _nested(depth: int) -> bytes:
    return b"<a>" * (depth - 1) + b"<a/>" + b"</a>" * (depth - 1)


def test_nesting_deeper_than_the_limit_is_too_deep() -> None:
    assert rejected(_nested(limits.XML_DEPTH_MAX + 1)) is Reason.TOO_DEEP
    assert rejected(_nested(300)) is Reason.TOO_DEEP  # past libxml2's own limit too
    # At the limit the depth check passes and the envelope check decides.
    assert rejected(_nested(limits.XML_DEPTH_MAX)) is Reason.BAD_ENVELOPE


def test_too_many_elements() -> None:
    assert (
        rejected(b"<a>" + b"<b/>" * limits.XML_ELEMENTS_MAX + b"</a>") is Reason.TOO_MANY_ELEMENTS
    )
    at_limit = b"<a>" + b"<b/>" * (limits.XML_ELEMENTS_MAX - 1) + b"</a>"
    assert rejected(at_limit) is Reason.BAD_ENVELOPE


# --- envelope and definitions ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda root: remove(root[0]),
        lambda root: remove(root[1]),
        lambda root: root.append(copy.deepcopy(root[1])),
        lambda root: root.insert(0, root[1]),
        lambda root: root.append(etree.Element("Extra")),
        lambda root: setattr(root[0], "tail", "stray text"),
    ],
)
def test_wrong_envelope_shape(change: Callable[[etree._Element], object]) -> None:
    assert (
        rejected(edit(example_message("pacs.008", SENDER, RECEIVER), change)) is Reason.BAD_ENVELOPE
    )


def test_any_wrapper_name_is_accepted() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    renamed = payload.replace(
        b'<BizMsg xmlns="urn:finmesh:xsd:envelope.001"', b"<Envelope"
    ).replace(b"</BizMsg>", b"</Envelope>")
    assert renamed != payload
    assert parse_message(renamed).receiver_bic == RECEIVER


def test_unknown_definitions_are_unsupported() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    assert (
        rejected(payload.replace(b"pacs.008.001.08", b"pacs.999.001.01"))
        is Reason.UNSUPPORTED_MESSAGE
    )
    # pacs.009.001.10 has only a hand-written stub XSD installed: not supported.
    assert (
        rejected(payload.replace(b"pacs.008.001.08", b"pacs.009.001.10"))
        is Reason.UNSUPPORTED_MESSAGE
    )
    assert (
        rejected(payload.replace(b"head.001.001.02", b"head.001.001.03"))
        is Reason.UNSUPPORTED_MESSAGE
    )
    foreign = payload.replace(b"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08", b"urn:example:doc")
    assert rejected(foreign) is Reason.UNSUPPORTED_MESSAGE


def test_header_and_document_definitions_must_match() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    swapped = payload.replace(b"<MsgDefIdr>pacs.008.001.08<", b"<MsgDefIdr>pacs.009.001.08<")
    assert rejected(swapped) is Reason.DEFINITION_MISMATCH
    unknown = payload.replace(b"<MsgDefIdr>pacs.008.001.08<", b"<MsgDefIdr>pacs.999.001.01<")
    assert rejected(unknown) is Reason.DEFINITION_MISMATCH


@pytest.mark.parametrize(
    "change",
    [
        lambda root: remove(header(root, "BizMsgIdr")),
        lambda root: setattr(header(root, "BizMsgIdr"), "text", "x" * 36),
        lambda root: setattr(header(root, "CreDt"), "text", "yesterday"),
        lambda root: setattr(root.find(f".//{HEAD}BICFI"), "text", "deutdeff"),
        lambda root: header(root, "BizSvc").addnext(etree.Element(f"{HEAD}Bogus")),
    ],
)
def test_header_schema_errors(change: Callable[[etree._Element], object]) -> None:
    payload = edit(example_message("pacs.008", SENDER, RECEIVER), change)
    with pytest.raises(Rejected) as caught:
        parse_message(payload)
    assert caught.value.reason is Reason.HEADER_SCHEMA_INVALID
    assert caught.value.detail


def test_header_without_institution_bic_is_invalid_bic() -> None:
    def organisation_sender(root: etree._Element) -> None:
        sender = header(root, "Fr")
        sender.clear()
        organisation = etree.SubElement(sender, f"{HEAD}OrgId")
        etree.SubElement(organisation, f"{HEAD}Nm").text = "Some Corp"

    payload = edit(example_message("pacs.008", SENDER, RECEIVER), organisation_sender)
    assert rejected(payload) is Reason.INVALID_BIC


# --- document validation -----------------------------------------------------------------


def _set(kind: str, path: str, text: str) -> Callable[[etree._Element], object]:
    return lambda root: setattr(find(root, kind, path), "text", text)


def _drop(kind: str, path: str) -> Callable[[etree._Element], object]:
    return lambda root: remove(find(root, kind, path))


def _schema_detail(kind: str, change: Callable[[etree._Element], object]) -> str:
    payload = edit(example_message(kind, SENDER, RECEIVER, purpose="GDDS"), change)
    with pytest.raises(Rejected) as caught:
        parse_message(payload)
    assert caught.value.reason is Reason.SCHEMA_INVALID, caught.value
    return caught.value.detail


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop("pacs.008", "ChrgBr"), "ChrgBr"),
        (_set("pacs.008", "InstgAgt/FinInstnId/BICFI", "not-a-bic"), "BICFI"),
        (_set("pacs.008", "EndToEndId", "E" * 36), "EndToEndId"),
        (_set("pacs.008", "ChrgBr", "MINE"), "ChrgBr"),
    ],
)
def test_pacs008_schema_errors_come_from_the_xsd(
    change: Callable[[etree._Element], object], expected: str
) -> None:
    assert expected in _schema_detail("pacs.008", change)


def _swap_first_two(kind: str, path: str) -> Callable[[etree._Element], object]:
    def change(root: etree._Element) -> None:
        first = find(root, kind, path)
        following = first.getnext()
        assert following is not None
        first.addprevious(following)

    return change


def _add_choice_branch(kind: str) -> Callable[[etree._Element], object]:
    def change(root: etree._Element) -> None:
        code = find(root, kind, "Purp/Cd")
        code.addnext(etree.Element(ns(kind) + "Prtry"))
        code.getnext().text = "OTHER"  # type: ignore[union-attr]

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop("pacs.009", "MsgId"), "MsgId: required but missing"),
        (_drop("pacs.009", "SttlmMtd"), "SttlmMtd: required but missing"),
        (_drop("pacs.009", "CdtTrfTxInf"), "CdtTrfTxInf: occurs 0 times, minimum 1"),
        (_set("pacs.009", "EndToEndId", "E" * 36), "EndToEndId: value longer than 35"),
        (_set("pacs.009", "UETR", str(uuid.uuid1())), "UETR: value"),
        (_set("pacs.009", "Dbtr/FinInstnId/BICFI", "deutdeff"), "BICFI: value 'deutdeff' breaks"),
        (_set("pacs.009", "IntrBkSttlmAmt", "1.123456"), "fraction digits"),
        (_set("pacs.009", "IntrBkSttlmAmt", "1234567890123456789"), "19 digits, maximum 18"),
        (_set("pacs.009", "IntrBkSttlmAmt", "1e3"), "xs:decimal"),
        (_set("pacs.009", "IntrBkSttlmAmt", "-1"), "out of range"),
        (_set("pacs.009", "SttlmMtd", "FAST"), "SettlementMethod1Code"),
        (_set("pacs.009", "IntrBkSttlmDt", "2026-02-30"), "XmlDate"),
        (_swap_first_two("pacs.009", "InstgAgt"), "out of sequence order"),
        (
            lambda root: find(root, "pacs.009", "GrpHdr").append(etree.Element("Bogus")),
            "not allowed",
        ),
        (lambda root: find(root, "pacs.009", "MsgId").set("lang", "en"), "attributes"),
        (_add_choice_branch("pacs.009"), "choice needs exactly one"),
    ],
)
def test_pacs009_schema_errors_are_found_structurally(
    change: Callable[[etree._Element], object], expected: str
) -> None:
    assert expected in _schema_detail("pacs.009", change)


def test_structural_digits_follow_xsd_value_rules() -> None:
    # Leading zeros and trailing fractional zeros are not significant digits in XSD.
    payload = edit(
        example_message("pacs.009", SENDER, RECEIVER),
        _set("pacs.009", "IntrBkSttlmAmt", "000123456789012345.1200000"),
    )
    assert parse_message(payload).amount == Decimal("123456789012345.12")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop("pacs.002", "OrgnlMsgNmId"), "OrgnlMsgNmId: required but missing"),
        (_drop("pacs.002", "GrpHdr"), "GrpHdr: required but missing"),
        (_set("pacs.002", "OrgnlMsgId", "M" * 36), "OrgnlMsgId: value longer than 35"),
        (_set("pacs.002", "TxSts", "ACCEPTED"), "TxSts: value longer than 4"),
        (_set("pacs.002", "OrgnlUETR", "not-a-uuid"), "OrgnlUETR: value 'not-a-uuid' breaks"),
        (_set("pacs.002", "CreDtTm", "2026-01-01"), "XmlDateTime"),
        (_set("pacs.002", "OrgnlTxRef/Dbtr/Pty/PstlAdr/Ctry", "France"), "Ctry"),
        (_add_choice_branch("pacs.002"), "choice needs exactly one"),
    ],
)
def test_pacs002_schema_errors_are_found_structurally(
    change: Callable[[etree._Element], object], expected: str
) -> None:
    assert expected in _schema_detail("pacs.002", change)


def _mutations(rng: random.Random, document: etree._Element) -> None:
    """One random edit of the kinds a broken or hostile client would produce."""
    elements = [e for e in document.iter() if e is not document and e.getparent() is not None]
    if not elements:
        return
    element = rng.choice(elements)
    parent = element.getparent()
    assert parent is not None
    operation = rng.randrange(10)
    if operation == 0:
        parent.remove(element)
    elif operation == 1:
        element.addnext(copy.deepcopy(element))
    elif operation == 2 and len(element) == 0:
        element.text = rng.choice(
            ["X" * 36, "X" * 141, "abc", "-1", "2020-13-01", "1.123456", "de", "", " 1 ", "1e3"]
        )
    elif operation == 3 and element.getnext() is not None:
        element.addprevious(element.getnext())  # type: ignore[arg-type]
    elif operation == 4:
        element.set(rng.choice(["foo", "Ccy"]), "EUR")
    elif operation == 5:
        element.clear()
    elif operation == 6:
        namespace = etree.QName(document).namespace
        element.append(
            etree.Element(f"{{{namespace}}}" + rng.choice(["Bogus", "Nm", "Cd", "BICFI"]))
        )
    elif operation == 7:
        element.tail = "junk"
    elif operation == 8 and element.text:
        element.text = f" {element.text} "
    elif operation == 9 and parent.getparent() is not None:
        parent.addnext(element)


@pytest.mark.parametrize("definition", ["pacs.008.001.08", "head.001.001.02"])
def test_structural_validation_agrees_with_the_official_xsd(definition: str) -> None:
    """Where both exist, pyiso20022-based validation gives the XSD's verdict."""
    xsd = validator_for(definition)
    assert xsd is not None and xsd.how.startswith("xsd:")
    structural = StructuralValidator(definition)
    rng = random.Random(20)
    verdicts = {True: 0, False: 0}
    for _ in range(300):
        payload = example_message(
            "pacs.008", SENDER, RECEIVER, purpose="GDDS", category_purpose="SUPP", debtor_name="A"
        )
        root = etree.fromstring(payload)
        part = root[0] if definition.startswith("head.") else root[1]
        _mutations(rng, part)
        xsd_ok = xsd.validate(part) is None
        assert (structural.validate(part) is None) == xsd_ok, etree.tostring(part)[:2000]
        verdicts[xsd_ok] += 1
    assert verdicts[True] > 20 and verdicts[False] > 150


# --- robustness --------------------------------------------------------------------------


def test_fuzzed_inputs_only_ever_raise_rejected() -> None:
    rng = random.Random(1)
    seeds = [example_message(kind, SENDER, RECEIVER, purpose="GDDS") for kind in KINDS]
    snippets = [
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"<!DOCTYPE x>",
        b"<?x?>",
        b"</Document>",
        b"<Document>",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"]]>",
        b"<![CDATA[x]]>",
        b"<!--",
        b'"',
        b"xmlns:a='b'",
    ]
    outcomes: dict[str, int] = {}
    for index in range(1500):
        payload = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            if not payload:
                break
            position = rng.randrange(len(payload))
            choice = rng.randrange(4)
            if choice == 0:
                payload[position] = rng.randrange(256)
            elif choice == 1:
                payload[position:position] = rng.choice(snippets)
            elif choice == 2:
                del payload[position : position + rng.randint(1, 40)]
            else:
                payload = payload[:position]
        if index % 10 == 0:
            payload = bytearray(rng.randbytes(rng.randint(0, 300)))
        try:
            parse_message(bytes(payload))
            outcomes["ok"] = outcomes.get("ok", 0) + 1
        except Rejected as exc:
            outcomes[exc.reason.code] = outcomes.get(exc.reason.code, 0) + 1
    assert len(outcomes) >= 5, outcomes


def test_structural_fuzz_only_ever_raises_rejected() -> None:
    rng = random.Random(2)
    for index in range(300):
        kind = KINDS[index % 3]
        root = etree.fromstring(
            example_message(kind, SENDER, RECEIVER, purpose="GDDS", debtor_name="D")
        )
        for _ in range(rng.randint(1, 3)):
            _mutations(rng, root[1])
        payload = bytes(etree.tostring(root))
        try:
            parse_message(payload)
        except Rejected as exc:
            assert exc.reason in (
                Reason.SCHEMA_INVALID,
                Reason.UNSUPPORTED_MESSAGE,
                Reason.BAD_ENVELOPE,
            )


def test_parallel_threads_get_their_own_verdicts_and_details() -> None:
    good = [example_message(kind, SENDER, RECEIVER) for kind in KINDS for _ in range(20)]
    bad = edit(example_message("pacs.008", SENDER, RECEIVER), _drop("pacs.008", "ChrgBr"))
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for payload in good:
                assert parse_message(payload).sender_bic == SENDER
                with pytest.raises(Rejected) as caught:
                    parse_message(bad)
                assert caught.value.reason is Reason.SCHEMA_INVALID
                assert "ChrgBr" in caught.value.detail or "Dbtr" in caught.value.detail
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


def test_charges_agents_and_original_agent_parties_are_extracted() -> None:
    def add_charges(root: etree._Element) -> None:
        charges = etree.Element(ns("pacs.008") + "ChrgsInf")
        etree.SubElement(charges, ns("pacs.008") + "Amt", Ccy="EUR").text = "1.00"
        agent = etree.SubElement(charges, ns("pacs.008") + "Agt")
        institution = etree.SubElement(agent, ns("pacs.008") + "FinInstnId")
        etree.SubElement(institution, ns("pacs.008") + "BICFI").text = "CHASUS33"
        find(root, "pacs.008", "ChrgBr").addnext(charges)

    parsed = parse_message(edit(example_message("pacs.008", SENDER, RECEIVER), add_charges))
    assert Party("Agt", "CHASUS33", None, None) in parsed.parties

    def debtor_as_agent(root: etree._Element) -> None:
        debtor = find(root, "pacs.002", "OrgnlTxRef/Dbtr")
        debtor.clear()
        institution = etree.SubElement(
            etree.SubElement(debtor, ns("pacs.002") + "Agt"), ns("pacs.002") + "FinInstnId"
        )
        etree.SubElement(institution, ns("pacs.002") + "BICFI").text = "MIDLGB22"
        etree.SubElement(institution, ns("pacs.002") + "Nm").text = "Midland"

    parsed = parse_message(edit(example_message("pacs.002", SENDER, RECEIVER), debtor_as_agent))
    assert Party("Dbtr", "MIDLGB22", "Midland", None) in parsed.parties
    assert not any(party.role == "Agt" for party in parsed.parties)
