"""The HTTP connection layer: uvicorn's protocol plus the header deadline it lacks.

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

Serve with ``uvicorn.run(..., http=PROTOCOL)``; the CLI does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from finmesh import config

log = logging.getLogger("finmesh.api")

PROTOCOL = "finmesh.api.server:DeadlineProtocol"
"""What to pass as uvicorn's ``http`` setting (an import string works in worker processes)."""

_Base: Any = AutoHTTPProtocol  # httptools when installed, else h11 (pure Python)


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

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm()

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
            extra={"action": "header_deadline", "peer": peer},
        )
        self.transport.close()


class DeadlineProtocol(HeaderDeadline, _Base):  # type: ignore[misc]
    """uvicorn's default HTTP/1.1 protocol with the header deadline."""
