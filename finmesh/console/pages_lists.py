"""Sanctions lists: the versions loaded (which are in force), loading a new version
(the screening service parses the file whole first: a bad file changes nothing), and
screening a name as intake would."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from finmesh.console.forms import when
from finmesh.console.web import Console, Operator, threaded
from finmesh.domain import limits
from finmesh.domain.errors import AuthenticationFailed, BadRequest, FinmeshError
from finmesh.sanctions import FORMATS

LIST_BYTES_MAX = limits.LIST_REQUEST_BYTES_MAX


def add_routes(router: APIRouter, console: Console) -> None:
    service = console.node.screening

    @router.get("/console/lists")
    async def lists(
        request: Request, name: str = "", country: str = "", bic: str = "", loaded: str = ""
    ) -> Response:
        async def build(who: Operator) -> Response:
            screened = None
            if name or bic:
                screened = await threaded(
                    lambda: service.screen_name(who.roles, name, country or None, bic or None)
                )
            found = await threaded(lambda: service.lists(who.roles))
            return console.render(
                request, "lists.html", who, title="Sanctions lists", lists=found["lists"],
                threshold=found["threshold"], formats=FORMATS, when=when, screened=screened,
                asked={"name": name, "country": country, "bic": bic},
                may_load="compliance" in who.roles,
                notice=f"loaded {loaded}" if loaded else None,
            )  # fmt: skip

        return await console.page(request, build)

    @router.post("/console/lists/load")
    async def load_list(request: Request) -> Response:
        """A multipart post (the file), so not through Console.action's form reader; the
        same checks: signed in, this session's CSRF token, then the service decides."""
        try:
            who = await threaded(lambda: console.who(request))
        except AuthenticationFailed as exc:
            return console.error_page(request, exc, None)
        try:
            name, fmt, label, data = await _read_upload(request, console, who)
            loaded = await threaded(
                lambda: service.load_list(who.operator, who.roles, name, fmt, data, label)
            )
        except FinmeshError as exc:
            return console.error_page(request, exc, who)
        return RedirectResponse(
            f"/console/lists?loaded={loaded.list_name}+v{loaded.number}", status_code=303
        )


async def _read_upload(
    request: Request, console: Console, who: Operator
) -> tuple[str, str, str | None, bytes]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > LIST_BYTES_MAX + 64 * 1024:
        raise BadRequest(f"a list file is at most {LIST_BYTES_MAX} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest("expected a file upload (multipart/form-data)")
    async with request.form(max_files=1, max_fields=10) as form:
        console.sessions.check_csrf(who.session.sid, _text(form.get("csrf")))
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("choose a list file to load")
        data = await upload.read(LIST_BYTES_MAX + 1)
        name = (_text(form.get("list")) or "").strip()
        fmt = (_text(form.get("format")) or "").strip()
        label = (_text(form.get("label")) or "").strip() or None
    if len(data) > LIST_BYTES_MAX:
        raise BadRequest(f"a list file is at most {LIST_BYTES_MAX} bytes")
    if fmt not in FORMATS:
        raise BadRequest(f"format is one of {', '.join(FORMATS)}")
    return name, fmt, label, data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
