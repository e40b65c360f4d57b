"""One walk over a validated AppHdr and Document collecting the elements the rules look
at: amounts with their currency, currency codes, BICs, IBANs, UETRs, dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from finmesh.domain.rules.paths import all_at, clark_steps, local

CURRENCY_TAGS = frozenset({"Ccy", "SrcCcy", "TrgtCcy", "UnitCcy", "QtdCcy"})
"""Elements whose text is a currency code (accounts, exchange rates)."""
BIC_TAGS = frozenset({"BICFI", "AnyBIC", "BIC", "BICOrBEI"})
UETR_TAGS = frozenset({"UETR", "OrgnlUETR"})


_KINDS: dict[object, str] = {}
"""Clark tag -> the list of Facts its elements go to ("" for none), filled as met."""
_KINDS_MAX = 100_000


def _kind(tag: object) -> str:
    name = local(tag)
    kind = (
        "currencies" if name in CURRENCY_TAGS
        else "bics" if name in BIC_TAGS
        else "ibans" if name == "IBAN"
        else "uetrs" if name in UETR_TAGS
        else "dates" if name.endswith(("Dt", "DtTm"))
        else ""
    )  # fmt: skip
    if len(_KINDS) < _KINDS_MAX:
        _KINDS[tag] = kind
    return kind


@dataclass
class Facts:
    """What one message offers the rules, each element kept for naming it."""

    msg_def_id: str
    business_service: str | None
    header: etree._Element
    document: etree._Element
    now: datetime | None
    amounts: list[etree._Element] = field(default_factory=list)
    """Elements with a ``Ccy`` attribute (ActiveCurrencyAndAmount and kin)."""
    currencies: list[etree._Element] = field(default_factory=list)
    bics: list[etree._Element] = field(default_factory=list)
    document_bics: list[etree._Element] = field(default_factory=list)
    """The BICs below the Document (those of ``bics`` outside the AppHdr)."""
    header_bics: list[etree._Element] = field(default_factory=list)
    """The BICs of the AppHdr (those of ``bics`` before ``document_bics``)."""
    ibans: list[etree._Element] = field(default_factory=list)
    uetrs: list[etree._Element] = field(default_factory=list)
    dates: list[etree._Element] = field(default_factory=list)
    """Leaf elements named ``...Dt`` or ``...DtTm``."""

    @classmethod
    def collect(
        cls,
        header: etree._Element,
        document: etree._Element,
        msg_def_id: str,
        business_service: str | None,
        now: datetime | None,
    ) -> Facts:
        facts = cls(msg_def_id, business_service, header, document, now)
        facts._walk(header)
        in_header = len(facts.bics)
        facts._walk(document)
        facts.header_bics = facts.bics[:in_header]
        facts.document_bics = facts.bics[in_header:]
        return facts

    def _walk(self, top: etree._Element) -> None:
        """Sort every element of ``top`` (itself included) into its list: one tag read,
        one attribute read and one dict lookup for an element nobody needs."""
        lists = {
            "currencies": self.currencies, "bics": self.bics, "ibans": self.ibans,
            "uetrs": self.uetrs, "dates": self.dates,
        }  # fmt: skip
        amounts, dates, kinds = self.amounts, self.dates, _KINDS
        for element in top.iter(etree.Element):
            if element.get("Ccy") is not None:
                amounts.append(element)
                continue
            tag = element.tag
            kind = kinds.get(tag)
            if kind is None:
                kind = _kind(tag)
            if kind:
                found = lists[kind]
                if found is dates and len(element):
                    continue  # a choice wrapper (DateAndDateTime2Choice), not a leaf date
                found.append(element)

    def find_all(self, path: str) -> list[etree._Element]:
        """Elements at a slash path of local names below the Document's message element."""
        body = next(iter(self.document), None)
        if body is None:
            return []
        return all_at(body, clark_steps(self.document.tag, path))

    def header_bic(self, side: str) -> etree._Element | None:
        """What ``header.find("<side>/FIId/FinInstnId/BICFI")`` gives, picked from the
        header's BICs already collected (the first in document order with that path)."""
        steps = clark_steps(self.header.tag, f"{side}/FIId/FinInstnId/BICFI")
        for element in self.header_bics:
            if _at(element, steps, self.header):
                return element
        return None


def _at(element: etree._Element, steps: tuple[str, ...], top: etree._Element) -> bool:
    """``element`` is at the path ``steps`` (Clark tags) below ``top``."""
    node: etree._Element | None = element
    for step in reversed(steps):
        if node is None or node.tag != step:
            return False
        node = node.getparent()
    return node is top
