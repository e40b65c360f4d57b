"""Where the network's official schemas come from, and the operator's registry of them.

A definition is validated against, first found wins:
1. the XSD the network's operator registered (``finmesh schemas add``; kept in the
   store, so every node of a network validates alike);
2. the official XSD shipped by an installed package: ``openpurse`` (a dependency:
   head.001.001.02, pacs.008.001.13, camt.052/053/054.001.13, pain.001.001.12), and,
   when installed (the ``schemas`` extra), ``pacs008`` (pacs.008.001.01-.13) and
   ``camt053`` (camt.052/053/054.001.01-.14) and ``camt-exceptions`` (camt.056.001.12,
   camt.029.001.14: the recall flow). Only files checked to be the official
   ones are listed: some of these packages also ship hand-written stand-ins for other
   definitions, which are never used.
Any other definition is NAKed T03, named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from finmesh.domain.iso20022.model import HEADER_DEF
from finmesh.domain.iso20022.registry import (
    SchemaLoader,
    SchemaRegistry,
    SchemaSource,
    inspect_schema,
)
from finmesh.node.clock import Clock
from finmesh.store.port import RegisteredSchema, SchemaConflict, Store

_CAMT_STATEMENTS = ("camt.052", "camt.053", "camt.054")

PACKAGED: dict[str, tuple[str, str]] = {
    HEADER_DEF: ("openpurse", "openpurse/schemas/head.001.001.02.xsd"),
    "pacs.008.001.13": ("openpurse", "openpurse/schemas/pacs.008.001.13.xsd"),
    "pain.001.001.12": ("openpurse", "openpurse/schemas/pain.001.001.12.xsd"),
    **{f"{c}.001.13": ("openpurse", f"openpurse/schemas/{c}.001.13.xsd") for c in _CAMT_STATEMENTS},
    **{
        f"pacs.008.001.{v:02d}": ("pacs008", f"pacs008/templates/{d}/{d}.xsd")
        for v in range(1, 13)
        for d in [f"pacs.008.001.{v:02d}"]
    },
    **{
        f"{c}.001.{v:02d}": ("camt053", f"camt053/xsd/{c}.001.{v:02d}.xsd")
        for c in _CAMT_STATEMENTS
        for v in (*range(1, 13), 14)  # .13: openpurse's copy
    },
    # Standards Editor output (its generator comment, ISO namespace and content model)
    **{
        d: ("camt-exceptions", f"camt_exceptions/templates/{d}/{d}.xsd")
        for d in ("camt.056.001.12", "camt.029.001.14")
    },
}
"""Definition -> (distribution, file inside it) of official XSDs shipped by packages."""


def packaged_path(definition: str) -> Path | None:
    """The installed file of a packaged official XSD, if its package is installed.
    Located through package metadata: the packages are never imported."""
    where = PACKAGED.get(definition)
    if where is None:
        return None
    distribution, relative = where
    try:
        located = metadata.distribution(distribution).locate_file(relative)
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(located))
    return path if path.is_file() else None


def packaged_loader(definition: str) -> SchemaSource | None:
    path = packaged_path(definition)
    if path is None:
        return None
    return inspect_schema(path.read_bytes(), f"package:{PACKAGED[definition][0]}")


def store_loader(store: Store) -> SchemaLoader:
    def load(definition: str) -> SchemaSource | None:
        found = store.schema_xsd(definition)
        if found is None:
            return None
        sha256, xsd = found
        return SchemaSource(definition, xsd, "registered", sha256)

    return load


def packaged_registry() -> SchemaRegistry:
    """The official schemas the installed packages ship, and nothing else (tools that
    work without a network: benchmarks' bound, translators)."""
    return SchemaRegistry([packaged_loader])


@dataclass(frozen=True)
class Added:
    definition: str
    file: str
    sha256: str
    added: bool
    """False: this very schema was registered already (nothing changed)."""


class Schemas:
    """The operator's schema registry over one store, and the registry intake uses."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.registry = SchemaRegistry([store_loader(store), packaged_loader])

    def add(self, files: Sequence[tuple[str, bytes]], actor: str) -> list[Added]:
        """Register every file, or none: each is checked first (an ISO 20022 message
        schema that compiles), then each is stored with its audit entry."""
        checked = [(name, inspect_schema(xsd, "registered")) for name, xsd in files]
        seen: dict[str, str] = {}
        for name, source in checked:
            if seen.setdefault(source.definition, source.sha256) != source.sha256:
                raise SchemaConflict(f"{name}: two different files for {source.definition}")
        added = [
            Added(
                source.definition,
                name,
                source.sha256,
                self.store.schema_add(
                    source.definition, source.sha256, source.xsd, actor, self.clock()
                ),
            )
            for name, source in checked
        ]
        self.registry.forget_misses()
        return added

    def list(self) -> list[dict[str, Any]]:
        """Every definition the network validates, with where its schema comes from."""
        registered = {r.definition: r for r in self.store.schemas()}
        rows = [_registered_row(r) for r in registered.values()]
        rows += [
            _packaged_row(d, path)
            for d in PACKAGED
            if d not in registered and (path := packaged_path(d)) is not None
        ]
        return sorted(rows, key=lambda row: str(row["definition"]))


def _registered_row(r: RegisteredSchema) -> dict[str, Any]:
    row = asdict(r)
    row["origin"] = "registered"
    return row


def _packaged_row(definition: str, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "definition": definition,
        "sha256": hashlib.sha256(data).hexdigest(),
        "xsd_bytes": len(data),
        "origin": f"package:{PACKAGED[definition][0]}",
    }
