"""finmesh.domain.iso20022: each way a message is rejected (safe parsing, the envelope,
the definitions, header and document validation) and the reason code it gets."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable

import pytest
from lxml import etree

from finmesh.domain import limits
from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import SchemaRegistry, example_message, parse_message
from finmesh.domain.reasons import Reason
from finmesh.node.schemas import packaged_loader
from tests.shareddata import SCHEMAS
from tests.unit.iso20022_helpers import (
    HEAD,
    RECEIVER,
    SENDER,
    drop,
    edit,
    find,
    header,
    ns,
    remove,
    set_text,
)


def rejected(payload: bytes, schemas: SchemaRegistry = SCHEMAS) -> Reason:
    with pytest.raises(Rejected) as caught:
        parse_message(payload, schemas)
    return caught.value.reason


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
    assert parse_message(b"\xef\xbb\xbf" + payload, SCHEMAS).sender_bic == SENDER


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
        parse_message(payload.replace(b"<BizSvc>", b"<!-- note --><BizSvc>"), SCHEMAS).sender_bic
        == SENDER
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
    assert parse_message(renamed, SCHEMAS).receiver_bic == RECEIVER


def test_unknown_definitions_are_unsupported() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    assert (
        rejected(payload.replace(b"pacs.008.001.13", b"pacs.999.001.01"))
        is Reason.UNSUPPORTED_MESSAGE
    )
    # A package ships only a hand-written stub of pacs.009.001.10: without the official
    # XSD registered it is not supported, and the NAK names the definition.
    stubbed = payload.replace(b"pacs.008.001.13", b"pacs.009.001.10")
    with pytest.raises(Rejected) as caught:
        parse_message(stubbed, SchemaRegistry([packaged_loader]))
    assert caught.value.reason is Reason.UNSUPPORTED_MESSAGE
    assert "pacs.009.001.10" in caught.value.detail and "registered" in caught.value.detail
    assert (
        rejected(payload.replace(b"head.001.001.02", b"head.001.001.03"))
        is Reason.UNSUPPORTED_MESSAGE
    )
    foreign = payload.replace(b"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13", b"urn:example:doc")
    assert rejected(foreign) is Reason.UNSUPPORTED_MESSAGE


def test_header_and_document_definitions_must_match() -> None:
    payload = example_message("pacs.008", SENDER, RECEIVER)
    swapped = payload.replace(b"<MsgDefIdr>pacs.008.001.13<", b"<MsgDefIdr>pacs.009.001.08<")
    assert rejected(swapped) is Reason.DEFINITION_MISMATCH
    unknown = payload.replace(b"<MsgDefIdr>pacs.008.001.13<", b"<MsgDefIdr>pacs.999.001.01<")
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
        parse_message(payload, SCHEMAS)
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


def _schema_detail(kind: str, change: Callable[[etree._Element], object]) -> str:
    payload = edit(example_message(kind, SENDER, RECEIVER, purpose="GDDS"), change)
    with pytest.raises(Rejected) as caught:
        parse_message(payload, SCHEMAS)
    assert caught.value.reason is Reason.SCHEMA_INVALID, caught.value
    return caught.value.detail


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (drop("pacs.008", "ChrgBr"), "ChrgBr"),
        (set_text("pacs.008", "InstgAgt/FinInstnId/BICFI", "not-a-bic"), "BICFI"),
        (set_text("pacs.008", "EndToEndId", "E" * 36), "EndToEndId"),
        (set_text("pacs.008", "ChrgBr", "MINE"), "ChrgBr"),
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
        (
            drop("pacs.009", "MsgId"),
            "Element 'CreDtTm': This element is not expected. Expected is ( MsgId )",
        ),
        (
            drop("pacs.009", "SttlmMtd"),
            "Element 'SttlmInf': Missing child element(s). Expected is ( SttlmMtd )",
        ),
        (
            drop("pacs.009", "CdtTrfTxInf"),
            "Element 'FICdtTrf': Missing child element(s). Expected is ( CdtTrfTxInf )",
        ),
        (set_text("pacs.009", "EndToEndId", "E" * 36), "Element 'EndToEndId': [facet 'maxLength']"),
        (set_text("pacs.009", "UETR", str(uuid.uuid1())), "Element 'UETR': [facet 'pattern']"),
        (
            set_text("pacs.009", "Dbtr/FinInstnId/BICFI", "deutdeff"),
            "Element 'BICFI': [facet 'pattern'] The value 'deutdeff'",
        ),
        (
            set_text("pacs.009", "IntrBkSttlmAmt", "1.123456"),
            "[facet 'fractionDigits'] The value '1.123456'",
        ),
        (
            set_text("pacs.009", "IntrBkSttlmAmt", "1234567890123456789"),
            "[facet 'totalDigits'] The value '1234567890123456789'",
        ),
        (set_text("pacs.009", "IntrBkSttlmAmt", "1e3"), "'1e3' is not a valid value"),
        (set_text("pacs.009", "IntrBkSttlmAmt", "-1"), "[facet 'minInclusive'] The value '-1'"),
        (
            set_text("pacs.009", "SttlmMtd", "FAST"),
            "Element 'SttlmMtd': [facet 'enumeration'] The value 'FAST'",
        ),
        (
            set_text("pacs.009", "IntrBkSttlmDt", "2026-02-30"),
            "'2026-02-30' is not a valid value of the atomic type 'ISODate'",
        ),
        (
            _swap_first_two("pacs.009", "InstgAgt"),
            "Element 'InstgAgt': This element is not expected",
        ),
        (
            lambda root: find(root, "pacs.009", "GrpHdr").append(etree.Element("Bogus")),
            "Element 'Bogus': This element is not expected",
        ),
        (
            lambda root: find(root, "pacs.009", "MsgId").set("lang", "en"),
            "attribute 'lang': The attribute 'lang' is not allowed",
        ),
        (_add_choice_branch("pacs.009"), "Element 'Prtry': This element is not expected"),
    ],
)
def test_pacs009_schema_errors_are_found_by_the_official_xsd(
    change: Callable[[etree._Element], object], expected: str
) -> None:
    assert expected in _schema_detail("pacs.009", change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (drop("pacs.002", "OrgnlMsgNmId"), "Expected is ( OrgnlMsgNmId )"),
        (
            drop("pacs.002", "GrpHdr"),
            "Element 'TxInfAndSts': This element is not expected. Expected is ( GrpHdr )",
        ),
        (set_text("pacs.002", "OrgnlMsgId", "M" * 36), "Element 'OrgnlMsgId': [facet 'maxLength']"),
        (
            set_text("pacs.002", "TxSts", "ACCEPTED"),
            "Element 'TxSts': [facet 'maxLength'] The value has a length of '8'",
        ),
        (
            set_text("pacs.002", "OrgnlUETR", "not-a-uuid"),
            "Element 'OrgnlUETR': [facet 'pattern'] The value 'not-a-uuid'",
        ),
        (
            set_text("pacs.002", "CreDtTm", "2026-01-01"),
            "'2026-01-01' is not a valid value of the atomic type 'ISODateTime'",
        ),
        (set_text("pacs.002", "OrgnlTxRef/Dbtr/Pty/PstlAdr/Ctry", "France"), "Ctry"),
        (_add_choice_branch("pacs.002"), "Element 'Prtry': This element is not expected"),
    ],
)
def test_pacs002_schema_errors_are_found_by_the_official_xsd(
    change: Callable[[etree._Element], object], expected: str
) -> None:
    assert expected in _schema_detail("pacs.002", change)
