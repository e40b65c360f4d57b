"""What a message says about the payment its UETR names, for tracking (gpi-style):
which step of the flow it is, the status it reports and why, and the ids that tie it
to the original payment.

Read after validation from the Document, for the flows the network tracks: pacs.008
and pacs.009 (a payment or, with UndrlygCstmrCdtTrf, a cover), pacs.002 status
reports, pacs.004 returns, camt.056 recall requests and camt.029 resolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

_FLOWS = {
    "pacs.008": "payment",
    "pacs.009": "payment",
    "pacs.002": "status",
    "pacs.004": "return",
    "camt.056": "recall_request",
    "camt.029": "recall_answer",
}
"""Definition family -> the step of the flow its messages are."""
_RECALL_ANSWERS = {
    "ACCR": "recalled",
    "CNCL": "recalled",
    "RJCR": "recall_rejected",
    "PDCR": "recall_pending",
}
"""camt.029 TxCxlSts (or Sts/Conf) -> tracking status (anything else kept as written)."""
_REFERENCES = (
    "OrgnlMsgId", "OrgnlInstrId", "OrgnlEndToEndId", "OrgnlTxId", "EndToEndId", "TxId",
)  # fmt: skip
_READ = frozenset(
    {*_REFERENCES, "TxSts", "GrpSts", "TxCxlSts", "Conf", "Cd", "UndrlygCstmrCdtTrf"}
)
_REASON_PARENTS = frozenset({"StsRsnInf", "RtrRsnInf", "CxlRsnInf", "CxlStsRsnInf"})
_READ_ANYWHERE = tuple(f"{{*}}{name}" for name in sorted(_READ))
"""The elements read, in any namespace (or none): libxml2 skips every other element, so
no Python runs for them."""


@dataclass(frozen=True)
class FlowFacts:
    """One message's place in a payment's flow."""

    step: str
    """"payment", "cover", "status", "return", "recall_request" or "recall_answer"."""
    status: str
    """ACSP for a payment or cover, the pacs.002 status (ACSP, ACCC, RJCT, ...),
    "returned", "recall_requested", or the camt.029 answer ("recalled", ...)."""
    reason: str | None
    """The reason code the message gives (StsRsnInf, RtrRsnInf, CxlRsnInf, CxlStsRsnInf)."""
    references: tuple[tuple[str, str], ...]
    """(element, value) of the ids that tie it to the original, first of each."""


def flow_facts(document: etree._Element, msg_def_id: str) -> FlowFacts | None:
    """The flow facts of a tracked definition's document, None for any other."""
    step = _FLOWS.get(msg_def_id[:8])
    if step is None:
        return None
    seen: dict[str, str] = {}
    reason: str | None = None
    for element in document.iter(*_READ_ANYWHERE):
        name = _local(element.tag)
        if name == "UndrlygCstmrCdtTrf":
            seen.setdefault(name, "")
        elif name == "Cd":
            if reason is None and _reason_code(element):
                reason = (element.text or "").strip() or None
        elif element.text and element.text.strip():
            seen.setdefault(name, element.text.strip())
    if step == "payment" and "UndrlygCstmrCdtTrf" in seen:
        step = "cover"
    references = tuple((n, seen[n]) for n in _REFERENCES if n in seen)
    return FlowFacts(step, _status(step, seen), reason, references)


def _reason_code(element: etree._Element) -> bool:
    """Cd under Rsn under one of the reason blocks."""
    reason = element.getparent()
    block = reason.getparent() if reason is not None else None
    return (
        reason is not None
        and block is not None
        and _local(reason.tag) == "Rsn"
        and _local(block.tag) in _REASON_PARENTS
    )


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _status(step: str, seen: dict[str, str]) -> str:
    if step == "status":
        return seen.get("TxSts") or seen.get("GrpSts") or "unknown"
    if step == "return":
        return "returned"
    if step == "recall_request":
        return "recall_requested"
    if step == "recall_answer":
        answer = seen.get("TxCxlSts") or seen.get("Conf") or ""
        return _RECALL_ANSWERS.get(answer, answer or "unknown")
    return "ACSP"
