"""The rules, one function each: a Facts in, Rejected with the rule's own code out.

Currencies and minor units come from the ``iso4217`` package (the ISO 4217 table it
ships), BICs and IBANs are checked by ``schwifty``; nothing here is a hand-kept list
except the CBPR+ commodity codes, which the usage guidelines name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from iso4217 import Currency
from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from finmesh.domain.errors import Rejected
from finmesh.domain.reasons import Reason
from finmesh.domain.rules.facts import Facts
from finmesh.domain.rules.paths import local, path_of

Rule = Callable[[Facts], None]

COMMODITIES = frozenset({"XAU", "XAG", "XPD", "XPT"})
"""Precious metals: ISO 4217 codes CBPR+ refuses as a payment currency."""
_UETR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
_DATE = re.compile(
    r"(?P<year>-?\d{4,})-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:\.\d+)?)?(?P<tz>Z|[+-]\d\d:\d\d)?\Z"
)
FUTURE_TOLERANCE = timedelta(days=1)
"""How far past the node's clock a creation date may be (clocks and time zones)."""
_ISO_CODES = frozenset(c.code for c in Currency)
_EXPONENT = {c.code: c.exponent for c in Currency}


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def currency_codes(facts: Facts) -> None:
    for element in facts.amounts:
        _known_currency(element.get("Ccy", ""), path_of(element, "Ccy"))
    for element in facts.currencies:
        _known_currency(_text(element), path_of(element))


def _known_currency(code: str, where: str) -> None:
    if code not in _ISO_CODES:
        raise Rejected(Reason.UNKNOWN_CURRENCY, f"{where}: {code!r}")


def minor_units(facts: Facts) -> None:
    for element in facts.amounts:
        code = element.get("Ccy", "")
        exponent = _EXPONENT.get(code)
        if exponent is None:
            continue  # no minor units defined (funds, metals): nothing to hold it to
        try:
            value = Decimal(_text(element))
        except InvalidOperation:
            continue  # the schema decided the lexical form
        decimals = max(0, -int(value.normalize().as_tuple().exponent))
        if decimals > exponent:
            raise Rejected(
                Reason.CURRENCY_MINOR_UNITS,
                f"{path_of(element)}: {_text(element)} {code} ({code} has {exponent} decimals)",
            )


def no_commodities(facts: Facts) -> None:
    for element in facts.amounts:
        code = element.get("Ccy", "")
        if code in COMMODITIES:
            raise Rejected(Reason.CURRENCY_NOT_ALLOWED, f"{path_of(element, 'Ccy')}: {code}")


def bic_codes(facts: Facts) -> None:
    for element in facts.bics:
        try:
            BIC(_text(element))
        except SchwiftyException as exc:
            raise Rejected(Reason.INVALID_BIC_CODE, f"{path_of(element)}: {exc}") from None


def iban_check(facts: Facts) -> None:
    for element in facts.ibans:
        try:
            IBAN(_text(element))
        except SchwiftyException as exc:
            raise Rejected(Reason.INVALID_IBAN, f"{path_of(element)}: {exc}") from None


def uetr_format(facts: Facts) -> None:
    for element in facts.uetrs:
        if not _UETR.match(_text(element)):
            raise Rejected(Reason.INVALID_UETR, f"{path_of(element)}: {_text(element)!r}")


_UETR_REQUIRED = {
    "pacs.008": ("CdtTrfTxInf", "PmtId/UETR"),
    "pacs.009": ("CdtTrfTxInf", "PmtId/UETR"),
    "pacs.002": ("TxInfAndSts", "OrgnlUETR"),
    "pacs.004": ("TxInf", "OrgnlUETR"),
    "camt.056": ("Undrlyg/TxInf", "OrgnlUETR"),
}
"""Definition family -> (each transaction, where its UETR must be), per CBPR+."""


