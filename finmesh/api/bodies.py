"""Request bodies: parsed from the exact bytes that were signed, documented in OpenAPI."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from finmesh.domain.errors import BadRequest

M = TypeVar("M", bound=BaseModel)
PROBLEMS_SHOWN_MAX = 10
"""Validation problems quoted in an error (a 1,000-item batch can have thousands)."""


def parse_body(model: type[M], body: bytes) -> M:
    """The body as ``model``; BadRequest naming each problem, never echoing the input."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False)
        shown = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in problems[:PROBLEMS_SHOWN_MAX]
        )
        more = len(problems) - PROBLEMS_SHOWN_MAX
        raise BadRequest(
            f"request body: {shown}" + (f" (+{more} more)" if more > 0 else "")
        ) from exc


_DOCUMENTED: dict[str, type[BaseModel]] = {}
COMPONENTS = "#/components/schemas/"


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra for a route that reads its body itself (to verify its signature).
    The body's schema goes to the document's components (``body_schemas``), so every
    ``$ref`` in it resolves from the document root."""
    _DOCUMENTED[model.__name__] = model
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": COMPONENTS + model.__name__}}},
        }
    }


def body_schemas() -> dict[str, Any]:
    """The schemas of every documented body and of the models they refer to, by name."""
    found: dict[str, Any] = {}
    for name, model in _DOCUMENTED.items():
        schema = model.model_json_schema(ref_template=COMPONENTS + "{model}")
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    return found
