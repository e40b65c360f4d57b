"""The HTTP connection layer: uvicorn's protocol plus the bounds it lacks.

uvicorn (0.54) closes a keep-alive connection that stays silent, but any byte received
cancels that timer, and nothing bounds how long a request's headers may take: a client
trickling one header byte every half second held a connection open indefinitely
(measured against `finmesh serve`; the classic slowloris). Enough of those exhaust the
node's file descriptors while costing the attacker nothing.

``DeadlineProtocol`` closes a connection whose next request's headers are not complete
within ``config.header_seconds()`` of the connection opening or of the previous response
ending. The same deadline ends the draining of a refused request's unread body (a 413 or
401 is answered before the body is read; uvicorn then discards what still arrives). A
slow body of an authenticated request is bounded separately, in ``api.auth.read_body``.

It also counts a request's head (request line and headers) as its bytes arrive, before
the HTTP parser buffers them: more than ``REQUEST_HEAD_BYTES_MAX`` bytes or
``REQUEST_HEADERS_MAX`` lines is answered 431 in the API's error shape, and whatever the
client still sends is discarded unread (httptools, the parser finmesh installs, has no
such bound of its own: an 8 MB header was once answered 200, and ten 50 MB ones held
215 MB). A head the parser cannot read is answered 400 in the same shape, not uvicorn's
plain text.

Serve with ``uvicorn.run(..., http=PROTOCOL)``; the CLI does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from finmesh import config
from finmesh.domain import limits

log = logging.getLogger("finmesh.api")

PROTOCOL = "finmesh.api.server:DeadlineProtocol"
"""What to pass as uvicorn's ``http`` setting (an import string works in worker processes)."""

_Base: Any = AutoHTTPProtocol  # httptools (a dependency), else h11 (pure Python)


SHUTDOWN_SECONDS = 1
"""How long a stopping node waits for requests in flight (long polls are cut: their
clients poll again) before it exits: the outage window of a restart stays short."""

REFUSED_DRAIN_SECONDS = 1.0
"""How long a connection refused for its head stays open, discarding what arrives, so
the client can read the 431 before the connection closes (closing at once would reset
it with the refusal unread)."""


class HeaderDeadline:
    """Mixin for a uvicorn HTTP/1.1 protocol class (httptools or h11): a deadline for
    every request's headers. Both keep ``cycle``, ``transport``, ``loop`` and ``client``
    and call ``on_response_complete``; a new request replaces ``cycle`` as soon as its
    headers are complete."""

    header_seconds: float | None = None
    cycle: Any
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    client: tuple[str, int] | None
    _counting: bool
    _head_bytes: int
    _head_lines: int
    _tail: bytes

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        if getattr(self, "_refused", False):
            return  # discarded unread until the connection closes
        if getattr(self, "_counting", False) and self._between_requests() and self._over(data):
            self._refuse_head()
            return
        super().data_received(data)  # type: ignore[misc]

    def send_400_response(self, msg: str) -> None:
        """The parser's refusal of a malformed head (a NUL byte in a header, a bad
        request line), in the API's error shape instead of plain text."""
        from finmesh.api.errors import raw_response  # by then the app has imported it
        self.transport.write(raw_response(400, "bad_request", f"malformed HTTP request: {msg}"))
        self.transport.close()

    def _between_requests(self) -> bool:
        """No request in flight and none being drained: the next bytes are a head. (A
        401 or 413 answered before its body was read leaves ``more_body`` set while
        uvicorn discards the rest of that body: those bytes are no head.)"""
        cycle = self.cycle
        return cycle is None or (bool(cycle.response_complete) and not cycle.more_body)

    def _over(self, data: bytes) -> bool:
        """Count the head's bytes and lines in ``data``; True once a bound is passed."""
        joined = self._tail + data
        end = joined.find(b"\r\n\r\n")
        if end >= 0:
            part = data[: max(0, end + 4 - len(self._tail))]
            self._counting = False
        else:
            part = data
            self._tail = joined[-3:]
        self._head_bytes += len(part)
        self._head_lines += part.count(b"\n")
        # the request line and the blank line end with a newline too
        lines_max = limits.REQUEST_HEADERS_MAX + 2
        return self._head_bytes > limits.REQUEST_HEAD_BYTES_MAX or self._head_lines > lines_max

    def _refuse_head(self) -> None:
        from finmesh.api.errors import raw_response  # not at import: the CLI's parent
        # process of --workers N imports this module without the app (a faster restart)

        self._refused = True
        self._disarm()
        peer = self.client[0] if self.client else "unknown"
        log.warning(
            "refused an oversized request head",
            extra={"event": "http.head_refused", "peer": peer, "bytes": self._head_bytes},
        )
        message = (
            f"request head larger than {limits.REQUEST_HEAD_BYTES_MAX} bytes or "
            f"{limits.REQUEST_HEADERS_MAX} headers"
        )
        self.transport.write(raw_response(431, "header_too_large", message))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(REFUSED_DRAIN_SECONDS, self.transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        seconds = type(self).header_seconds
        if seconds is None:
            seconds = type(self).header_seconds = config.header_seconds()
        waiting_after = self.cycle
        self._counting, self._head_bytes, self._head_lines, self._tail = True, 0, 0, b""
        self._deadline = self.loop.call_later(seconds, self._expire, waiting_after)

    def _disarm(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _expire(self, waiting_after: object) -> None:
        self._deadline = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if self.cycle is not waiting_after or busy or self.transport.is_closing():
            return  # headers arrived in time (or a pipelined request is running)
        peer = self.client[0] if self.client else "unknown"
        log.warning(
            "closing a connection that sent no complete request headers in time",
            extra={"event": "http.header_deadline", "peer": peer},
        )
        self.transport.close()


class DeadlineProtocol(HeaderDeadline, _Base):  # type: ignore[misc]
    """uvicorn's default HTTP/1.1 protocol with the header deadline."""
