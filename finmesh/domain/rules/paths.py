"""Readable element paths for refusals: local names from the AppHdr or Document down,
with a 1-based position where an element has same-named siblings (XPath-ish)."""

from __future__ import annotations

from lxml import etree

_TOPS = frozenset({"AppHdr", "Document"})


def local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def path_of(element: etree._Element, attribute: str | None = None) -> str:
    """``AppHdr/Fr/FIId/FinInstnId/BICFI`` or ``Document/.../IntrBkSttlmAmt/@Ccy``."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local(node.tag)
        parent = node.getparent()
        if parent is not None and name not in _TOPS:
            twins = [c for c in parent if c.tag == node.tag]
            if len(twins) > 1:
                name += f"[{twins.index(node) + 1}]"
        steps.append(name)
        if name in _TOPS:
            break
        node = parent
    path = "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path
