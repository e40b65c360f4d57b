"""The plain CSV list: header ``id,name,aliases,type,countries,bics,program``.

``aliases``, ``countries`` and ``bics`` hold several values separated by ``;``;
``type`` is ``person`` or ``entity``; countries are ISO alpha-2 codes or country names.
The header must name exactly these columns (in any order). All aliases are strong: the
format has no weak aliases.
"""

from __future__ import annotations

import csv
import io

from finmesh.domain.screening.model import ListEntry
from finmesh.sanctions.entries import RawEntry, finish, text_of
from finmesh.sanctions.errors import ListFormatError, ListProblem

COLUMNS = ("id", "name", "aliases", "type", "countries", "bics", "program")
_SEPARATOR = ";"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(_SEPARATOR) if part.strip()]


def _entry(row: dict[str, str], line: int) -> RawEntry:
    where = f"line {line}"
    if None in row or any(value is None for value in row.values()):
        raise ListFormatError(ListProblem.MALFORMED, f"expected {len(COLUMNS)} columns", where)
    return RawEntry(
        where,
        id=row["id"],
        type=row["type"].strip().casefold(),
        names=[row["name"], *_split(row["aliases"])],
        countries=_split(row["countries"]),
        bics=_split(row["bics"]),
        programmes=[row["program"]],
    )


def parse_plain_csv(data: bytes) -> tuple[ListEntry, ...]:
    """The entries of a plain CSV list."""
    reader = csv.DictReader(io.StringIO(text_of(data), newline=""), strict=True)
    raws = []
    try:
        header = tuple(name.strip() for name in reader.fieldnames or ())
        if sorted(header) != sorted(COLUMNS):
            detail = f"header {','.join(header)!r}, expected {','.join(COLUMNS)!r}"
            raise ListFormatError(ListProblem.MALFORMED, detail, "line 1")
        reader.fieldnames = list(header)
        for row in reader:
            raws.append(_entry(row, reader.line_num))
    except csv.Error as exc:
        raise ListFormatError(ListProblem.MALFORMED, str(exc), f"line {reader.line_num}") from None
    return finish(raws)
