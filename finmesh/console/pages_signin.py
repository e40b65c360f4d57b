"""Sign-in and sign-out. An operator signs in with a sign-in code signed by their own
operator key (finmesh.identity.signin_code), checked against the certificate on record
as strictly as a signed API request, and good once: its nonce is recorded."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from finmesh.api.auth import Limits
from finmesh.console.sessions import COOKIE, PRE_COOKIE, SIGNED_OUT, session_minutes
from finmesh.console.web import Console, read_form, threaded
from finmesh.domain.errors import AuthenticationFailed, FinmeshError
from finmesh.identity import signin_code

SIGNIN_PURPOSE = "signin:"


def add_routes(router: APIRouter, console: Console, limits: Limits) -> None:
    node, sessions = console.node, console.sessions

    @router.get("/console")
    async def sign_in_page(request: Request) -> Response:
        try:
            await threaded(lambda: console.who(request))
            return RedirectResponse("/console/overview", status_code=303)
        except AuthenticationFailed:
            pass
        pre = request.cookies.get(PRE_COOKIE) or secrets.token_hex(16)
        response = console.render(
            request,
            "signin.html",
            None,
            title="Sign in",
            csrf=sessions.csrf(SIGNIN_PURPOSE + pre),
            minutes=session_minutes(),
        )
        _cookie(request, response, PRE_COOKIE, pre, 3600)
        return response

    @router.post("/console/sign-in")
    async def sign_in(request: Request) -> Response:
        try:
            limits.peer.take(request.client.host if request.client else "unknown")
            form = await read_form(request)
            pre = request.cookies.get(PRE_COOKIE) or ""
            sessions.check_csrf(SIGNIN_PURPOSE + pre, form.get("csrf"))
            operator = await threaded(lambda: _check_code(console, form.get("code", "")))
        except FinmeshError as exc:
            return console.error_page(request, exc, None)
        _, cookie = sessions.issue(operator, node.clock(), session_minutes())
        response = RedirectResponse("/console/overview", status_code=303)
        _cookie(request, response, COOKIE, cookie, session_minutes() * 60)
        response.delete_cookie(PRE_COOKIE, path="/console")
        return response

    @router.post("/console/sign-out")
    async def sign_out(request: Request) -> Response:
        async def end(who: object, form: dict[str, str]) -> str:
            session = console.who(request).session
            await threaded(
                lambda: node.store.remember_nonce(
                    SIGNED_OUT, session.sid, session.expires_ms, node.clock()
                )
            )
            return "/console"

        response = await console.action(request, end)
        if response.status_code == 303:
            response.delete_cookie(COOKIE, path="/console")
        return response


def _check_code(console: Console, text: str) -> str:
    node = console.node
    code = signin_code.parse_code(text)
    now = node.clock()
    signin_code.verify_code(code, node.store.operator_cert(code.subject), node.ca_cert_pem, now)
    if not node.store.remember_nonce(code.subject, code.nonce, code.expires_ms, now):
        raise AuthenticationFailed("this sign-in code was used already: make a new one")
    if not node.store.operator_roles(code.subject):
        raise AuthenticationFailed(f"operator {code.subject} has no roles")
    return code.subject


def _cookie(request: Request, response: Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
