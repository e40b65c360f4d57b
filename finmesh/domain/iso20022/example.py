"""Build valid example messages (CBPR+ pacs.008/009/002 with head.001.001.02) for tests and demos.

Every call mints fresh identifiers, so examples can be submitted repeatedly without
tripping duplicate detection. Documents are built element by element with lxml.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import cast

from lxml import etree

from finmesh.domain.iso20022.model import (
    CBPR_SERVICE,
    ENVELOPE_NS,
    ENVELOPE_TAG,
    HEADER_NS,
    namespace_of,
)

KINDS: dict[str, str] = {
    "pacs.008": "pacs.008.001.13",
    "pacs.009": "pacs.009.001.08",
    "pacs.002": "pacs.002.001.10",
}
"""Example kind -> the definition it is written in by default: for pacs.008 the version
whose official XSD every installation has (openpurse ships it), so a fresh network
accepts the example; the CBPR+ version pacs.008.001.08 with ``definition=``. pacs.009
and pacs.002 are written in their CBPR+ versions, which a network validates once its
operator registers their official schemas."""

VERSIONS: dict[str, tuple[str, ...]] = {
    "pacs.008": ("pacs.008.001.08", "pacs.008.001.13"),
    "pacs.009": ("pacs.009.001.08",),
    "pacs.002": ("pacs.002.001.10",),
}
"""Example kind -> every definition the builder writes valid messages of."""

_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CODE = re.compile(r"[A-Za-z0-9]{1,4}")  # External(Category)Purpose1Code: 1 to 4 characters
_NAME_MAX = 140
_AGENTS_MAX = 3  # IntrmyAgt1..3
_TOTAL_DIGITS_MAX = 18

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_MINOR_UNITS = {
    **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(), 3),
}
"""ISO 4217 currencies in use whose minor unit is not 2."""


@dataclass(frozen=True)
class _Order:
    """The checked arguments of one example, shared by the three builders."""

    sender: str
    receiver: str
    settlement: str
    currency: str
    purpose: str | None
    category_purpose: str | None
    debtor_name: str | None
    creditor_name: str | None
    agents: tuple[str, ...]
    stamp: str
    day: str


class _Tree:
    """Appends children in one namespace without repeating it at every call."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}"

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, self.ns + name)
        if text is not None:
            child.text = text
        return child

    def agent(self, parent: etree._Element, role: str, bic: str, name: str | None = None) -> None:
        institution = self.add(self.add(parent, role), "FinInstnId")
        self.add(institution, "BICFI", bic)
        if name is not None:
            self.add(institution, "Nm", name)

    def party(self, element: etree._Element, name: str | None, agent_bic: str) -> None:
        """Fill a customer party, resident in the country of its agent's BIC."""
        if name is not None:
            self.add(element, "Nm", name)
        self.add(self.add(element, "PstlAdr"), "Ctry", agent_bic[4:6])

    def amount(self, parent: etree._Element, order: _Order) -> None:
        self.add(parent, "IntrBkSttlmAmt", order.settlement).set("Ccy", order.currency)
        self.add(parent, "IntrBkSttlmDt", order.day)

    def category(self, parent: etree._Element, order: _Order) -> None:
        if order.category_purpose is not None:
            purpose = self.add(self.add(parent, "PmtTpInf"), "CtgyPurp")
            self.add(purpose, "Cd", order.category_purpose)

    def purpose(self, parent: etree._Element, order: _Order) -> None:
        if order.purpose is not None:
            self.add(self.add(parent, "Purp"), "Cd", order.purpose)


