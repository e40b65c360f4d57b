"""The audit trail page (filled in below)."""

from __future__ import annotations

from fastapi import APIRouter

from finmesh.console.web import Console


def add_routes(router: APIRouter, console: Console) -> None:
    return None
