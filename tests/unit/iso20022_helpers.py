"""Shared helpers for the finmesh.domain.iso20022 tests (test_iso20022_*.py): the
parties, kinds and namespaces of the example messages, and small XML edits."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

SENDER = "DEUTDEFFXXX"
RECEIVER = "BNPAFRPP"
KINDS = ("pacs.008", "pacs.009", "pacs.002")
DEFINITION = {
    "pacs.008": "pacs.008.001.13",
    "pacs.009": "pacs.009.001.08",
    "pacs.002": "pacs.002.001.10",
}
HEAD = "{urn:iso:std:iso:20022:tech:xsd:head.001.001.02}"


def ns(kind: str) -> str:
    return f"{{urn:iso:std:iso:20022:tech:xsd:{DEFINITION[kind]}}}"


def edit(payload: bytes, change: Callable[[etree._Element], object]) -> bytes:
    """Apply a change to the parsed envelope and serialise it again."""
    root = etree.fromstring(payload)
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def find(root: etree._Element, kind: str, path: str) -> etree._Element:
    """The first element at a slash path of local names in the kind's namespace."""
    steps = "/".join(ns(kind) + step for step in path.split("/"))
    found = root.find(f".//{steps}")
    assert found is not None, path
    return found


def header(root: etree._Element, name: str) -> etree._Element:
    found = root.find(f"{HEAD}AppHdr/{HEAD}{name}")
    assert found is not None, name
    return found


def remove(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)


def set_text(kind: str, path: str, text: str) -> Callable[[etree._Element], object]:
    """A change setting the text of the element at `path`."""
    return lambda root: setattr(find(root, kind, path), "text", text)


def drop(kind: str, path: str) -> Callable[[etree._Element], object]:
    """A change removing the element at `path`."""
    return lambda root: remove(find(root, kind, path))
