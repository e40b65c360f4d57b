"""The two directions of translation, chosen by message type: MT -> MX and MX -> MT."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022.intake import split_envelope
from finmesh.domain.iso20022.model import HEADER_DEF, definition_of
from finmesh.domain.iso20022.registry import SchemaRegistry
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.from_camt import (
    camt029_to_n99,
    camt029_uetr,
    camt053_to_statement,
    camt054_to_confirmation,
)
from finmesh.domain.mt.from_pacs import pacs008_to_mt103, pacs009_to_mt202
from finmesh.domain.mt.message import MtMessage, parse_mt
from finmesh.domain.mt.mt_write import Writer, render
from finmesh.domain.mt.mx_tree import MARKET_PRACTICE_REGISTRY, serialise, text
from finmesh.domain.mt.report import Translation, TranslationReport
from finmesh.domain.mt.to_camt import (
    confirmation_to_camt054,
    n99_to_camt029,
    statement_to_camt053,
)
from finmesh.domain.mt.to_pacs import mt103_to_pacs008, mt202_to_pacs009
from finmesh.domain.reasons import Reason

_Writer = Callable[[MtMessage, datetime, TranslationReport], etree._Element]

TARGETS: dict[str, tuple[str, _Writer]] = {
    "103": ("pacs.008.001.08", mt103_to_pacs008),
    "103STP": ("pacs.008.001.08", mt103_to_pacs008),
    "202": ("pacs.009.001.08", mt202_to_pacs009),
    "202COV": ("pacs.009.001.08", mt202_to_pacs009),
    "199": ("camt.029.001.09", n99_to_camt029),
    "299": ("camt.029.001.09", n99_to_camt029),
    "900": ("camt.054.001.08", confirmation_to_camt054),
    "910": ("camt.054.001.08", confirmation_to_camt054),
    "940": ("camt.053.001.08", statement_to_camt053),
    "950": ("camt.053.001.08", statement_to_camt053),
}
"""MT type -> the ISO 20022 definition it is translated to, and the writer."""


def translate_message(message: MtMessage, *, now: datetime | None = None) -> Translation:
    """An already validated MT message as the network's envelope (AppHdr + Document)."""
    msg_def, writer = TARGETS[message.message_type]
    report = TranslationReport("MT" + message.message_type, msg_def)
    for tag, value in message.blocks.user:
        if tag not in _MAPPED_USER_FIELDS:
            report.note("not_translated", tag, f"block 3 field {tag} ({value!r}) has no place"
                        " in ISO 20022")
    moment = now or datetime.now(UTC)
    return Translation(serialise(writer(message, moment, report)), report)


def mt_to_mx(payload: bytes, *, now: datetime | None = None,
             require_uetr: bool = True) -> Translation:
    """Parse, validate and translate one FIN message; MtError if it is refused."""
    return translate_message(parse_mt(payload, require_uetr=require_uetr), now=now)


def mx_to_mt(payload: bytes, schemas: SchemaRegistry | None = None) -> Translation:
    """One enveloped ISO 20022 message as an MT (FIN) input message.

    With ``schemas``, header and document are first validated against their official
    XSDs (a definition the registry lacks is not checked here: the network checks it).

    Refuses unsafe or invalid XML with the network's own ``Rejected`` (the checks of
    ``finmesh.domain.iso20022``), and a message MT cannot carry with ``MtError`` H27. The
    MT written is parsed again before it is returned: it always passes ``parse_mt``.
    """
    root = parse_untrusted(payload)
    header, document = split_envelope(root)
    msg_def = definition_of(etree.QName(document).namespace) or ""
    if schemas is not None:
        _validate(schemas, header, HEADER_DEF, Reason.HEADER_SCHEMA_INVALID)
        _validate(schemas, document, msg_def, Reason.SCHEMA_INVALID)
    body = next((c for c in document if isinstance(c.tag, str)), None)
    sender = text(header, "Fr/FIId/FinInstnId/BICFI")
    receiver = text(header, "To/FIId/FinInstnId/BICFI")
    if body is None or sender is None or receiver is None:
        raise MtError("H27", "AppHdr From/To BICs and a Document body are needed",
                      field="AppHdr")
    hint = _practice(header)
    report = TranslationReport(msg_def, "MT")
    writer = Writer(report)
    mt_type, uetr = _write_body(msg_def, body, writer, sender, receiver, hint)
    report.target = "MT" + mt_type
    user = [("119", flag) for flag in (_FLAGS.get(mt_type),) if flag]
    if uetr is not None:
        user.append(("121", uetr))
    out = render(mt_type=mt_type, sender=sender, receiver=receiver,
                 priority=text(header, "Prty"), user=user, fields=writer.fields)
    try:
        parse_mt(out, require_uetr=False)
    except MtError as exc:
        raise MtError("H27", f"the MT written would be refused: {exc}", field=exc.field) \
            from None
    return Translation(out, report)


_FLAGS = {"103STP": "STP", "202COV": "COV"}
_MAPPED_USER_FIELDS = frozenset({"119", "121"})
"""Block 3 fields the translation carries: validation flag (as the MT type) and UETR."""


def _write_body(msg_def: str, body: etree._Element, writer: Writer, sender: str,
                receiver: str, hint: str | None) -> tuple[str, str | None]:
    if msg_def == "pacs.008.001.08":
        pacs008_to_mt103(body, writer, sender, receiver)
        return ("103STP" if hint == "103STP" else "103"), _uetr(body)
    if msg_def == "pacs.009.001.08":
        cover = pacs009_to_mt202(body, writer, sender, receiver)
        return ("202COV" if cover else "202"), _uetr(body)
    if msg_def == "camt.029.001.09":
        camt029_to_n99(body, writer)
        return ("299" if hint == "299" else "199"), camt029_uetr(body)
    if msg_def == "camt.054.001.08":
        return camt054_to_confirmation(body, writer), None
    if msg_def == "camt.053.001.08":
        mt_type = "950" if hint == "950" else "940"
        camt053_to_statement(body, writer, mt_type)
        return mt_type, None
    raise MtError("H27", f"no MT counterpart for {msg_def or 'this document'}",
                  field="MsgDefIdr")


def _uetr(body: etree._Element) -> str | None:
    return text(body, "CdtTrfTxInf/PmtId/UETR")


def _practice(header: etree._Element) -> str | None:
    """The MT type a translated message came from, when we wrote its AppHdr."""
    if text(header, "MktPrctc/Regy") != MARKET_PRACTICE_REGISTRY:
        return None
    named = text(header, "MktPrctc/Id") or ""
    return named[2:] if named.startswith("MT") else None


def _validate(
    schemas: SchemaRegistry, element: etree._Element, msg_def: str, reason: Reason
) -> None:
    """Against the definition's official XSD, when the registry has it."""
    validator = schemas.validator_for(msg_def)
    if validator is not None:
        problem = validator.validate(element)
        if problem is not None:
            raise Rejected(reason, problem)
