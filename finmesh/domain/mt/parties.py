"""Agents and parties of the text block: options A/B/C/D of 51-58, A/F/K of 50, 59/A/F.

Each parser checks the option's format and returns one value type the translators read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.formats import check_lines, parse_bic, parse_country

LINE_CHARACTERS_MAX = 35

RTGS = "RT"
"""Party identifier ``//RT``: settle with this agent through the real-time gross
settlement system (no member id)."""
"""Name and address lines (35x)."""

_MARKED = re.compile(r"/([CD])/(.{1,34})")
_PLAIN = re.compile(r"/([^/].{0,33})")
_CLEARING = re.compile(r"//([A-Z]{2})(.{1,33})")
_NUMBERED = re.compile(r"([1-8])/(.{1,33})")
_F_IDENTIFIER = re.compile(
    r"(ARNU|CCPT|CUST|DRLC|EMPL|NIDN|SOSE|TXID)/([A-Z]{2})/(.{1,27})"
)


@dataclass(frozen=True)
class Agent:
    """An institution (fields 51a-58a and 52a/56a/57a of sequence B)."""

    option: str
    account: str | None = None
    mark: str | None = None
    """The D or C before the account (``/D/123``), if given."""
    clearing: str | None = None
    """Clearing system code and member id (``//FW021000018`` -> "FW021000018")."""
    bic: str | None = None
    name_address: tuple[str, ...] = ()
    location: str | None = None
    """Option B: the branch or city."""


@dataclass(frozen=True)
class Customer:
    """An ordering (50a) or beneficiary (59a) customer."""

    option: str
    account: str | None = None
    bic: str | None = None
    """Option A: the customer's identifier code."""
    name_address: tuple[str, ...] = ()
    """Options K and no letter: the free name and address lines."""
    numbered: tuple[tuple[str, str], ...] = ()
    """Option F: (line number, text) pairs, in order."""
    identifier: tuple[str, str, str] | None = None
    """Option F of 50: (code, country, identifier) when not an account."""


def _party_identifier(line: str, field: Field) -> tuple[str | None, str | None, str | None]:
    """(mark, account, clearing) of an optional first line starting with '/'."""
    if line == "//RT":  # pay this agent through the RTGS system
        return None, None, RTGS
    if (match := _CLEARING.fullmatch(line)) is not None:
        return None, None, match[1] + match[2]
    if (match := _MARKED.fullmatch(line)) is not None:
        return match[1], match[2], None
    if (match := _PLAIN.fullmatch(line)) is not None:
        return None, match[1], None
    raise MtError("T17", f"party identifier {line[:40]!r}", field=field.tag, line=field.line)


def parse_agent(field: Field, options: str = "ABCD") -> Agent:
    option = field.tag[2:]
    if not option or option not in options:
        raise MtError("T13", f"option {option or 'none'} of field {field.tag[:2]} is not"
                      " allowed here", field=field.tag, line=field.line)
    lines = check_lines(field, 5, LINE_CHARACTERS_MAX + 2)
    has_identifier = lines[0].startswith("/") and (len(lines) > 1 or option in "BC")
    mark, account, clearing = (
        _party_identifier(lines[0], field) if has_identifier else (None, None, None)
    )
    rest = lines[1:] if has_identifier else lines
    for offset, line in enumerate(rest, start=len(lines) - len(rest)):
        if len(line) > LINE_CHARACTERS_MAX:
            raise MtError("T17", f"line of {len(line)} characters, at most"
                          f" {LINE_CHARACTERS_MAX}", field=field.tag, line=field.line + offset)
    shape = {"A": len(rest) == 1, "B": len(rest) <= 1, "C": not rest and has_identifier,
             "D": 1 <= len(rest) <= 4}[option]
    if not shape:
        raise MtError("T17", _AGENT_SHAPES[option], field=field.tag, line=field.line)
    if option == "A":
        return Agent(option, account, mark, clearing,
                     bic=parse_bic(rest[0], field, len(lines) - 1))
    if option == "B":
        return Agent(option, account, mark, clearing, location=rest[0] if rest else None)
    return Agent(option, account, mark, clearing, name_address=tuple(rest))


_AGENT_SHAPES = {
    "A": "option A is [party identifier] and one BIC line",
    "B": "option B is [party identifier] and [location]",
    "C": "option C is one party identifier line",
    "D": "option D is [party identifier] and 1 to 4 name and address lines",
}


def parse_customer(field: Field, options: str) -> Customer:
    """50A/F/K or 59/59A/59F, as ``options`` allows ("" stands for no letter)."""
    option = field.tag[2:]
    allowed = option in options if option else "-" in options
    if not allowed:
        raise MtError("T13", f"option {option or 'none'} of field {field.tag[:2]} is not"
                      " allowed here", field=field.tag, line=field.line)
    lines = check_lines(field, 5, LINE_CHARACTERS_MAX)
    account: str | None = None
    identifier: tuple[str, str, str] | None = None
    rest = lines
    if lines[0].startswith("/"):
        if len(lines[0]) < 2 or lines[0].startswith("//"):
            raise MtError("T17", f"account {lines[0]!r}", field=field.tag, line=field.line)
        account, rest = lines[0][1:], lines[1:]
    elif option == "F" and field.tag.startswith("50"):
        match = _F_IDENTIFIER.fullmatch(lines[0])
        if match is None:
            raise MtError("T56", f"party identifier {lines[0]!r} is neither /account nor"
                          " CODE/country/identifier", field=field.tag, line=field.line)
        parse_country(match[2], field)
        identifier, rest = (match[1], match[2], match[3]), lines[1:]
    if option == "A":
        if len(rest) != 1:
            raise MtError("T17", "option A is [/account] and one BIC line",
                          field=field.tag, line=field.line)
        return Customer(option, account, bic=parse_bic(rest[0], field, len(lines) - 1))
    if not 1 <= len(rest) <= 4:
        raise MtError("T17", "1 to 4 name and address lines are needed", field=field.tag,
                      line=field.line)
    if option == "F":
        return Customer(option, account, numbered=_numbered(rest, field, len(lines)),
                        identifier=identifier)
    return Customer(option, account, name_address=tuple(rest))


def _numbered(lines: list[str], field: Field, total: int) -> tuple[tuple[str, str], ...]:
    """Option F lines ``n/text``: numbers never decrease, 1/ comes first, 3/ holds a country."""
    pairs: list[tuple[str, str]] = []
    first = field.line + total - len(lines)
    for offset, line in enumerate(lines):
        match = _NUMBERED.fullmatch(line)
        if match is None:
            raise MtError("T56", f"line {line!r} is not n/text", field=field.tag,
                          line=first + offset)
        if pairs and match[1] < pairs[-1][0]:
            raise MtError("T56", f"line number {match[1]} after {pairs[-1][0]}",
                          field=field.tag, line=first + offset)
        if match[1] == "3" and (not pairs or pairs[-1][0] != "3"):
            parse_country(match[2][:2], field, first + offset - field.line)
            if match[2][2:3] not in ("", "/"):
                raise MtError("T56", "3/ is country/town", field=field.tag,
                              line=first + offset)
        pairs.append((match[1], match[2]))
    if pairs[0][0] != "1":
        raise MtError("T56", "option F starts with the name (1/)", field=field.tag,
                      line=first)
    return tuple(pairs)
