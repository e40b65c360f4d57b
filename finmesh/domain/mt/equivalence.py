"""When two MT messages say the same thing: the yardstick of the MT -> MX -> MT round trip.

The translation keeps every value the mapping defines, but not always its layout. Two
messages are equivalent when their canonical fields are equal; canonical means:
amounts as numbers (``1000,`` = ``1000,00``); narrative (70, 72) as the text its lines
join to (``formats.join_lines``), 72's segments in any order; 23E and 13C codes in any
order (13C: one of each code); the statement number of 28C without leading zeros;
``NONREF`` for ``NOTPROVIDED`` in 21; the D/C mark of an agent's account dropped (the
report says so); and agents CBPR+ implies left out: 52a naming only the sender's BIC,
MT103's 57a naming only the receiver's, MT202COV sequence B's 52a and 57a equal to
sequence A's ordering and beneficiary institutions (57a only when no 56a needs it).
"""

from __future__ import annotations

import re
from decimal import Decimal

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.fields import LINE_WIDTH, code_lines
from finmesh.domain.mt.formats import format_amount, narrative_text
from finmesh.domain.mt.message import MtMessage, sequence_b

_AMOUNT_TAIL = re.compile(r"(.*?)([0-9]+,[0-9]*)$")
_AMOUNT_TAGS = frozenset({"32A", "33B", "71F", "71G", "60F", "60M", "62F", "62M", "64",
                          "65"})
_MARKED_ACCOUNT = re.compile(r"/[CD]/")


def canonical_fields(message: MtMessage) -> list[tuple[str, object]]:
    """The fields of ``message`` in the canonical form described above."""
    fields = list(message.fields)
    head = fields[: len(fields) - len(sequence_b(message.fields))] \
        if message.message_type == "202COV" else fields
    tail = fields[len(head):]
    out = [_canonical(f, message) for f in head if not _implied(f, message, head)]
    a_ordering = next((f.value for f in head if f.tag[:2] == "52"), None)
    a_beneficiary = next((f.value for f in head if f.tag[:2] == "58"), None)
    b_intermediary = any(field.tag[:2] == "56" for field in tail)
    for field in tail:
        if field.tag[:2] == "52" and field.value in (a_ordering, message.sender_bic):
            continue
        if field.tag[:2] == "57" and field.value == a_beneficiary and not b_intermediary:
            continue
        out.append(("B/" + field.tag, _canonical(field, message)[1]))
    return _group(out)


def differences(left: MtMessage, right: MtMessage) -> set[str]:
    """The tags ("54A", "B/59F", "121", "type") whose canonical values differ."""
    found = {"type"} if left.message_type != right.message_type else set()
    if left.uetr != right.uetr:
        found.add("121")
    ours, theirs = canonical_fields(left), canonical_fields(right)
    for tag in {t for t, _ in ours} | {t for t, _ in theirs}:
        if [v for t, v in ours if t == tag] != [v for t, v in theirs if t == tag]:
            found.add(tag)
    return found


def equivalent(left: MtMessage, right: MtMessage) -> bool:
    return (left.message_type == right.message_type and left.uetr == right.uetr
            and canonical_fields(left) == canonical_fields(right))


def _implied(field: Field, message: MtMessage, head: list[Field]) -> bool:
    if field.tag == "52A" and field.value == message.sender_bic:
        return True
    return (message.message_type in ("103", "103STP") and field.tag == "57A"
            and field.value == message.receiver_bic
            and not any(other.tag[:2] == "56" for other in head))


def _canonical(field: Field, message: MtMessage) -> tuple[str, object]:
    value: object = field.value
    if field.tag in _AMOUNT_TAGS or field.tag == "61":
        value = _amount(field.value.split("\n")[0]) + field.value[len(
            field.value.split("\n")[0]):]
        if field.tag == "61":
            value = _statement_line(field.value)
    elif field.tag == "70":
        value = narrative_text(field.lines, LINE_WIDTH, 140)
    elif field.tag == "72":
        value = tuple(sorted((code or "", text) for code, text in code_lines(field)))
    elif field.tag == "28C":
        number, _, page = field.value.partition("/")
        value = (int(number), page)
    elif field.tag == "21" and field.value == "NOTPROVIDED":
        value = "NONREF"
    elif "51" <= field.tag[:2] <= "58":
        value = _MARKED_ACCOUNT.sub("/", field.value, count=1)
    return field.tag, value


def _amount(text: str) -> str:
    match = _AMOUNT_TAIL.fullmatch(text)
    if match is None:
        return text
    whole, _, decimals = match[2].partition(",")
    return match[1] + format_amount(Decimal(f"{whole}.{decimals or '0'}"))


def _statement_line(value: str) -> str:
    first, _, rest = value.partition("\n")
    match = re.match(r"([0-9]{6}(?:[0-9]{4})?(?:RC|RD|C|D)[A-Z]?)([0-9]+,[0-9]*)(.*)", first)
    if match is None:
        return value
    whole, _, decimals = match[2].partition(",")
    amount = format_amount(Decimal(f"{whole}.{decimals or '0'}"))
    return match[1] + amount + match[3] + ("\n" + rest if rest else "")


def _group(fields: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """23E and 13C as sorted runs (13C: first of each code), everything else in order."""
    instructions = sorted(str(v) for t, v in fields if t == "23E")
    times: dict[str, str] = {}
    for tag, value in fields:
        if tag == "13C":
            times.setdefault(str(value).split("/")[1], str(value))
    out = [(t, v) for t, v in fields if t not in ("23E", "13C")]
    return [("13C", tuple(sorted(times.values()))), ("23E", tuple(instructions)), *out]
