"""Read ISO 20022 agents, parties and accounts back into MT field values."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.formats import format_amount
from finmesh.domain.mt.mt_write import Writer
from finmesh.domain.mt.mx_parts import CLEARING_BACK
from finmesh.domain.mt.mx_tree import child, children, find, same, text

LINE = 35
"""Width of a name and address line (35x)."""


_DECIMAL = re.compile(r"[0-9]{1,18}(\.[0-9]{0,17})?")


def decimal_text(value: str | None, where: str) -> str:
    """An ISO 20022 decimal as FIN writes it (``12.50`` -> ``12,5``); H27 if it is not
    one (definitions without a schema installed are read unvalidated)."""
    if value is None or _DECIMAL.fullmatch(value.strip()) is None:
        raise MtError("H27", f"{(value or '')[:20]!r} is not a decimal amount", field=where)
    return format_amount(Decimal(value.strip()))


def money(amount: etree._Element | None, where: str) -> str:
    """Currency and amount (``EUR12,5``) of an amount element."""
    if amount is None:
        raise MtError("H27", "no amount", field=where)
    currency = amount.get("Ccy", "")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise MtError("H27", f"currency {currency[:5]!r}", field=where)
    return currency + decimal_text(amount.text, where)


def account_number(holder: etree._Element | None) -> str | None:
    """IBAN or Othr/Id of a CashAccount38/39."""
    if holder is None:
        return None
    return text(holder, "Id/IBAN") or text(holder, "Id/Othr/Id")


def bic_of(element: etree._Element | None) -> str | None:
    return text(element, "FinInstnId/BICFI")


def only_bic(element: etree._Element | None) -> str | None:
    """The BIC of an agent that has nothing but a BIC, else None."""
    institution = child(element, "FinInstnId")
    if institution is None or len(children(element, "BrnchId")) or len(institution) != 1:
        return None
    return bic_of(element)


def agent_field(writer: Writer, base: str, element: etree._Element | None,
                holder: etree._Element | None, options: str, where: str) -> None:
    """An agent as ``<base>A`` (BIC), ``B`` (location), ``C`` (identifier) or ``D``."""
    if element is None:
        return
    institution = child(element, "FinInstnId")
    identifier = _party_identifier(writer, institution, holder, where)
    bic = bic_of(element)
    name = text(institution, "Nm")
    lines = [line.text or "" for line in children(find(institution, "PstlAdr"), "AdrLine")]
    if bic is not None and "A" in options:
        writer.add(base + "A", [*identifier, bic])
        if name is not None:
            writer.report.note("not_translated", where + "/Nm", "the name of an agent"
                               " identified by BIC")
        return
    if name is None and len(lines) == 1 and "B" in options:
        writer.add(base + "B", [*identifier, writer.text(lines[0], LINE, where)])
        return
    if name is None and not lines and identifier and "C" in options:
        writer.add(base + "C", identifier)
        return
    if name is None and bic is not None:
        name = bic
    details = writer.lines("\n".join([name or "NOTPROVIDED", *lines]), LINE, 4, where)
    writer.add(base + "D", [*identifier, *details])


def _party_identifier(writer: Writer, institution: etree._Element | None,
                      holder: etree._Element | None, where: str) -> list[str]:
    number = account_number(holder)
    if number is not None:
        return ["/" + writer.text(number, 34, where + "Acct")]
    member = find(institution, "ClrSysMmbId")
    if member is None:
        return []
    code = text(member, "ClrSysId/Cd")
    fin = CLEARING_BACK.get(code or "") or text(member, "ClrSysId/Prtry") or ""
    if len(fin) != 2:
        writer.report.note("not_translated", where, f"clearing system {code or fin!r}")
        return []
    return ["//" + fin + writer.text(text(member, "MmbId") or "", 33, where)]


def customer_field(writer: Writer, base: str, party: etree._Element | None,
                   holder: etree._Element | None, where: str) -> None:
    """A customer as ``<base>A`` (AnyBIC), ``F`` (structured) or K / no letter."""
    if party is None:
        return
    number = account_number(holder)
    first = ["/" + writer.text(number, 34, where + "Acct")] if number is not None else []
    bic = text(party, "Id/OrgId/AnyBIC")
    name = text(party, "Nm")
    address = find(party, "PstlAdr")
    lines = [line.text or "" for line in children(address, "AdrLine")]
    country, town = text(address, "Ctry"), text(address, "TwnNm")
    person = find(party, "Id/PrvtId")
    if bic is not None and name is None:
        writer.add(base + "A", [*first, bic])
    elif country is not None or town is not None or person is not None:
        writer.add(base + "F", _structured(writer, first, name, lines, country, town,
                                           person, base, where))
    else:
        free = "K" if base == "50" else ""
        details = writer.lines("\n".join([name or "NOTPROVIDED", *lines]), LINE, 4, where)
        writer.add(base + free, [*first, *details])


def _structured(writer: Writer, first: list[str], name: str | None, lines: list[str],
                country: str | None, town: str | None, person: etree._Element | None,
                base: str, where: str) -> list[str]:
    """Option F: [identifier] and 4 numbered lines, shared out: 3/ (country and town)
    first, then the name, then the address, then 4/ 5/ (birth) if room is left."""
    first = _identifier(writer, first, person, base, where)
    room = 4 - (country is not None)
    address_text = "\n".join(lines)
    names = writer.lines(name or "NOTPROVIDED", LINE - 2, max(1, room - bool(address_text)),
                         where + "/Nm")
    numbered = [f"1/{line}" for line in names]
    if address_text:
        numbered += [f"2/{line}" for line in writer.lines(address_text, LINE - 2,
                                                          max(1, room - len(names)), where)]
    if country is not None:
        numbered.append("3/" + writer.text(f"{country}/{town}" if town else country,
                                           LINE - 2, where))
    born = find(person, "DtAndPlcOfBirth")
    if born is not None and base == "50":
        if len(numbered) <= 2:
            day = (text(born, "BirthDt") or "").replace("-", "")
            numbered += ["4/" + day, "5/" + writer.text(
                f"{text(born, 'CtryOfBirth')}/{text(born, 'CityOfBirth')}", LINE - 2, where)]
        else:
            writer.report.note("not_translated", where + "/Id", "no line left for the"
                               " date and place of birth")
    return [*first, *numbered][:5]


def _identifier(writer: Writer, first: list[str], person: etree._Element | None,
                base: str, where: str) -> list[str]:
    """The party identifier line: the account, else (50F) the first person identifier,
    else (50F, where it is mandatory) /NOTPROVIDED."""
    identities = children(person, "Othr")
    if identities and base == "50" and not first:
        other = identities[0]
        code = text(other, "SchmeNm/Cd") or "CUST"
        issuer = text(other, "Issr") or ""
        first = [writer.text(f"{code}/{issuer[:2]}/{text(other, 'Id')}", LINE, where)]
        identities = identities[1:]
    if identities:
        writer.report.note("not_translated", where + "/Id", "identifiers beyond the first")
    if not first and base == "50":
        first = ["/NOTPROVIDED"]
    return first


def same_agent(left: etree._Element | None, right: etree._Element | None) -> bool:
    return same(child(left, "FinInstnId"), child(right, "FinInstnId"))
