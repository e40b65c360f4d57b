"""The one place where finmesh errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finmesh.domain.errors import (
    AuthenticationFailed,
    BadRequest,
    FinmeshError,
    NotFound,
    Refused,
    Rejected,
)


class PayloadTooLarge(BadRequest):
    """The request body exceeds REQUEST_BYTES_MAX."""


# (error class, HTTP status, stable error code) — most specific first.
ERROR_TABLE: tuple[tuple[type[FinmeshError], int, str], ...] = (
    (PayloadTooLarge, 413, "payload_too_large"),
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
