"""The HTTP application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from finmesh import __version__, config
from finmesh.api import errors, operators, participants
from finmesh.api.auth import Limits
from finmesh.domain.reasons import table
from finmesh.node import Node

log = logging.getLogger("finmesh.api")
ENFORCE_SECONDS = 0.25
"""How soon after a disconnection's instant its queued messages are returned."""


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes: each opens the network named by
    FINMESH_NETWORK (set by `finmesh serve --workers N`) with its own Node."""
    from pathlib import Path

    return create_app(Node(Path(os.environ["FINMESH_NETWORK"])))


def create_app(node: Node, *, sweep_seconds: float | None = None) -> FastAPI:
    interval = config.sweep_seconds() if sweep_seconds is None else sweep_seconds

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node.bell.bind(asyncio.get_running_loop())
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

    app = FastAPI(
        title="finmesh node",
        version=__version__,
        description=(
            "Participant API of a finmesh node. Every /v1 request except /v1/health and "
            "/v1/reasons is signed with the participant's key (headers Finmesh-Subject, "
            "Finmesh-Timestamp, Finmesh-Nonce, Finmesh-Signature; see finmesh.pki)."
        ),
        lifespan=lifespan,
    )
    errors.install(app)

    @app.get("/v1/health", tags=["public"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "network": node.config.name, "version": __version__}

    @app.get("/v1/reasons", tags=["public"])
    async def reasons() -> list[dict[str, str]]:
        """The network's reason codes: every NAK carries one of these."""
        return table()

    limits = Limits.from_config()
    app.include_router(participants.router(node, limits))
    app.include_router(operators.router(node, limits))
    return app


async def _every(seconds: float, work: Callable[[], int], node: Node) -> None:
    """Run ``work`` every ``seconds``; ring the bell when it changed something."""
    while True:
        await asyncio.sleep(seconds)
        try:
            changed = await run_in_threadpool(work)
        except Exception:  # keep going: one failed pass must not stop the node
            log.exception("periodic work failed", extra={"action": "periodic_failed"})
            continue
        if changed:
            node.bell.ring()
            log.info("periodic work", extra={"action": work.__name__, "count": changed})
