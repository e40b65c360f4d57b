"""Pages of the network as it runs: overview, institutions, sanctions lists, messages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from finmesh import __version__
from finmesh.console import svg
from finmesh.console.forms import hhmm, when
from finmesh.console.web import Console, Operator, threaded
from finmesh.store.console_tables import MessageLife


def add_routes(router: APIRouter, console: Console) -> None:
    node = console.node
    observe = node.observe

    @router.get("/console/overview")
    async def overview(request: Request) -> Response:
        async def build(who: Operator) -> Response:
            rates = await threaded(lambda: observe.rates(who.roles))
            queues = await threaded(lambda: observe.queues(who.roles))
            participants = await threaded(lambda: observe.participants(who.roles))
            chart = svg.line_chart(
                [hhmm(m) for m in rates["minutes"]],
                rates["series"],
                title="messages per minute, last hour (UTC)",
            )
            naks = svg.line_chart(
                [hhmm(m) for m in rates["minutes"]],
                {f"NAK {code}": counts for code, counts in rates["naks"].items()},
                height=150,
                title="NAKs per minute by reason, last hour (UTC)",
            )
            return console.render(
                request,
                "overview.html",
                who,
                title="Overview",
                version=__version__,
                chart=chart,
                naks=naks,
                rates=rates,
                queues=queues,
                participants=participants,
                connected=sum(1 for p in participants if p["connected"]),
                when=when,
                messages=await threaded(node.store.message_count),
                dialect=getattr(node.store, "dialect", "?"),
                policy_version=await threaded(node.store.policy_version),
            )

        return await console.page(request, build)

    @router.get("/console/messages")
    async def messages(request: Request, field: str = "uetr", value: str = "") -> Response:
        async def build(who: Operator) -> Response:
            found = await threaded(lambda: observe.find(who.roles, field, value)) if value else []
            if len(found) == 1:
                return RedirectResponse(f"/console/messages/{found[0].id}", status_code=303)
            return console.render(
                request, "messages.html", who, title="Messages", found=found, field=field,
                value=value, when=when, fields=LOOKUP_LABELS,
            )  # fmt: skip

        return await console.page(request, build)

    @router.get("/console/messages/{message_id}")
    async def message(request: Request, message_id: int) -> Response:
        async def build(who: Operator) -> Response:
            life = await threaded(lambda: observe.life(who.roles, message_id))
            readable = await threaded(lambda: observe.readable(who.roles, message_id))
            screening = await threaded(
                lambda: node.screening.with_result(
                    {"sender": life.message.sender, "message": life.message.biz_msg_id}
                )["screening"]
            )
            return console.render(
                request, "message.html", who, title=f"Message {life.message.biz_msg_id}",
                here="/console/messages", life=life, events=events_of(life, screening),
                message=readable, when=when,
            )  # fmt: skip

        return await console.page(request, build)

    @router.get("/console/institutions")
    async def institutions(request: Request, q: str = "", country: str = "") -> Response:
        async def build(who: Operator) -> Response:
            found = await threaded(lambda: observe.institutions(who.roles, q, country))
            return console.render(
                request, "institutions.html", who, title="Institutions", found=found, q=q,
                country=country,
            )  # fmt: skip

        return await console.page(request, build)

    @router.get("/console/institutions/{bic}")
    async def institution(request: Request, bic: str) -> Response:
        async def build(who: Operator) -> Response:
            facts = await threaded(lambda: observe.institution(who.roles, bic))
            grants = await threaded(lambda: node.trust.all_grants(who.roles, facts["bic8"]))
            traffic = await threaded(lambda: observe.recent_traffic(who.roles, facts["bic8"]))
            return console.render(
                request, "institution.html", who, title=facts["bic8"],
                here="/console/institutions", i=facts, grants=grants[:200],
                grant_count=len(grants), traffic=traffic, when=when,
            )  # fmt: skip

        return await console.page(request, build)


LOOKUP_LABELS = (("uetr", "UETR"), ("biz_msg_id", "BizMsgIdr"), ("osn", "OSN"))


Event = tuple[int | None, str, str]


def events_of(life: MessageLife, screening: dict[str, Any] | None) -> list[Event]:
    """The message's life as (instant, event, detail), in the order it happened."""
    m, q = life.message, life.queue
    events: list[Event] = [
        (m.received_ms, "received", f"from {m.sender} for {m.receiver}; ACKed"),
    ]
    if screening is not None:
        hits = len(screening.get("hits", []))
        events.append((m.received_ms, "screened", f"{screening['decision']}, {hits} hit(s)"))
    if life.hold_id is not None:
        events.append((m.received_ms, "held", f"hold {life.hold_id} ({m.measure_id})"))
    if m.licence_id:
        events.append((m.received_ms, "licensed", f"through licence {m.licence_id}"))
    if q is not None and q.first_sent_ms is not None:
        handed = f"OSN {q.osn} to {q.receiver}, handed out {q.delivered_count}×"
        events.append((q.first_sent_ms, "delivered", handed))
    if q is not None and q.acked_ms is not None:
        events.append((q.acked_ms, "acknowledged", f"by {q.receiver}"))
    for n in life.notices:
        detail = " ".join(x for x in (n.reason, n.detail) if x)
        events.append((n.created_ms, f"notice: {n.kind}", f"to {n.owner} {detail}".strip()))
    if q is not None and q.state == "queued" and q.acked_ms is None:
        waiting = f"in {q.receiver}'s queue (obsolete {when(q.obsolete_ms)})"
        events.append((None, "waiting", waiting))
    return sorted(events, key=lambda e: (e[0] is None, e[0] or 0))
