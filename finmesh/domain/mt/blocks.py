"""Split a FIN message into its blocks and check the headers.

A FIN message is ``{1:basic}{2:application}{3:{tag:value}...}{4:<CRLF>text<CRLF>-}{5:...}``.
Blocks 1, 2 and 4 are mandatory here (an ACK or a system message is not a business
message). Published samples put line breaks between blocks and use LF for CRLF; both
are accepted, nothing else is. Every input is bounded before it is looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finmesh.domain.bic import is_country_code
from finmesh.domain.mt.errors import MtError

MESSAGE_BYTES_MAX = 16_384
"""Largest accepted FIN message, in bytes (FIN's own text block limit is 10,000)."""

TEXT_LINES_MAX = 2_000
"""Most lines in the text block."""

FIELDS_MAX = 1_000
"""Most fields in the text block."""

USER_FIELDS_MAX = 16
"""Most fields in block 3 or block 5."""

_LT = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}[A-Z0-9][A-Z0-9]{3}")
_BASIC = re.compile(r"F01(?P<lt>.{12})(?P<session>[0-9]{4})(?P<sequence>[0-9]{6})")
_INPUT = re.compile(
    r"I(?P<mt>[0-9]{3})(?P<lt>.{12})(?P<priority>[A-Z])?(?P<monitoring>[123])?"
    r"(?P<obsolescence>[0-9]{3})?"
)
_OUTPUT = re.compile(
    r"O(?P<mt>[0-9]{3})(?P<time>[0-9]{4})(?P<mir>[0-9]{6}(?P<lt>.{12})[0-9]{4}[0-9]{6})"
    r"(?P<date>[0-9]{6})(?P<otime>[0-9]{4})(?P<priority>[A-Z])?"
)
_SUB_BLOCK = re.compile(r"\{([A-Za-z0-9]{1,3}):([^{}]*)\}")
_FIELD_START = re.compile(r":([0-9]{2}[A-Z]?):(.*)")
_PRIORITIES = frozenset("SUN")
_BLOCK_IDS = ("1", "2", "3", "4", "5", "S")
"""FIN's five blocks, and the S trailer that SWIFT interfaces add after them locally
(kept out of the message: FIN never sees it)."""


@dataclass(frozen=True)
class BasicHeader:
    """Block 1: the logical terminal the message was sent from (input) or to (output)."""

    lt_address: str
    session: str
    sequence: str


@dataclass(frozen=True)
class ApplicationHeader:
    """Block 2, input (``I``: to the network) or output (``O``: from it)."""

    direction: str
    message_type: str
    lt_address: str
    """Receiver's LT (input) or the sender's LT taken from the MIR (output)."""
    priority: str | None
    delivery_monitoring: str | None = None
    obsolescence: str | None = None
    input_time: str | None = None
    mir: str | None = None
    output_date: str | None = None
    output_time: str | None = None


@dataclass(frozen=True)
class Field:
    """One field of the text block: tag with option, value lines joined by LF, line."""

    tag: str
    value: str
    line: int

    @property
    def lines(self) -> list[str]:
        return self.value.split("\n")


@dataclass(frozen=True)
class Blocks:
    """A FIN message split into checked headers and raw text-block fields."""

    basic: BasicHeader
    application: ApplicationHeader
    user: tuple[tuple[str, str], ...]
    text: tuple[Field, ...]
    trailer: tuple[tuple[str, str], ...]


def lt_to_bic11(lt_address: str) -> str:
    """The BIC11 an LT address belongs to: its BIC8 and branch, without the LT code."""
    return lt_address[:8] + lt_address[9:12]


def split_blocks(payload: bytes) -> Blocks:
    """The blocks of one FIN message, or MtError with an H or M code."""
    text = _decode(payload)
    raw = _top_level_blocks(text)
    basic = _basic(raw.get("1"))
    application = _application(raw.get("2"))
    user = _user_fields(raw["3"], "block3", "H80") if "3" in raw else ()
    if "4" not in raw:
        raise MtError("H11", "no text block {4:...-}", field="block4")
    fields = _text_fields(raw["4"], _first_line_of_text(text))
    trailer = _user_fields(raw["5"], "block5", "H90") if "5" in raw else ()
    return Blocks(basic, application, user, fields, trailer)


def _decode(payload: bytes) -> str:
    if len(payload) > MESSAGE_BYTES_MAX:
        raise MtError("M60", f"{len(payload)} bytes, at most {MESSAGE_BYTES_MAX}")
    try:
        text = payload.decode("ascii")
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise MtError("M63", f"byte 0x{payload[exc.start]:02x} is not ASCII", line=line) from None
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        raise MtError("M63", "carriage return without line feed", line=_line_at(text, "\r"))
    if text.count("\n") > TEXT_LINES_MAX:
        raise MtError("M61", f"more than {TEXT_LINES_MAX} lines")
    return text.strip("\n ")


