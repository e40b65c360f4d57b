"""Operator API: measures, licences, holds, impact analysis, audit.

Every request is signed with an operator certificate (kind "operator"); roles in the
certificate's registration decide what the operator may do (see finmesh.node.compliance).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from finmesh.api import screening_ops
from finmesh.api.auth import Caller, Limits, authenticate
from finmesh.api.bodies import documented, parse_body
from finmesh.domain import limits
from finmesh.node.compliance import (
    READ_ROLES,
    hold_json,
    licence_json,
    measure_json,
    require_any,
)
from finmesh.node.root import Node
from finmesh.node.trust import grant_json, retired_json

Instant = Annotated[int, Field(ge=0, le=limits.INSTANT_MS_MAX)]
InstantQuery = Annotated[int, Query(ge=0, le=limits.INSTANT_MS_MAX)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=5)]
HoldId = Annotated[int, Path(ge=1, le=limits.SEQUENCE_MAX)]
AuditAfter = Annotated[int, Query(ge=0, le=limits.SEQUENCE_MAX)]
AuditLimit = Annotated[int, Query(ge=1, le=10_000)]
Text = Field(min_length=1, max_length=limits.REASON_CHARS_MAX)


class MeasureProposal(BaseModel):
    kind: Literal["disconnect", "prohibit"]
    bic: str = Field(description="BIC8 (or BIC11: its BIC8 is used) of the institution")
    name: str | None = Field(
        default=None, max_length=140, description="entity name matched where a party has no BIC"
    )
    with_subsidiaries: bool = Field(default=False, description="include entities owned > 50 %")
    action: Literal["hold", "reject"] = "reject"
    reference: str = Text
    effective_ms: Instant | None = Field(default=None, description="instant; default now")


class LiftRequest(BaseModel):
    effective_ms: Instant | None = None


class RefuseRequest(BaseModel):
    reason: str = Text


class LicenceProposal(BaseModel):
    measure: str
    reference: str = Text
    purposes: list[str] = Field(default_factory=list, max_length=100)
    counterparties: list[str] = Field(default_factory=list, max_length=1000)
    currencies: list[str] = Field(default_factory=list, max_length=100)
    amount_max: Amount | None = None
    total_max: Amount | None = None
    valid_from_ms: Instant | None = None
    valid_until_ms: Instant | None = None


class HoldDecision(BaseModel):
    reason: str | None = Field(default=None, max_length=limits.REASON_CHARS_MAX)


class CertificateRevocation(BaseModel):
    reason: str | None = Field(default=None, max_length=limits.REASON_CHARS_MAX)


def router(node: Node, limits: Limits) -> APIRouter:
    api = APIRouter(prefix="/v1/ops", tags=["operator"])
    comp = node.compliance

    async def caller(request: Request) -> Caller:
        return await authenticate(request, node, limits, kind="operator")

    @api.post("/measures", openapi_extra=documented(MeasureProposal))
    async def propose_measure(request: Request) -> dict[str, Any]:
        """Propose a disconnection or a transaction prohibition (needs a second officer)."""
        who = await caller(request)
        p = parse_body(MeasureProposal, who.body)
        m = await run_in_threadpool(
            lambda: comp.propose_measure(
                who.subject,
                who.roles,
                kind=p.kind,
                bic=p.bic,
                name=p.name,
                with_subsidiaries=p.with_subsidiaries,
                action=p.action,
                reference=p.reference,
                effective_ms=p.effective_ms,
            )
        )
        return measure_json(m, node.clock())

    @api.post("/measures/{measure_id}/approve")
    async def approve_measure(request: Request, measure_id: str) -> dict[str, Any]:
        """Approve what is pending on a measure: its proposal or its lift."""
        who = await caller(request)
        m = await run_in_threadpool(comp.approve_measure, who.subject, who.roles, measure_id)
        node.bell.ring()
        return measure_json(m, node.clock())

    @api.post("/measures/{measure_id}/refuse", openapi_extra=documented(RefuseRequest))
    async def refuse_measure(request: Request, measure_id: str) -> dict[str, Any]:
        """Refuse what is pending on a measure (its proposal or its lift), with a reason;
        never one's own proposal."""
        who = await caller(request)
        p = parse_body(RefuseRequest, who.body)
        m = await run_in_threadpool(
            comp.refuse_measure, who.subject, who.roles, measure_id, p.reason
        )
        return measure_json(m, node.clock())

    @api.post("/measures/{measure_id}/lift", openapi_extra=documented(LiftRequest))
    async def lift_measure(request: Request, measure_id: str) -> dict[str, Any]:
        """Propose lifting a measure (needs a second officer's approval)."""
        who = await caller(request)
        p = parse_body(LiftRequest, who.body)
        m = await run_in_threadpool(
            comp.lift_measure, who.subject, who.roles, measure_id, p.effective_ms
        )
        return measure_json(m, node.clock())

    @api.get("/measures")
    async def list_measures(request: Request) -> list[dict[str, Any]]:
        who = await caller(request)
        return await run_in_threadpool(comp.measures, who.roles)

    @api.get("/measures/{measure_id}/impact")
    async def measure_impact(
        request: Request, measure_id: str, from_ms: InstantQuery, to_ms: InstantQuery
    ) -> dict[str, object]:
        """What a (draft) measure would have stopped in a period of stored traffic, and
        what queued messages it would return now."""
        who = await caller(request)
        return await run_in_threadpool(comp.impact, who.roles, measure_id, from_ms, to_ms)

    @api.post("/licences", openapi_extra=documented(LicenceProposal))
    async def propose_licence(request: Request) -> dict[str, Any]:
        """Propose a licence (exemption) under a prohibition."""
        who = await caller(request)
        p = parse_body(LicenceProposal, who.body)
        x = await run_in_threadpool(
            lambda: comp.propose_licence(
                who.subject,
                who.roles,
                measure_id=p.measure,
                reference=p.reference,
                purposes=p.purposes,
                counterparties=p.counterparties,
                currencies=p.currencies,
                amount_max=p.amount_max,
                total_max=p.total_max,
                valid_from_ms=p.valid_from_ms,
                valid_until_ms=p.valid_until_ms,
            )
        )
        return licence_json(x, None)

    @api.post("/licences/{licence_id}/approve")
    async def approve_licence(request: Request, licence_id: str) -> dict[str, Any]:
        who = await caller(request)
        x = await run_in_threadpool(comp.approve_licence, who.subject, who.roles, licence_id)
        return licence_json(x, None)

    @api.get("/licences")
    async def list_licences(request: Request) -> list[dict[str, Any]]:
        who = await caller(request)
        return await run_in_threadpool(comp.licences, who.roles)

    @api.get("/holds")
    async def list_holds(request: Request, state: str | None = "held") -> list[dict[str, Any]]:
        """Held messages (state held, released, rejected; state= for all)."""
        who = await caller(request)
        found = await run_in_threadpool(comp.holds, who.roles, state or None)
        return await run_in_threadpool(lambda: [node.screening.with_result(h) for h in found])

    @api.post("/holds/{hold_id}/release", openapi_extra=documented(HoldDecision))
    async def release_hold(request: Request, hold_id: HoldId) -> dict[str, Any]:
        """Propose (first officer, with a reason) or confirm (second officer) a release."""
        return await _decide(request, hold_id, "release")

    @api.post("/holds/{hold_id}/reject", openapi_extra=documented(HoldDecision))
    async def reject_hold(request: Request, hold_id: HoldId) -> dict[str, Any]:
        """Propose (first officer, with a reason) or confirm (second officer) a rejection."""
        return await _decide(request, hold_id, "reject")

    async def _decide(
        request: Request, hold_id: HoldId, decision: Literal["release", "reject"]
    ) -> dict[str, Any]:
        who = await caller(request)
        p = parse_body(HoldDecision, who.body)
        h = await run_in_threadpool(
            comp.decide_hold, who.subject, who.roles, hold_id, decision, p.reason
        )
        node.bell.ring()
        return await run_in_threadpool(node.screening.with_result, hold_json(h))

    @api.get("/rma")
    async def list_rma(request: Request, bic: str | None = None) -> list[dict[str, Any]]:
        """RMA authorizations of the network, or those where ``bic`` (its BIC8) is the
        receiver or the sender (readable by any operator role)."""
        who = await caller(request)
        found = await run_in_threadpool(node.trust.all_grants, who.roles, bic)
        return [grant_json(g) for g in found]

    @api.post(
        "/certificates/{bic11}/revoke", openapi_extra=documented(CertificateRevocation)
    )
    async def revoke_certificate(request: Request, bic11: str) -> dict[str, Any]:
        """Revoke an institution's current certificate (role operator): its requests are
        refused from the next one on; messages it sent before stay deliverable."""
        who = await caller(request)
        p = parse_body(CertificateRevocation, who.body)
        revoked = await run_in_threadpool(
            node.trust.revoke_certificate, who.subject, who.roles, bic11, p.reason
        )
        return retired_json(revoked)

    @api.get("/audit")
    async def audit(
        request: Request, after: AuditAfter = 0, limit: AuditLimit = 1000
    ) -> list[dict[str, Any]]:
        """Audit entries in order (readable by any operator role)."""
        who = await caller(request)
        require_any(who.roles, READ_ROLES)
        entries = await run_in_threadpool(node.store.audit_page, after, limit)
        return [e.as_json() for e in entries]

    @api.get("/audit/verify")
    async def audit_verify(request: Request) -> dict[str, Any]:
        who = await caller(request)
        require_any(who.roles, READ_ROLES)
        v = await run_in_threadpool(comp.verify_audit)
        return {
            "ok": v.ok,
            "entries": v.checked,
            "head": v.head,
            "first_bad_seq": v.first_bad_seq,
            "problem": v.problem,
        }

    screening_ops.add_routes(api, node, limits, caller)
    return api
