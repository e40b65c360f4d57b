"""FIN field format primitives: character set, lines, references, dates, amounts, BICs.

Each checker takes the text and the field it came from, and returns the parsed value or
raises MtError naming that field and line.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import pairwise

import pycountry

from finmesh.domain.bic import is_country_code, is_valid_bic
from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.errors import MtError

X_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "0123456789" "/-?:().,'+ \n"
)
"""The SWIFT X character set (LF stands for the CRLF of a line break)."""

_NOT_X = re.compile(r"[^a-zA-Z0-9/\-?:().,'+ \n]")

AMOUNT_CHARACTERS_MAX = 15
"""An amount (15d) has at most 15 characters, the decimal comma included."""

_ZERO_DECIMALS = frozenset({
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
    "VND", "VUV", "XAF", "XOF", "XPF",
})
"""ISO 4217 currencies in use without minor unit (as in finmesh.domain.iso20022.example)."""
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_FOUR_DECIMALS = frozenset({"CLF", "UYW"})
_AMOUNT = re.compile(r"([0-9]+),([0-9]*)")
_RATE = re.compile(r"([0-9]+),([0-9]*)")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DATE6 = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})")
_TIME4 = re.compile(r"([01][0-9]|2[0-3])([0-5][0-9])")
_OFFSET = re.compile(r"[+-](0[0-9]|1[0-3])[0-5][0-9]")


@cache
def _currencies() -> frozenset[str]:
    return frozenset(str(currency.alpha_3) for currency in pycountry.currencies)


def minor_units(currency: str) -> int:
    """Decimals an amount in ``currency`` may have (ISO 4217 minor unit; 2 for most)."""
    if currency in _ZERO_DECIMALS:
        return 0
    if currency in _FOUR_DECIMALS:
        return 4
    return 3 if currency in _THREE_DECIMALS else 2


def check_charset(field: Field) -> None:
    bad = _NOT_X.search(field.value)
    if bad is not None:
        line = field.line + field.value.count("\n", 0, bad.start())
        raise MtError("M63", f"character {bad[0]!r} is not in the SWIFT X set",
                      field=field.tag, line=line)


def check_lines(field: Field, lines_max: int, length_max: int) -> list[str]:
    """The field's lines, refused unless there are 1..lines_max of 1..length_max each."""
    lines = field.lines
    if len(lines) > lines_max:
        raise MtError("T17", f"{len(lines)} lines, at most {lines_max}", field=field.tag,
                      line=field.line + lines_max)
    for offset, line in enumerate(lines):
        if not line:
            raise MtError("T17", "empty line", field=field.tag, line=field.line + offset)
        if len(line) > length_max:
            raise MtError("T17", f"line of {len(line)} characters, at most {length_max}",
                          field=field.tag, line=field.line + offset)
    return lines


def reference(field: Field, text: str | None = None) -> str:
    """A 16x reference (fields 20, 21): no leading or trailing '/', no '//'."""
    value = field.value if text is None else text
    if not value or "\n" in value or len(value) > 16:
        raise MtError("T17", f"reference {value[:20]!r} is not 1 to 16 characters on one"
                      " line", field=field.tag, line=field.line)
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise MtError("T26", f"reference {value!r}", field=field.tag, line=field.line)
    return value


