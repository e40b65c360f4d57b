"""The audit trail: filtered by time, actor, action and subject, with the chain's
verification status, exported as CSV or JSON lines (the same entries as on the page)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from finmesh.console.forms import field_value, instant, when
from finmesh.console.web import Console, Operator, threaded
from finmesh.domain.audit import AuditEntry
from finmesh.domain.errors import BadRequest
from finmesh.node.compliance import READ_ROLES, require_any
from finmesh.node.observe import AuditFilter

SHOWN_ON_PAGE = 500
CSV_COLUMNS = ("seq", "at_ms", "at", "actor", "action", "subject", "details", "hash")


def add_routes(router: APIRouter, console: Console) -> None:
    node = console.node

    @router.get("/console/audit")
    async def audit(
        request: Request,
        start: str = "",
        end: str = "",
        actor: str = "",
        action: str = "",
        subject: str = "",
        format: str = "html",
    ) -> Response:
        async def build(who: Operator) -> Response:
            if format not in ("html", "csv", "jsonl"):
                raise BadRequest("format is one of html, csv, jsonl")
            wanted = AuditFilter(
                instant(start, "from"), instant(end, "to"),
                actor.strip(), action.strip(), subject.strip(),
            )  # fmt: skip
            entries = await threaded(lambda: node.observe.audit(who.roles, wanted))
            if format == "csv":
                return _download(_csv(entries), "text/csv", "audit.csv")
            if format == "jsonl":
                return _download(_jsonl(entries), "application/x-ndjson", "audit.jsonl")

            def verify() -> object:
                require_any(who.roles, READ_ROLES)
                return node.compliance.verify_audit()

            return console.render(
                request, "audit.html", who, title="Audit", verdict=await threaded(verify),
                entries=list(reversed(entries))[:SHOWN_ON_PAGE], total=len(entries),
                query=urlencode([(k, v) for k, v in request.query_params.multi_items()
                                 if k != "format"]), when=when,
                form={"start": field_value(wanted.from_ms), "end": field_value(wanted.to_ms),
                      "actor": wanted.actor, "action": wanted.action, "subject": wanted.subject},
            )  # fmt: skip

        return await console.page(request, build)


def _csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            (e.seq, e.at_ms, when(e.at_ms), e.actor, e.action, e.subject,
             json.dumps(dict(e.details), sort_keys=True), e.hash)
        )  # fmt: skip
    return out.getvalue()


def _jsonl(entries: list[AuditEntry]) -> str:
    return "".join(json.dumps(e.as_json(), sort_keys=True) + "\n" for e in entries)


def _download(text: str, media: str, name: str) -> Response:
    return Response(
        text,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
