"""Parse and validate one FIN message: blocks, user header, fields, formats, rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from finmesh.domain.mt.blocks import Blocks, Field, lt_to_bic11, split_blocks
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.fields import CHECKERS
from finmesh.domain.mt.formats import check_charset
from finmesh.domain.mt.parties import parse_agent, parse_customer
from finmesh.domain.mt.rules import check_103, check_202cov, check_910
from finmesh.domain.mt.specs import SPECS, match_fields

MESSAGE_TYPES = ("103", "103STP", "202", "202COV", "199", "299", "900", "910", "940", "950")
"""Every type this package parses, validates and translates."""

UETR_REQUIRED = frozenset({"103", "103STP", "202", "202COV"})
"""Types whose block 3 must carry field 121 (SWIFT gpi, mandatory since November 2018)."""

_UETR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_USER_FORMATS: dict[str, re.Pattern[str]] = {
    "103": re.compile(r"[A-Z]{3}"),
    "106": re.compile(r"[0-9]{6}[A-Z0-9]{12}[0-9]{4}[0-9]{6}"),
    "108": re.compile(r"[a-zA-Z0-9/\-?:().,'+ ]{1,16}"),
    "111": re.compile(r"[0-9]{3}"),
    "113": re.compile(r"[a-zA-Z0-9/\-?:().,'+ ]{4}"),
    "115": re.compile(r"[a-zA-Z0-9 ]{1,32}"),
    "119": re.compile(r"STP|COV|REMIT|RFDD"),
    "121": re.compile(r".{1,36}"),
    "165": re.compile(r"/[A-Z0-9]{3}/[a-zA-Z0-9/\-?:().,'+ ]{0,34}"),
    "423": re.compile(r"[0-9]{6,18}"),
    "424": re.compile(r"[a-zA-Z0-9/\-?:().,'+ ]{1,16}"),
    "433": re.compile(r"/[A-Z]{3}/[a-zA-Z0-9/\-?:().,'+ ]{0,20}"),
    "434": re.compile(r"/[A-Z]{3}/[a-zA-Z0-9/\-?:().,'+ ]{0,20}"),
}
_TRAILER_TAGS = frozenset({"CHK", "TNG", "PDE", "PDM", "DLM", "MRF", "MAC", "PAC", "SYS"})
_VALIDATION_FLAGS = {"STP": ("103",), "REMIT": ("103",), "COV": ("202", "205"),
                     "RFDD": ("104",)}


@dataclass(frozen=True)
class MtMessage:
    """A FIN message that passed every check."""

    blocks: Blocks
    message_type: str
    """A key of SPECS: "103", "103STP", "202COV", ..."""
    sender_bic: str
    """BIC11 of the sending LT (block 1 of an input message, the MIR of an output one)."""
    receiver_bic: str
    uetr: str | None

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.blocks.text

    def user(self, tag: str) -> str | None:
        return next((value for key, value in self.blocks.user if key == tag), None)


def parse_mt(payload: bytes, *, require_uetr: bool = True) -> MtMessage:
    """Validate one FIN message; MtError (code, field, line) on the first problem found.

    ``require_uetr=False`` accepts payments without field 121, as FIN did before
    November 2018 (for replaying old traffic; the network itself requires it).
    """
    blocks = split_blocks(payload)
    user = _check_user_header(blocks)
    message_type = _message_type(blocks, user)
    fields = blocks.text
    match_fields(message_type, fields)
    for field in fields:
        check_field(field)
    _check_rules(message_type, fields)
    uetr = user.get("121")
    if require_uetr and message_type in UETR_REQUIRED and uetr is None:
        raise MtError("H82", f"MT{message_type} needs field 121 (UETR) in block 3",
                      field="121", line=1)
    if blocks.application.direction == "I":
        sender, receiver = blocks.basic.lt_address, blocks.application.lt_address
    else:
        sender, receiver = blocks.application.lt_address, blocks.basic.lt_address
    return MtMessage(blocks, message_type, lt_to_bic11(sender), lt_to_bic11(receiver), uetr)


def check_field(field: Field) -> None:
    """The format of one field, whatever message it is in."""
    check_charset(field)
    base = field.tag[:2]
    checker = CHECKERS.get(field.tag)
    if checker is not None:
        checker(field)
    elif base == "50":
        parse_customer(field, "AFK")
    elif base == "59":
        parse_customer(field, "-AF")
    elif "51" <= base <= "58":
        parse_agent(field)
    else:  # pragma: no cover - the spec admits no other tag
        raise MtError("T13", f"no format for field {field.tag}", field=field.tag,
                      line=field.line)


def _check_user_header(blocks: Blocks) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag, value in blocks.user:
        pattern = _USER_FORMATS.get(tag)
        if pattern is None:
            raise MtError("H80", f"unknown block 3 field {tag}", field=tag, line=1)
        if tag in found:
            raise MtError("H80", f"block 3 field {tag} is repeated", field=tag, line=1)
        if tag == "121" and _UETR.fullmatch(value) is None:
            raise MtError("H81", f"{value[:40]!r} is not a lowercase UUID v4", field=tag,
                          line=1)
        if pattern.fullmatch(value) is None:
            raise MtError("H80", f"block 3 field {tag} {value[:40]!r} is malformed",
                          field=tag, line=1)
        found[tag] = value
    for tag, _value in blocks.trailer:
        if tag not in _TRAILER_TAGS:
            raise MtError("H90", f"unknown block 5 field {tag}", field=tag)
    return found


def _message_type(blocks: Blocks, user: dict[str, str]) -> str:
    base = blocks.application.message_type
    flag = user.get("119")
    if flag is not None and base not in _VALIDATION_FLAGS[flag]:
        raise MtError("H83", f"119:{flag} does not apply to MT{base}", field="119", line=1)
    key = base + (flag or "")
    if key not in SPECS:  # MT103 REMIT and MT104 RFDD are not taken
        raise MtError("H25", f"MT{base}" + (f" with 119:{flag}" if flag else "")
                      + " is not supported", field="block2", line=1)
    return key


def _check_rules(message_type: str, fields: tuple[Field, ...]) -> None:
    if message_type in ("103", "103STP"):
        check_103(fields, stp=message_type == "103STP")
    elif message_type == "202COV":
        check_202cov(sequence_b(fields))
    elif message_type == "910":
        check_910(fields)


def sequence_b(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields of MT202COV sequence B: from its mandatory 50a on."""
    start = next((i for i, f in enumerate(fields) if f.tag[:2] == "50"), len(fields))
    return fields[start:]