def parse_date6(text: str, field: Field) -> date:
    match = _DATE6.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(2000 + int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise MtError("T50", f"{text!r} is not a date YYMMDD", field=field.tag,
                      line=field.line) from None


def parse_time4(text: str, field: Field) -> str:
    if _TIME4.fullmatch(text) is None:
        raise MtError("T38", f"{text!r} is not a time HHMM", field=field.tag,
                      line=field.line)
    return text


def parse_offset(text: str, field: Field) -> str:
    """A UTC offset ``+HHMM`` / ``-HHMM``."""
    if _OFFSET.fullmatch(text) is None:
        raise MtError("T17", f"{text!r} is not a UTC offset +HHMM or -HHMM",
                      field=field.tag, line=field.line)
    return text


def parse_currency(text: str, field: Field) -> str:
    if _CURRENCY.fullmatch(text) is None or text not in _currencies():
        raise MtError("T52", f"{text!r} is not an ISO 4217 currency", field=field.tag,
                      line=field.line)
    return text


def parse_amount(text: str, currency: str | None, field: Field) -> Decimal:
    """A 15d amount: digits, one decimal comma, decimals within the currency's minor unit."""
    if len(text) > AMOUNT_CHARACTERS_MAX:
        raise MtError("T43", f"amount {text[:20]!r} has more than"
                      f" {AMOUNT_CHARACTERS_MAX} characters", field=field.tag,
                      line=field.line)
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise MtError("T40", f"amount {text!r} is not digits with one decimal comma",
                      field=field.tag, line=field.line)
    decimals = match[2].rstrip("0")
    if currency is not None and len(decimals) > minor_units(currency):
        raise MtError("C03", f"amount {text!r} has more than {minor_units(currency)}"
                      f" decimals for {currency}", field=field.tag, line=field.line)
    return Decimal(f"{match[1]}.{match[2]}" if match[2] else match[1])


def mx_amount(amount: Decimal, currency: str) -> str:
    """An amount as ISO 20022 writes it: a decimal point and the currency's minor unit."""
    return format(amount.quantize(Decimal(1).scaleb(-minor_units(currency))), "f")


def parse_rate(text: str, field: Field) -> Decimal:
    """A 12d exchange rate."""
    match = _RATE.fullmatch(text)
    if match is None or len(text) > 12 or not match[1]:
        raise MtError("T40", f"rate {text!r} is not digits with one decimal comma",
                      field=field.tag, line=field.line)
    return Decimal(f"{match[1]}.{match[2] or '0'}")


def parse_bic(text: str, field: Field, line_offset: int = 0) -> str:
    if not is_valid_bic(text):
        raise MtError("T27", f"{text[:20]!r} is not a BIC", field=field.tag,
                      line=field.line + line_offset)
    return text


def parse_country(text: str, field: Field, line_offset: int = 0) -> str:
    if len(text) != 2 or not is_country_code(text):
        raise MtError("T73", f"{text!r} is not an ISO 3166 country", field=field.tag,
                      line=field.line + line_offset)
    return text


def join_lines(lines: list[str], width: int, prefix: str = "") -> str:
    """Narrative lines as one text: a full line (``width`` characters) was cut mid-word
    and runs on; a shorter one ended where its writer chose, so a space follows it.
    ``prefix`` ('//' in field 72) is dropped from continuation lines.

    ``wrap`` undoes it: ``join_lines(wrap(text, w), w) == text``.
    """
    text = lines[0]
    for before, line in pairwise(lines):
        text += ("" if len(before) >= width else " ") + line.removeprefix(prefix)
    return text


def narrative_text(lines: list[str], width: int, length_max: int) -> str:
    """``join_lines`` when the result fits ``length_max``, else the lines run together
    (no character lost; only the spaces ``join_lines`` would add)."""
    text = join_lines(lines, width)
    return text if len(text) <= length_max else "".join(lines)


_NO_LINE_START = (":", "-")
"""FIN: a line of the text block never starts with these (they open a field or end
the block)."""


def wrap(text: str, width: int, prefix: str = "", lines_max: int | None = None) -> list[str]:
    """Lines of at most ``width`` characters (``prefix`` included after the first), cut
    at the last space when there is one (the space is dropped), else mid-word; no line
    starts with ':' or '-'. With ``lines_max``, when cutting at spaces needs more lines,
    every line is filled instead (CBPR+'s way)."""
    lines = _wrap(text, width, len(prefix), at_spaces=True)
    if lines_max is not None and len(lines) > lines_max:
        lines = _wrap(text, width, len(prefix), at_spaces=False)
    return [lines[0], *(prefix + line for line in lines[1:])]


def _wrap(text: str, width: int, prefix_length: int, at_spaces: bool) -> list[str]:
    lines: list[str] = []
    room = width
    while len(text) > room:
        cut = _cut(text, room, at_spaces)
        lines.append(text[:cut])
        text = text[cut + 1 :] if text[cut] == " " and cut < room else text[cut:]
        room = width - prefix_length
    lines.append(text)
    return lines


def _cut(text: str, room: int, at_spaces: bool) -> int:
    """Where to end a line: a space whose successor may start a line, else the fullest
    cut whose remainder may."""
    if at_spaces:
        space = text.rfind(" ", 1, room)
        while space > 0 and text[space + 1 : space + 2] in (*_NO_LINE_START, ""):
            space = text.rfind(" ", 1, space)
        if space > 0:
            return space
    cut = room
    while cut > 1 and text[cut] in _NO_LINE_START:
        cut -= 1
    return cut


def format_amount(amount: Decimal) -> str:
    """An amount written the FIN way: digits, a decimal comma, no trailing zeros needed."""
    text = format(amount, "f")
    whole, _, decimals = text.partition(".")
    return f"{whole},{decimals.rstrip('0')}"


def format_date6(value: date) -> str:
    return value.strftime("%y%m%d")