def uetr_required(facts: Facts) -> None:
    where = _UETR_REQUIRED.get(facts.msg_def_id[:8])
    if where is None:
        return
    transaction, below = where
    ns = etree.QName(facts.document).namespace
    steps = "/".join(f"{{{ns}}}{s}" for s in below.split("/"))
    for element in facts.find_all(transaction):
        if element.find(steps) is None:
            raise Rejected(Reason.INVALID_UETR, f"{path_of(element)}/{below}: missing")


def date_ranges(facts: Facts) -> None:
    for element in facts.dates:
        matched = _DATE.match(_text(element))
        if matched is None:
            continue  # not a date at all (the schema decided its type)
        where = f"{path_of(element)}: {_text(element)!r}"
        if int(matched["year"]) < 1:
            raise Rejected(Reason.INVALID_DATE, f"{where}: year before 0001")
        tz = matched["tz"]
        if tz and tz != "Z" and (abs(int(tz[:3])) * 60 + int(tz[4:])) > 14 * 60:
            raise Rejected(Reason.INVALID_DATE, f"{where}: offset beyond \u00b114:00")


def creation_dates(facts: Facts) -> None:
    """CBPR+: AppHdr CreDt and GrpHdr CreDtTm carry their offset and are not ahead of
    the network's clock by more than FUTURE_TOLERANCE."""
    candidates = [e for e in facts.dates if local(e.tag) in ("CreDt", "CreDtTm")]
    for element in candidates:
        if local(element.getparent().tag) not in ("AppHdr", "GrpHdr"):  # type: ignore[union-attr]
            continue
        matched = _DATE.match(_text(element))
        where = f"{path_of(element)}: {_text(element)!r}"
        if matched is None or "T" not in _text(element):
            continue
        if not matched["tz"]:
            raise Rejected(Reason.INVALID_DATE, f"{where}: no UTC offset")
        if facts.now is not None and int(matched["year"]) >= 1:
            when = datetime.fromisoformat(_text(element).replace("Z", "+00:00"))
            if when - facts.now.astimezone(UTC) > FUTURE_TOLERANCE:
                raise Rejected(Reason.INVALID_DATE, f"{where}: later than the network's clock")


_AGENTS = {
    "Fr": frozenset({"InstgAgt", "Assgnr/Agt"}),
    "To": frozenset({"InstdAgt", "Assgne/Agt"}),
}
"""AppHdr side -> the agents CBPR+ requires it to equal (payments; case assignments)."""
_AGENT_HOMES = frozenset({"GrpHdr", "CdtTrfTxInf", "TxInfAndSts", "TxInf", "Assgnmt"})
"""Where those agents are the message's own (not those of an underlying transaction,
such as the customer credit transfer a pacs.009 COV carries)."""


def header_agents(facts: Facts) -> None:
    for side, agents in _AGENTS.items():
        found = facts.header_bic(side)
        if found is None:
            continue
        expected = _bic11(_text(found))
        for element in _agent_bics(facts, agents):
            if _bic11(_text(element)) != expected:
                raise Rejected(
                    Reason.HEADER_AGENT_MISMATCH,
                    f"{path_of(element)} {_text(element)} differs from AppHdr/{side} {expected}",
                )


def _agent_bics(facts: Facts, agents: frozenset[str]) -> list[etree._Element]:
    """The BICFI of each of ``agents`` (role, or parent/role) in its own home."""
    found: list[etree._Element] = []
    for element in facts.bics:
        steps = [local(a.tag) for a in element.iterancestors()][:4]
        if local(element.tag) != "BICFI" or len(steps) < 3 or steps[0] != "FinInstnId":
            continue
        role, home = steps[1], steps[2]
        own = role in agents and home in _AGENT_HOMES
        assigned = len(steps) == 4 and f"{home}/{role}" in agents and steps[3] in _AGENT_HOMES
        if own or assigned:
            found.append(element)
    return [e for e in found if not _in_header(e)]


def _in_header(element: etree._Element) -> bool:
    return any(local(a.tag) == "AppHdr" for a in element.iterancestors())


def _bic11(bic: str) -> str:
    return bic.upper() + "XXX" if len(bic) == 8 else bic.upper()