def _line_at(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _top_level_blocks(text: str) -> dict[str, str]:
    """Block id -> content, in order 1..5 with none repeated; LF allowed between blocks."""
    blocks: dict[str, str] = {}
    position = 0
    while position < len(text):
        if text[position] == "\n":
            position += 1
            continue
        if text[position] != "{" or text[position + 2 : position + 3] != ":":
            raise MtError("H11", f"expected '{{n:' at offset {position}",
                          line=text[:position].count("\n") + 1)
        block_id = text[position + 1]
        if block_id not in _BLOCK_IDS or any(
            _BLOCK_IDS.index(b) >= _BLOCK_IDS.index(block_id) for b in blocks
        ):
            raise MtError("H11", f"block {block_id!r} out of order or unknown",
                          line=text[:position].count("\n") + 1)
        end = _block_end(text, position, block_id)
        # Block 4 ends with LF '-' '}': neither the LF nor the '-' belongs to the text.
        blocks[block_id] = text[position + 3 : end - 2 if block_id == "4" else end]
        position = end + 1
    return blocks


def _block_end(text: str, start: int, block_id: str) -> int:
    """Index of the closing brace of the block opening at ``start``."""
    line = text[:start].count("\n") + 1
    if block_id == "4":
        end = text.find("\n-}", start)
        if end < 0:
            raise MtError("H11", "text block does not end with a line '-}'", field="block4",
                          line=line)
        return end + 2
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
            if depth > 2:
                raise MtError("H11", "braces nested too deep", line=line)
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        elif char == "\n" and block_id in "12":
            break
    raise MtError("H11", f"block {block_id} is not closed", line=line)


def _basic(content: str | None) -> BasicHeader:
    if content is None:
        raise MtError("H10", "no basic header block {1:...}", field="block1", line=1)
    match = _BASIC.fullmatch(content)
    if match is None:
        raise MtError("H10", f"basic header {content[:40]!r} is not F01 + LT address +"
                      " 4-digit session + 6-digit sequence", field="block1", line=1)
    _check_lt(match["lt"], "block1")
    return BasicHeader(match["lt"], match["session"], match["sequence"])


def _application(content: str | None) -> ApplicationHeader:
    if content is None:
        raise MtError("H20", "no application header block {2:...}", field="block2", line=1)
    if content.startswith("I"):
        match = _INPUT.fullmatch(content)
        if match is not None:
            _check_lt(match["lt"], "block2")
            _check_priority(match["priority"])
            return ApplicationHeader("I", match["mt"], match["lt"], match["priority"],
                                     match["monitoring"], match["obsolescence"])
    elif content.startswith("O"):
        match = _OUTPUT.fullmatch(content)
        if match is not None:
            _check_lt(match["lt"], "block2")
            _check_priority(match["priority"])
            return ApplicationHeader("O", match["mt"], match["lt"], match["priority"],
                                     input_time=match["time"], mir=match["mir"],
                                     output_date=match["date"], output_time=match["otime"])
    raise MtError("H20", f"application header {content[:50]!r} is neither I + type + LT"
                  " address [+ priority] nor O + type + time + MIR + date + time"
                  " [+ priority]", field="block2", line=1)


def _check_lt(lt_address: str, block: str) -> None:
    if not _LT.fullmatch(lt_address):
        raise MtError("H50", f"{lt_address!r} is not BIC8 + LT code + branch (12 letters"
                      " or digits)", field=block, line=1)
    if not is_country_code(lt_address[4:6]):
        raise MtError("H50", f"{lt_address!r}: country {lt_address[4:6]!r} is not ISO 3166",
                      field=block, line=1)
    branch = lt_address[9:12]
    if branch.startswith("X") and branch != "XXX":
        raise MtError("H50", f"{lt_address!r}: branch {branch!r} starts with X but is not"
                      " XXX", field=block, line=1)


def _check_priority(priority: str | None) -> None:
    if priority is not None and priority not in _PRIORITIES:
        raise MtError("H26", f"priority {priority!r}", field="block2", line=1)


def _user_fields(content: str, block: str, code: str) -> tuple[tuple[str, str], ...]:
    """``{tag:value}`` pairs filling the whole block, at most USER_FIELDS_MAX."""
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(content):
        match = _SUB_BLOCK.match(content, position)
        if match is None:
            raise MtError(code, f"expected '{{tag:value}}' at {content[position:][:20]!r}",
                          field=block, line=1)
        pairs.append((match[1], match[2]))
        if len(pairs) > USER_FIELDS_MAX:
            raise MtError(code, f"more than {USER_FIELDS_MAX} fields", field=block, line=1)
        position = match.end()
    if not pairs:
        raise MtError(code, "block is empty", field=block, line=1)
    return tuple(pairs)


def _first_line_of_text(text: str) -> int:
    return text[: text.index("{4:")].count("\n") + 1


def _text_fields(content: str, first_line: int) -> tuple[Field, ...]:
    """The fields of block 4: it opens with a line break and each field with ':tag:'."""
    if not content:
        raise MtError("T14", "the text block holds no field", field="block4", line=first_line)
    if not content.startswith("\n"):
        raise MtError("H11", "text block must start with a line break", field="block4",
                      line=first_line)
    fields: list[Field] = []
    tag: str | None = None
    lines: list[str] = []
    start = first_line
    for number, line in enumerate(content[1:].split("\n"), start=first_line + 1):
        match = _FIELD_START.fullmatch(line) if line.startswith(":") else None
        if match is not None:
            if tag is not None:
                fields.append(Field(tag, "\n".join(lines), start))
            if len(fields) >= FIELDS_MAX:
                raise MtError("M62", f"more than {FIELDS_MAX} fields", line=number)
            tag, lines, start = match[1], [match[2]], number
        elif tag is None or line.startswith((":", "-")):
            raise MtError("T17", f"line {line[:20]!r} is neither a ':tag:' nor a continuation",
                          line=number)
        else:
            lines.append(line)
    if tag is None:
        raise MtError("T14", "the text block holds no field", field="block4", line=first_line)
    fields.append(Field(tag, "\n".join(lines), start))
    return tuple(fields)
