"""The network's reason codes: the one vocabulary of every NAK and notice.

Families follow the FIN model (FACTS.md): M size/charset and XML safety, T text and
schema, H header and addressing, S security, D duplicates, N network state, P policy
measures, R relationship management (the receiver's authorizations, RMA), V network rules
beyond the schema (finmesh.domain.rules, per business service). Each code is
stable: clients and external checks match on it. Add codes; never renumber.
"""

from __future__ import annotations

from enum import Enum


class Reason(Enum):
    """A coded rejection reason. ``code`` is the wire code."""

    def __init__(self, code: str, text: str) -> None:
        self.code = code
        self.text = text

    # M: size, charset, XML safety
    OVERSIZE = ("M01", "message exceeds the size limit")
    TOO_DEEP = ("M02", "XML nesting exceeds the depth limit")
    FORBIDDEN_XML = ("M03", "DTD, entity or processing instruction not allowed")
    BAD_ENCODING = ("M04", "payload is not UTF-8 XML")
    TOO_MANY_ELEMENTS = ("M05", "XML element count exceeds the limit")
    # T: text and schema
    MALFORMED_XML = ("T01", "payload is not well-formed XML")
    SCHEMA_INVALID = ("T02", "message does not conform to its ISO 20022 schema")
    UNSUPPORTED_MESSAGE = ("T03", "message definition not supported by this network")
    BAD_ENVELOPE = ("T04", "envelope must hold exactly one AppHdr and one Document")
    DEFINITION_MISMATCH = ("T05", "AppHdr MsgDefIdr does not match the Document")
    HEADER_SCHEMA_INVALID = ("T06", "business application header does not conform to head.001")
    # H: header and addressing
    INVALID_BIC = ("H01", "sender or receiver is not a valid BIC")
    UNKNOWN_RECEIVER = ("H02", "receiver is not in the directory")
    RECEIVER_NOT_LIVE = ("H03", "receiver is in the directory but not connected to the network")
    SENDER_MISMATCH = ("H04", "AppHdr sender is not the authenticated institution")
    SELF_ADDRESSED = ("H05", "sender and receiver are the same institution")
    # S: security
    MISSING_SIGNATURE = ("S01", "message carries no signature")
    BAD_SIGNATURE = ("S02", "message signature does not verify over the submitted bytes")
    # D: duplicates
    DUPLICATE_CONFLICT = ("D01", "BizMsgIdr already used by this sender for different bytes")
    # N: network state
    BATCH_TOO_LARGE = ("N01", "batch exceeds the message count limit")
    OBSOLETE = ("N02", "message undelivered past its obsolescence period")
    TRY_AGAIN = ("N03", "policy changed repeatedly while the batch was admitted; resubmit")
    # P: policy (the operator's measures: disconnections and prohibitions)
    DISCONNECTED = ("P01", "sender or receiver is disconnected from the network by a measure")
    PROHIBITED = ("P02", "transaction prohibited by a measure")
    HOLD_REJECTED = ("P03", "rejected by compliance after review of a held message")
    RETURNED = ("P04", "returned undelivered: the receiver was disconnected by a measure")
    # R: relationship management (authorizations the receiver grants, per sender BIC8)
    NOT_AUTHORIZED = (
        "R01",
        "receiver has not authorized this sender for this message type (RMA)",
    )

    # V: network rules beyond the schema (rule sets per BizSvc; the detail names the element)
    UNKNOWN_CURRENCY = ("V01", "currency is not an active ISO 4217 code")
    CURRENCY_MINOR_UNITS = ("V02", "amount has more decimals than its currency's minor units")
    CURRENCY_NOT_ALLOWED = ("V03", "currency not allowed by the business service (commodity)")
    INVALID_BIC_CODE = ("V04", "BIC is not valid (ISO 9362 structure and country code)")
    INVALID_IBAN = ("V05", "IBAN fails its country, length or check digits")
    HEADER_AGENT_MISMATCH = ("V06", "AppHdr From/To differ from the agents the usage requires")
    INVALID_UETR = ("V07", "UETR missing where required, or not a lowercase UUID version 4")
    INVALID_DATE = ("V08", "date or time out of range, without its offset, or in the future")

    @classmethod
    def by_code(cls, code: str) -> Reason:
        for reason in cls:
            if reason.code == code:
                return reason
        raise KeyError(code)


def table() -> list[dict[str, str]]:
    """The whole table, for the API and the README."""
    return [{"code": r.code, "name": r.name, "text": r.text} for r in Reason]
