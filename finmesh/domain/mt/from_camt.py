"""camt.029 -> MT199/299, camt.054 -> MT900/910, camt.053 -> MT940/950."""

from __future__ import annotations

from lxml import etree

from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.mt_write import Writer
from finmesh.domain.mt.mx_read import (
    account_number,
    agent_field,
    customer_field,
    decimal_text,
    money,
)
from finmesh.domain.mt.mx_tree import child, children, find, text

_OPENING = {"OPBD": "60F", "PRCD": "60F", "ITBD": "60M"}
_CLOSING = {"CLBD": "62F", "ITBD": "62M"}
_AVAILABLE = {"CLAV": "64", "FWAV": "65"}


def camt029_to_n99(body: etree._Element, writer: Writer) -> None:
    writer.add("20", writer.reference(text(body, "Assgnmt/Id"), "Assgnmt/Id"))
    related = text(body, "RslvdCase/Id")
    if related is not None:
        writer.add("21", writer.reference(related, "RslvdCase/Id"))
    narrative: list[str] = []
    for details in children(body, "CxlDtls"):
        for status in children(details, "TxInfAndSts"):
            for reason in children(status, "CxlStsRsnInf"):
                narrative += [info.text or "" for info in children(reason, "AddtlInf")]
    if not narrative:
        narrative = [f"/{text(body, 'Sts/Conf') or 'INFO'}/"]
    writer.add("79", writer.lines("\n".join(narrative), 50, 35, "AddtlInf"))


def camt029_uetr(body: etree._Element) -> str | None:
    return text(body, "CxlDtls/TxInfAndSts/OrgnlUETR")


def camt054_to_confirmation(body: etree._Element, writer: Writer) -> str:
    """MT900 for a debit, MT910 for a credit; returns the type."""
    notifications = children(body, "Ntfctn")
    entries = [e for n in notifications for e in children(n, "Ntry")]
    if len(notifications) != 1 or len(entries) != 1:
        raise MtError("H27", "MT900/910 confirm one entry of one notification",
                      field="Ntfctn")
    notification, entry = notifications[0], entries[0]
    credit = text(entry, "CdtDbtInd") == "CRDT"
    details = find(entry, "NtryDtls/TxDtls")
    writer.add("20", writer.reference(text(notification, "Id"), "Ntfctn/Id"))
    related = text(details, "Refs/InstrId") or text(details, "Refs/EndToEndId")
    writer.add("21", writer.reference(related, "Refs/InstrId"))
    _account(writer, child(notification, "Acct"))
    moment = text(entry, "BookgDt/DtTm")
    if moment is not None:
        offset = moment[19:].replace(":", "") or "+0000"
        offset = "+0000" if offset == "Z" else offset
        writer.add("13D", moment[2:4] + moment[5:7] + moment[8:10] + moment[11:13]
                   + moment[14:16] + offset)
    day = text(entry, "ValDt/Dt") or (text(entry, "BookgDt/Dt") or moment or "")[:10]
    if not day:
        day = (text(notification, "CreDtTm") or text(body, "GrpHdr/CreDtTm") or "")[:10]
        writer.report.note("defaulted", "Ntry/ValDt", f"no value or booking date: {day}"
                           " (creation date) written in 32A")
    amount = find(entry, "Amt")
    if amount is None or not day:
        raise MtError("H27", "the entry has no amount or value date", field="Ntry")
    writer.add("32A", _date6(day) + _money(amount))
    if credit:
        customer_field(writer, "50", find(details, "RltdPties/Dbtr/Pty"),
                       find(details, "RltdPties/DbtrAcct"), "RltdPties/Dbtr")
    ordering_bank = find(details, "RltdAgts/DbtrAgt")
    agent_field(writer, "52", ordering_bank, None, "AD", "RltdAgts/DbtrAgt")
    if credit and ordering_bank is None and find(details, "RltdPties/Dbtr/Pty") is None:
        writer.report.note("defaulted", "RltdAgts/DbtrAgt", "MT910 needs 50a or 52a:"
                           " 52D NOTPROVIDED written")
        writer.add("52D", "NOTPROVIDED")
    if credit:
        agent_field(writer, "56", find(details, "RltdAgts/IntrmyAgt1"), None, "AD",
                    "RltdAgts/IntrmyAgt1")
    information = text(details, "AddtlTxInf")
    if information is not None:
        writer.add("72", writer.lines(information, 35, 6, "AddtlTxInf"))
    return "910" if credit else "900"


