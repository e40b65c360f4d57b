"""Reading form and query values, and writing instants, the same way on every page."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from finmesh.domain.errors import BadRequest

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(text: str | None, name: str) -> int | None:
    """An ISO 8601 instant (a datetime-local field: no zone, read as UTC) in unix ms."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{name}: {text[:40]!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(milliseconds=1)


def field_value(ms: int | None) -> str:
    """Unix ms as a datetime-local field value (UTC)."""
    if ms is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(ms / 1000))


def when(ms: int | None) -> str:
    if ms is None:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000))


def hhmm(ms: int | None) -> str:
    if ms is None:
        return "—"
    return time.strftime("%H:%M", time.gmtime(ms / 1000))


def whole(text: str | None, name: str) -> int:
    if not text or not text.strip().isdigit() or len(text.strip()) > 18:
        raise BadRequest(f"{name} must be a positive whole number")
    return int(text.strip())
