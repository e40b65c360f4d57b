"""MT agents, customers and accounts written as ISO 20022 elements (and the tables they use)."""

from __future__ import annotations

import re

from lxml import etree

from finmesh.domain.mt.mx_tree import Builder
from finmesh.domain.mt.parties import RTGS, Agent, Customer
from finmesh.domain.mt.report import TranslationReport

CLEARING_CODES: dict[str, str] = {
    "AT": "ATBLZ", "AU": "AUBSB", "BL": "DEBLZ", "CC": "CACPA", "CP": "USPID",
    "ES": "ESNCC", "FW": "USABA", "HK": "HKNCC", "IE": "IENCC", "IN": "INFSC",
    "IT": "ITNCC", "NZ": "NZNCC", "PT": "PTNCC", "RU": "RUCBC", "SC": "GBDSC",
    "SW": "CHBCC", "ZA": "ZANCC",
}
"""FIN clearing code (``//FW...``) -> ISO 20022 ExternalClearingSystemIdentification1Code."""

CLEARING_BACK = {iso: fin for fin, iso in CLEARING_CODES.items()}

PERSON_ID_CODES = frozenset({"ARNU", "CCPT", "CUST", "DRLC", "EMPL", "NIDN", "SOSE", "TXID"})
"""50F identifier codes, the same letters as ISO's ExternalPersonIdentification1Code."""

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")


def is_iban(text: str) -> bool:
    """ISO 13616 shape and mod-97 check digits."""
    if not _IBAN.fullmatch(text):
        return False
    digits = "".join(str(int(char, 36)) for char in text[4:] + text[:4])
    return int(digits) % 97 == 1


def account(tree: Builder, parent: etree._Element, name: str, number: str) -> None:
    """``<name><Id><IBAN>`` when the number is an IBAN, else ``<Id><Othr><Id>``."""
    identification = tree.add(tree.add(parent, name), "Id")
    if is_iban(number):
        tree.add(identification, "IBAN", number)
    else:
        tree.path(identification, "Othr/Id", number)


def agent(tree: Builder, parent: etree._Element, role: str, value: Agent,
          report: TranslationReport, where: str) -> None:
    """An MT agent as ``<role>`` (BranchAndFinancialInstitutionIdentification6) + its
    ``<role>Acct`` when it names an account."""
    institution = tree.add(tree.add(parent, role), "FinInstnId")
    if value.bic is not None:
        tree.add(institution, "BICFI", value.bic)
    if value.clearing == RTGS:
        report.note("not_translated", where, "//RT (settle through RTGS) has no place in"
                    " an agent's identification")
    elif value.clearing is not None:
        member = tree.add(institution, "ClrSysMmbId")
        system = tree.add(member, "ClrSysId")
        code = CLEARING_CODES.get(value.clearing[:2])
        if code is not None:
            tree.add(system, "Cd", code)
        else:
            tree.add(system, "Prtry", value.clearing[:2])
        tree.add(member, "MmbId", value.clearing[2:])
    if value.name_address:
        tree.add(institution, "Nm", value.name_address[0])
        _address_lines(tree, institution, value.name_address[1:])
    elif value.location is not None:
        _address_lines(tree, institution, (value.location,))
    if value.mark is not None:
        report.note("not_translated", where, f"debit/credit mark /{value.mark}/ of the"
                    " account has no place in ISO 20022")
    if value.account is not None:
        account(tree, parent, role + "Acct", value.account)


def _address_lines(tree: Builder, parent: etree._Element, lines: tuple[str, ...]) -> None:
    if lines:
        address = tree.add(parent, "PstlAdr")
        for line in lines:
            tree.add(address, "AdrLine", line)


def customer(tree: Builder, parent: etree._Element, role: str, value: Customer,
             report: TranslationReport, where: str, *,
             account_at: tuple[etree._Element, str] | None = None) -> None:
    """An ordering or beneficiary customer as PartyIdentification135 + ``<role>Acct``
    (or the account element ``account_at`` names: (parent, element name))."""
    party = tree.add(parent, role)
    if value.option == "A" and value.bic is not None:
        tree.path(party, "Id/OrgId/AnyBIC", value.bic)
    elif value.option == "F":
        _structured(tree, party, value, report, where)
    else:
        tree.add(party, "Nm", value.name_address[0])
        _address_lines(tree, party, value.name_address[1:])
    if value.account is not None:
        holder, name = account_at or (parent, role + "Acct")
        account(tree, holder, name, value.account)


def _structured(tree: Builder, party: etree._Element, value: Customer,
                report: TranslationReport, where: str) -> None:
    """Option F: 1/ name, 2/ address lines, 3/ country/town, 4/ 5/ birth, 6/ 7/ ids."""
    lines: dict[str, list[str]] = {}
    for number, text in value.numbered:
        lines.setdefault(number, []).append(text)
    if "1" in lines:
        tree.add(party, "Nm", " ".join(lines["1"])[:140])
    address = lines.get("2", [])
    places = lines.get("3", [])
    if address or places:
        postal = tree.add(party, "PstlAdr")
        if places:
            country, _, town = places[0].partition("/")
            town = " ".join([town, *places[1:]]).strip()
            if town:
                tree.add(postal, "TwnNm", town[:35])
                if len(town) > 35:
                    report.note("truncated", where, f"town {town!r} cut to 35 characters")
            tree.add(postal, "Ctry", country)
        for line in address:
            tree.add(postal, "AdrLine", line)
    _person(tree, party, value, lines, report, where)


def _person(tree: Builder, party: etree._Element, value: Customer,
            lines: dict[str, list[str]], report: TranslationReport, where: str) -> None:
    identities: list[tuple[str, str, str | None]] = []
    if value.identifier is not None:
        code, country, number = value.identifier
        identities.append((number, code, country))
    for number_line, code in (("6", "CUST"), ("7", "NIDN")):
        for text in lines.get(number_line, []):
            issued_by, _, number = text.rpartition("/")
            identities.append((number, code, issued_by or None))
    birth = lines.get("4", [])
    place = lines.get("5", [])
    if lines.get("8"):
        report.note("not_translated", where, "8/ continuation lines are not translated")
    if not (identities or (birth and place)):
        if birth or place:
            report.note("not_translated", where, "4/ and 5/ are translated only together")
        return
    person = tree.add(tree.add(party, "Id"), "PrvtId")
    if birth and place and re.fullmatch(r"[0-9]{8}", birth[0]):
        born = tree.add(person, "DtAndPlcOfBirth")
        day = birth[0]
        tree.add(born, "BirthDt", f"{day[:4]}-{day[4:6]}-{day[6:]}")
        country, _, city = place[0].partition("/")
        tree.add(born, "CityOfBirth", city or country)
        tree.add(born, "CtryOfBirth", country)
    for number, scheme, issuer in identities:
        other = tree.add(person, "Othr")
        tree.add(other, "Id", number)
        tree.path(other, "SchmeNm/Cd", scheme)
        if issuer:
            tree.add(other, "Issr", issuer)
