"""Pages of the network as it runs: overview, institutions, sanctions lists, messages."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from finmesh import __version__
from finmesh.console import svg
from finmesh.console.web import Console, Operator, threaded


def hhmm(ms: int | None) -> str:
    if ms is None:
        return "—"
    return time.strftime("%H:%M", time.gmtime(ms / 1000))


def when(ms: int | None) -> str:
    if ms is None:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000))


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
            return console.render(
                request,
                "overview.html",
                who,
                title="Overview",
                version=__version__,
                chart=chart,
                rates=rates,
                queues=queues,
                participants=participants,
                connected=sum(1 for p in participants if p["connected"]),
                when=when,
                messages=await threaded(node.store.message_count),
            )

        return await console.page(request, build)
