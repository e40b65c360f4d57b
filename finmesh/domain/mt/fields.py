"""Formats of the non-party fields of the text block, one checker per tag.

``check_field`` refuses a field whose content does not match its tag's format; the
``parse_*`` helpers return the values the translators need.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.formats import (
    check_lines,
    join_lines,
    parse_amount,
    parse_bic,
    parse_currency,
    parse_date6,
    parse_offset,
    parse_rate,
    parse_time4,
    reference,
)

BANK_OPERATION_CODES = frozenset({"CRED", "CRTS", "SPAY", "SPRI", "SSTD"})
INSTRUCTION_CODES = frozenset(
    {"CHQB", "CORT", "HOLD", "INTC", "PHOB", "PHOI", "PHON", "REPA", "SDVA", "TELB",
     "TELE", "TELI"}
)
CHARGE_CODES = frozenset({"BEN", "OUR", "SHA"})
TIME_INDICATIONS = frozenset({"CLSTIME", "RNCTIME", "SNDTIME", "TILTIME", "FROTIME",
                              "REJTIME"})

_CCY_AMOUNT = re.compile(r"([A-Z]{3})(.*)")
_TIME_INDICATION = re.compile(r"/([A-Z]{1,8})/([0-9]{4})([+-][0-9]{4})")
_INSTRUCTION = re.compile(r"([A-Z]{4})(?:/(.{1,30}))?")
_STATEMENT_NUMBER = re.compile(r"([0-9]{1,5})(?:/([0-9]{1,5}))?")
_BALANCE = re.compile(r"([CD])([0-9]{6})([A-Z]{3})(.+)")
_DATETIME = re.compile(r"([0-9]{6})([0-9]{4})([+-][0-9]{4})")
_STATEMENT_LINE = re.compile(
    r"(?P<value>[0-9]{6})(?P<entry>[0-9]{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>[0-9]{1,14},[0-9]*)(?P<type>[SNF][A-Z0-9]{3})(?P<owner>.{1,16}?)"
    r"(?://(?P<bank>.{1,16}))?"
)
_CODE_LINE = re.compile(r"/([A-Z0-9]{1,8})/(.*)", re.DOTALL)


@dataclass(frozen=True)
class Amount:
    """Date (when the field has one), currency and amount: 32A, 33B, 71F/G, balances."""

    currency: str
    amount: Decimal
    day: date | None = None
    mark: str | None = None
    """C or D, for balances."""


@dataclass(frozen=True)
class StatementLine:
    """Field 61 of MT940/950."""

    value_date: date
    entry_date: str | None
    mark: str
    funds_code: str | None
    amount: Decimal
    type_code: str
    owner_reference: str
    bank_reference: str | None
    details: str | None


def parse_32a(field: Field) -> Amount:
    """6!n3!a15d: value date, currency, amount."""
    text = field.value
    if "\n" in text or len(text) < 10:
        raise MtError("T17", "32A is date, currency and amount on one line", field=field.tag,
                      line=field.line)
    day = parse_date6(text[:6], field)
    currency = parse_currency(text[6:9], field)
    return Amount(currency, parse_amount(text[9:], currency, field), day)


def parse_currency_amount(field: Field) -> Amount:
    """3!a15d: 33B, 71F, 71G, 32B."""
    match = _CCY_AMOUNT.fullmatch(field.value)
    if match is None:
        raise MtError("T52", f"{field.value[:3]!r} is not a currency", field=field.tag,
                      line=field.line)
    currency = parse_currency(match[1], field)
    return Amount(currency, parse_amount(match[2], currency, field))


def parse_balance(field: Field) -> Amount:
    """1!a6!n3!a15d: 60F/M, 62F/M, 64, 65."""
    match = _BALANCE.fullmatch(field.value)
    if match is None:
        code = "T51" if field.value[:1] not in ("C", "D") else "T17"
        raise MtError(code, f"{field.value[:20]!r} is not mark, date, currency, amount",
                      field=field.tag, line=field.line)
    currency = parse_currency(match[3], field)
    return Amount(currency, parse_amount(match[4], currency, field),
                  parse_date6(match[2], field), match[1])


def parse_time_indications(field: Field) -> list[tuple[str, str, str]]:
    """13C, repeatable in the message: (code, HHMM, offset)."""
    match = _TIME_INDICATION.fullmatch(field.value)
    if match is None or match[1] not in TIME_INDICATIONS:
        raise MtError("T17", f"{field.value!r} is not /CODE/HHMM+HHMM with a known code",
                      field=field.tag, line=field.line)
    return [(match[1], parse_time4(match[2], field), parse_offset(match[3], field))]


def parse_instruction(field: Field) -> tuple[str, str | None]:
    """23E: 4!c[/30x]."""
    match = _INSTRUCTION.fullmatch(field.value)
    if match is None or match[1] not in INSTRUCTION_CODES:
        raise MtError("T08", f"instruction {field.value!r}", field=field.tag, line=field.line)
    if match[2] is not None and match[1] not in ("PHOB", "PHOI", "PHON", "REPA", "TELB",
                                                  "TELE", "TELI", "HOLD", "CHQB"):
        raise MtError("T08", f"{match[1]} takes no additional information", field=field.tag,
                      line=field.line)
    return match[1], match[2]


def parse_datetime_indication(field: Field) -> tuple[date, str, str]:
    """13D: 6!n4!n1!x4!n date, time, UTC offset."""
    match = _DATETIME.fullmatch(field.value)
    if match is None:
        raise MtError("T17", f"{field.value!r} is not YYMMDDHHMM+HHMM", field=field.tag,
                      line=field.line)
    return (parse_date6(match[1], field), parse_time4(match[2], field),
            parse_offset(match[3], field))


def parse_statement_number(field: Field) -> tuple[str, str | None]:
    match = _STATEMENT_NUMBER.fullmatch(field.value)
    if match is None:
        raise MtError("T17", f"{field.value!r} is not 5n[/5n]", field=field.tag,
                      line=field.line)
    return match[1], match[2]


def parse_statement_line(field: Field, currency: str | None) -> StatementLine:
    lines = check_lines(field, 2, 65)
    match = _STATEMENT_LINE.fullmatch(lines[0])
    if match is None:
        head = re.match(r"[0-9]{6}([0-9]{4})?(RC|RD|C|D)[A-Z]?([0-9,]*)", lines[0])
        code = "T51" if head is None else "T40" if "," not in head[3] else "T17"
        raise MtError(code, f"{lines[0][:40]!r} is not a statement line", field=field.tag,
                      line=field.line)
    if len(lines) > 1 and len(lines[1]) > 34:
        raise MtError("T17", "supplementary details have at most 34 characters",
                      field=field.tag, line=field.line + 1)
    if match["entry"] is not None:
        _check_month_day(match["entry"], field)
    return StatementLine(
        value_date=parse_date6(match["value"], field),
        entry_date=match["entry"],
        mark=match["mark"],
        funds_code=match["funds"],
        amount=parse_amount(match["amount"], currency, field),
        type_code=match["type"],
        owner_reference=match["owner"],
        bank_reference=match["bank"],
        details=lines[1] if len(lines) > 1 else None,
    )


def _check_month_day(text: str, field: Field) -> None:
    parse_date6("00" + text, field)  # 2000 is a leap year, so 0229 passes


def code_lines(field: Field) -> list[tuple[str | None, str]]:
    """Fields 72 and 79 narrative: (code, text) segments; '//' lines continue a segment
    (joined by ``join_lines``)."""
    raw: list[list[str]] = []
    for line in field.lines:
        if line.startswith("//") and raw:
            raw[-1].append(line)
        else:
            raw.append([line])
    segments: list[tuple[str | None, str]] = []
    for lines in raw:
        text = join_lines(lines, LINE_WIDTH, "//")
        match = _CODE_LINE.fullmatch(text)
        segments.append((match[1], match[2]) if match is not None else (None, text))
    return segments


LINE_WIDTH = 35
"""Width of the lines of fields 70, 72 and the name and address lines."""


def _lines(lines_max: int, length_max: int) -> Callable[[Field], object]:
    return lambda field: check_lines(field, lines_max, length_max)


def _code(codes: frozenset[str]) -> Callable[[Field], object]:
    def check(field: Field) -> object:
        if field.value not in codes:
            raise MtError("T08", f"{field.value!r} is not one of {sorted(codes)}",
                          field=field.tag, line=field.line)
        return field.value

    return check


def _rate(field: Field) -> object:
    return parse_rate(field.value, field)


def _statement_line(field: Field) -> object:
    return parse_statement_line(field, None)


def _type_code(field: Field) -> object:
    if not re.fullmatch(r"[A-Z0-9]{3}", field.value):
        raise MtError("T17", "26T is three letters or digits", field=field.tag,
                      line=field.line)
    return field.value


def _account_25p(field: Field) -> object:
    lines = check_lines(field, 2, 35)
    if len(lines) != 2:
        raise MtError("T17", "25P is account and BIC", field=field.tag, line=field.line)
    return parse_bic(lines[1], field, 1)


CHECKERS: dict[str, Callable[[Field], object]] = {
    "20": reference,
    "21": reference,
    "13C": parse_time_indications,
    "13D": parse_datetime_indication,
    "23B": _code(BANK_OPERATION_CODES),
    "23E": parse_instruction,
    "25": _lines(1, 35),
    "25P": _account_25p,
    "26T": _type_code,
    "28C": parse_statement_number,
    "32A": parse_32a,
    "33B": parse_currency_amount,
    "36": _rate,
    "60F": parse_balance,
    "60M": parse_balance,
    "61": _statement_line,
    "62F": parse_balance,
    "62M": parse_balance,
    "64": parse_balance,
    "65": parse_balance,
    "70": _lines(4, 35),
    "71A": _code(CHARGE_CODES),
    "71F": parse_currency_amount,
    "71G": parse_currency_amount,
    "72": _lines(6, 35),
    "77B": _lines(3, 35),
    "79": _lines(35, 50),
    "86": _lines(6, 65),
}
"""Tag -> format checker, for every tag that is not a party (those are in parties.py)."""
