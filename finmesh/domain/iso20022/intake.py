"""The intake pipeline: bytes in, a ParsedMessage out, or Rejected with the first failing check.

Order, each with its own code: safe parsing (size, encoding, forbidden XML, well-formedness,
depth, element count), envelope shape, header definition and schema, document definition,
header/document agreement, document schema, then extraction.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022.extract import extract, scan
from finmesh.domain.iso20022.model import HEADER_DEF, HEADER_NS, ParsedMessage, definition_of
from finmesh.domain.iso20022.registry import SchemaRegistry
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.domain.reasons import Reason
from finmesh.domain.rules import RuleBook

_HEADER_MSGDEF = f"{{{HEADER_NS}}}MsgDefIdr"
_HEADER_BIZSVC = f"{{{HEADER_NS}}}BizSvc"
_HEADER_FROM_BIC = "/".join(f"{{{HEADER_NS}}}{n}" for n in ("Fr", "FIId", "FinInstnId", "BICFI"))


def parse_message(
    payload: bytes,
    schemas: SchemaRegistry,
    *,
    translated: bool = False,
    rules: RuleBook | None = None,
    now: datetime | None = None,
) -> ParsedMessage:
    """Validate one enveloped message against the official schemas ``schemas`` holds and
    extract what the network needs from it.

    Raises ``Rejected`` with the precise reason; no other exception for any input bytes.
    A definition without a schema in the registry is UNSUPPORTED_MESSAGE (T03), named.
    ``translated``: the network wrote this message itself, from a FIN message that
    passed the FIN rules (``finmesh.domain.mt``); its document is validated when the
    registry has its schema, and otherwise taken on the strength of those rules (the
    translator's output is tested against the official XSDs).
    ``rules``: the network rules beyond the schema (``finmesh.domain.rules``) checked
    after validation, those of the header's BizSvc included; ``now`` is the network's
    clock for the rules on dates. A translated message is held to the FIN rules instead.
    """
    root = parse_untrusted(payload)
    header, document = split_envelope(root)

    header_def = definition_of(_namespace(header))
    if header_def != HEADER_DEF:
        raise Rejected(Reason.UNSUPPORTED_MESSAGE, f"header definition {header_def!r}")
    header_validator = schemas.validator_for(HEADER_DEF)
    if header_validator is None:
        raise Rejected(Reason.UNSUPPORTED_MESSAGE, f"no schema for {HEADER_DEF} is registered")
    problem = header_validator.validate(header)
    if problem is not None:
        raise Rejected(Reason.HEADER_SCHEMA_INVALID, problem)

    document_def = definition_of(_namespace(document))
    if document_def is None or document_def == HEADER_DEF:
        raise Rejected(Reason.UNSUPPORTED_MESSAGE, f"document definition {document_def!r}")
    validator = schemas.validator_for(document_def)
    if validator is None and not translated:
        raise Rejected(
            Reason.UNSUPPORTED_MESSAGE,
            f"{document_def}: no official schema of this definition is registered",
        )
    declared = _child_text(header, _HEADER_MSGDEF)
    if declared != document_def:
        raise Rejected(
            Reason.DEFINITION_MISMATCH,
            f"AppHdr MsgDefIdr {declared!r}, Document namespace {document_def!r}",
        )
    problem = None if validator is None else validator.validate(document)
    if problem is not None:
        raise Rejected(Reason.SCHEMA_INVALID, problem)
    if rules is not None and not translated:
        service = _child_text(header, _HEADER_BIZSVC)
        facts = rules.begin(header, document, document_def, service, now)
        if facts is not None:
            scanned = scan(header, document, facts)  # one walk for the rules and extraction
            rules.check_facts(facts)
            return scanned.message(document_def)
    return extract(header, document, document_def)


def header_sender(payload: bytes) -> str | None:
    """The AppHdr From BICFI of an enveloped message, read without schema validation
    (what a receiver needs to match a signature to its sender), or None."""
    try:
        header, _ = split_envelope(parse_untrusted(payload))
    except Rejected:
        return None
    found = header.find(_HEADER_FROM_BIC)
    return found.text if found is not None and found.text else None


def split_envelope(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    """The AppHdr and Document children of any wrapper element, checked for shape only."""
    children = list(root)
    names = [_localname(child) for child in children]
    if names != ["AppHdr", "Document"]:
        raise Rejected(
            Reason.BAD_ENVELOPE, f"wrapper holds {names[:4]}, expected ['AppHdr', 'Document']"
        )
    if _has_text(root.text) or any(_has_text(child.tail) for child in children):
        raise Rejected(Reason.BAD_ENVELOPE, "text outside AppHdr and Document")
    return children[0], children[1]


def _has_text(text: str | None) -> bool:
    return bool(text and not text.isspace())


def _namespace(element: etree._Element) -> str | None:
    """``etree.QName(element).namespace``, read from the tag without building a QName."""
    tag = element.tag
    if isinstance(tag, str):
        return tag[1 : tag.index("}")] if tag.startswith("{") else None
    return etree.QName(element).namespace


def _localname(element: etree._Element) -> str:
    """``etree.QName(element).localname``, read from the tag without building a QName."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else etree.QName(element).localname


def _child_text(parent: etree._Element, tag: str) -> str | None:
    """``parent.findtext(tag)`` for one Clark tag (the first such child's text, "" when
    it has none, None without one), by C-level child iteration instead of ElementPath."""
    for child in parent.iterchildren(tag):
        return child.text or ""
    return None
