"""The node's logs: one line per thing that happened, with a stable ``event`` key.

Format ``json`` (default, one JSON object per line: ``ts``, ``level``, ``event``,
``msg``, ``request_id`` when inside a request, and the event's own fields) or ``text``
(for a terminal), chosen by ``FINMESH_LOG_FORMAT``; the level by ``serve --log-level``.
Events are named ``area.what`` (``message.accepted``, ``auth.refused``, ...; the README
lists them). Payloads, signatures and keys never reach a log: events carry identifiers
(BizMsgIdr, BIC, OSN, measure id) and reason codes only.

``RequestIds`` is the ASGI middleware that gives every request an id (the caller's
``X-Request-Id`` when it is short and plain, else a fresh one), answers it in the same
header, and writes one ``http.request`` line per request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error")
REQUEST_ID_HEADER = "x-request-id"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of msg
}

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "finmesh_request_id", default=None
)

log = logging.getLogger("finmesh.api")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; fields given with ``extra=`` become keys."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname.lower(),
            "event": _event_of(record),
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid is not None:
            line["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """``LEVEL event msg key=value ...`` for reading on a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        event = _event_of(record)
        fields = {
            k: v
            for k, v in record.__dict__.items()
            if k not in _STANDARD and k != "event" and not k.startswith("_")
        }
        rid = request_id.get()
        if rid is not None:
            fields.setdefault("request_id", rid)
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        text = f"{record.levelname} {event} {record.getMessage()} {extra}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _event_of(record: logging.LogRecord) -> str:
    """The record's event; uvicorn's own lines (start, stop, its warnings) are ``server``."""
    named = getattr(record, "event", None)
    if named:
        return str(named)
    return "server" if record.name.startswith("uvicorn") else record.name


def _iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def log_config(level: str, fmt: str) -> dict[str, Any]:
    """uvicorn's ``log_config`` (applied in every worker process): finmesh's and
    uvicorn's own records through one handler on stderr. uvicorn's access log is off:
    ``http.request`` replaces it."""
    formatter = f"finmesh.api.logs.{'Json' if fmt == 'json' else 'Text'}Formatter"
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"finmesh": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "finmesh",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "finmesh": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def event(name: str, msg: str = "", level: int = logging.INFO, **fields: Any) -> None:
    """Log one event of kind ``name`` with its fields (cheap when the level is off)."""
    if log.isEnabledFor(level):
        log.log(level, msg or name, extra={"event": name, **fields})


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestIds:
    """ASGI middleware: a request id per request and one ``http.request`` line."""

    def __init__(self, app: App, on_done: Callable[[str, str, int, float], None] | None = None):
        self.app = app
        self.on_done = on_done
        """(method, route, status, seconds) after each request: the metrics hook."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _client_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            path = scope.get("path", "")
            if self.on_done is not None:
                route = scope.get("route")
                self.on_done(scope["method"], getattr(route, "path", "unmatched"), status, seconds)
            event(
                "http.request",
                f"{scope['method']} {path} {status}",
                method=scope["method"],
                path=path,
                status=status,
                ms=round(seconds * 1000, 2),
                peer=(scope.get("client") or ("unknown",))[0],
            )
            request_id.reset(token)


def _client_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            return text if _CLIENT_ID.match(text) else None
    return None
