"""SQL as named data: load "-- name: X" blocks from a .sql file once."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(filename: str) -> dict[str, str]:
    """Return the named queries of ``sql/<filename>``."""
    text = resources.files("finmesh.store").joinpath("sql", filename).read_text("utf-8")
    named: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("-- name:"):
            if name:
                named[name] = "\n".join(lines).strip()
            name, lines = line.removeprefix("-- name:").strip(), []
        elif name and not line.startswith("--"):
            lines.append(line)
    if name:
        named[name] = "\n".join(lines).strip()
    return named


def in_list(sql: str, count: int) -> str:
    """``sql`` with its one ``IN (?)`` widened to ``count`` placeholders (a lookup of many
    keys in one statement; callers bound ``count`` by chunking)."""
    return sql.replace("IN (?)", f"IN ({', '.join('?' * count)})", 1)


def schema(filename: str) -> str:
    """Return a whole schema file."""
    return resources.files("finmesh.store").joinpath("sql", filename).read_text("utf-8")


def for_dialect(filename: str, dialect: str) -> dict[str, str]:
    """The named queries of ``sql/<filename>``, with those of ``sql/<stem>_<dialect>.sql``
    (if that file exists) replacing the ones of the same name."""
    stem = filename.removesuffix(".sql")
    override = f"{stem}_{dialect}.sql"
    if not resources.files("finmesh.store").joinpath("sql", override).is_file():
        return load(filename)
    return {**load(filename), **load(override)}
