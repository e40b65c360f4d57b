"""The arrows of docs/architecture.md, read from the source with ast: which part of the
package may import which, and which libraries each part may not touch. A new import
that crosses a forbidden arrow fails here, naming the file and line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "finmesh"

ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "config": {"domain"},
    "identity": {"domain"},
    "sanctions": {"domain"},
    "store": {"domain", "config"},
    "client": {"domain", "identity"},
    "node": {"domain", "identity", "store", "sanctions", "config"},
    "network": {"domain", "identity", "store", "config", "node"},
    "api": {"domain", "identity", "node", "store", "sanctions", "config", "console"},
    "cli": {"domain", "identity", "node", "store", "sanctions", "config", "api", "client",
            "network"},
    "console": {"domain", "identity", "node", "store", "config", "api", "sanctions"},
    "__main__": {"cli"},
}  # fmt: skip
"""Part -> the parts it may import (besides itself). Anything unlisted is forbidden."""

IO_LIBRARIES = {
    "sqlite3", "psycopg", "httpx", "fastapi", "starlette", "uvicorn", "socket", "subprocess",
    "os", "click", "rich", "urllib", "asyncio", "shutil", "tempfile", "signal", "pathlib",
    "importlib", "io.open",
}  # fmt: skip
SERVER_LIBRARIES = {"fastapi", "starlette", "uvicorn", "psycopg", "sqlite3"}
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "domain": IO_LIBRARIES | {"benchmarks"},
    "client": SERVER_LIBRARIES | {"benchmarks"},
    "identity": SERVER_LIBRARIES | {"httpx", "benchmarks"},
    "store": {"fastapi", "starlette", "uvicorn", "httpx", "benchmarks"},
    "node": {"fastapi", "starlette", "uvicorn", "click", "benchmarks"},
    "sanctions": {"benchmarks"},
    "api": {"click", "benchmarks"},
    "network": {"benchmarks"},
}
"""Libraries a part must not import: the domain does no I/O, the SDK and identity run
in a bank's gateway without any server code, services know no HTTP framework, and the
runtime never needs the benchmark code (only `finmesh bench`, in cli/, loads it)."""

STORE_MAY_CALL = {"next_entry", "all_pairs"}
"""Domain functions the store may call: linking the audit chain (its own integrity) and
expanding 'every pair' into authorization values. Everything else it imports from the
domain must be a type (a capitalised name): the store keeps state, it never decides."""


@dataclass(frozen=True)
class Import:
    file: Path
    line: int
    module: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.file.relative_to(PACKAGE.parent)}:{self.line} imports {self.module}"


def part_of(file: Path) -> str:
    relative = file.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports(file: Path) -> Iterator[Import]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(file, node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield Import(file, node.lineno, node.module, tuple(a.name for a in node.names))


def all_imports() -> Iterator[tuple[str, Import]]:
    for file in sorted(PACKAGE.rglob("*.py")):
        for found in imports(file):
            yield part_of(file), found


def internal_target(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "finmesh" and len(parts) > 1 else None


def test_every_part_is_in_the_map() -> None:
    parts = {part_of(f) for f in PACKAGE.rglob("*.py")} - {"__init__"}
    assert parts <= set(ALLOWED), f"parts missing from the map: {parts - set(ALLOWED)}"


def test_parts_import_only_along_allowed_arrows() -> None:
    crossing = [
        f"{found} ({part} -> {target})"
        for part, found in all_imports()
        if (target := internal_target(found.module)) not in (None, part)
        and target not in ALLOWED.get(part, set())
    ]
    assert not crossing, "\n".join(crossing)


def test_parts_avoid_the_libraries_they_must_not_touch() -> None:
    offending = [
        str(found)
        for part, found in all_imports()
        if found.module.split(".")[0] in FORBIDDEN_LIBRARIES.get(part, set())
    ]
    assert not offending, "\n".join(offending)


def test_the_store_imports_types_from_the_domain_not_decisions() -> None:
    decisions = [
        f"{found}: {name}"
        for part, found in all_imports()
        if part == "store" and found.module.startswith("finmesh.domain")
        for name in found.names
        if name[:1].islower() and name not in STORE_MAY_CALL and name != "rma"
    ]
    assert not decisions, "\n".join(decisions)


@pytest.mark.parametrize(
    ("source", "part", "ok"),
    [
        ("from finmesh.store.port import Store", "domain", False),
        ("import httpx", "domain", False),
        ("from finmesh.node.root import Node", "client", False),
        ("import fastapi", "client", False),
        ("from finmesh.domain.bic import Bic", "client", True),
        ("from finmesh.api.app import create_app", "node", False),
    ],
)
def test_the_checks_catch_a_forbidden_arrow(
    tmp_path: Path, source: str, part: str, ok: bool
) -> None:
    # the checks themselves can fail: a planted import is judged like a real one
    planted = tmp_path / "planted.py"
    planted.write_text(source + "\n")
    [found] = list(imports(planted))
    target = internal_target(found.module)
    arrow_ok = target is None or target in ALLOWED[part]
    library_ok = found.module.split(".")[0] not in FORBIDDEN_LIBRARIES.get(part, set())
    assert (arrow_ok and library_ok) is ok
