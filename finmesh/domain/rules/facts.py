"""The elements of a validated AppHdr and Document the rules look at: amounts with their
currency, currency codes, BICs, IBANs, UETRs, dates. ``Facts.collect`` walks for them;
``parse_message`` sorts the Document's elements in during extraction's own walk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from finmesh.domain.rules.paths import all_at, clark_steps, local

CURRENCY_TAGS = frozenset({"Ccy", "SrcCcy", "TrgtCcy", "UnitCcy", "QtdCcy"})
"""Elements whose text is a currency code (accounts, exchange rates)."""
BIC_TAGS = frozenset({"BICFI", "AnyBIC", "BIC", "BICOrBEI"})
UETR_TAGS = frozenset({"UETR", "OrgnlUETR"})


KINDS: dict[object, str] = {}
"""Clark tag -> the list of Facts its elements go to ("" for none), filled as met by
``kind_of``."""
_KINDS_MAX = 100_000


def kind_of(tag: object) -> str:
    name = local(tag)
    kind = (
        "currencies" if name in CURRENCY_TAGS
        else "bics" if name in BIC_TAGS
        else "ibans" if name == "IBAN"
        else "uetrs" if name in UETR_TAGS
        else "dates" if name.endswith(("Dt", "DtTm"))
        else ""
    )  # fmt: skip
    if len(KINDS) < _KINDS_MAX:
        KINDS[tag] = kind
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

    _in_header: int = field(default=-1, init=False, repr=False, compare=False)
    """How many of ``bics`` are the AppHdr's, once its elements are sorted."""

    @classmethod
    def collect(
        cls,
        header: etree._Element,
        document: etree._Element,
        msg_def_id: str,
        business_service: str | None,
        now: datetime | None,
    ) -> Facts:
        """The facts of a message, in walks of their own over the AppHdr and Document."""
        facts = cls.begin(header, document, msg_def_id, business_service, now)
        facts.sort(document.iter(etree.Element))
        return facts.complete()

    @classmethod
    def begin(
        cls,
        header: etree._Element,
        document: etree._Element,
        msg_def_id: str,
        business_service: str | None,
        now: datetime | None,
    ) -> Facts:
        """The facts of the AppHdr; the Document's elements are to be ``sort``-ed in, in
        document order (by ``collect``, or by a walk that reads them for more than the
        rules), then ``complete``."""
        facts = cls(msg_def_id, business_service, header, document, now)
        facts.sort(header.iter(etree.Element))
        facts._in_header = len(facts.bics)
        return facts

    def complete(self) -> Facts:
        self.header_bics = self.bics[: self._in_header]
        self.document_bics = self.bics[self._in_header :]
        return self

    def lists(self) -> dict[str, list[etree._Element]]:
        """Kind (``kind_of``) -> the list its elements go to, amounts aside."""
        return {
            "currencies": self.currencies, "bics": self.bics, "ibans": self.ibans,
            "uetrs": self.uetrs, "dates": self.dates,
        }  # fmt: skip

    def sort(self, elements: Iterable[etree._Element]) -> None:
        """Sort elements into their lists: one tag read, one attribute read and one dict
        lookup for an element nobody needs. A walk that reads elements for more than the
        rules does the same inline (extract.py): keep the two alike."""
        lists = self.lists()
        amounts, dates, kinds = self.amounts, self.dates, KINDS
        for element in elements:
            if element.get("Ccy") is not None:
                amounts.append(element)
                continue
            tag = element.tag
            kind = kinds.get(tag)
            if kind is None:
                kind = kind_of(tag)
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
