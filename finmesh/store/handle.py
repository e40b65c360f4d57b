"""The tiny database interface the shared store code is written against.

A ``sqlite3.Connection`` is one as it is; the PostgreSQL store wraps its psycopg
connection in one (finmesh.store.postgres.PgHandle). Queries use ``?`` placeholders.
Store mixins (policy, trust, sanctions tables) use only this: ``self._conn()`` for a
single read, ``with self._read() as db`` for several reads that must agree, and
``with self._write() as db`` for a write transaction (serialised with every other
writer of the database, on every node).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Rows(Protocol):
    """What ``execute`` returns: a cursor over the result."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Handle(Protocol):
    """A connection, or a connection inside a transaction."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Rows: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
