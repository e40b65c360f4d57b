"""Network validated rules: relations between fields that FIN checks after formats.

MT103 (C1-C10 of the standard, with the error codes FIN returns), MT103 STP's narrower
options, MT202COV's currency rule, and MT910's ordering party.
"""

from __future__ import annotations

from collections.abc import Sequence

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.fields import parse_32a, parse_currency_amount, parse_instruction

_SPRI_INSTRUCTIONS = frozenset({"SDVA", "TELB", "PHOB", "INTC"})
_STP_INSTRUCTIONS = frozenset({"CORT", "INTC", "SDVA", "REPA"})


class _View:
    """The fields of one message (or one sequence) by tag."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = fields

    def first(self, *tags: str) -> Field | None:
        return next((f for f in self.fields if f.tag in tags or f.tag[:2] in tags), None)

    def all(self, tag: str) -> list[Field]:
        return [f for f in self.fields if f.tag == tag]

    def anchor(self) -> Field:
        return self.fields[0]


def _fail(code: str, message: str, field: Field) -> None:
    raise MtError(code, message, field=field.tag, line=field.line)


def check_103(fields: Sequence[Field], stp: bool) -> None:
    view = _View(fields)
    _exchange_rate(view)
    _bank_operation(view, stp)
    _correspondents(view)
    _charges(view)


def _exchange_rate(view: _View) -> None:
    settled = view.first("32A")
    instructed, rate = view.first("33B"), view.first("36")
    if settled is None:
        return
    differs = instructed is not None and (
        parse_currency_amount(instructed).currency != parse_32a(settled).currency
    )
    if differs and rate is None:
        _fail("D75", "33B and 32A differ in currency, so 36 is mandatory", instructed
              or settled)
    if not differs and rate is not None:
        _fail("D75", "36 is only allowed when 33B and 32A differ in currency", rate)


def _bank_operation(view: _View, stp: bool) -> None:
    operation = view.first("23B")
    instructions = view.all("23E")
    codes = [parse_instruction(field)[0] for field in instructions]
    for index, code in enumerate(codes):
        if code in codes[:index]:
            _fail("E46", f"instruction {code} is repeated", instructions[index])
        if stp and code not in _STP_INSTRUCTIONS:
            _fail("E47", f"MT103 STP allows 23E {sorted(_STP_INSTRUCTIONS)}, not {code}",
                  instructions[index])
    value = operation.value if operation is not None else "CRED"
    if value == "SPRI" and any(code not in _SPRI_INSTRUCTIONS for code in codes):
        _fail("E01", "23B SPRI allows 23E SDVA, TELB, PHOB or INTC only", instructions[0])
    if value in ("SSTD", "SPAY") and instructions:
        _fail("E02", f"23B {value} allows no 23E", instructions[0])
    intermediary = view.first("56")
    if value == "SPRI" and intermediary is not None:
        _fail("E16", "23B SPRI allows no 56a", intermediary)
    if intermediary is None and ("TELI" in codes or "PHOI" in codes):
        _fail("E44", "without 56a, 23E must not hold TELI or PHOI", instructions[0])
    if view.first("57") is None and ("TELE" in codes or "PHON" in codes):
        _fail("E45", "without 57a, 23E must not hold TELE or PHON", instructions[0])
    beneficiary = view.first("59")
    if "CHQB" in codes and beneficiary is not None and beneficiary.value.startswith("/"):
        _fail("E18", "23E CHQB: 59a must not name an account", beneficiary)


def _correspondents(view: _View) -> None:
    third = view.first("55")
    if third is not None and (view.first("53") is None or view.first("54") is None):
        _fail("E06", "55a needs both 53a and 54a", third)
    intermediary = view.first("56")
    if intermediary is not None and view.first("57") is None:
        _fail("C81", "56a needs 57a", intermediary)


def _charges(view: _View) -> None:
    bearer = view.first("71A")
    senders = view.all("71F")
    receivers = view.first("71G")
    code = bearer.value if bearer is not None else None
    if code == "OUR" and senders:
        _fail("E13", "71A OUR allows no 71F", senders[0])
    if code == "SHA" and receivers is not None:
        _fail("D50", "71A SHA allows no 71G", receivers)
    if code == "BEN" and (not senders or receivers is not None):
        _fail("E15", "71A BEN needs 71F and allows no 71G", receivers or bearer or
              view.anchor())
    if (senders or receivers is not None) and view.first("33B") is None:
        _fail("D51", "71F or 71G needs 33B", senders[0] if senders else receivers
              or view.anchor())
    settled = view.first("32A")
    if receivers is not None and settled is not None and (
        parse_currency_amount(receivers).currency != parse_32a(settled).currency
    ):
        _fail("C02", "71G and 32A must have the same currency", receivers)


def check_202cov(sequence_b: Sequence[Field]) -> None:
    """Sequence B: 33B, when present, is the instructed amount of the customer transfer."""
    intermediary = _View(sequence_b).first("56")
    if intermediary is not None and _View(sequence_b).first("57") is None:
        _fail("C81", "56a of sequence B needs 57a", intermediary)


def check_910(fields: Sequence[Field]) -> None:
    view = _View(fields)
    if view.first("50") is None and view.first("52") is None:
        _fail("C06", "either 50a or 52a must be present", view.first("32A") or view.anchor())
