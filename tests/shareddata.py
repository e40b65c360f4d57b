"""Data written by others, for tests and evaluation only (the product never needs it):
official ISO 20022 schemas, published ISO 20022 and FIN messages, published sanctions
lists. Found at FINMESH_SHARED, else beside the checkout (``<repo>/../shared``), else
/work/shared; a test that needs it and cannot find it is skipped, saying so (under
FINMESH_REQUIRE_SHARED=1 it fails instead)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from finmesh.domain.iso20022 import SchemaRegistry, SchemaSource, inspect_schema
from finmesh.node.schemas import packaged_loader

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = (os.environ.get("FINMESH_SHARED", ""), str(REPO.parent / "shared"), "/work/shared")


@cache
def shared_root() -> Path | None:
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "iso20022" / "xsd").is_dir():
            return Path(candidate)
    return None


def shared(*parts: str) -> Path:
    """A path inside the shared data; skips (or fails) the test when it is absent."""
    root = shared_root()
    if root is None or not root.joinpath(*parts).exists():
        message = f"the shared test data ({'/'.join(parts)}) is not on this machine"
        if os.environ.get("FINMESH_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return root.joinpath(*parts)


@cache
def official_schemas() -> tuple[SchemaSource, ...]:
    """The official XSDs of the shared folder, checked as `finmesh schemas add` checks."""
    folder = shared("iso20022", "xsd")
    return tuple(
        inspect_schema(path.read_bytes(), "registered") for path in sorted(folder.glob("*.xsd"))
    )


def schema_files() -> list[Path]:
    return sorted(shared("iso20022", "xsd").glob("*.xsd"))


def shared_loader(definition: str) -> SchemaSource | None:
    """The shared folder's official XSD of ``definition``; skips the calling test when
    the shared data is absent (only definitions no package ships ever get here)."""
    path = shared("iso20022", "xsd") / f"{definition}.xsd"
    return inspect_schema(path.read_bytes(), "registered") if path.is_file() else None


SCHEMAS = SchemaRegistry([packaged_loader, shared_loader])
"""What a network whose operator registered every shared XSD validates against."""
