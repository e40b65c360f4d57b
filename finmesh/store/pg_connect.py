"""Connections to PostgreSQL, and what a failure to reach it becomes (StoreUnavailable):
shared by the store and its change listener."""

from __future__ import annotations

import os
from typing import Any

import psycopg

from finmesh.store.port import StoreUnavailable

CONNECT_TIMEOUT_SECONDS = 5
Conn = psycopg.Connection[Any]


def connect(url: str, autocommit: bool = True) -> Conn:
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=f"finmesh {os.getpid()}",
        )
    except psycopg.Error as exc:
        raise unavailable(exc) from exc


def unavailable(exc: psycopg.Error) -> StoreUnavailable:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreUnavailable(f"the database is unreachable ({first_line}); retry later")
