"""JSON encoding of the domain values the store keeps whole (measures, licences, holds).

Explicit per type, so a stored row never depends on a dataclass's field order."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from finmesh.domain.holds import Hold, HoldState
from finmesh.domain.policy.licences import Licence, LicenceStatus
from finmesh.domain.policy.measures import Measure, MeasureStatus

T = TypeVar("T")


def dumps(value: object) -> str:
    data: dict[str, Any] = {}
    for f in fields(value):  # type: ignore[arg-type]
        v = getattr(value, f.name)
        if isinstance(v, frozenset):
            v = sorted(v)
        elif isinstance(v, Decimal):
            v = str(v)
        elif isinstance(v, Enum):
            v = v.value
        data[f.name] = v
    return json.dumps(data, sort_keys=True)


def _decimal(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)


def load_measure(text: str) -> Measure:
    d = json.loads(text)
    d["status"] = MeasureStatus(d["status"])
    d["covered"] = frozenset(d["covered"])
    return Measure(**d)


def load_licence(text: str) -> Licence:
    d = json.loads(text)
    d["status"] = LicenceStatus(d["status"])
    for key in ("purposes", "counterparties", "currencies"):
        d[key] = frozenset(d[key])
    d["amount_max"] = _decimal(d["amount_max"])
    d["total_max"] = _decimal(d["total_max"])
    return Licence(**d)


def load_hold(text: str) -> Hold:
    d = json.loads(text)
    d["state"] = HoldState(d["state"])
    return Hold(**d)
