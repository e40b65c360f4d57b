"""Compliance pages: the hold queue (each hold as a person reads the message) and the
measures (propose, approve or refuse, lift, and the impact of a draft drawn before approval).
Every action is the compliance service's own call, with its four-eyes rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from finmesh.console import svg
from finmesh.console.forms import field_value, instant, when
from finmesh.console.web import Console, Operator, threaded
from finmesh.domain.errors import BadRequest, NotFound

IMPACT_DAYS_DEFAULT = 30
DAY_MS = 86_400_000


def add_routes(router: APIRouter, console: Console) -> None:
    _hold_routes(router, console)
    _measure_routes(router, console)
    _licence_routes(router, console)


def _hold_routes(router: APIRouter, console: Console) -> None:
    node = console.node
    comp = node.compliance

    @router.get("/console/holds")
    async def holds(request: Request, state: str = "held") -> Response:
        async def build(who: Operator) -> Response:
            found = await threaded(lambda: comp.holds(who.roles, state or None))
            rows = await threaded(lambda: [node.screening.with_result(h) for h in found])
            return console.render(
                request, "holds.html", who, title="Holds", holds=rows, state=state, when=when
            )

        return await console.page(request, build)

    @router.get("/console/holds/{hold_id}")
    async def hold(request: Request, hold_id: int) -> Response:
        async def build(who: Operator) -> Response:
            values = await threaded(lambda: _hold_view(console, who, hold_id))
            return console.render(
                request, "hold.html", who, title=f"Hold {hold_id}", here="/console/holds",
                when=when, **values,
            )  # fmt: skip

        return await console.page(request, build)

    async def decide(
        request: Request, hold_id: int, decision: Literal["release", "reject"]
    ) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            reason = form.get("reason", "").strip() or None
            await threaded(
                lambda: comp.decide_hold(who.operator, who.roles, hold_id, decision, reason)
            )
            node.bell.ring()
            return f"/console/holds/{hold_id}"

        return await console.action(request, act)

    @router.post("/console/holds/{hold_id}/release")
    async def release(request: Request, hold_id: int) -> Response:
        return await decide(request, hold_id, "release")

    @router.post("/console/holds/{hold_id}/reject")
    async def reject(request: Request, hold_id: int) -> Response:
        return await decide(request, hold_id, "reject")


def _hold_view(console: Console, who: Operator, hold_id: int) -> dict[str, Any]:
    node = console.node
    found = [h for h in node.compliance.holds(who.roles, None) if h["id"] == hold_id]
    if not found:
        raise NotFound(f"no hold {hold_id}")
    hold = node.screening.with_result(found[0])
    message_id = node.observe.message_of_hold(who.roles, hold["sender"], hold["message"])
    measure = None
    if hold["measure"] != "screening":
        measure = next(
            (m for m in node.compliance.measures(who.roles) if m["id"] == hold["measure"]), None
        )
    return {
        "hold": hold,
        "message": node.observe.readable(who.roles, message_id),
        "measure": measure,
        "may_decide": "compliance" in who.roles and hold["state"] == "held",
    }


def _measure_routes(router: APIRouter, console: Console) -> None:
    node = console.node
    comp = node.compliance

    @router.get("/console/measures")
    async def measures(request: Request) -> Response:
        async def build(who: Operator) -> Response:
            listed = await threaded(lambda: comp.measures(who.roles))
            licences = await threaded(lambda: comp.licences(who.roles))
            return console.render(
                request, "measures.html", who, title="Measures", measures=listed,
                licences=licences, when=when, may_act="compliance" in who.roles,
            )  # fmt: skip

        return await console.page(request, build)

    @router.post("/console/measures")
    async def propose(request: Request) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            measure = await threaded(
                lambda: comp.propose_measure(
                    who.operator,
                    who.roles,
                    kind=form.get("kind", ""),
                    bic=form.get("bic", "").strip(),
                    name=form.get("name", "").strip() or None,
                    with_subsidiaries=form.get("with_subsidiaries") == "on",
                    action=form.get("action", "reject"),
                    reference=form.get("reference", "").strip(),
                    effective_ms=instant(form.get("effective"), "effective"),
                )
            )
            return f"/console/measures/{measure.id}"

        return await console.action(request, act)

    @router.get("/console/measures/{measure_id}")
    async def measure(
        request: Request, measure_id: str, start: str = "", end: str = ""
    ) -> Response:
        async def build(who: Operator) -> Response:
            now = node.clock()
            to_ms = instant(end, "end") or now + 60_000
            from_ms = instant(start, "start") or to_ms - IMPACT_DAYS_DEFAULT * DAY_MS
            found = [m for m in await threaded(lambda: comp.measures(who.roles))
                     if m["id"] == measure_id]  # fmt: skip
            if not found:
                raise NotFound(f"no measure {measure_id}")
            report = await threaded(lambda: comp.impact(who.roles, measure_id, from_ms, to_ms))
            return console.render(
                request, "measure.html", who, title=f"Measure {measure_id}",
                here="/console/measures", m=found[0], impact=report, charts=_charts(report),
                start=field_value(from_ms), end=field_value(to_ms), when=when,
                may_act="compliance" in who.roles,
            )  # fmt: skip

        return await console.page(request, build)

    @router.post("/console/measures/{measure_id}/approve")
    async def approve(request: Request, measure_id: str) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            await threaded(lambda: comp.approve_measure(who.operator, who.roles, measure_id))
            node.bell.ring()
            return f"/console/measures/{measure_id}"

        return await console.action(request, act)

    @router.post("/console/measures/{measure_id}/refuse")
    async def refuse(request: Request, measure_id: str) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            reason = form.get("reason", "")
            await threaded(
                lambda: comp.refuse_measure(who.operator, who.roles, measure_id, reason)
            )
            return f"/console/measures/{measure_id}"

        return await console.action(request, act)

    @router.post("/console/measures/{measure_id}/lift")
    async def lift(request: Request, measure_id: str) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            effective = instant(form.get("effective"), "effective")
            await threaded(
                lambda: comp.lift_measure(who.operator, who.roles, measure_id, effective)
            )
            return f"/console/measures/{measure_id}"

        return await console.action(request, act)


def _licence_routes(router: APIRouter, console: Console) -> None:
    node = console.node
    comp = node.compliance

    @router.post("/console/measures/{measure_id}/licences")
    async def propose_licence(request: Request, measure_id: str) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            await threaded(
                lambda: comp.propose_licence(
                    who.operator,
                    who.roles,
                    measure_id=measure_id,
                    reference=form.get("reference", "").strip(),
                    purposes=_codes(form.get("purposes")),
                    counterparties=_codes(form.get("counterparties")),
                    currencies=_codes(form.get("currencies")),
                    amount_max=_decimal(form.get("amount_max"), "amount_max"),
                    total_max=_decimal(form.get("total_max"), "total_max"),
                    valid_from_ms=instant(form.get("valid_from"), "valid from"),
                    valid_until_ms=instant(form.get("valid_until"), "valid until"),
                )
            )
            return "/console/measures"

        return await console.action(request, act)

    @router.post("/console/licences/{licence_id}/approve")
    async def approve_licence(request: Request, licence_id: str) -> Response:
        async def act(who: Operator, form: dict[str, str]) -> str:
            await threaded(lambda: comp.approve_licence(who.operator, who.roles, licence_id))
            node.bell.ring()
            return "/console/measures"

        return await console.action(request, act)


def _codes(text: str | None) -> list[str]:
    return [c.strip().upper() for c in (text or "").replace(";", ",").split(",") if c.strip()]


def _decimal(text: str | None, name: str) -> Decimal | None:
    if not text or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BadRequest(f"{name}: {text[:30]!r} is not an amount") from None
    if not value.is_finite() or value <= 0:
        raise BadRequest(f"{name} must be a positive amount")
    return value


def _amount(text: str) -> float:
    try:
        return float(Decimal(text))
    except (InvalidOperation, ValueError):
        return 0.0


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    """The impact report drawn: value stopped per currency, messages per corridor."""
    values = report.get("value_stopped", {})
    corridors = report.get("corridors", [])[:12]
    return {
        "value": svg.bar_chart(
            [(cur, _amount(v), f"{v} {cur}") for cur, v in values.items()],
            title="value stopped per currency",
        ),
        "corridors": svg.bar_chart(
            [
                (f"{c['from']} → {c['to']}", float(c["messages"]), f"{c['messages']} messages")
                for c in corridors
            ],
            title="messages stopped per corridor (sender → receiver country)",
        ),
    }

