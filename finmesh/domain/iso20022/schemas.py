"""Which message definitions the network accepts, and how each one is validated.

Official XSDs come from installed distributions, located through their metadata rather
than imported (``pacs008`` and ``openpurse`` pull in heavy dependencies on import). For
the CBPR+ versions of pacs.009 and pacs.002 no installed distribution ships the official
XSD, so those are checked structurally against pyiso20022's generated classes. Some
distributions also ship small hand-written XSDs for other messages; those are never used.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, cast

from lxml import etree

from finmesh.domain.iso20022.model import HEADER_DEF
from finmesh.domain.iso20022.structural import StructuralValidator, pyiso20022_module


class Validator(Protocol):
    """Checks one element against one message definition."""

    @property
    def how(self) -> str:
        """How it validates: "xsd:<distribution>/<file>" or "structural:pyiso20022"."""
        ...

    def validate(self, element: etree._Element) -> str | None:
        """None when the element conforms, else a one-line reason."""
        ...


def _pacs008_path(version: int) -> str:
    name = f"pacs.008.001.{version:02d}"
    return f"pacs008/templates/{name}/{name}.xsd"


_XSD_SOURCES: dict[str, tuple[str, str]] = {
    HEADER_DEF: ("openpurse", "openpurse/schemas/head.001.001.02.xsd"),
    # Both openpurse and pacs008 ship the official pacs.008.001.13 (same content).
    "pacs.008.001.13": ("openpurse", "openpurse/schemas/pacs.008.001.13.xsd"),
    **{f"pacs.008.001.{v:02d}": ("pacs008", _pacs008_path(v)) for v in range(1, 13)},
}
"""Official XSDs, each produced by SWIFTStandards Workstation or the ISO Standards Editor."""

_STRUCTURAL_ONLY = ("pacs.009.001.08", "pacs.002.001.10")
"""CBPR+ versions for which no installed distribution ships the official XSD."""


_CLARK_NAMESPACE = re.compile(r"\{[^}]*\}")
_DETAIL_MAX = 400


class XsdValidator:
    """An official XSD, compiled on first use and then shared by every thread.

    ``XMLSchema`` validation releases the GIL and uses a fresh context per call, so
    sharing is safe, except that the schema's ``error_log`` is shared and cleared by
    each call. The verdict comes from the shared schema; the reason for a failure comes
    from a second copy used by one thread at a time, so it is never another thread's.
    """

    def __init__(self, distribution: str, relative_path: str, path: Path) -> None:
        self.how = f"xsd:{distribution}/{Path(relative_path).name}"
        self._path = path
        self._schema: etree.XMLSchema | None = None
        self._explainer: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    def validate(self, element: etree._Element) -> str | None:
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
        # The XSDs are trusted files, but keep the same no-network, no-DTD discipline.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return etree.XMLSchema(etree.parse(str(self._path), parser))


def _first_error(log: object) -> str:
    # lxml-stubs 0.5 declares _ErrorLog without members; at run time it is iterable.
    for entry in cast(Iterable[Any], log):
        # Namespaces are implied by the definition and would drown the element names.
        message = " ".join(_CLARK_NAMESPACE.sub("", str(entry.message)).split())
        return f"line {entry.line}: {message[:_DETAIL_MAX]}"
    return "invalid"  # pragma: no cover - libxml2 always logs why


class _Registry:
    """Discovered once; the lock keeps two threads racing on the first message from each
    building (and then compiling) their own validators."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, Validator] | None = None

    def __call__(self) -> dict[str, Validator]:
        if self._found is None:
            with self._lock:
                if self._found is None:
                    self._found = _discover()
        return self._found


_registry = _Registry()


def _discover() -> dict[str, Validator]:
    found: dict[str, Validator] = {}
    for msg_def, (distribution, relative) in _XSD_SOURCES.items():
        path = _locate(distribution, relative)
        if path is not None:
            found[msg_def] = XsdValidator(distribution, relative, path)
        elif _has_module(pyiso20022_module(msg_def)):
            found[msg_def] = StructuralValidator(msg_def)
    for msg_def in _STRUCTURAL_ONLY:
        if _has_module(pyiso20022_module(msg_def)):
            found[msg_def] = StructuralValidator(msg_def)
    return found


def validator_for(msg_def_id: str) -> Validator | None:
    """The validator of a supported definition, or None if the network does not take it."""
    return _registry().get(msg_def_id)


def supported_definitions() -> dict[str, str]:
    """Every supported MsgDefIdr (header included) and how it is validated."""
    return {msg_def: validator.how for msg_def, validator in sorted(_registry().items())}


def _locate(distribution: str, relative: str) -> Path | None:
    try:
        located = metadata.distribution(distribution).locate_file(relative)
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(located))
    return path if path.is_file() else None


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
