"""The institution directory: who exists, and who owns whom (for the 50 % ownership rule)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from finmesh.domain.bic import Bic
from finmesh.domain.errors import BadRequest, InvalidBic
from finmesh.domain.limits import DIRECTORY_FIELD_CHARS_MAX, DIRECTORY_ROWS_MAX

CONTROL_THRESHOLD = Decimal(50)
"""Ownership strictly above this percentage captures an entity (EU: "more than 50 %")."""

_HUNDRED = Decimal(100)

OWNER_SEPARATOR = ";"
"""Separates several owners (and their shares) inside one CSV cell."""

REQUIRED_COLUMNS = ("bic", "name")
OPTIONAL_COLUMNS = ("city", "parent_bic", "share")


@dataclass(frozen=True)
class Institution:
    """One directory entry. `generated` tells synthetic demo data from registry data."""

    bic: Bic
    name: str
    country: str
    city: str | None
    generated: bool

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise BadRequest(f"institution {self.bic} has an empty name")
        if self.country != self.bic.country:
            raise BadRequest(
                f"institution {self.bic}: country {self.country!r} differs from the BIC's"
            )


def _is_bic8_shape(code: str) -> bool:
    return len(code) == 8 and code.isascii() and code.isalnum() and code.isupper()


@dataclass(frozen=True)
class OwnershipLink:
    """`parent` holds `share` percent of `child`; both are BIC8s (legal entities)."""

    parent: str
    child: str
    share: Decimal

    def __post_init__(self) -> None:
        for role, code in (("parent", self.parent), ("child", self.child)):
            if not _is_bic8_shape(code):
                raise BadRequest(f"ownership {role} {code!r} is not a BIC8")
        if self.parent == self.child:
            raise BadRequest(f"{self.parent} cannot own itself")
        if not (self.share.is_finite() and 0 < self.share <= _HUNDRED):
            raise BadRequest(f"share {self.share} of {self.child} is not in (0, 100]")


def _entity(code: str) -> str:
    # Ownership is a property of the legal entity, so branches collapse to their BIC8.
    return code.strip()[:8]


def owned_more_than_half(roots: Iterable[str], links: Iterable[OwnershipLink]) -> set[str]:
    """BIC8s owned more than 50 % by `roots`, directly, indirectly or in aggregate.

    An entity is captured once the shares held in it by roots and by captured entities
    add up to more than 50. Roots may be given as BIC8 or BIC11 and are never returned.
    Each link is visited once after its parent is captured, so the work is O(links) in
    total, cycles terminate, and the result does not depend on the order of `links`.
    """
    held: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for link in links:
        held[link.parent].append((link.child, link.share))

    root_set = {_entity(root) for root in roots}
    controlled = set(root_set)
    control: dict[str, Decimal] = defaultdict(Decimal)
    pending = sorted(root_set)
    while pending:
        owner = pending.pop()
        for child, share in held.get(owner, ()):
            if child in controlled:
                continue
            control[child] += share
            if control[child] > CONTROL_THRESHOLD:
                controlled.add(child)
                pending.append(child)
    return controlled - root_set


@dataclass(frozen=True)
class DirectoryLineError:
    """Why one CSV line was not imported; `line` counts from 1 (the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class DirectoryImport:
    """What a CSV import produced. Lines with errors contribute nothing."""

    institutions: tuple[Institution, ...]
    links: tuple[OwnershipLink, ...]
    errors: tuple[DirectoryLineError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


class _LineRejected(Exception):
    """Internal: ends the processing of one CSV line with a message."""


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Yield (first line number, fields or None, csv error or None) per CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_line = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield last_line + 1, None, f"malformed CSV: {exc}"
            last_line = reader.line_num
            continue
        yield last_line + 1, fields, None
        last_line = reader.line_num


def _check_header(fields: list[str]) -> dict[str, int] | str:
    """Map column name to index, or explain why the header is unusable."""
    names = [field.strip().lower() for field in fields]
    duplicates = sorted({name for name in names if names.count(name) > 1 and name})
    if duplicates:
        return f"header repeats column(s) {', '.join(duplicates)}"
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        return (
            f"header lacks column(s) {', '.join(missing)}; expected"
            f" {','.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)} (city, parent_bic, share optional)"
        )
    if ("parent_bic" in names) != ("share" in names):
        return "header must have both parent_bic and share, or neither"
    return {name: index for index, name in enumerate(names) if name}


def _parse_share(text: str) -> Decimal:
    try:
        share = Decimal(text)
    except InvalidOperation:
        raise _LineRejected(f"share {text!r} is not a number") from None
    if not (share.is_finite() and 0 < share <= _HUNDRED):
        raise _LineRejected(f"share {text!r} is not in (0, 100]")
    return share


def _parse_owners(bic: Bic, parents_cell: str, shares_cell: str) -> list[OwnershipLink]:
    if not parents_cell and not shares_cell:
        return []
    if not parents_cell or not shares_cell:
        raise _LineRejected("parent_bic and share must be given together")
    parents = [part.strip() for part in parents_cell.split(OWNER_SEPARATOR)]
    shares = [part.strip() for part in shares_cell.split(OWNER_SEPARATOR)]
    if len(parents) != len(shares):
        raise _LineRejected(f"{len(parents)} parent_bic value(s) but {len(shares)} share(s)")
    links: list[OwnershipLink] = []
    seen: set[str] = set()
    total = Decimal(0)
    for parent_text, share_text in zip(parents, shares, strict=True):
        try:
            parent = Bic.parse(parent_text)
        except InvalidBic as exc:
            raise _LineRejected(f"invalid parent_bic: {exc}") from None
        if parent.bic8 == bic.bic8:
            raise _LineRejected(f"{bic.bic8} cannot own itself")
        if parent.bic8 in seen:
            raise _LineRejected(f"parent_bic {parent.bic8} is listed twice")
        seen.add(parent.bic8)
        share = _parse_share(share_text)
        total += share
        links.append(OwnershipLink(parent=parent.bic8, child=bic.bic8, share=share))
    if total > _HUNDRED:
        raise _LineRejected(f"shares add up to {total}, more than 100")
    return links


def parse_directory_csv(text: str) -> DirectoryImport:
    """Parse a directory CSV with header `bic,name[,city][,parent_bic,share]`.

    Extra columns are ignored. Several owners of one institution go in one row, separated
    by ";" in both parent_bic and share. A bad line is reported and skipped; the rest is
    still imported. More than DIRECTORY_ROWS_MAX data rows raises BadRequest, because a
    silently truncated directory would be worse than none.
    """
    institutions: list[Institution] = []
    links: list[OwnershipLink] = []
    errors: list[DirectoryLineError] = []
    first_seen: dict[Bic, int] = {}
    columns: dict[str, int] | None = None
    width = 0
    rows = 0

    for line, fields, csv_error in _records(text.removeprefix("\ufeff")):
        if csv_error is not None or fields is None:
            errors.append(DirectoryLineError(line, csv_error or "malformed CSV"))
            if columns is None:
                break
            continue
        if not fields or all(not field.strip() for field in fields):
            continue
        if columns is None:
            header = _check_header(fields)
            if isinstance(header, str):
                errors.append(DirectoryLineError(line, header))
                break
            columns, width = header, len(fields)
            continue
        rows += 1
        if rows > DIRECTORY_ROWS_MAX:
            raise BadRequest(f"directory has more than {DIRECTORY_ROWS_MAX} rows")
        try:
            institution, owned_by = _parse_row(fields, columns, width, line, first_seen)
        except _LineRejected as exc:
            errors.append(DirectoryLineError(line, str(exc)))
            continue
        institutions.append(institution)
        links.extend(owned_by)

    if columns is None and not errors:
        errors.append(DirectoryLineError(1, "empty file: expected a header line"))
    return DirectoryImport(tuple(institutions), tuple(links), tuple(errors))


def _parse_row(
    fields: list[str],
    columns: dict[str, int],
    width: int,
    line: int,
    first_seen: dict[Bic, int],
) -> tuple[Institution, list[OwnershipLink]]:
    # A row wider than the header usually means an unquoted comma inside a name, which
    # would shift every later field, so it is refused rather than guessed at.
    if len(fields) != width:
        raise _LineRejected(f"expected {width} fields as in the header, got {len(fields)}")
    for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        index = columns.get(name)
        if index is not None and len(fields[index]) > DIRECTORY_FIELD_CHARS_MAX:
            raise _LineRejected(
                f"field {name} has {len(fields[index])} characters,"
                f" at most {DIRECTORY_FIELD_CHARS_MAX} allowed"
            )

    def cell(column: str) -> str:
        index = columns.get(column)
        return "" if index is None else fields[index].strip()

    try:
        bic = Bic.parse(cell("bic"))
    except InvalidBic as exc:
        raise _LineRejected(f"invalid BIC: {exc}") from None
    name = cell("name")
    if not name:
        raise _LineRejected(f"name is missing for {bic}")
    if bic in first_seen:
        raise _LineRejected(f"duplicate BIC {bic} (first on line {first_seen[bic]})")
    owned_by = _parse_owners(bic, cell("parent_bic"), cell("share"))
    first_seen[bic] = line
    institution = Institution(
        bic=bic, name=name, country=bic.country, city=cell("city") or None, generated=False
    )
    return institution, owned_by
