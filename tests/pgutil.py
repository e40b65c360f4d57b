"""PostgreSQL for the tests: a fresh database per test (cloned from a template), dropped
afterwards. FINMESH_TEST_PG names the admin connection (default
postgresql://127.0.0.1/postgres). Without a reachable server the PostgreSQL tests are
skipped, unless FINMESH_REQUIRE_PG=1 (set by .ci/run), which makes them fail."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get("FINMESH_TEST_PG", "postgresql://127.0.0.1/postgres")
CONNECT_SECONDS = 3
_names = itertools.count()


def admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=CONNECT_SECONDS)


def require_pg() -> None:
    """Skip (or, under FINMESH_REQUIRE_PG=1, fail) when no PostgreSQL server answers."""
    try:
        admin().close()
    except psycopg.Error as exc:
        message = f"PostgreSQL at {ADMIN_URL} is not reachable: {exc}"
        if os.environ.get("FINMESH_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)


def url_for(name: str) -> str:
    """The URL of database ``name`` on the admin connection's server."""
    return urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()


def unique_name(prefix: str) -> str:
    return f"fmtest_{prefix}_{os.getpid()}_{next(_names)}_{uuid.uuid4().hex[:6]}"


def create_database(prefix: str, template: str | None = None) -> str:
    """A new empty database (or a copy of ``template``); returns its name."""
    name = unique_name(prefix)
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with admin() as conn:
        conn.execute(statement)
    return name


def drop_database(name: str) -> None:
    with admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def execute(name: str, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement in database ``name``; the rows it returns."""
    with psycopg.connect(url_for(name), autocommit=True) as conn:
        cur = conn.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def clone_network(template_root: Path, template_db: str, target: Path) -> str:
    """Copy a PostgreSQL network: its folder, and its database as a new one named in
    the copy's network.json. Returns the new database's name."""
    name = create_database("net", template=template_db)
    shutil.copytree(template_root, target)
    config = target / "network.json"
    data = json.loads(config.read_text())
    data["database"] = url_for(name)
    config.write_text(json.dumps(data))
    return name
