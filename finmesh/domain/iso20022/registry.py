"""The schema registry: which message definitions the network validates, each against
its official XSD, compiled once and kept.

Pure: schemas arrive as bytes from loaders the caller injects (the network's registered
schemas in its store, the official XSDs shipped by installed packages); nothing here
reads a file or a database. ``inspect_schema`` decides whether bytes are an ISO 20022
message schema at all, so an operator cannot register a stand-in for a definition.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

from finmesh.domain.errors import FinmeshError

SCHEMA_BYTES_MAX = 8 * 1024 * 1024
"""Largest XSD accepted (the biggest official message schema is ~600 KB)."""
MISS_SECONDS = 1.0
"""How long an unknown definition stays unknown before the loaders are asked again: a
flood of T03 messages costs one lookup a second, and a schema registered on another
node is in force here within that time."""
MISSES_MAX = 10_000
"""Unknown definitions remembered at once; a sender inventing definitions cannot grow
the cache beyond this (it is emptied and refills)."""
DETAIL_CHARS_MAX = 400

XSD_NS = "http://www.w3.org/2001/XMLSchema"
ISO_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2})")
"""The target namespace of every ISO 20022 message definition, e.g. ...:pacs.008.001.08."""
_ROOT_ELEMENTS = {"head": "AppHdr"}
"""Global element each business area's schemas declare; "Document" for all others."""
_CLARK_NAMESPACE = re.compile(r"\{[^}:]*:[^}]*\}")
"""A namespace in Clark notation ({urn:...}Name); not a regex quantifier such as {8}."""


class SchemaRefused(FinmeshError):
    """Bytes offered as a schema are not an ISO 20022 message schema."""

    code = "schema_refused"


@dataclass(frozen=True)
class SchemaSource:
    """One official XSD: its definition, its bytes and where they came from."""

    definition: str
    """MsgDefIdr, e.g. "pacs.008.001.08"."""
    xsd: bytes
    origin: str
    """"registered" (by the network's operator) or "package:<distribution>"."""
    sha256: str


SchemaLoader = Callable[[str], SchemaSource | None]
"""Finds the schema of one definition, or None."""


def inspect_schema(xsd: bytes, origin: str) -> SchemaSource:
    """Check that ``xsd`` is a self-contained ISO 20022 message schema that compiles;
    raises SchemaRefused saying why not."""
    if len(xsd) > SCHEMA_BYTES_MAX:
        raise SchemaRefused(f"{len(xsd)} bytes; a schema may have at most {SCHEMA_BYTES_MAX}")
    tree = _parse_schema(xsd)
    if tree.tag != f"{{{XSD_NS}}}schema":
        raise SchemaRefused(f"the root element is {tree.tag!r}, not an XML Schema")
    namespace = tree.get("targetNamespace") or ""
    match = ISO_NAMESPACE.fullmatch(namespace)
    if match is None:
        raise SchemaRefused(f"targetNamespace {namespace!r} is not an ISO 20022 message's")
    definition = match.group(1)
    outside = [etree.QName(e).localname for e in tree if _refers_outside(e)]
    if outside:
        raise SchemaRefused(f"{definition}: xs:{outside[0]} is not allowed (self-contained only)")
    root_name = _ROOT_ELEMENTS.get(definition[:4], "Document")
    if tree.find(f"{{{XSD_NS}}}element[@name='{root_name}']") is None:
        raise SchemaRefused(f"{definition}: no global element {root_name!r}")
    try:
        etree.XMLSchema(tree)
    except etree.XMLSchemaParseError as exc:
        raise SchemaRefused(f"{definition}: does not compile: {_one_line(str(exc))}") from None
    return SchemaSource(definition, xsd, origin, hashlib.sha256(xsd).hexdigest())


def _parse_schema(xsd: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(xsd, parser)
    except etree.XMLSyntaxError as exc:
        raise SchemaRefused(f"not well-formed XML: {_one_line(str(exc))}") from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise SchemaRefused("a DOCTYPE is not allowed in a schema")
    return root


def _refers_outside(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).localname in (
        "include",
        "import",
        "redefine",
        "override",
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())[:DETAIL_CHARS_MAX]


class XsdValidator:
    """One definition's official XSD, compiled on first use and shared by every thread.

    ``XMLSchema`` validation releases the GIL and uses a fresh context per call, so
    sharing is safe, except that the schema's ``error_log`` is shared and cleared by
    each call. The verdict comes from the shared schema; the reason for a failure comes
    from a second copy used by one thread at a time, so it is never another thread's.
    """

    def __init__(self, source: SchemaSource) -> None:
        self.source = source
        self._schema: etree.XMLSchema | None = None
        self._explainer: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    @property
    def how(self) -> str:
        return f"xsd:{self.source.origin}"

    def validate(self, element: etree._Element) -> str | None:
        """None when the element conforms, else a one-line reason."""
        if self._compiled().validate(element):
            return None
        with self._lock:
            if self._explainer is None:
                self._explainer = self._compile()
            if self._explainer.validate(element):  # pragma: no cover - verdicts agree
                return "invalid"
            return _first_error(self._explainer.error_log)

    def _compiled(self) -> etree.XMLSchema:
        if self._schema is None:
            with self._lock:
                if self._schema is None:
                    self._schema = self._compile()
        return self._schema

    def _compile(self) -> etree.XMLSchema:
        return etree.XMLSchema(_parse_schema(self.source.xsd))


def _first_error(log: object) -> str:
    # lxml-stubs declares _ErrorLog without members; at run time it is iterable.
    for entry in cast(Iterable[Any], log):
        # Namespaces are implied by the definition and would drown the element names.
        message = " ".join(_CLARK_NAMESPACE.sub("", str(entry.message)).split())
        return f"line {entry.line}: {message[:DETAIL_CHARS_MAX]}"
    return "invalid"  # pragma: no cover - libxml2 always logs why


class SchemaRegistry:
    """Definition -> validator, asking ``loaders`` in order (first found wins) the first
    time a definition is met. Found schemas are kept for the process's life (a
    definition's official XSD does not change); misses are asked again after
    ``miss_seconds``."""

    def __init__(
        self,
        loaders: Sequence[SchemaLoader],
        *,
        miss_seconds: float = MISS_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loaders = tuple(loaders)
        self._miss_seconds = miss_seconds
        self._monotonic = monotonic
        self._found: dict[str, XsdValidator] = {}
        self._missed: dict[str, float] = {}
        self._lock = threading.Lock()

    def validator_for(self, definition: str) -> XsdValidator | None:
        found = self._found.get(definition)
        if found is not None:
            return found
        with self._lock:
            found = self._found.get(definition)
            if found is not None:
                return found
            missed_at = self._missed.get(definition)
            if missed_at is not None and self._monotonic() - missed_at < self._miss_seconds:
                return None
            source = self._load(definition)
            if source is None:
                if len(self._missed) >= MISSES_MAX:
                    self._missed.clear()
                self._missed[definition] = self._monotonic()
                return None
            self._missed.pop(definition, None)
            validator = self._found[definition] = XsdValidator(source)
            return validator

    def forget_misses(self) -> None:
        """Ask the loaders again for every unknown definition (after a registration)."""
        with self._lock:
            self._missed.clear()

    def _load(self, definition: str) -> SchemaSource | None:
        for loader in self._loaders:
            source = loader(definition)
            if source is not None and source.definition == definition:
                return source
        return None


def fixed_loader(sources: Iterable[SchemaSource]) -> SchemaLoader:
    """A loader over schemas already in memory (tests, tools)."""
    by_definition = {s.definition: s for s in sources}
    return by_definition.get
