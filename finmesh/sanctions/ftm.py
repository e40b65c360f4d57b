"""OpenSanctions' FollowTheMoney entities, one JSON object per line.

Kept schemas: ``Person`` (a person), ``Organization``, ``Company``, ``LegalEntity`` and
``PublicBody`` (entities); lines of other schemas (``Address``, ``Sanction``, ...) are
skipped, as OpenSanctions exports mix them in. From ``properties``: ``name`` (the first
is the primary name, the others strong aliases), ``alias`` (strong), ``weakAlias``
(weak), ``country``, ``nationality``, ``citizenship`` and ``jurisdiction``
(countries), ``swiftBic``, and ``program`` (or, failing it, ``topics``) as programme.
"""

from __future__ import annotations

import json

from finmesh.domain.screening.model import ListEntry
from finmesh.sanctions.entries import RawEntry, finish, text_of
from finmesh.sanctions.errors import ListFormatError, ListProblem

SCHEMAS = {
    "Person": "person",
    "Organization": "entity",
    "Company": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
}
_COUNTRY_PROPERTIES = ("country", "nationality", "citizenship", "jurisdiction")


def _strings(properties: dict[str, object], key: str, where: str) -> list[str]:
    values = properties.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ListFormatError(
            ListProblem.BAD_VALUE, f"properties.{key} must be a list of text", where
        )
    return [value for value in values if isinstance(value, str)]


def _entry(document: object, where: str) -> RawEntry | None:
    if not isinstance(document, dict):
        raise ListFormatError(ListProblem.MALFORMED, "a line must hold a JSON object", where)
    schema = document.get("schema")
    if schema not in SCHEMAS:
        return None
    properties = document.get("properties", {})
    if not isinstance(properties, dict):
        raise ListFormatError(ListProblem.BAD_VALUE, "properties must be an object", where)
    identifier = document.get("id")
    raw = RawEntry(where, id=identifier if isinstance(identifier, str) else "")
    raw.type = SCHEMAS[str(schema)]
    raw.names = _strings(properties, "name", where) + _strings(properties, "alias", where)
    raw.weak_aliases = _strings(properties, "weakAlias", where)
    for key in _COUNTRY_PROPERTIES:
        raw.countries.extend(_strings(properties, key, where))
    raw.bics = _strings(properties, "swiftBic", where)
    raw.programmes = _strings(properties, "program", where) or _strings(properties, "topics", where)
    return raw


def parse_ftm_jsonl(data: bytes) -> tuple[ListEntry, ...]:
    """The person and organisation entities of a FollowTheMoney JSON-lines file."""
    raws = []
    for number, line in enumerate(text_of(data).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            document = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(ListProblem.MALFORMED, exc.msg, where) from None
        raw = _entry(document, where)
        if raw is not None:
            raws.append(raw)
    return finish(raws)