def camt053_to_statement(body: etree._Element, writer: Writer, mt_type: str) -> None:
    statements = children(body, "Stmt")
    if len(statements) != 1:
        raise MtError("H27", f"{len(statements)} statements: an MT940/950 carries one",
                      field="Stmt")
    statement = statements[0]
    writer.add("20", writer.reference(text(statement, "Id"), "Stmt/Id"))
    query = text(body, "GrpHdr/OrgnlBizQry/MsgId")
    if query is not None and mt_type == "940":
        writer.add("21", writer.reference(query, "OrgnlBizQry/MsgId"))
    _account(writer, child(statement, "Acct"), allow_owner=mt_type == "940")
    number = text(statement, "ElctrncSeqNb") or text(statement, "LglSeqNb") or "1"
    page = text(statement, "StmtPgntn/PgNb")
    writer.add("28C", number[-5:] + (f"/{page[-5:]}" if page else ""))
    balances = children(statement, "Bal")
    currency = _balances(writer, balances, "opening")
    for entry in children(statement, "Ntry"):
        _entry(writer, entry, currency, mt_type)
    _balances(writer, balances, "closing")
    _balances(writer, balances, "available")
    information = text(statement, "AddtlStmtInf")
    if information is not None and mt_type == "940":
        writer.add("86", writer.lines(information, 65, 6, "AddtlStmtInf"))


def _balances(writer: Writer, balances: list[etree._Element], kind: str) -> str:
    """Writes the opening (the first OPBD, PRCD or ITBD), the closing (the next CLBD or
    ITBD) or the available (CLAV, FWAV) balances; returns the last one's currency."""
    coded = [(text(b, "Tp/CdOrPrtry/Cd") or "", b) for b in balances]
    opening = next((i for i, (code, _) in enumerate(coded) if code in _OPENING), None)
    if kind == "opening":
        chosen = [(_OPENING, coded[opening])] if opening is not None else []
    elif kind == "closing":
        closing = next(((_CLOSING, pair) for i, pair in enumerate(coded)
                        if pair[0] in _CLOSING and i != opening), None)
        chosen = [closing] if closing is not None else []
    else:
        chosen = [(_AVAILABLE, pair) for pair in coded if pair[0] in _AVAILABLE]
    if kind != "available" and not chosen:
        raise MtError("H27", f"the statement has no {kind} balance", field="Bal")
    currency = ""
    for tags, (code, balance) in chosen:
        amount = find(balance, "Amt")
        day = text(balance, "Dt/Dt") or (text(balance, "Dt/DtTm") or "")[:10]
        if amount is None or not day:
            raise MtError("H27", "a balance without amount or date", field="Bal")
        mark = "D" if text(balance, "CdtDbtInd") == "DBIT" else "C"
        writer.add(tags[code], mark + _date6(day) + _money(amount))
        currency = amount.get("Ccy", "")
    return currency


def _entry(writer: Writer, entry: etree._Element, currency: str, mt_type: str) -> None:
    value_day = text(entry, "ValDt/Dt") or (text(entry, "ValDt/DtTm") or "")[:10]
    booked = text(entry, "BookgDt/Dt") or (text(entry, "BookgDt/DtTm") or "")[:10]
    amount = find(entry, "Amt")
    if amount is None or not (value_day or booked):
        raise MtError("H27", "an entry without amount or date", field="Ntry")
    value_day = value_day or booked
    credit = text(entry, "CdtDbtInd") == "CRDT"
    reversal = text(entry, "RvslInd") == "true"
    mark = ("RD" if credit else "RC") if reversal else ("C" if credit else "D")
    code = text(entry, "BkTxCd/Prtry/Cd") or ""
    if len(code) != 4 or code[0] not in "SNF":
        code = "NMSC"
    details = find(entry, "NtryDtls/TxDtls")
    owner = text(details, "Refs/AcctOwnrTxId") or text(details, "Refs/EndToEndId") or "NONREF"
    line = (_date6(value_day) + (booked[5:7] + booked[8:10] if booked else "") + mark
            + decimal_text(amount.text, "Ntry/Amt") + code
            + writer.text(owner, 16, "Refs/AcctOwnrTxId"))
    bank = text(entry, "AcctSvcrRef")
    if bank is not None:
        line += "//" + writer.text(bank, 16, "AcctSvcrRef")
    extra = text(entry, "AddtlNtryInf")
    writer.add("61", [line, writer.text(extra, 34, "AddtlNtryInf")] if extra else line)
    information = text(details, "AddtlTxInf")
    if information is not None and mt_type == "940":
        writer.add("86", writer.lines(information, 65, 6, "AddtlTxInf"))
    if amount.get("Ccy") not in (None, currency):
        writer.report.note("not_translated", "Ntry/Amt", "entry in another currency")


def _account(writer: Writer, holder: etree._Element | None, allow_owner: bool = True) -> None:
    number = account_number(holder)
    if number is None:
        raise MtError("H27", "no account number", field="Acct")
    owner = text(holder, "Ownr/Id/OrgId/AnyBIC")
    value = writer.text(number, 35, "Acct")
    if owner is not None and allow_owner:
        writer.add("25P", [value, owner])
    else:
        writer.add("25", value)


def _money(amount: etree._Element) -> str:
    return money(amount, "Amt")


def _date6(day: str) -> str:
    return day[2:4] + day[5:7] + day[8:10]
