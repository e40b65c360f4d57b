"""Sanctions lists as operators have them: parsing list files into entries.

Reading a list (bytes in, entries out; no store, no network)::

    from finmesh.sanctions import parse_list, new_version
    entries = parse_list(data, "ofac-sdn-xml")   # or raises ListFormatError (code, where)
    version = new_version("ofac", number=3, label="sdn.xml 2026-11-25", entries=entries)

Formats (``FORMATS``, the names the CLI's ``--format`` takes): ``ofac-sdn-xml``
(``ofac``), ``ofac-csv`` (``ofac``: one file in ``sdn.csv`` layout), ``eu-fsf-xml``
(``eu``), ``un-xml`` (``un``), ``ftm-json`` (``ftm``: FollowTheMoney JSON lines) and
``csv`` (``plain_csv``: ``id,name,aliases,type,countries,bics,program``). Every parser
reads the whole file before returning, and refuses it whole (``ListFormatError`` naming
the line or element) at the first fault; the caller keeps the previous version active.
Bounds: ``entries.LIST_BYTES_MAX``, ``LIST_ENTRIES_MAX``, ``FIELD_CHARS_MAX``.

The evaluation sets and the speed benchmark of screening are not part of the product:
they live in the checkout's ``benchmarks/screening/`` (see docs/screening.md).
"""

from __future__ import annotations

from collections.abc import Callable

from finmesh.domain.screening.model import ListEntry, ListVersion
from finmesh.sanctions.errors import ListFormatError, ListProblem
from finmesh.sanctions.eu import parse_fsf_xml
from finmesh.sanctions.ftm import parse_ftm_jsonl
from finmesh.sanctions.ofac import parse_sdn_csv, parse_sdn_xml
from finmesh.sanctions.plain_csv import parse_plain_csv
from finmesh.sanctions.un import parse_consolidated_xml

FORMATS: dict[str, Callable[[bytes], tuple[ListEntry, ...]]] = {
    "ofac-sdn-xml": parse_sdn_xml,
    "ofac-csv": parse_sdn_csv,
    "eu-fsf-xml": parse_fsf_xml,
    "un-xml": parse_consolidated_xml,
    "ftm-json": parse_ftm_jsonl,
    "csv": parse_plain_csv,
}


def parse_list(data: bytes, fmt: str) -> tuple[ListEntry, ...]:
    """Every entry of a list file in format ``fmt``, or ListFormatError."""
    parser = FORMATS.get(fmt)
    if parser is None:
        raise ListFormatError(ListProblem.UNKNOWN_FORMAT, f"{fmt!r}; known: {', '.join(FORMATS)}")
    return parser(data)


def new_version(
    list_name: str, number: int, label: str, entries: tuple[ListEntry, ...]
) -> ListVersion:
    """A new immutable version of ``list_name`` (the store assigns ``number``)."""
    return ListVersion.create(list_name, number, label, entries)


__all__ = ["FORMATS", "ListFormatError", "ListProblem", "new_version", "parse_list"]
