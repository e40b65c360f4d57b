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
from functools import lru_cache
from typing import NoReturn

from iso4217 import Currency
from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from finmesh.domain.errors import Rejected
from finmesh.domain.reasons import Reason
from finmesh.domain.rules.facts import Facts
from finmesh.domain.rules.paths import clark_steps, first_at, local, path_of

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
        code = element.get("Ccy", "")
        if code not in _ISO_CODES:
            _unknown_currency(code, path_of(element, "Ccy"))
    for element in facts.currencies:
        code = _text(element)
        if code not in _ISO_CODES:
            _unknown_currency(code, path_of(element))


def _unknown_currency(code: str, where: str) -> NoReturn:
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


@lru_cache(maxsize=65_536)
def _bic_problem(code: str) -> str | None:
    """Why ``code`` is not a valid BIC, or None (BICs repeat: each is checked once)."""
    try:
        BIC(code)
    except SchwiftyException as exc:
        return str(exc)
    return None


@lru_cache(maxsize=65_536)
def _iban_problem(code: str) -> str | None:
    try:
        IBAN(code)
    except SchwiftyException as exc:
        return str(exc)
    return None


def bic_codes(facts: Facts) -> None:
    for element in facts.bics:
        problem = _bic_problem(_text(element))
        if problem is not None:
            raise Rejected(Reason.INVALID_BIC_CODE, f"{path_of(element)}: {problem}")


def iban_check(facts: Facts) -> None:
    for element in facts.ibans:
        problem = _iban_problem(_text(element))
        if problem is not None:
            raise Rejected(Reason.INVALID_IBAN, f"{path_of(element)}: {problem}")


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
    steps = clark_steps(facts.document.tag, below)
    for element in facts.find_all(transaction):
        if first_at(element, steps) is None:
            raise Rejected(Reason.INVALID_UETR, f"{path_of(element)}/{below}: missing")


def date_ranges(facts: Facts) -> None:
    for element in facts.dates:
        matched = _DATE.match(_text(element))
        if matched is None:
            continue  # not a date at all (the schema decided its type)
        if int(matched["year"]) < 1:
            raise Rejected(Reason.INVALID_DATE, f"{_where(element)}: year before 0001")
        tz = matched["tz"]
        if tz and tz != "Z" and (abs(int(tz[:3])) * 60 + int(tz[4:])) > 14 * 60:
            raise Rejected(Reason.INVALID_DATE, f"{_where(element)}: offset beyond \u00b114:00")


def _where(element: etree._Element) -> str:
    return f"{path_of(element)}: {_text(element)!r}"


def creation_dates(facts: Facts) -> None:
    """CBPR+: AppHdr CreDt and GrpHdr CreDtTm carry their offset and are not ahead of
    the network's clock by more than FUTURE_TOLERANCE."""
    candidates = [e for e in facts.dates if local(e.tag) in ("CreDt", "CreDtTm")]
    for element in candidates:
        if local(element.getparent().tag) not in ("AppHdr", "GrpHdr"):  # type: ignore[union-attr]
            continue
        matched = _DATE.match(_text(element))
        if matched is None or "T" not in _text(element):
            continue
        if not matched["tz"]:
            raise Rejected(Reason.INVALID_DATE, f"{_where(element)}: no UTC offset")
        if facts.now is not None and int(matched["year"]) >= 1:
            when = datetime.fromisoformat(_text(element).replace("Z", "+00:00"))
            if when - facts.now.astimezone(UTC) > FUTURE_TOLERANCE:
                raise Rejected(
                    Reason.INVALID_DATE, f"{_where(element)}: later than the network's clock"
                )


_AGENTS = {
    "Fr": frozenset({"InstgAgt", "Assgnr/Agt"}),
    "To": frozenset({"InstdAgt", "Assgne/Agt"}),
}
"""AppHdr side -> the agents CBPR+ requires it to equal (payments; case assignments)."""
_AGENT_ROLES = frozenset(
    name.rpartition("/")[2] for names in _AGENTS.values() for name in names
)
"""The agent element names any side looks for (alone, or as the last step)."""
_AGENT_HOMES = frozenset({"GrpHdr", "CdtTrfTxInf", "TxInfAndSts", "TxInf", "Assgnmt"})
"""Where those agents are the message's own (not those of an underlying transaction,
such as the customer credit transfer a pacs.009 COV carries)."""


def header_agents(facts: Facts) -> None:
    agents = _agent_bics(facts)
    for side in ("Fr", "To"):
        found = facts.header_bic(side)
        if found is None:
            continue
        expected = _bic11(_text(found))
        for element in agents[side]:
            if _bic11(_text(element)) != expected:
                raise Rejected(
                    Reason.HEADER_AGENT_MISMATCH,
                    f"{path_of(element)} {_text(element)} differs from AppHdr/{side} {expected}",
                )


def _agent_bics(facts: Facts) -> dict[str, list[etree._Element]]:
    """AppHdr side -> the BICFI of each of its agents (role, or parent/role) in its own
    home, in one pass over the Document's BICs."""
    found: dict[str, list[etree._Element]] = {side: [] for side in _AGENTS}
    for element in facts.document_bics:
        if local(element.tag) != "BICFI":
            continue
        institution = element.getparent()
        agent = None if institution is None else institution.getparent()
        if agent is None or local(agent.tag) not in _AGENT_ROLES:
            continue  # no side could name it: skip the reads below
        home = agent.getparent()
        if home is None or local(institution.tag) != "FinInstnId":  # type: ignore[union-attr]
            continue
        role, where = local(agent.tag), local(home.tag)
        outer = home.getparent()
        pair = f"{where}/{role}"
        for side, names in _AGENTS.items():
            if (role in names and where in _AGENT_HOMES) or (
                pair in names and outer is not None and local(outer.tag) in _AGENT_HOMES
            ):
                found[side].append(element)
    return found


def _bic11(bic: str) -> str:
    return bic.upper() + "XXX" if len(bic) == 8 else bic.upper()
