"""Readable element paths for refusals: local names from the AppHdr or Document down,
with a 1-based position where an element has same-named siblings (XPath-ish)."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=4_096)
def clark_steps(top_tag: object, path: str) -> tuple[str, ...]:
    """A slash path of local names as Clark tags in the namespace of the element whose
    tag is ``top_tag`` (built once per namespace and path)."""
    ns = etree.QName(top_tag).namespace if isinstance(top_tag, str) else None
    prefix = f"{{{ns}}}" if ns is not None else ""
    return tuple(f"{prefix}{step}" for step in path.split("/"))


def first_at(top: etree._Element, steps: tuple[str, ...]) -> etree._Element | None:
    """What ``top.find("a/b/c")`` gives (the first match in document order), by lxml's
    C-level child iteration instead of its Python ElementPath."""
    head, rest = steps[0], steps[1:]
    for child in top.iterchildren(head):
        if not rest:
            return child
        found = first_at(child, rest)
        if found is not None:
            return found
    return None


def all_at(top: etree._Element, steps: tuple[str, ...]) -> list[etree._Element]:
    """What ``top.findall("a/b/c")`` gives, in document order."""
    head, rest = steps[0], steps[1:]
    if not rest:
        return list(top.iterchildren(head))
    return [found for child in top.iterchildren(head) for found in all_at(child, rest)]


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
