"""The one place where finmesh errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finmesh.compliance import Forbidden
from finmesh.domain.errors import (
    AuthenticationFailed,
    BadRequest,
    FinmeshError,
    NotFound,
    Refused,
    Rejected,
)
from finmesh.store.port import StalePolicy


class PayloadTooLarge(BadRequest):
    """The request body exceeds REQUEST_BYTES_MAX."""


class Disconnected(Refused):
    """The caller's institution is cut off by a measure in force."""


# (error class, HTTP status, stable error code) — most specific first.
ERROR_TABLE: tuple[tuple[type[FinmeshError], int, str], ...] = (
    (PayloadTooLarge, 413, "payload_too_large"),
    (Disconnected, 403, "disconnected"),
    (Forbidden, 403, "forbidden"),
    (StalePolicy, 409, "stale"),
    (AuthenticationFailed, 401, "authentication_failed"),
    (NotFound, 404, "not_found"),
    (Refused, 409, "refused"),
    (Rejected, 400, "rejected"),
    (BadRequest, 400, "bad_request"),
    (FinmeshError, 500, "internal_error"),
)


def status_for(exc: FinmeshError) -> tuple[int, str]:
    for cls, status, code in ERROR_TABLE:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal_error"


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FinmeshError)
        status, code = status_for(exc)
        body: dict[str, object] = {"error": code, "message": str(exc)}
        if isinstance(exc, Rejected):
            body["reason"] = exc.reason.code
        return JSONResponse(body, status_code=status)

    app.add_exception_handler(FinmeshError, handle)
