"""Why a sanctions list file is refused, with the line or element at fault.

A refused file changes nothing: parsers build every entry before returning any, so the
version in force stays active (the store keeps it; see ``finmesh.sanctions``).

``ListProblem`` codes are stable (L01...): operators and external checks match on them.
They are not NAK reasons (no message is refused by them), so they live here rather than
in ``finmesh.domain.reasons``; the HTTP edge maps ``ListFormatError`` to 422.
"""

from __future__ import annotations

from enum import Enum

from finmesh.domain.errors import FinmeshError


class ListProblem(Enum):
    """A coded reason a list file is refused. ``code`` is the stable code."""

    def __init__(self, code: str, text: str) -> None:
        self.code = code
        self.text = text

    TOO_LARGE = ("L01", "list file exceeds the size limit")
    TOO_MANY_ENTRIES = ("L02", "list holds more entries than the limit")
    FIELD_TOO_LONG = ("L03", "a field exceeds its length limit")
    MALFORMED = ("L04", "the file is not well-formed in its format")
    FORBIDDEN_XML = ("L05", "DTD, entity or processing instruction not allowed")
    MISSING_FIELD = ("L06", "an entry lacks a required field")
    BAD_VALUE = ("L07", "a field holds a value its format does not allow")
    DUPLICATE_ID = ("L08", "two entries share one identifier")
    EMPTY = ("L09", "the file holds no entries")
    UNKNOWN_FORMAT = ("L10", "unknown list format")
    BAD_ENCODING = ("L11", "the file is not UTF-8 text")


class ListFormatError(FinmeshError):
    """A list file was refused: ``problem`` says why, ``where`` names the line or element."""

    def __init__(self, problem: ListProblem, detail: str, where: str = "") -> None:
        location = f" at {where}" if where else ""
        super().__init__(f"{problem.code} {problem.text}{location}: {detail}")
        self.problem = problem
        self.detail = detail
        self.where = where

    @property
    def code(self) -> str:
        return self.problem.code
