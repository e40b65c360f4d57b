"""A scratch PostgreSQL database per benchmark run, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER_URL = "postgresql://127.0.0.1:5432/postgres"
"""Where the scratch database is created when no --database is given (env
FINMESH_BENCH_DATABASE overrides)."""


def server_url(given: str | None) -> str:
    return given or os.environ.get("FINMESH_BENCH_DATABASE", DEFAULT_SERVER_URL)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.contextmanager
def scratch_database(given: str | None) -> Iterator[str]:
    """Create ``finmesh_bench_<random>`` on the server of ``given`` and yield its URL."""
    import psycopg
    from psycopg import sql

    base = server_url(given)
    name = f"finmesh_bench_{os.urandom(6).hex()}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(base, name)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
