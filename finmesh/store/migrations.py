"""Versioned schema migrations, one numbered SQL file per step.

Files live in ``finmesh/store/sql/migrations/``: a portable step is ``NNNN_name.sql``
there; a step whose SQL differs per database is ``sqlite/NNNN_name.sql`` and
``postgres/NNNN_name.sql`` (a dialect file replaces the portable one of its number).
Numbers start at 1 and have no gaps. Each store applies the steps its database lacks,
in order, in one transaction, and records the version it reached (SQLite:
``PRAGMA user_version``; PostgreSQL: the ``schema_migrations`` table). A database whose
version is newer than the newest step this finmesh ships is refused: it was written by
a newer finmesh, and guessing at its tables could corrupt it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

from finmesh.domain.errors import FinmeshError

DIALECTS = ("sqlite", "postgres")
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class IncompatibleStore(FinmeshError):
    """The database holds a schema this finmesh cannot use (newer, or not finmesh's)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def packaged(dialect: str, root: Traversable | None = None) -> tuple[Migration, ...]:
    """The steps shipped for ``dialect`` (in ``root``, default the package's), in order;
    checked to be 1..N without gaps."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    if root is None:
        root = resources.files("finmesh.store").joinpath("sql", "migrations")
    found = {**_steps(root), **_steps(root.joinpath(dialect))}
    steps = tuple(found[v] for v in sorted(found))
    for expected, step in enumerate(steps, 1):
        if step.version != expected:
            raise ValueError(f"migration {expected:04d} is missing for {dialect}")
    return steps


def _steps(folder: Traversable) -> dict[int, Migration]:
    steps: dict[int, Migration] = {}
    if not folder.is_dir():
        return steps
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match and entry.is_file():
            version = int(match.group(1))
            steps[version] = Migration(version, match.group(2), entry.read_text("utf-8"))
    return steps


def pending(
    current: int, has_tables: bool, steps: Sequence[Migration], where: str
) -> Sequence[Migration]:
    """The steps to apply to a database at version ``current``; refuses what it cannot
    upgrade. ``has_tables``: the database holds tables other than the version record."""
    known = len(steps)
    if current > known:
        raise IncompatibleStore(
            "schema_too_new",
            f"{where} has schema version {current}, newer than this finmesh knows "
            f"({known}); run a finmesh at least as new as the one that wrote it",
        )
    if current == 0 and has_tables:
        raise IncompatibleStore(
            "schema_unknown",
            f"{where} holds tables but no finmesh schema version; give a new or empty database",
        )
    return steps[current:]
