"""OFAC's Specially Designated Nationals list: the classic ``sdnList`` XML and ``sdn.csv``.

XML (``sdn.xml``): each ``sdnEntry`` gives ``uid``, ``firstName``/``lastName`` (a
person's name is written "LASTNAME, First names", as OFAC prints it), ``sdnType``
("Individual" is a person; "Entity", "Vessel", "Aircraft" are entities), ``programList``,
``akaList/aka`` with ``category`` strong or weak, countries from ``addressList``,
``nationalityList`` and ``citizenshipList``, and ``idList/id`` whose ``idType`` is
"SWIFT/BIC".

CSV: one file in the layout of OFAC's ``sdn.csv`` (no header; a header row starting
with ``ent_num`` is skipped; ``-0-`` means empty): ``ent_num, SDN_Name, SDN_Type,
Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``.
OFAC publishes aliases (``alt.csv``) and addresses (``add.csv``) separately; from this
single file aliases, BICs and countries come from the remarks as OFAC writes them:
``a.k.a. 'NAME'`` (and ``f.k.a.``, ``n.k.a.``) are weak aliases when the whole alias
is single-quoted as OFAC marks low-quality a.k.a.s, strong otherwise; ``SWIFT/BIC
XXXXXXXX``; ``nationality X``, ``citizen X``. Programs are ``]``-separated tags
("[SDGT] [IRGC]").
"""

from __future__ import annotations

import csv
import io
import re

from lxml import etree

from finmesh.domain.screening.model import ListEntry
from finmesh.sanctions import xmlfiles as x
from finmesh.sanctions.entries import RawEntry, finish, text_of
from finmesh.sanctions.errors import ListFormatError, ListProblem

_NULL = "-0-"
_CSV_COLUMNS = 12
_ALIAS = re.compile(r"\b[afn]\.k\.a\.,?\s+(?:\"([^\"]+)\"|'([^']+)'|([^;]+))", re.IGNORECASE)
_BIC = re.compile(r"SWIFT/BIC\s+([A-Z0-9]{8}(?:[A-Z0-9]{3})?)\b")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([^;]+)", re.IGNORECASE)
_PROGRAM = re.compile(r"\[([^\]]+)\]")


def _xml_entry(element: etree._Element) -> RawEntry:
    raw = RawEntry(x.where(element), id=x.text(element, "uid"))
    raw.type = "person" if x.text(element, "sdnType").casefold() == "individual" else "entity"
    raw.names.append(_name(element, raw.type))
    for aka in x.descendants(element, "aka"):
        name = _name(aka, raw.type)
        weak = x.text(aka, "category").casefold() == "weak"
        (raw.weak_aliases if weak else raw.names).append(name)
    raw.programmes.extend(x.texts(element, "program"))
    raw.countries.extend(x.texts(element, "country"))
    for identifier in x.descendants(element, "id"):
        if x.text(identifier, "idType").casefold() in ("swift/bic", "swift bic", "bic"):
            raw.bics.append(x.text(identifier, "idNumber"))
    return raw


def _name(element: etree._Element, kind: str) -> str:
    last, first = x.text(element, "lastName"), x.text(element, "firstName")
    if kind == "person" and last and first:
        return f"{last}, {first}"
    return last or first


def parse_sdn_xml(data: bytes) -> tuple[ListEntry, ...]:
    """The entries of an OFAC ``sdnList`` XML file."""
    return finish(_xml_entry(element) for element in x.records(data, frozenset({"sdnEntry"})))


def _csv_entry(row: list[str], line: int) -> RawEntry:
    where = f"line {line}"
    if len(row) != _CSV_COLUMNS:
        detail = f"{len(row)} columns, sdn.csv has {_CSV_COLUMNS}"
        raise ListFormatError(ListProblem.MALFORMED, detail, where)
    cells = ["" if cell.strip() == _NULL else cell.strip() for cell in row]
    raw = RawEntry(where, id=cells[0], names=[cells[1]])
    raw.type = "person" if cells[2].casefold() == "individual" else "entity"
    raw.programmes.extend(_PROGRAM.findall(cells[3]) or ([cells[3]] if cells[3] else []))
    remarks = cells[11]
    for double, single, bare in _ALIAS.findall(remarks):
        if single:
            raw.weak_aliases.append(single)
        else:
            raw.names.append(double or bare)
    raw.bics.extend(_BIC.findall(remarks))
    raw.countries.extend(value.strip(" .") for value in _NATIONALITY.findall(remarks))
    return raw


def parse_sdn_csv(data: bytes) -> tuple[ListEntry, ...]:
    """The entries of a file in OFAC's ``sdn.csv`` layout."""
    reader = csv.reader(io.StringIO(text_of(data), newline=""), strict=True)
    raws = []
    try:
        for row in reader:
            if not row or (reader.line_num == 1 and row[0].strip().casefold() == "ent_num"):
                continue
            raws.append(_csv_entry(row, reader.line_num))
    except csv.Error as exc:
        raise ListFormatError(ListProblem.MALFORMED, str(exc), f"line {reader.line_num}") from None
    return finish(raws)
