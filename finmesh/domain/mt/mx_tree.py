"""Write and read the ISO 20022 side: the network's envelope, AppHdr, agents, parties.

Built element by element with lxml, in the namespaces and envelope of
``finmesh.domain.iso20022.model`` (the same the network's own examples use).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from lxml import etree

from finmesh.domain.iso20022.model import (
    CBPR_SERVICE,
    ENVELOPE_NS,
    ENVELOPE_TAG,
    HEADER_NS,
    namespace_of,
)
from finmesh.domain.mt.formats import mx_amount

MARKET_PRACTICE_REGISTRY = "finmesh:mt-translation"
"""AppHdr MktPrctc/Regy of a message translated from MT; MktPrctc/Id names the MT type
("MT103", "MT202COV", ...), so the reverse translation can restore it."""

PRIORITIES = {"U": "HIGH", "N": "NORM", "S": "URGT"}
"""MT priority (block 2) -> AppHdr Prty."""


def _default_ns(namespace: str) -> Mapping[str, str]:
    # lxml-stubs types nsmap keys as str, but None is lxml's key for the default namespace.
    return cast("Mapping[str, str]", {None: namespace})


class Builder:
    """Appends children in one namespace."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}"

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, self.ns + name)
        if text is not None:
            child.text = text
        return child

    def money(self, parent: etree._Element, name: str, amount: Decimal,
              currency: str) -> etree._Element:
        """``<name Ccy="...">`` with the amount in the currency's minor unit."""
        element = self.add(parent, name, mx_amount(amount, currency))
        element.set("Ccy", currency)
        return element

    def path(self, parent: etree._Element, path: str, text: str | None = None) -> etree._Element:
        """Append the chain ``A/B/C`` below ``parent``; text goes to the last element."""
        element = parent
        for name in path.split("/"):
            element = self.add(element, name)
        if text is not None:
            element.text = text
        return element


def new_message(
    msg_def: str,
    *,
    sender: str,
    receiver: str,
    biz_msg_id: str,
    created: datetime,
    mt_type: str,
    priority: str | None = None,
    possible_duplicate: bool = False,
) -> tuple[etree._Element, etree._Element, Builder]:
    """An envelope holding a filled AppHdr and an empty Document; returns both and a
    Builder in the document's namespace."""
    envelope = etree.Element(ENVELOPE_TAG, nsmap=_default_ns(ENVELOPE_NS))
    head = Builder(HEADER_NS)
    header = etree.SubElement(envelope, head.ns + "AppHdr", nsmap=_default_ns(HEADER_NS))
    head.path(header, "Fr/FIId/FinInstnId/BICFI", sender)
    head.path(header, "To/FIId/FinInstnId/BICFI", receiver)
    head.add(header, "BizMsgIdr", biz_msg_id)
    head.add(header, "MsgDefIdr", msg_def)
    head.add(header, "BizSvc", CBPR_SERVICE)
    practice = head.add(header, "MktPrctc")
    head.add(practice, "Regy", MARKET_PRACTICE_REGISTRY)
    head.add(practice, "Id", "MT" + mt_type)
    head.add(header, "CreDt", iso_datetime(created))
    if possible_duplicate:
        head.add(header, "PssblDplct", "true")
    if priority is not None and priority in PRIORITIES:
        head.add(header, "Prty", PRIORITIES[priority])
    namespace = namespace_of(msg_def)
    document = etree.SubElement(envelope, f"{{{namespace}}}Document",
                                nsmap=_default_ns(namespace))
    return envelope, document, Builder(namespace)


def iso_datetime(moment: datetime) -> str:
    """ISODateTime with seconds and an offset (UTC when the moment is naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat()


def serialise(envelope: etree._Element) -> bytes:
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


# Reading: children are looked up in the namespace of their parent (ISO 20022 documents
# keep one namespace), with lxml's own find, whatever prefix the sender used.

def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _namespace(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[: tag.index("}") + 1]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return element.find(_namespace(element) + name)


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return element.findall(_namespace(element) + name)


def find(element: etree._Element | None, path: str) -> etree._Element | None:
    if element is None:
        return None
    namespace = _namespace(element)
    return element.find("/".join(namespace + name for name in path.split("/")))


def text(element: etree._Element | None, path: str) -> str | None:
    found = find(element, path)
    return found.text if found is not None and found.text else None


def same(left: etree._Element | None, right: etree._Element | None, *,
         names: bool = True) -> bool:
    """Two subtrees with the same content (names, texts, attributes), namespaces aside;
    ``names=False`` lets the two roots have different names."""
    if left is None or right is None:
        return left is right
    if names and local(left) != local(right):
        return False
    if (left.text or "").strip() != (right.text or "").strip():
        return False
    if sorted(left.attrib.items()) != sorted(right.attrib.items()):
        return False
    ours = [c for c in left if isinstance(c.tag, str)]
    theirs = [c for c in right if isinstance(c.tag, str)]
    return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True))
