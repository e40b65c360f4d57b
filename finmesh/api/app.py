"""The HTTP application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from finmesh import __version__, config
from finmesh.api import errors, participants
from finmesh.domain.reasons import table
from finmesh.node import Node

log = logging.getLogger("finmesh.api")


def create_app(node: Node, *, sweep_seconds: float | None = None) -> FastAPI:
    interval = config.sweep_seconds() if sweep_seconds is None else sweep_seconds

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node.bell.bind(asyncio.get_running_loop())
        sweeper = asyncio.create_task(_sweep(node, interval))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

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

    app.include_router(participants.router(node))
    return app


async def _sweep(node: Node, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            warned = await run_in_threadpool(node.delivery.sweep_obsolete)
        except Exception:  # keep sweeping: one failed pass must not stop the node
            log.exception("obsolescence sweep failed", extra={"action": "sweep_failed"})
            continue
        if warned:
            log.info("non-delivery warnings issued", extra={"action": "sweep", "count": warned})
