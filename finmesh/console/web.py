"""The console's plumbing: templates, who is signed in, CSRF on every post, and how a
refused action is shown (the same codes the API answers with, finmesh.api.errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FunctionLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from finmesh.api.errors import status_for
from finmesh.console.sessions import COOKIE, SIGNED_OUT, Session, Sessions
from finmesh.domain.errors import AuthenticationFailed, BadRequest, FinmeshError
from finmesh.node.root import Node

T = TypeVar("T")
FORM_BYTES_MAX = 64 * 1024
NAV = (
    ("/console/overview", "Overview"),
    ("/console/holds", "Holds"),
    ("/console/measures", "Measures"),
    ("/console/institutions", "Institutions"),
    ("/console/lists", "Lists"),
    ("/console/audit", "Audit"),
    ("/console/messages", "Messages"),
)
SECURITY_HEADERS = {
    # nothing may load from outside the node, and no script runs at all
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _template(name: str) -> str | None:
    path = resources.files("finmesh.console").joinpath("templates", name)
    return path.read_text("utf-8") if path.is_file() else None


TEMPLATES = Environment(
    loader=FunctionLoader(_template), autoescape=select_autoescape(default=True)
)


@dataclass(frozen=True)
class Operator:
    """The signed-in operator of one request, with roles as stored now."""

    operator: str
    roles: tuple[str, ...]
    session: Session


class Console:
    def __init__(self, node: Node, sessions: Sessions) -> None:
        self.node = node
        self.sessions = sessions

    def who(self, request: Request) -> Operator:
        session = self.sessions.read(request.cookies.get(COOKIE), self.node.clock())
        if self.node.store.nonce_seen(SIGNED_OUT, session.sid):
            raise AuthenticationFailed("this session was signed out: sign in again")
        roles = self.node.store.operator_roles(session.operator)
        if not roles:
            raise AuthenticationFailed(f"operator {session.operator} has no roles any more")
        return Operator(session.operator, roles, session)

    def render(
        self,
        request: Request,
        template: str,
        who: Operator | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        page = TEMPLATES.get_template(template).render(
            network=self.node.config.name,
            who=who,
            nav=NAV,
            here=values.pop("here", request.url.path),
            csrf=values.pop("csrf", None) or (self.sessions.csrf(who.session.sid) if who else ""),
            **values,
        )
        return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)

    def error_page(
        self, request: Request, exc: FinmeshError, who: Operator | None
    ) -> HTMLResponse:
        status, code = status_for(exc)
        return self.render(
            request,
            "error.html",
            who,
            status=status,
            title="Refused",
            error={"code": code, "message": str(exc)},
        )

    async def page(
        self,
        request: Request,
        build: Callable[[Operator], Awaitable[Response]],
    ) -> Response:
        """A signed-in GET: the page, the sign-in page when not signed in, or the error."""
        try:
            who = await run_in_threadpool(self.who, request)
        except AuthenticationFailed:
            return RedirectResponse("/console", status_code=303)
        try:
            return await build(who)
        except FinmeshError as exc:
            return self.error_page(request, exc, who)

    async def action(
        self,
        request: Request,
        act: Callable[[Operator, dict[str, str]], Awaitable[str]],
    ) -> Response:
        """A signed-in POST with this session's CSRF token: ``act`` returns where to go
        next; a refusal shows its code and changes nothing."""
        try:
            who = await run_in_threadpool(self.who, request)
        except AuthenticationFailed as exc:
            return self.error_page(request, exc, None)
        try:
            form = await read_form(request)
            self.sessions.check_csrf(who.session.sid, form.get("csrf"))
            return RedirectResponse(await act(who, form), status_code=303)
        except FinmeshError as exc:
            return self.error_page(request, exc, who)


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form (the console's posts; lists come apart, see pages_lists)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise BadRequest(f"expected a form post, got {kind or 'no content type'}")
    body = await request.body()
    if len(body) > FORM_BYTES_MAX:
        raise BadRequest(f"form larger than {FORM_BYTES_MAX} bytes")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in fields.items()}


def threaded(work: Callable[[], T]) -> Awaitable[T]:
    return run_in_threadpool(work)
