"""Example messages of the flows around a payment, each tied to the original pacs.008 by
its UETR and ids: the next hop of the payment, pacs.002 status reports, pacs.004
returns, camt.056 recall requests, camt.029 answers, and the pacs.009 COV cover.

``Original`` is read from the pacs.008 (``original_of``); every builder mints fresh
identifiers of its own and writes the CBPR+ header (From/To = instructing/instructed
agent or assigner/assignee).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from finmesh.domain.iso20022.example import _default_ns, _fresh_id, _Tree
from finmesh.domain.iso20022.intake import split_envelope
from finmesh.domain.iso20022.model import (
    CBPR_SERVICE,
    ENVELOPE_NS,
    ENVELOPE_TAG,
    HEADER_NS,
    definition_of,
    namespace_of,
)
from finmesh.domain.iso20022.safe_xml import parse_untrusted

FLOW_DEFINITIONS = {
    "pacs.002": "pacs.002.001.10",
    "pacs.004": "pacs.004.001.09",
    "camt.056": "camt.056.001.12",
    "camt.029": "camt.029.001.09",
    "pacs.009.cov": "pacs.009.001.08",
}
"""Flow kind -> the definition it is written in (camt.056: the version whose official
XSD a package ships; the others the CBPR+ versions)."""


@dataclass(frozen=True)
class Original:
    """What a flow message quotes of the payment it is about."""

    msg_def_id: str
    msg_id: str
    created: str
    instr_id: str | None
    end_to_end_id: str
    tx_id: str | None
    uetr: str
    amount: str
    currency: str
    settlement_date: str
    debtor_agent: str
    creditor_agent: str


def original_of(payload: bytes) -> Original:
    """The ids of an enveloped pacs.008 (or pacs.009); ValueError if it has none."""
    _, document = split_envelope(parse_untrusted(payload))
    msg_def = definition_of(etree.QName(document).namespace) or ""
    ns = f"{{{etree.QName(document).namespace}}}"

    def text(path: str) -> str | None:
        found = document.find(".//" + "/".join(ns + s for s in path.split("/")))
        return None if found is None or not found.text else found.text

    amount = document.find(f".//{ns}CdtTrfTxInf/{ns}IntrBkSttlmAmt")
    fields = {
        "msg_id": text("GrpHdr/MsgId"),
        "created": text("GrpHdr/CreDtTm"),
        "end_to_end_id": text("PmtId/EndToEndId"),
        "uetr": text("PmtId/UETR"),
        "settlement_date": text("CdtTrfTxInf/IntrBkSttlmDt"),
        "debtor_agent": text("CdtTrfTxInf/DbtrAgt/FinInstnId/BICFI"),
        "creditor_agent": text("CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI"),
    }
    missing = [k for k, v in fields.items() if v is None]
    if not msg_def.startswith(("pacs.008", "pacs.009")) or amount is None or missing:
        raise ValueError(f"not a pacs.008/009 with ids, amount and agents (lacks {missing})")
    return Original(
        msg_def_id=msg_def,
        instr_id=text("PmtId/InstrId"),
        tx_id=text("PmtId/TxId"),
        amount=amount.text or "",
        currency=amount.get("Ccy", ""),
        **{k: str(v) for k, v in fields.items()},
    )


class _Message:
    """An envelope with the CBPR+ header, and the document being written."""

    def __init__(self, msg_def: str, sender: str, receiver: str, now: datetime | None) -> None:
        self.stamp = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
        self.day = self.stamp[:10]
        self.envelope = etree.Element(ENVELOPE_TAG, nsmap=_default_ns(ENVELOPE_NS))
        head = _Tree(HEADER_NS)
        header = etree.SubElement(self.envelope, head.ns + "AppHdr", nsmap=_default_ns(HEADER_NS))
        for role, bic in (("Fr", sender), ("To", receiver)):
            institution = head.add(head.add(head.add(header, role), "FIId"), "FinInstnId")
            head.add(institution, "BICFI", bic)
        head.add(header, "BizMsgIdr", _fresh_id("BAH"))
        head.add(header, "MsgDefIdr", msg_def)
        head.add(header, "BizSvc", CBPR_SERVICE)
        head.add(header, "CreDt", self.stamp)
        namespace = namespace_of(msg_def)
        self.tree = _Tree(namespace)
        self.document = etree.SubElement(
            self.envelope, f"{{{namespace}}}Document", nsmap=_default_ns(namespace)
        )

    def bytes(self) -> bytes:
        return bytes(etree.tostring(self.envelope, xml_declaration=True, encoding="UTF-8"))

    def group(self, body: etree._Element, *, transactions: bool, settle: bool = False) -> None:
        group = self.tree.add(body, "GrpHdr")
        self.tree.add(group, "MsgId", _fresh_id("MSG"))
        self.tree.add(group, "CreDtTm", self.stamp)
        if transactions:
            self.tree.add(group, "NbOfTxs", "1")
        if settle:
            self.tree.add(self.tree.add(group, "SttlmInf"), "SttlmMtd", "INDA")

    def quote(self, parent: etree._Element, original: Original, *, uetr_last: bool) -> None:
        """OrgnlGrpInf and the original ids, in the order of the definition."""
        t = self.tree
        group = t.add(parent, "OrgnlGrpInf")
        t.add(group, "OrgnlMsgId", original.msg_id)
        t.add(group, "OrgnlMsgNmId", original.msg_def_id)
        t.add(group, "OrgnlCreDtTm", original.created)
        if original.instr_id:
            t.add(parent, "OrgnlInstrId", original.instr_id)
        t.add(parent, "OrgnlEndToEndId", original.end_to_end_id)
        if original.tx_id:
            t.add(parent, "OrgnlTxId", original.tx_id)
        if not uetr_last:
            t.add(parent, "OrgnlUETR", original.uetr)

    def amount(self, parent: etree._Element, name: str, original: Original) -> None:
        self.tree.add(parent, name, original.amount).set("Ccy", original.currency)


def status_report(
    original: Original,
    sender: str,
    receiver: str,
    status: str = "ACCC",
    reason: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """pacs.002: ``sender`` reports ``status`` (ACSP, ACCC, RJCT, ...) on the payment to
    ``receiver``, who instructed it; RJCT carries ``reason`` (e.g. AC04)."""
    m = _Message(FLOW_DEFINITIONS["pacs.002"], sender, receiver, now)
    t = m.tree
    body = t.add(m.document, "FIToFIPmtStsRpt")
    m.group(body, transactions=False)
    report = t.add(body, "TxInfAndSts")
    m.quote(report, original, uetr_last=False)
    t.add(report, "TxSts", status)
    if reason is not None:
        t.add(t.add(t.add(report, "StsRsnInf"), "Rsn"), "Cd", reason)
    if status == "ACCC":
        t.add(report, "AccptncDtTm", m.stamp)
    t.agent(report, "InstgAgt", sender)
    t.agent(report, "InstdAgt", receiver)
    return m.bytes()


def payment_return(
    original: Original,
    sender: str,
    receiver: str,
    reason: str = "AC04",
    now: datetime | None = None,
) -> bytes:
    """pacs.004: ``sender`` returns the payment's funds to ``receiver`` for ``reason``."""
    m = _Message(FLOW_DEFINITIONS["pacs.004"], sender, receiver, now)
    t = m.tree
    body = t.add(m.document, "PmtRtr")
    m.group(body, transactions=True, settle=True)
    item = t.add(body, "TxInf")
    t.add(item, "RtrId", _fresh_id("RTR"))
    m.quote(item, original, uetr_last=False)
    m.amount(item, "OrgnlIntrBkSttlmAmt", original)
    t.add(item, "OrgnlIntrBkSttlmDt", original.settlement_date)
    m.amount(item, "RtrdIntrBkSttlmAmt", original)
    t.add(item, "IntrBkSttlmDt", m.day)
    t.add(item, "ChrgBr", "SHAR")
    t.agent(item, "InstgAgt", sender)
    t.agent(item, "InstdAgt", receiver)
    t.add(t.add(t.add(item, "RtrRsnInf"), "Rsn"), "Cd", reason)
    return m.bytes()


