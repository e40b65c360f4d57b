"""Operator API for sanctions screening: lists, screening a name, good-guy exceptions.

    POST /v1/ops/lists/{name}?format=F[&label=L]  the list file as the raw body (up to
                                                  LIST_REQUEST_BYTES_MAX); 422 list_format
                                                  with the code and line/element at fault
    GET  /v1/ops/lists                            every version, which are in force
    POST /v1/ops/screen                           {"name", "country"?, "bic"?}
    POST /v1/ops/goodguys                         propose an exception
    POST /v1/ops/goodguys/{id}/approve|withdraw   second officer / any officer
    GET  /v1/ops/goodguys

Signed like every operator request; roles are checked in finmesh.node.screening.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from finmesh.api.auth import Caller, Limits, authenticate
from finmesh.api.bodies import documented, parse_body
from finmesh.api.logs import event
from finmesh.api.models import GoodGuyProposal, ScreenRequest
from finmesh.domain import limits
from finmesh.node.root import Node
from finmesh.node.screening import good_guy_json, list_json
from finmesh.sanctions import FORMATS

ListFormat = Annotated[str, Query(pattern="^(" + "|".join(FORMATS) + ")$",
                                  description="one of: " + ", ".join(FORMATS))]
Label = Annotated[str | None, Query(max_length=200)]
RAW_LIST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string",
                                                             "format": "binary"}}},
    }
}


def add_routes(
    api: APIRouter, node: Node, rates: Limits, caller: Callable[[Request], Awaitable[Caller]]
) -> None:
    """Add the screening routes to the operator router ``api``."""
    service = node.screening

    @api.post("/lists/{list_name}", openapi_extra=RAW_LIST_BODY)
    async def load_list(
        request: Request, list_name: str, format: ListFormat, label: Label = None
    ) -> dict[str, Any]:
        """Load a new version of a sanctions list (role compliance). The file is parsed
        whole first: a malformed one changes nothing and the version in force stays."""
        who = await authenticate(
            request, node, rates, kind="operator", body_limit=limits.LIST_REQUEST_BYTES_MAX
        )
        loaded = await run_in_threadpool(
            service.load_list, who.subject, who.roles, list_name, format, who.body, label
        )
        event(
            "list.loaded",
            f"{loaded.list_name} v{loaded.number}: {loaded.entry_count} entries",
            officer=who.subject,
            list=loaded.list_name,
            version=loaded.number,
            entries=loaded.entry_count,
            digest=loaded.digest,
        )
        return list_json(loaded, True)

    @api.get("/lists")
    async def lists(request: Request) -> dict[str, Any]:
        """Every loaded list version (any operator role); the newest of each is in force."""
        who = await caller(request)
        return await run_in_threadpool(service.lists, who.roles)

    @api.post("/screen", openapi_extra=documented(ScreenRequest))
    async def screen(request: Request) -> dict[str, Any]:
        """Screen a name as intake would: decision, hits with score and why, versions."""
        who = await caller(request)
        p = parse_body(ScreenRequest, who.body)
        return await run_in_threadpool(service.screen_name, who.roles, p.name, p.country, p.bic)

    @api.post("/goodguys", openapi_extra=documented(GoodGuyProposal))
    async def propose_good_guy(request: Request) -> dict[str, Any]:
        """Propose a good-guy exception (role compliance; another officer approves)."""
        who = await caller(request)
        p = parse_body(GoodGuyProposal, who.body)
        record = await run_in_threadpool(
            lambda: service.propose_good_guy(
                who.subject, who.roles, list_name=p.list, entry_id=p.entry,
                cleared_for=p.cleared_for, reason=p.reason, expires_ms=p.expires_ms,
            )
        )
        return good_guy_json(record, node.clock())

    @api.post("/goodguys/{good_guy_id}/approve")
    async def approve_good_guy(request: Request, good_guy_id: str) -> dict[str, Any]:
        """Put a proposed exception in force (never by its proposer)."""
        who = await caller(request)
        record = await run_in_threadpool(
            service.approve_good_guy, who.subject, who.roles, good_guy_id
        )
        return good_guy_json(record, node.clock())

    @api.post("/goodguys/{good_guy_id}/withdraw")
    async def withdraw_good_guy(request: Request, good_guy_id: str) -> dict[str, Any]:
        """End an exception (one compliance officer suffices: it tightens screening)."""
        who = await caller(request)
        record = await run_in_threadpool(
            service.withdraw_good_guy, who.subject, who.roles, good_guy_id
        )
        return good_guy_json(record, node.clock())

    @api.get("/goodguys")
    async def good_guys(request: Request) -> list[dict[str, Any]]:
        who = await caller(request)
        return await run_in_threadpool(service.good_guys, who.roles)
