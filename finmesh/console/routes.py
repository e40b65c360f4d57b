"""The console's router: every page under /console, mounted by finmesh.api.app."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from finmesh.api.auth import Limits
from finmesh.console import (
    pages_audit,
    pages_compliance,
    pages_lists,
    pages_network,
    pages_signin,
)
from finmesh.console.sessions import Sessions, load_secret
from finmesh.console.web import Console
from finmesh.node.root import Node

STYLESHEET = resources.files("finmesh.console").joinpath("static", "console.css")


def router(node: Node, limits: Limits) -> APIRouter:
    console = Console(node, Sessions(load_secret(node.config.root)))
    pages = APIRouter(include_in_schema=False)
    css = STYLESHEET.read_bytes()

    @pages.get("/console/static/console.css")
    async def stylesheet() -> Response:
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    pages_signin.add_routes(pages, console, limits)
    pages_network.add_routes(pages, console)
    pages_compliance.add_routes(pages, console)
    pages_audit.add_routes(pages, console)
    pages_lists.add_routes(pages, console)
    return pages
