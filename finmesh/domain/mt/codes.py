"""The error codes an MT (FIN) message is refused with, one table.

Codes follow the families of FIN: T (text block format), C/D/E (network validated
rules), H (headers), M (size and character set). Where we know the code FIN itself
returns for a condition, we use it (``origin="FIN"``); where we do not, we picked a free
code of the right family and say so (``origin="finmesh"``). None collides with the
network's own NAK codes in ``finmesh.domain.reasons`` (M01-M05, T01-T06, H01-H05, ...).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One refusal: its code, a short name and what it means."""

    code: str
    name: str
    meaning: str
    origin: str = "FIN"

    @property
    def text(self) -> str:
        """What it means (the wording a NAK carries)."""
        return self.meaning


_TABLE: tuple[Code, ...] = (
    # M: size, bounds and character set
    Code("M60", "message_too_large", "the message exceeds the byte bound", "finmesh"),
    Code("M61", "too_many_lines", "the text block exceeds the line bound", "finmesh"),
    Code("M62", "too_many_fields", "the text block exceeds the field bound", "finmesh"),
    Code("M63", "bad_character", "a character outside the SWIFT X character set", "finmesh"),
    # H: framing and headers
    Code("H10", "bad_basic_header", "block 1 is missing or not F01 + LT address + session"
         " + sequence"),
    Code("H11", "bad_block_structure", "blocks are not {1:}{2:}{3:}{4:}{5:} in order,"
         " or a brace is unbalanced", "finmesh"),
    Code("H20", "bad_application_header", "block 2 is neither a valid input (I) nor"
         " output (O) application header"),
    Code("H25", "unsupported_message_type", "the message type is not one this network"
         " takes (103, 202, 202COV, 199, 299, 900, 910, 940, 950)", "finmesh"),
    Code("H27", "not_translatable", "the ISO 20022 message has no MT counterpart here: an"
         " unsupported definition, several transactions, or a value MT must have is"
         " missing", "finmesh"),
    Code("H26", "bad_priority", "the priority in block 2 is not S, U or N", "finmesh"),
    Code("H50", "bad_lt_address", "an LT address is not a BIC8, an LT code and a branch"),
    Code("H80", "bad_user_header", "block 3 is malformed or holds an unknown field",
         "finmesh"),
    Code("H81", "bad_uetr", "field 121 is not a UUID version 4 in lowercase", "finmesh"),
    Code("H82", "missing_uetr", "field 121 (UETR) is mandatory in block 3 of this type",
         "finmesh"),
    Code("H83", "bad_validation_flag", "field 119 does not fit the message type",
         "finmesh"),
    Code("H90", "bad_trailer", "block 5 is malformed", "finmesh"),
    # T: text block format
    Code("T08", "invalid_code", "a field holds a code not in its list"),
    Code("T13", "unexpected_field", "a field is not allowed here: unknown to the type,"
         " repeated, in the wrong order or with an option the type does not take",
         "finmesh"),
    Code("T14", "missing_field", "a mandatory field is missing", "finmesh"),
    Code("T17", "bad_field_format", "a field does not match its format (length, lines,"
         " subfields)", "finmesh"),
    Code("T26", "bad_slashes", "a reference starts or ends with '/' or contains '//'"),
    Code("T27", "bad_bic", "an identifier code is not a valid BIC"),
    Code("T38", "bad_time", "a time is not a valid HHMM"),
    Code("T40", "bad_amount", "an amount is not digits with one decimal comma"),
    Code("T43", "amount_too_long", "an amount has more than 15 characters"),
    Code("T50", "bad_date", "a date is not a valid YYMMDD"),
    Code("T51", "bad_mark", "a debit/credit mark is not D, C, RD or RC", "finmesh"),
    Code("T52", "bad_currency", "a currency is not an ISO 4217 code"),
    Code("T56", "bad_structured_party", "the numbered lines of option F are invalid"),
    Code("T73", "bad_country", "a country is not an ISO 3166 code"),
    # C/D/E: network validated rules
    Code("C02", "currency_mismatch", "71G and 32A must have the same currency"),
    Code("C03", "too_many_decimals", "an amount has more decimals than its currency allows"),
    Code("C06", "no_ordering_party", "MT910: either 50a or 52a must be present"),
    Code("C81", "missing_account_with", "56a is present, so 57a must be present too"),
    Code("D75", "missing_exchange_rate", "33B differs from 32A in currency, so 36 is"
         " mandatory; otherwise 36 is not allowed"),
    Code("D50", "sha_with_71g", "71A is SHA, so 71G is not allowed"),
    Code("D51", "charges_without_33b", "71F or 71G is present, so 33B is mandatory"),
    Code("E01", "spri_instruction", "23B is SPRI, so 23E may only hold SDVA, TELB, PHOB"
         " or INTC"),
    Code("E02", "sstd_spay_instruction", "23B is SSTD or SPAY, so 23E is not allowed"),
    Code("E06", "missing_correspondents", "55a is present, so 53a and 54a must be too"),
    Code("E13", "our_with_71f", "71A is OUR, so 71F is not allowed"),
    Code("E15", "ben_charges", "71A is BEN, so 71F is mandatory and 71G not allowed"),
    Code("E16", "spri_intermediary", "23B is SPRI, so 56a is not allowed"),
    Code("E18", "chqb_account", "23E holds CHQB, so 59a must not have an account"),
    Code("E44", "intermediary_instruction", "56a is absent, so 23E must not hold TELI or"
         " PHOI"),
    Code("E45", "account_with_instruction", "57a is absent, so 23E must not hold TELE or"
         " PHON"),
    Code("E46", "repeated_instruction", "23E must not repeat a code"),
    Code("E47", "stp_option", "an MT103 STP field uses an option STP does not allow",
         "finmesh"),
)

CODES: dict[str, Code] = {entry.code: entry for entry in _TABLE}
"""Every code this package refuses an MT message with."""

if len(CODES) != len(_TABLE):  # pragma: no cover - a typo in the table above
    raise RuntimeError("duplicate MT error code")


def table() -> list[dict[str, str]]:
    """The FIN codes as the network's reason table lists them (a NAK of a message
    submitted as FIN carries one of these)."""
    return [
        {"code": c.code, "name": c.name.upper(), "text": c.meaning, "applies_to": "FIN"}
        for c in CODES.values()
    ]