def _assignment(m: _Message, parent: etree._Element, sender: str, receiver: str) -> None:
    t = m.tree
    assignment = t.add(parent, "Assgnmt")
    t.add(assignment, "Id", _fresh_id("CAS"))
    t.agent(t.add(assignment, "Assgnr"), "Agt", sender)
    t.agent(t.add(assignment, "Assgne"), "Agt", receiver)
    t.add(assignment, "CreDtTm", m.stamp)


def recall_request(
    original: Original,
    sender: str,
    receiver: str,
    reason: str = "DUPL",
    now: datetime | None = None,
) -> bytes:
    """camt.056: ``sender`` asks ``receiver`` to cancel (recall) the payment."""
    m = _Message(FLOW_DEFINITIONS["camt.056"], sender, receiver, now)
    t = m.tree
    body = t.add(m.document, "FIToFIPmtCxlReq")
    _assignment(m, body, sender, receiver)
    item = t.add(t.add(body, "Undrlyg"), "TxInf")
    t.add(item, "CxlId", _fresh_id("CXL"))
    m.quote(item, original, uetr_last=False)
    m.amount(item, "OrgnlIntrBkSttlmAmt", original)
    t.add(item, "OrgnlIntrBkSttlmDt", original.settlement_date)
    t.add(t.add(t.add(item, "CxlRsnInf"), "Rsn"), "Cd", reason)
    return m.bytes()


