"""Values that leave the ISO 20022 package, and the names the wire format is built from.

Other modules (routing, screening, storage) depend on these dataclasses by name and field:
add fields only with a default, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from finmesh.domain.iso20022.tracking import FlowFacts

ENVELOPE_NS = "urn:finmesh:xsd:envelope.001"
"""Namespace of the wrapper we emit; on input any wrapper name is accepted."""

ENVELOPE_TAG = f"{{{ENVELOPE_NS}}}BizMsg"

ISO_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
"""Every ISO 20022 message namespace is this prefix followed by the MsgDefIdr."""

HEADER_DEF = "head.001.001.02"
HEADER_NS = ISO_NS_PREFIX + HEADER_DEF

CBPR_SERVICE = "swift.cbprplus.02"
"""BizSvc of the CBPR+ usage guidelines our examples follow."""


def namespace_of(msg_def_id: str) -> str:
    """The XML namespace an ISO 20022 message definition lives in."""
    return ISO_NS_PREFIX + msg_def_id


def definition_of(namespace: str | None) -> str | None:
    """The MsgDefIdr encoded in an ISO 20022 namespace, or None for any other namespace."""
    if namespace is None or not namespace.startswith(ISO_NS_PREFIX):
        return None
    msg_def = namespace[len(ISO_NS_PREFIX) :]
    return msg_def or None


@dataclass(frozen=True)
class Party:
    """An agent or party named in a message, as written (nothing looked up)."""

    role: str
    """Element name where the party was found: "Fr", "InstgAgt", "Dbtr", "IntrmyAgt1", ..."""
    bic: str | None
    """BICFI (agents) or AnyBIC (organisations), if given."""
    name: str | None
    """Nm, if given."""
    country: str | None
    """PstlAdr/Ctry, if given."""
    address: tuple[str, ...] = ()
    """The other PstlAdr parts as written, in document order (departments, street, building,
    post code, town, district, subdivision, AdrLine)."""
    town: str | None = None
    """PstlAdr/TwnNm, if given (also in ``address``)."""
    ibans: tuple[str, ...] = ()
    """IBANs of the party's account (``<role>Acct/Id/IBAN``, e.g. DbtrAcct for Dbtr); the
    first two letters are the account's country."""


@dataclass(frozen=True)
class FreeText:
    """Free text of a message that screening searches for listed names."""

    field: str
    """Where it was: "RmtInf/Ustrd", "RmtInf/Strd/AddtlRmtInf", "InstrForCdtrAgt/InstrInf",
    "InstrForNxtAgt/InstrInf" or "Purp/Prtry"."""
    text: str


@dataclass(frozen=True)
class ParsedMessage:
    """What the network needs from a validated message to route, screen and store it."""

    sender_bic: str
    """AppHdr Fr/FIId/FinInstnId/BICFI."""
    receiver_bic: str
    """AppHdr To/FIId/FinInstnId/BICFI."""
    biz_msg_id: str
    """AppHdr BizMsgIdr."""
    msg_def_id: str
    """AppHdr MsgDefIdr, for example "pacs.008.001.08"."""
    business_service: str | None
    """AppHdr BizSvc."""
    created: str | None
    """AppHdr CreDt as written."""
    priority: str | None
    """AppHdr Prty as written ("HIGH", "NORM", ...)."""
    possible_duplicate: bool
    """AppHdr PssblDplct is true."""
    uetr: str | None
    """UETR of the first transaction (pacs.008/009), or its OrgnlUETR (pacs.002)."""
    amount: Decimal | None
    """Sum of IntrBkSttlmAmt over the transactions when they share one currency."""
    currency: str | None
    """That one currency."""
    transactions: int
    """Number of CdtTrfTxInf (pacs.008/009) or TxInfAndSts (pacs.002)."""
    parties: tuple[Party, ...]
    """Every agent and party of the header, group header and transactions, in document order."""
    purposes: tuple[str, ...]
    """Every Purp/Cd and CtgyPurp/Cd code, deduplicated, in document order."""
    flow: FlowFacts | None = None
    """The message's step in the flow of the payment its UETR names (tracked definitions)."""
    free_text: tuple[FreeText, ...] = ()
    """Remittance information, instructions to agents and proprietary purposes, in
    document order (deduplicated)."""
