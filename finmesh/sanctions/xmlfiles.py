"""Hardened, streaming reading of list XML files (OFAC, EU, UN), namespace-agnostic.

Same rules as message intake (``finmesh.domain.iso20022.safe_xml``), with list-sized
bounds: no DTD, no entity (the file is refused before parsing if it declares one), no
network, libxml2's default limits on depth and text size (``huge_tree`` off), comments
dropped. Records are read with ``iterparse`` and cleared once used, so a 30 MB list does
not become a 300 MB tree. Elements are matched by local name: publishers change their
namespaces between versions.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from finmesh.sanctions.entries import check_size
from finmesh.sanctions.errors import ListFormatError, ListProblem

_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")


def local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def where(element: etree._Element) -> str:
    return f"<{local(element.tag)}> line {element.sourceline}"


def records(data: bytes, tags: frozenset[str]) -> Iterator[etree._Element]:
    """Every complete element whose local name is in ``tags``, in document order."""
    check_size(data)
    for marker in _FORBIDDEN:
        if data.find(marker) >= 0:
            line = data[: data.find(marker)].count(b"\n") + 1
            raise ListFormatError(
                ListProblem.FORBIDDEN_XML, marker.decode()[2:].lower(), f"line {line}"
            )
    events = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for _, element in events:
            if local(element.tag) in tags:
                yield element
                element.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(
            ListProblem.MALFORMED, str(exc.msg).strip() or "XML syntax", f"line {exc.lineno}"
        ) from None


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children of ``element`` with local name ``name``."""
    for child in element:
        if local(child.tag) == name:
            yield child


def descendants(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Descendants of ``element`` (document order) with local name ``name``."""
    for child in element.iter():
        if child is not element and local(child.tag) == name:
            yield child


def text(element: etree._Element, name: str) -> str:
    """Text of the first child named ``name`` (stripped), or ""."""
    for child in children(element, name):
        return (child.text or "").strip()
    return ""


def texts(element: etree._Element, name: str) -> list[str]:
    """Texts of every descendant named ``name`` (stripped, empty ones dropped)."""
    return [value for child in descendants(element, name) if (value := (child.text or "").strip())]