def recall_answer(
    original: Original,
    sender: str,
    receiver: str,
    accepted: bool = True,
    reason: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """camt.029: ``sender`` answers a recall: cancelled (Conf CNCL, TxCxlSts ACCR: the
    funds come back) or refused (RJCR, with ``reason`` such as LEGL or NOOR)."""
    m = _Message(FLOW_DEFINITIONS["camt.029"], sender, receiver, now)
    t = m.tree
    body = t.add(m.document, "RsltnOfInvstgtn")
    _assignment(m, body, sender, receiver)
    t.add(t.add(body, "Sts"), "Conf", "CNCL" if accepted else "RJCR")
    item = t.add(t.add(body, "CxlDtls"), "TxInfAndSts")
    t.add(item, "CxlStsId", _fresh_id("CST"))
    m.quote(item, original, uetr_last=True)
    t.add(item, "OrgnlUETR", original.uetr)
    t.add(item, "TxCxlSts", "ACCR" if accepted else "RJCR")
    if reason is not None:
        t.add(t.add(t.add(item, "CxlStsRsnInf"), "Rsn"), "Cd", reason)
    return m.bytes()


def cover(
    original: Original, sender: str, receiver: str, now: datetime | None = None
) -> bytes:
    """pacs.009 COV: ``sender`` covers the payment through ``receiver`` (its
    correspondent), quoting the underlying customer transfer; the same UETR."""
    m = _Message(FLOW_DEFINITIONS["pacs.009.cov"], sender, receiver, now)
    t = m.tree
    body = t.add(m.document, "FICdtTrf")
    m.group(body, transactions=True, settle=True)
    item = t.add(body, "CdtTrfTxInf")
    ids = t.add(item, "PmtId")
    t.add(ids, "InstrId", _fresh_id("INS"))
    t.add(ids, "EndToEndId", original.end_to_end_id)
    t.add(ids, "TxId", _fresh_id("TXN"))
    t.add(ids, "UETR", original.uetr)
    m.amount(item, "IntrBkSttlmAmt", original)
    t.add(item, "IntrBkSttlmDt", original.settlement_date)
    t.agent(item, "InstgAgt", sender)
    t.agent(item, "InstdAgt", receiver)
    t.agent(item, "Dbtr", original.debtor_agent)
    t.agent(item, "Cdtr", original.creditor_agent)
    underlying = t.add(item, "UndrlygCstmrCdtTrf")
    t.add(t.add(underlying, "Dbtr"), "Nm", "Ordering customer")
    t.agent(underlying, "DbtrAgt", original.debtor_agent)
    t.agent(underlying, "CdtrAgt", original.creditor_agent)
    t.add(t.add(underlying, "Cdtr"), "Nm", "Beneficiary customer")
    return m.bytes()


def next_hop(payload: bytes, sender: str, receiver: str, now: datetime | None = None) -> bytes:
    """The pacs.008 ``sender`` (the intermediary that received ``payload``) sends on to
    ``receiver``: same UETR, EndToEndId, amount and parties; a new header, MsgId,
    InstrId and TxId; the previous instructing agent becomes PrvsInstgAgt1."""
    root = parse_untrusted(payload)
    header, document = split_envelope(root)
    h, ns = f"{{{HEADER_NS}}}", f"{{{etree.QName(document).namespace}}}"
    stamp = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    for side, bic in (("Fr", sender), ("To", receiver)):
        _set(header, f"{h}{side}/{h}FIId/{h}FinInstnId/{h}BICFI", bic)
    _set(header, f"{h}BizMsgIdr", _fresh_id("BAH"))
    _set(header, f"{h}CreDt", stamp)
    _set(document, f".//{ns}GrpHdr/{ns}MsgId", _fresh_id("MSG"))
    _set(document, f".//{ns}GrpHdr/{ns}CreDtTm", stamp)
    _set(document, f".//{ns}PmtId/{ns}InstrId", _fresh_id("INS"))
    _set(document, f".//{ns}PmtId/{ns}TxId", _fresh_id("TXN"))
    instructing = document.find(f".//{ns}CdtTrfTxInf/{ns}InstgAgt")
    if instructing is None:
        raise ValueError("the payment has no InstgAgt")
    previous = etree.Element(f"{ns}PrvsInstgAgt1")
    previous.extend(etree.fromstring(etree.tostring(instructing)))
    instructing.addprevious(previous)
    _set(instructing, f"{ns}FinInstnId/{ns}BICFI", sender)
    _set(document, f".//{ns}CdtTrfTxInf/{ns}InstdAgt/{ns}FinInstnId/{ns}BICFI", receiver)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _set(element: etree._Element, path: str, text: str) -> None:
    found = element.find(path)
    if found is None:
        raise ValueError(f"the payment lacks {etree.QName(path.split('/')[-1]).localname}")
    found.text = text
