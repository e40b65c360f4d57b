"""One walk over a validated AppHdr and Document collecting the elements the rules look
at: amounts with their currency, currency codes, BICs, IBANs, UETRs, dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from finmesh.domain.rules.paths import all_at, clark_steps, first_at, local

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
        for element in header.iter(etree.Element):
            facts._add(element)
        in_header = len(facts.bics)
        for element in document.iter(etree.Element):
            facts._add(element)
        facts.document_bics = facts.bics[in_header:]
        return facts

    def _add(self, element: etree._Element) -> None:
        if element.get("Ccy") is not None:
            self.amounts.append(element)
            return
        kind = _KINDS.get(element.tag)
        if kind is None:
            kind = _kind(element.tag)
        if kind:
            if kind == "dates" and len(element):
                return  # a choice wrapper (DateAndDateTime2Choice), not a leaf date
            getattr(self, kind).append(element)

    def find_all(self, path: str) -> list[etree._Element]:
        """Elements at a slash path of local names below the Document's message element."""
        body = next(iter(self.document), None)
        if body is None:
            return []
        return all_at(body, clark_steps(self.document.tag, path))

    def header_bic(self, side: str) -> etree._Element | None:
        return first_at(self.header, clark_steps(self.header.tag, f"{side}/FIId/FinInstnId/BICFI"))
