"""MT199/299 -> camt.029.001.09, MT900/910 -> camt.054.001.08, MT940/950 -> camt.053.001.08.

camt.029 for the free-format n99 messages: see docs/mt.md (admi.024, CBPR+'s target, is
not among the definitions the network has; camt.029 holds every field without loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lxml import etree

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.fields import (
    parse_32a,
    parse_balance,
    parse_datetime_indication,
    parse_statement_line,
    parse_statement_number,
)
from finmesh.domain.mt.message import MtMessage
from finmesh.domain.mt.mx_parts import account, agent, customer
from finmesh.domain.mt.mx_tree import Builder, iso_datetime, new_message
from finmesh.domain.mt.parties import parse_agent, parse_customer
from finmesh.domain.mt.report import TranslationReport

NARRATIVE_STATUS = "INFO"
"""camt.029 Sts/Conf of a translated MT n99 (ExternalInvestigationExecutionConfirmation1Code
INFO: additional information sent)."""

BALANCE_CODES = {"60F": "OPBD", "60M": "ITBD", "62F": "CLBD", "62M": "ITBD", "64": "CLAV",
                 "65": "FWAV"}
ENTRY_MARKS = {"C": ("CRDT", False), "D": ("DBIT", False), "RC": ("DBIT", True),
               "RD": ("CRDT", True)}
"""61 mark -> (CdtDbtInd, RvslInd): a reversal of a credit is a debit entry."""
NOT_PROVIDED = "NOTPROVIDED"


def _fields(message: MtMessage) -> dict[str, Field]:
    """The first field of each tag, under its full tag and under its two digits."""
    found: dict[str, Field] = {}
    for field in message.fields:
        found.setdefault(field.tag, field)
        found.setdefault(field.tag[:2], field)
    return found


def _start(message: MtMessage, msg_def: str, reference: str,
           now: datetime) -> tuple[etree._Element, etree._Element, Builder]:
    return new_message(msg_def, sender=message.sender_bic, receiver=message.receiver_bic,
                       biz_msg_id=reference, created=now, mt_type=message.message_type,
                       priority=message.blocks.application.priority)


def n99_to_camt029(message: MtMessage, now: datetime,
                   report: TranslationReport) -> etree._Element:
    fields = _fields(message)
    reference = fields["20"].value
    envelope, document, tree = _start(message, "camt.029.001.09", reference, now)
    body = tree.add(document, "RsltnOfInvstgtn")
    assignment = tree.add(body, "Assgnmt")
    tree.add(assignment, "Id", reference)
    tree.path(assignment, "Assgnr/Agt/FinInstnId/BICFI", message.sender_bic)
    tree.path(assignment, "Assgne/Agt/FinInstnId/BICFI", message.receiver_bic)
    tree.add(assignment, "CreDtTm", iso_datetime(now))
    related = fields.get("21")
    if related is not None:
        case = tree.add(body, "RslvdCase")
        tree.add(case, "Id", related.value)
        tree.path(case, "Cretr/Agt/FinInstnId/BICFI", message.receiver_bic)
    tree.path(body, "Sts/Conf", NARRATIVE_STATUS)
    status = tree.path(body, "CxlDtls/TxInfAndSts")
    if message.uetr is not None:
        tree.add(status, "OrgnlUETR", message.uetr)
    reason = tree.add(status, "CxlStsRsnInf")
    for line in fields["79"].lines:  # one line of 50 per AddtlInf (Max105Text): no loss
        tree.add(reason, "AddtlInf", line)
    return envelope


def confirmation_to_camt054(message: MtMessage, now: datetime,
                            report: TranslationReport) -> etree._Element:
    """MT900 (debit) or MT910 (credit) confirmation: one notification, one entry."""
    fields = _fields(message)
    reference = fields["20"].value
    envelope, document, tree = _start(message, "camt.054.001.08", reference, now)
    body = tree.add(document, "BkToCstmrDbtCdtNtfctn")
    _group(tree, body, reference, now)
    notification = tree.add(body, "Ntfctn")
    tree.add(notification, "Id", reference)
    _account(tree, notification, fields)
    settled = parse_32a(fields["32A"])
    entry = tree.add(notification, "Ntry")
    tree.money(entry, "Amt", settled.amount, settled.currency)
    tree.add(entry, "CdtDbtInd", "DBIT" if message.message_type == "900" else "CRDT")
    tree.path(entry, "Sts/Cd", "BOOK")
    stamp = fields.get("13D")
    if stamp is not None:
        day, hhmm, offset = parse_datetime_indication(stamp)
        moment = f"{day.isoformat()}T{hhmm[:2]}:{hhmm[2:]}:00{offset[:3]}:{offset[3:]}"
        tree.path(entry, "BookgDt/DtTm", moment)
    if settled.day is not None:
        tree.path(entry, "ValDt/Dt", settled.day.isoformat())
    tree.path(entry, "BkTxCd/Prtry/Cd", NOT_PROVIDED)
    details = tree.path(entry, "NtryDtls/TxDtls")
    tree.path(details, "Refs/InstrId", fields["21"].value)
    tree.money(details, "Amt", settled.amount, settled.currency)
    tree.add(details, "CdtDbtInd", "DBIT" if message.message_type == "900" else "CRDT")
    ordering = fields.get("50")
    if ordering is not None:
        parties = tree.add(details, "RltdPties")
        customer(tree, tree.add(parties, "Dbtr"), "Pty", parse_customer(ordering, "AFK"),
                 report, ordering.tag, account_at=(parties, "DbtrAcct"))
    banks = [(role, fields.get(tag)) for tag, role in (("52", "DbtrAgt"),
                                                       ("56", "IntrmyAgt1"))]
    if any(field is not None for _, field in banks):
        agents = tree.add(details, "RltdAgts")
        for role, field in banks:
            if field is not None:
                _agent_without_account(tree, agents, role, field, report)
    information = fields.get("72")
    if information is not None:
        tree.add(details, "AddtlTxInf", information.value)  # 6*35 + LFs fits Max500Text
    return envelope


def statement_to_camt053(message: MtMessage, now: datetime,
                         report: TranslationReport) -> etree._Element:
    fields = _fields(message)
    reference = fields["20"].value
    envelope, document, tree = _start(message, "camt.053.001.08", reference, now)
    body = tree.add(document, "BkToCstmrStmt")
    group = _group(tree, body, reference, now)
    related = fields.get("21")
    if related is not None:  # MT940's 21 names the request (MT920) it answers
        tree.path(group, "OrgnlBizQry/MsgId", related.value)
    statement = tree.add(body, "Stmt")
    tree.add(statement, "Id", reference)
    number, sequence = parse_statement_number(fields["28C"])
    closing = fields["62"]
    if sequence is not None:
        pages = tree.add(statement, "StmtPgntn")
        tree.add(pages, "PgNb", sequence)
        tree.add(pages, "LastPgInd", "true" if closing.tag == "62F" else "false")
    tree.add(statement, "ElctrncSeqNb", str(int(number)))
    _account(tree, statement, fields)
    opening = parse_balance(fields["60"])
    for field in message.fields:
        if field.tag in BALANCE_CODES:
            _balance(tree, statement, field)
    _entries(tree, statement, message.fields, opening.currency, report)
    trailing = _statement_information(message.fields)
    if trailing is not None:
        tree.add(statement, "AddtlStmtInf", trailing.value)
    return envelope


def _statement_information(fields: Sequence[Field]) -> Field | None:
    """MT940: an 86 after the closing balance speaks of the whole statement."""
    closing = max(i for i, f in enumerate(fields) if f.tag[:2] == "62")
    return next((f for f in fields[closing:] if f.tag == "86"), None)


def _entries(tree: Builder, statement: etree._Element, fields: Sequence[Field],
             currency: str, report: TranslationReport) -> None:
    closing = max(i for i, f in enumerate(fields) if f.tag[:2] == "62")
    for index, field in enumerate(fields[:closing]):
        if field.tag != "61":
            continue
        line = parse_statement_line(field, currency)
        indicator, reversal = ENTRY_MARKS[line.mark]
        entry = tree.add(statement, "Ntry")
        tree.money(entry, "Amt", line.amount, currency)
        tree.add(entry, "CdtDbtInd", indicator)
        if reversal:
            tree.add(entry, "RvslInd", "true")
        tree.path(entry, "Sts/Cd", "BOOK")
        if line.entry_date is not None:
            tree.path(entry, "BookgDt/Dt", _entry_date(line.value_date, line.entry_date))
        tree.path(entry, "ValDt/Dt", line.value_date.isoformat())
        if line.bank_reference is not None:
            tree.add(entry, "AcctSvcrRef", line.bank_reference)
        code = tree.path(entry, "BkTxCd/Prtry")
        tree.add(code, "Cd", line.type_code)
        tree.add(code, "Issr", "SWIFT")
        if line.funds_code is not None:
            report.note("not_translated", f"61 line {field.line}",
                        f"funds code {line.funds_code!r} has no place in camt.053")
        following = fields[index + 1] if index + 1 < closing else None
        _entry_details(tree, entry, line.owner_reference, following)
        if line.details is not None:
            tree.add(entry, "AddtlNtryInf", line.details)


def _entry_details(tree: Builder, entry: etree._Element, owner_reference: str,
                   following: Field | None) -> None:
    information = following if following is not None and following.tag == "86" else None
    if owner_reference == "NONREF" and information is None:
        return
    details = tree.path(entry, "NtryDtls/TxDtls")
    if owner_reference != "NONREF":
        tree.path(details, "Refs/AcctOwnrTxId", owner_reference)
    if information is not None:
        tree.add(details, "AddtlTxInf", information.value)  # 6*65 + LFs fits Max500Text


def _entry_date(value_date: date, month_day: str) -> str:
    """61's entry date has no year: the one of the value date, or the next or previous
    year when the two straddle a new year."""
    year = value_date.year
    month = int(month_day[:2])
    if value_date.month == 12 and month == 1:
        year += 1
    elif value_date.month == 1 and month == 12:
        year -= 1
    return f"{year:04d}-{month_day[:2]}-{month_day[2:]}"


def _balance(tree: Builder, statement: etree._Element, field: Field) -> None:
    value = parse_balance(field)
    balance = tree.add(statement, "Bal")
    tree.path(balance, "Tp/CdOrPrtry/Cd", BALANCE_CODES[field.tag])
    tree.money(balance, "Amt", value.amount, value.currency)
    tree.add(balance, "CdtDbtInd", "CRDT" if value.mark == "C" else "DBIT")
    if value.day is not None:
        tree.path(balance, "Dt/Dt", value.day.isoformat())


def _group(tree: Builder, body: etree._Element, reference: str,
           now: datetime) -> etree._Element:
    group = tree.add(body, "GrpHdr")
    tree.add(group, "MsgId", reference)
    tree.add(group, "CreDtTm", iso_datetime(now))
    return group


def _account(tree: Builder, parent: etree._Element, fields: dict[str, Field]) -> None:
    """25 (account) or 25P (account and owner's BIC) as Acct."""
    field = fields["25"]
    lines = field.lines
    account(tree, parent, "Acct", lines[0])
    if field.tag == "25P":
        holder = parent[-1]
        tree.path(holder, "Ownr/Id/OrgId/AnyBIC", lines[1])


def _agent_without_account(tree: Builder, parent: etree._Element, role: str, field: Field,
                           report: TranslationReport) -> None:
    value = parse_agent(field)
    if value.account is not None:
        report.note("not_translated", field.tag, f"account {value.account!r} of the agent"
                    " has no place among related agents")
    bare = type(value)(value.option, None, None, value.clearing, value.bic,
                       value.name_address, value.location)
    agent(tree, parent, role, bare, report, field.tag)

