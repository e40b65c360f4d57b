"""The HTTP application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Response
from starlette.concurrency import run_in_threadpool

from finmesh import __version__, config
from finmesh.api import (
    docs_page,
    errors,
    events,
    health,
    metrics,
    operators,
    participants,
    payments,
)
from finmesh.api.auth import Limits
from finmesh.api.bodies import body_schemas
from finmesh.api.hot_paths import FinmeshApp
from finmesh.api.logs import RequestIds, event
from finmesh.api.peer_bells import PeerBells, supported
from finmesh.console import routes as console
from finmesh.domain.mt.codes import table as fin_table
from finmesh.domain.reasons import table
from finmesh.node.root import Node
from finmesh.store.port import StoreUnavailable

log = logging.getLogger("finmesh.api")
ENFORCE_SECONDS = 0.25
"""How soon after a disconnection's instant its queued messages are returned."""


API_DESCRIPTION = """\
The HTTP API of a finmesh node: participants (banks) submit signed ISO 20022 messages in
batches and receive theirs in OSN order; operators manage measures, licences and holds.

**Every request except `/v1/health`, `/v1/ready`, `/v1/reasons` and `/metrics` is
signed** per HTTP Message Signatures (RFC 9421) by the caller's key (participant or
operator certificate issued by the network CA), with three headers:

```
Content-Digest: sha-256=:<base64 SHA-256 of the body>:          (RFC 9530; empty body too)
Signature-Input: sig1=("@method" "@path" "@query" "content-digest");created=<unix s>
  ;keyid="<BIC11 or operator name>";alg="ecdsa-p256-sha256";nonce="<32 lowercase hex>"
Signature: sig1=:<base64 of the 64-byte ECDSA P-256/SHA-256 signature, r then s>:
```

(Signature-Input is one line on the wire; a nonce is never reused.)
The signature base is RFC 9421's: `"@method": POST`, `"@path": /v1/messages`,
`"@query": ?` (the query with its `?`, or `?` alone), `"content-digest": <the header>`,
`"@signature-params": <the Signature-Input member>`, joined by `\n`. `created` must be
within ±120 s of the node's clock. docs/integrate.md makes one with openssl and curl.

Errors are JSON `{"error": code, "message": text}` (plus `reason` for a rejected message
and `retry_after_s` with HTTP 429). Message verdicts use the reason codes of `/v1/reasons`.
"""


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes: each opens the network named by
    FINMESH_NETWORK (set by `finmesh serve --workers N`) with its own Node."""
    from pathlib import Path

    return create_app(Node(Path(os.environ["FINMESH_NETWORK"])))


def create_app(node: Node, *, sweep_seconds: float | None = None) -> FastAPI:
    interval = config.sweep_seconds() if sweep_seconds is None else sweep_seconds

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        node.bell.bind(loop)
        _tune_gc()
        # SQLite: rings reach this node's other worker processes (PostgreSQL notifies)
        peers = PeerBells(node.config.root, node.bell) if _needs_peers(node) else None
        if peers is not None:
            peers.start(loop)
            node.bell.recheck_seconds = PEER_RECHECK_SECONDS
        tasks = [
            asyncio.create_task(_every(interval, node.delivery.sweep_obsolete, node)),
            asyncio.create_task(_every(ENFORCE_SECONDS, node.compliance.enforce_due, node)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if peers is not None:
                peers.close()

    app = FinmeshApp(
        title="finmesh node",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; finmesh.api.docs_page serves /docs
        redoc_url=None,
        redirect_slashes=False,  # /v1/messages/ is not found, never redirected (no 307)
    )
    errors.install(app)
    docs_page.install(app)
    app.add_middleware(RequestIds, on_done=events.observe_request)
    node.intake.on_screened = events.screened
    health.install(app, node)

    @app.get("/metrics", tags=["public"], include_in_schema=False)
    async def prometheus() -> Response:
        """Prometheus text format: every worker's counters, the database's gauges."""
        body = await run_in_threadpool(metrics.scrape, node)
        return Response(body, media_type=metrics.CONTENT_TYPE)

    @app.get("/v1/reasons", tags=["public"])
    async def reasons() -> list[dict[str, str]]:
        """The network's reason codes: every NAK carries one of these (the FIN codes only
        for messages submitted as FIN)."""
        return [*table(), *fin_table()]

    limits = Limits.from_config()
    app.include_router(participants.router(node, limits, app.hot))
    app.include_router(operators.router(node, limits))
    app.include_router(payments.router(node, limits))
    app.include_router(console.router(node, limits))
    _document_bodies(app)
    return app


def _document_bodies(app: FastAPI) -> None:
    """Add the bodies routes read themselves (see ``bodies.documented``) to the
    document's components; FastAPI's own schema of a same-named model wins."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in body_schemas().items():
                schemas.setdefault(name, schema)
            _document_signature_headers(document)
        return app.openapi_schema or document

    app.openapi = openapi  # type: ignore[method-assign]


SIGNATURE_HEADERS = {
    "Content-Digest": "RFC 9530 digest of the body: sha-256=:<base64 SHA-256>: (empty body too)",
    "Signature-Input": 'RFC 9421: sig1=("@method" "@path" "@query" "content-digest");'
    'created=<unix s>;keyid="<BIC11 or operator name>";alg="ecdsa-p256-sha256";'
    'nonce="<32 lowercase hex>"',
    "Signature": "RFC 9421: sig1=:<base64 of the 64-byte ECDSA P-256/SHA-256 signature>:",
}
"""The headers of a signed request (see the API description and docs/integrate.md)."""


def _document_signature_headers(document: dict[str, Any]) -> None:
    """Every operation except the public ones (tag "public") requires the three headers
    of an RFC 9421 signed request, declared as header parameters of each."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "public" in operation.get("tags", ()):
                continue
            operation.setdefault("parameters", []).extend(
                {"name": header, "in": "header", "required": True,
                 "description": description, "schema": {"type": "string"}}
                for header, description in SIGNATURE_HEADERS.items()
            )  # fmt: skip


PEER_RECHECK_SECONDS = 5.0
"""With rings relayed between workers, a long poll looks again on its own only this
often (a safety net for a lost datagram): at 0.5 s, a thousand idle long polls made
2,000 queries a second."""


def _needs_peers(node: Node) -> bool:
    return node.listening is None and supported()


GC_GEN0_THRESHOLD = 50_000
"""Allocations between young-generation collections (CPython's default is 700)."""


def _tune_gc() -> None:
    """Intake allocates many short-lived objects per message; with the default threshold
    the cyclic collector ran hundreds of times a second and took ~5 % of intake's CPU.
    What exists at startup (schemas, caches, the app) is frozen out of its sight."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)


async def _every(seconds: float, work: Callable[[], int], node: Node) -> None:
    """Run ``work`` every ``seconds``; ring the bell when it changed something."""
    while True:
        await asyncio.sleep(seconds)
        try:
            changed = await run_in_threadpool(work)
        except StoreUnavailable as exc:  # the database is away: try again next time
            events.store_unavailable(f"periodic work skipped: {exc}", "(periodic)")
            continue
        except Exception:  # keep going: one failed pass must not stop the node
            log.exception("periodic work failed", extra={"event": "periodic.failed"})
            continue
        if changed:
            node.bell.ring()
            event("periodic.done", work.__name__, work=work.__name__, count=changed)