def example_message(
    kind: str,
    sender: str,
    receiver: str,
    *,
    amount: Decimal = Decimal("10.00"),
    currency: str = "EUR",
    purpose: str | None = None,
    category_purpose: str | None = None,
    debtor_name: str | None = None,
    creditor_name: str | None = None,
    extra_agent_bics: Sequence[str] = (),
    priority: str = "NORM",
    now: datetime | None = None,
    definition: str | None = None,
) -> bytes:
    """A fresh, valid enveloped message of ``kind`` ("pacs.008", "pacs.009" or "pacs.002").

    Sender and receiver are the AppHdr From/To and the instructing/instructed agents. In
    pacs.008/009 they are also debtor and creditor agents and extra agents become
    IntrmyAgt1..3; pacs.008 customers are resident in their agent's country. pacs.002
    reports ACCC on an original pacs.008 that the receiver had sent to the sender, so
    there the original debtor agent is the receiver; it ignores ``extra_agent_bics``.
    ``definition`` chooses another version of the kind (``VERSIONS``), e.g.
    pacs.008.001.13. Raises ValueError for arguments no valid message could carry.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    msg_def = KINDS[kind] if definition is None else definition
    if msg_def not in VERSIONS[kind]:
        raise ValueError(f"{kind} examples are written in {', '.join(VERSIONS[kind])}")
    for bic in (sender, receiver, *extra_agent_bics):
        if not _BIC.fullmatch(bic):
            raise ValueError(f"not a BIC8 or BIC11: {bic!r}")
    if len(extra_agent_bics) > _AGENTS_MAX:
        raise ValueError(f"at most {_AGENTS_MAX} extra agents (IntrmyAgt1..3)")
    for code in (purpose, category_purpose):
        if code is not None and not _CODE.fullmatch(code):
            raise ValueError(f"purpose codes have 1 to 4 letters or digits: {code!r}")
    for name in (debtor_name, creditor_name):
        if name is not None and not 1 <= len(name) <= _NAME_MAX:
            raise ValueError(f"names have 1 to {_NAME_MAX} characters: {name!r}")
    if not priority:
        raise ValueError("priority must not be empty")
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    order = _Order(
        sender=sender,
        receiver=receiver,
        settlement=_format_amount(amount, currency),
        currency=currency,
        purpose=purpose,
        category_purpose=category_purpose,
        debtor_name=debtor_name,
        creditor_name=creditor_name,
        agents=tuple(extra_agent_bics),
        stamp=moment.isoformat(),
        day=moment.date().isoformat(),
    )
    envelope = etree.Element(ENVELOPE_TAG, nsmap=_default_ns(ENVELOPE_NS))
    _header(envelope, order, msg_def, priority)
    namespace = namespace_of(msg_def)
    document = etree.SubElement(envelope, f"{{{namespace}}}Document", nsmap=_default_ns(namespace))
    tree = _Tree(namespace)
    if kind == "pacs.002":
        _status_report(tree, document, order)
    else:
        _credit_transfer(tree, document, order, customer=kind == "pacs.008")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def _header(envelope: etree._Element, order: _Order, msg_def: str, priority: str) -> None:
    tree = _Tree(HEADER_NS)
    header = etree.SubElement(envelope, tree.ns + "AppHdr", nsmap=_default_ns(HEADER_NS))
    for role, bic in (("Fr", order.sender), ("To", order.receiver)):
        institution = tree.add(tree.add(tree.add(header, role), "FIId"), "FinInstnId")
        tree.add(institution, "BICFI", bic)
    tree.add(header, "BizMsgIdr", _fresh_id("BAH"))
    tree.add(header, "MsgDefIdr", msg_def)
    tree.add(header, "BizSvc", CBPR_SERVICE)
    tree.add(header, "CreDt", order.stamp)
    tree.add(header, "Prty", priority)


def _credit_transfer(
    tree: _Tree, document: etree._Element, order: _Order, *, customer: bool
) -> None:
    """pacs.008 (customer: debtor and creditor are people or firms) or pacs.009 (banks)."""
    body = tree.add(document, "FIToFICstmrCdtTrf" if customer else "FICdtTrf")
    group = tree.add(body, "GrpHdr")
    tree.add(group, "MsgId", _fresh_id("MSG"))
    tree.add(group, "CreDtTm", order.stamp)
    tree.add(group, "NbOfTxs", "1")
    tree.add(tree.add(group, "SttlmInf"), "SttlmMtd", "INDA")
    transaction = tree.add(body, "CdtTrfTxInf")
    ids = tree.add(transaction, "PmtId")
    tree.add(ids, "InstrId", _fresh_id("INS"))
    tree.add(ids, "EndToEndId", _fresh_id("E2E"))
    tree.add(ids, "TxId", _fresh_id("TXN"))
    tree.add(ids, "UETR", str(uuid.uuid4()))
    tree.category(transaction, order)
    tree.amount(transaction, order)
    if customer:
        tree.add(transaction, "ChrgBr", "SHAR")
    tree.agent(transaction, "InstgAgt", order.sender)
    tree.agent(transaction, "InstdAgt", order.receiver)
    for index, bic in enumerate(order.agents, start=1):
        tree.agent(transaction, f"IntrmyAgt{index}", bic)
    if customer:
        tree.party(tree.add(transaction, "Dbtr"), order.debtor_name, order.sender)
    else:
        tree.agent(transaction, "Dbtr", order.sender, order.debtor_name)
    tree.agent(transaction, "DbtrAgt", order.sender)
    tree.agent(transaction, "CdtrAgt", order.receiver)
    if customer:
        tree.party(tree.add(transaction, "Cdtr"), order.creditor_name, order.receiver)
    else:
        tree.agent(transaction, "Cdtr", order.receiver, order.creditor_name)
    tree.purpose(transaction, order)


def _status_report(tree: _Tree, document: etree._Element, order: _Order) -> None:
    body = tree.add(document, "FIToFIPmtStsRpt")
    group = tree.add(body, "GrpHdr")
    tree.add(group, "MsgId", _fresh_id("MSG"))
    tree.add(group, "CreDtTm", order.stamp)
    status = tree.add(body, "TxInfAndSts")
    original = tree.add(status, "OrgnlGrpInf")
    tree.add(original, "OrgnlMsgId", _fresh_id("MSG"))
    tree.add(original, "OrgnlMsgNmId", KINDS["pacs.008"])
    tree.add(original, "OrgnlCreDtTm", order.stamp)
    tree.add(status, "OrgnlInstrId", _fresh_id("INS"))
    tree.add(status, "OrgnlEndToEndId", _fresh_id("E2E"))
    tree.add(status, "OrgnlTxId", _fresh_id("TXN"))
    tree.add(status, "OrgnlUETR", str(uuid.uuid4()))
    tree.add(status, "TxSts", "ACCC")
    tree.agent(status, "InstgAgt", order.sender)
    tree.agent(status, "InstdAgt", order.receiver)
    reference = tree.add(status, "OrgnlTxRef")
    tree.amount(reference, order)
    tree.category(reference, order)
    # The original pacs.008 went receiver -> sender; its parties are Party40Choice/Pty.
    debtor = tree.add(tree.add(reference, "Dbtr"), "Pty")
    tree.party(debtor, order.debtor_name, order.receiver)
    tree.agent(reference, "DbtrAgt", order.receiver)
    tree.agent(reference, "CdtrAgt", order.sender)
    creditor = tree.add(tree.add(reference, "Cdtr"), "Pty")
    tree.party(creditor, order.creditor_name, order.sender)
    tree.purpose(reference, order)


def _format_amount(amount: Decimal, currency: str) -> str:
    """The amount written with the currency's minor units; refuses to round."""
    if not _CURRENCY.fullmatch(currency):
        raise ValueError(f"not an ISO 4217 code: {currency!r}")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount must be a finite, non-negative decimal: {amount}")
    minor = _MINOR_UNITS.get(currency, 2)
    try:
        written = amount.quantize(Decimal(1).scaleb(-minor))
    except InvalidOperation:
        raise ValueError(f"{amount} is too large") from None
    if written != amount:
        raise ValueError(f"{amount} has more than {minor} decimals for {currency}")
    text = format(written, "f")
    if len(text.replace(".", "").lstrip("0")) > _TOTAL_DIGITS_MAX:
        raise ValueError(f"{amount} has more than {_TOTAL_DIGITS_MAX} digits")
    return text


def _default_ns(namespace: str) -> Mapping[str, str]:
    # lxml-stubs 0.5 types nsmap keys as str, but None is lxml's key for the default namespace.
    return cast("Mapping[str, str]", {None: namespace})


def _fresh_id(prefix: str) -> str:
    """35 characters (Max35Text): a three-letter kind and 128 random bits in hex."""
    return prefix + uuid.uuid4().hex
