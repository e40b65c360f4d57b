"""Payment tracking API: a payment's history by UETR, for the institutions in its chain
and the network's operators, and the time-to-credit statistics (operators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from finmesh.api import models
from finmesh.api.auth import Caller, Limits, authenticate
from finmesh.identity.request_auth import claimed_subject
from finmesh.node.compliance import Forbidden
from finmesh.node.root import Node

Days = Annotated[float, Query(gt=0, le=366)]


def router(node: Node, limits: Limits) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["tracking"])

    async def caller_of(request: Request) -> tuple[Caller, bool]:
        """Authenticated as a participant when the subject is one, else as an operator."""
        subject = claimed_subject(request.headers)
        participant = node.store.participant_cert(subject) is not None
        kind = "participant" if participant else "operator"
        return await authenticate(request, node, limits, kind=kind), participant

    @api.get("/payments/statistics", response_model=models.CreditStatisticsModel)
    async def statistics(request: Request, days: Days = 30) -> dict[str, Any]:
        """Time to credit over the network's payments of the last ``days`` days
        (operators): first payment message to the first ACCC status report."""
        _, participant = await caller_of(request)
        if participant:
            raise Forbidden("the network's payment statistics are for operators")
        return await run_in_threadpool(node.tracking.statistics, days)

    @api.get("/payments/{uetr}", response_model=models.PaymentHistory, response_model_by_alias=True)
    async def payment(request: Request, uetr: str) -> dict[str, Any]:
        """The history of the payment ``uetr`` names: every message carrying it, with
        who sent it to whom, when, its status and reason. Only institutions in its
        chain and operators see it; to anyone else it is not found."""
        caller, participant = await caller_of(request)
        viewer = caller.subject if participant else None
        return await run_in_threadpool(node.tracking.history, uetr, viewer)

    return api
