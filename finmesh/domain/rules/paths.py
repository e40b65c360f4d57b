"""Readable element paths for refusals: local names from the AppHdr or Document down,
with a 1-based position where an element has same-named siblings (XPath-ish)."""

from __future__ import annotations

from lxml import etree

_TOPS = frozenset({"AppHdr", "Document"})


_LOCAL: dict[str, str] = {}
_LOCAL_MAX = 100_000
"""Clark tag -> local name: tags repeat across messages, so each is split once."""


def local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    found = _LOCAL.get(tag)
    if found is None:
        found = tag.rpartition("}")[2]
        if len(_LOCAL) < _LOCAL_MAX:
            _LOCAL[tag] = found
    return found


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
