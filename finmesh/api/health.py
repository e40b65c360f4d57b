"""Health for load balancers and supervisors: ``/v1/health`` (the process answers) and
``/v1/ready`` (it can do its work: the database is reachable and takes a write, its
schema is the one this finmesh ships, the network CA is loaded and valid).

Point a load balancer's health check at ``/v1/ready``: 200 when ready, 503 in the API's
error shape (``not_ready``, with ``Retry-After`` and which check failed) when not, so a
node whose disk filled or whose database went away is taken out of rotation and put
back by itself. ``/v1/health`` stays 200 as long as the process serves HTTP (a liveness
probe: restart the node only when that fails). Neither needs a signature.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from finmesh import __version__
from finmesh.domain.errors import FinmeshError
from finmesh.node.root import Node
from finmesh.store import migrations

READY_RETRY_AFTER_S = 5
READY_NONCE_SUBJECT = "finmesh:ready"
"""The nonce a readiness probe writes (expired at once: purged by the next write)."""


def install(app: FastAPI, node: Node) -> None:
    @app.get("/v1/health", tags=["public"])
    async def health() -> dict[str, str]:
        """Alive: the process answers HTTP. Does not look at the database."""
        return {"status": "ok", "network": node.config.name, "version": __version__}

    @app.get("/v1/ready", tags=["public"], responses={503: {"description": "not ready"}})
    async def ready() -> JSONResponse:
        """Ready for traffic: database reachable and writable, schema current, CA loaded."""
        checks = await run_in_threadpool(readiness, node)
        failed = {name: text for name, text in checks.items() if text != "ok"}
        if not failed:
            return JSONResponse({"status": "ready", "checks": checks})
        body: dict[str, Any] = {
            "error": "not_ready",
            "message": "; ".join(f"{name}: {text}" for name, text in failed.items()),
            "checks": checks,
            "retry_after_s": READY_RETRY_AFTER_S,
        }
        return JSONResponse(
            body, status_code=503, headers={"Retry-After": str(READY_RETRY_AFTER_S)}
        )


def readiness(node: Node) -> dict[str, str]:
    """Each check's result: ``ok`` or why not."""
    return {
        "database": _check(lambda: _writable(node)),
        "schema": _check(lambda: _schema_current(node)),
        "ca": _check(lambda: _ca_valid(node)),
    }


def _check(probe: Any) -> str:
    try:
        probe()
    except (FinmeshError, OSError, ValueError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return "ok"


def _writable(node: Node) -> None:
    now = time.time_ns() // 1_000_000
    node.store.remember_nonce(READY_NONCE_SUBJECT, uuid.uuid4().hex, now - 1, now)


def _schema_current(node: Node) -> None:
    shipped = len(migrations.packaged(node.store.dialect))
    found = node.store.schema_version()
    if found != shipped:
        raise ValueError(f"database schema {found}, this finmesh ships {shipped}")


def _ca_valid(node: Node) -> None:
    cert = x509.load_pem_x509_certificate(node.ca_cert_pem)
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        until = cert.not_valid_after_utc
        raise ValueError(f"the network CA certificate is not valid now (valid until {until})")
