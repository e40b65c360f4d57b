"""The light path of the hot endpoints: straight from the server to their handler.

A request through FastAPI crosses about ten layers before its endpoint (the error and
body-limit middlewares, the exception and exit-stack middlewares, a match against every
route, the dependency solver) and as many on the way out: with one message per request
that was a large share of the node's CPU per message (issue 16). ``FinmeshApp`` sends
the requests of the routes named in ``hot`` (``POST /v1/messages``) to their handler
directly, through the same ``RequestIds`` (request id, log line, metrics) and the same
error mapping (``finmesh.api.errors``) as every other route; everything else, the
lifespan included, goes through FastAPI as before. The route stays registered with
FastAPI too, so the OpenAPI document is unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from finmesh.api import errors, events
from finmesh.api.logs import Receive, RequestIds, Scope, Send
from finmesh.domain.errors import FinmeshError

Handler = Callable[[Request], Awaitable[Response]]
HotRoutes = dict[tuple[str, str], Handler]
"""(method, path) -> the route's own handler."""


class FinmeshApp(FastAPI):
    """FastAPI, with the routes of ``hot`` served on the light path."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.hot: HotRoutes = {}
        self._routes: dict[tuple[str, str], BaseRoute | None] = {}
        self._light = RequestIds(self._dispatch, on_done=events.observe_request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["method"], scope["path"]) in self.hot:
            await self._light(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = (scope["method"], scope["path"])
        scope["app"] = self
        scope["route"] = self._route(key)  # the metrics' route label, as FastAPI sets it
        request = Request(scope, receive, send)
        try:
            response = await self.hot[key](request)
        except FinmeshError as exc:
            response = errors.finmesh_response(request, exc)
        except Exception:
            response = errors.unexpected_response(request)
        await response(scope, receive, send)

    def _route(self, key: tuple[str, str]) -> BaseRoute | None:
        if key not in self._routes:
            method, path = key
            self._routes[key] = next(
                (r for r in self.routes
                 if getattr(r, "path", None) == path and method in getattr(r, "methods", ())),
                None,
            )
        return self._routes[key]
