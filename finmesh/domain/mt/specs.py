"""Which fields each message type holds, in which order, with which options.

Options are the letters a tag may carry; "-" stands for the tag without a letter. A
``Group`` is a repeatable run of fields (the 61/86 pairs of MT940).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.errors import MtError

MANY = 1_000
"""Stands for 'repeatable' (the field bound caps it anyway)."""


@dataclass(frozen=True)
class Entry:
    tag: str
    options: str = "-"
    min: int = 0
    max: int = 1

    def takes(self, field: Field) -> bool:
        option = field.tag[2:] or "-"
        return field.tag[:2] == self.tag and option in self.options


@dataclass(frozen=True)
class Group:
    items: tuple[Entry, ...]
    min: int = 0
    max: int = MANY


Item = Entry | Group


def mandatory(tag: str, options: str = "-") -> Entry:
    return Entry(tag, options, 1, 1)


def optional(tag: str, options: str = "-", repeat: bool = False) -> Entry:
    return Entry(tag, options, 0, MANY if repeat else 1)


_202_HEAD = (
    mandatory("20"), mandatory("21"), optional("13", "C", repeat=True), mandatory("32", "A"),
    optional("52", "AD"), optional("53", "ABD"), optional("54", "ABD"), optional("56", "AD"),
    optional("57", "ABD"), mandatory("58", "AD"), optional("72"),
)

SPECS: dict[str, tuple[Item, ...]] = {
    "103": (
        mandatory("20"), optional("13", "C", repeat=True), mandatory("23", "B"),
        optional("23", "E", repeat=True), optional("26", "T"), mandatory("32", "A"),
        optional("33", "B"), optional("36"), mandatory("50", "AFK"), optional("51", "A"),
        optional("52", "AD"), optional("53", "ABD"), optional("54", "ABD"),
        optional("55", "ABD"), optional("56", "ACD"), optional("57", "ABCD"),
        mandatory("59", "-AF"), optional("70"), mandatory("71", "A"),
        optional("71", "F", repeat=True), optional("71", "G"), optional("72"),
        optional("77", "B"),
    ),
    "103STP": (
        mandatory("20"), optional("13", "C", repeat=True), mandatory("23", "B"),
        optional("23", "E", repeat=True), optional("26", "T"), mandatory("32", "A"),
        optional("33", "B"), optional("36"), mandatory("50", "AFK"), optional("52", "A"),
        optional("53", "AB"), optional("54", "A"), optional("55", "A"), optional("56", "A"),
        optional("57", "A"), mandatory("59", "-AF"), optional("70"), mandatory("71", "A"),
        optional("71", "F", repeat=True), optional("71", "G"), optional("72"),
        optional("77", "B"),
    ),
    "202": _202_HEAD,
    "202COV": (
        *_202_HEAD, mandatory("50", "AFK"), optional("52", "AD"), optional("56", "ACD"),
        optional("57", "ABCD"), mandatory("59", "-AF"), optional("70"), optional("72"),
        optional("33", "B"),
    ),
    "199": (mandatory("20"), optional("21"), mandatory("79")),
    "299": (mandatory("20"), optional("21"), mandatory("79")),
    "900": (
        mandatory("20"), mandatory("21"), mandatory("25", "-P"), optional("13", "D"),
        mandatory("32", "A"), optional("52", "AD"), optional("72"),
    ),
    "910": (
        mandatory("20"), mandatory("21"), mandatory("25", "-P"), optional("13", "D"),
        mandatory("32", "A"), optional("50", "AFK"), optional("52", "AD"),
        optional("56", "AD"), optional("72"),
    ),
    "940": (
        mandatory("20"), optional("21"), mandatory("25", "-P"), mandatory("28", "C"),
        mandatory("60", "FM"), Group((mandatory("61"), optional("86")), 0, MANY),
        mandatory("62", "FM"), optional("64"), optional("65", repeat=True), optional("86"),
    ),
    "950": (
        mandatory("20"), mandatory("25"), mandatory("28", "C"), mandatory("60", "FM"),
        optional("61", repeat=True), mandatory("62", "FM"), optional("64"),
        optional("65", repeat=True),
    ),
}
"""Message type ("103", "103STP", "202COV", ...) -> its fields in order."""

def _known(items: Sequence[Item]) -> frozenset[tuple[str, str]]:
    """Every (tag, option) a spec admits."""
    entries = [e for item in items for e in (item.items if isinstance(item, Group) else (item,))]
    return frozenset((e.tag, option) for e in entries for option in e.options)


_KNOWN = {message_type: _known(items) for message_type, items in SPECS.items()}


def match_fields(message_type: str, fields: Sequence[Field]) -> None:
    """Refuse fields that are unknown, repeated, out of order, or a missing mandatory one."""
    items = SPECS[message_type]
    known = _KNOWN[message_type]
    for field in fields:
        if (field.tag[:2], field.tag[2:] or "-") not in known:
            raise MtError("T13", f"field {field.tag} is not part of this message type",
                          field=field.tag, line=field.line)
    position = _match(items, fields, 0)
    if position < len(fields):
        field = fields[position]
        raise MtError("T13", f"field {field.tag} is not expected here (unknown to the type,"
                      " repeated or out of order)", field=field.tag, line=field.line)


def _match(items: Sequence[Item], fields: Sequence[Field], position: int) -> int:
    for item in items:
        if isinstance(item, Group):
            count = 0
            while (position < len(fields) and count < item.max
                   and item.items[0].takes(fields[position])):
                position = _match(item.items, fields, position)
                count += 1
            continue
        count = 0
        while position < len(fields) and count < item.max and item.takes(fields[position]):
            position += 1
            count += 1
        if count < item.min:
            _missing(item, fields, position)
    return position


def _missing(entry: Entry, fields: Sequence[Field], position: int) -> None:
    name = entry.tag + ("a" if entry.options not in ("-",) and len(entry.options) > 1
                        else entry.options.replace("-", ""))
    if any(entry.takes(field) for field in fields[position:]):
        in_the_way = fields[position]
        raise MtError("T13", f"field {in_the_way.tag} is out of order: {name} comes first",
                      field=in_the_way.tag, line=in_the_way.line)
    line = fields[position].line if position < len(fields) else fields[-1].line
    raise MtError("T14", f"mandatory field {name} is missing", field=name, line=line)
