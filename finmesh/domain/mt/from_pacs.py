"""pacs.008.001.08 -> MT103 and pacs.009.001.08 -> MT202 / MT202COV, after CBPR+."""

from __future__ import annotations

from lxml import etree

from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.mt_write import Writer
from finmesh.domain.mt.mx_read import (
    account_number,
    agent_field,
    bic_of,
    customer_field,
    decimal_text,
    money,
    only_bic,
    same_agent,
)
from finmesh.domain.mt.mx_tree import child, children, find, same, text
from finmesh.domain.mt.to_pacs import (
    CHARGE_BEARERS,
    NARRATIVE_INSTRUCTIONS,
    NEXT_AGENT_CODES,
    NOT_PROVIDED,
)

_BEARERS_BACK = {iso: mt for mt, iso in CHARGE_BEARERS.items()}
_NEXT_BACK = {iso: mt for mt, iso in NEXT_AGENT_CODES.items()}
_OPERATIONS = frozenset({"CRTS", "SPAY", "SPRI", "SSTD"})
_TIME_CODES = (("SttlmTmIndctn/DbtDtTm", "SNDTIME"), ("SttlmTmIndctn/CdtDtTm", "RNCTIME"),
               ("SttlmTmReq/CLSTm", "CLSTIME"), ("SttlmTmReq/TillTm", "TILTIME"),
               ("SttlmTmReq/FrTm", "FROTIME"), ("SttlmTmReq/RjctTm", "REJTIME"))


def single_transaction(body: etree._Element) -> etree._Element:
    transactions = children(body, "CdtTrfTxInf")
    if len(transactions) != 1:
        raise MtError("H27", f"{len(transactions)} transactions: an MT message carries one",
                      field="CdtTrfTxInf")
    return transactions[0]


def pacs008_to_mt103(body: etree._Element, writer: Writer, sender: str,
                     receiver: str) -> None:
    tx = single_transaction(body)
    group = child(body, "GrpHdr")
    writer.add("20", writer.reference(text(tx, "PmtId/InstrId") or text(group, "MsgId"),
                                      "PmtId/InstrId"))
    _times(writer, tx)
    operation = text(tx, "PmtTpInf/LclInstrm/Prtry")
    writer.add("23B", operation if operation in _OPERATIONS else "CRED")
    _instruction_codes(writer, tx)
    purpose = text(tx, "Purp/Prtry")
    if purpose is not None and len(purpose) == 3:
        writer.add("26T", purpose)
    elif find(tx, "Purp") is not None:
        writer.report.note("not_translated", "Purp", "purpose has no MT103 field")
    _settled_amount(writer, tx, group)
    _amount_field(writer, "33B", find(tx, "InstdAmt"))
    rate = text(tx, "XchgRate")
    if rate is not None:
        writer.add("36", decimal_text(rate, "XchgRate"))
    customer_field(writer, "50", child(tx, "Dbtr"), child(tx, "DbtrAcct"), "Dbtr")
    _unless_default(writer, "52", tx, "DbtrAgt", sender, "AD")
    _settlement(writer, group)
    agent_field(writer, "56", child(tx, "IntrmyAgt1"), child(tx, "IntrmyAgt1Acct"), "ACD",
                "IntrmyAgt1")
    if child(tx, "IntrmyAgt1") is not None:  # C81: 56a needs 57a, implied or not
        agent_field(writer, "57", child(tx, "CdtrAgt"), child(tx, "CdtrAgtAcct"), "ABCD",
                    "CdtrAgt")
    else:
        _unless_default(writer, "57", tx, "CdtrAgt", receiver, "ABCD")
    customer_field(writer, "59", child(tx, "Cdtr"), child(tx, "CdtrAcct"), "Cdtr")
    _remittance(writer, tx)
    bearer = text(tx, "ChrgBr") or "SHAR"
    writer.add("71A", _BEARERS_BACK.get(bearer, "SHA"))
    _charges(writer, tx, receiver, bearer)
    _information(writer, tx)
    regulatory = [i.text or "" for i in children(find(tx, "RgltryRptg/Dtls"), "Inf")]
    if regulatory:
        writer.add("77B", writer.lines("\n".join(regulatory), 35, 3, "RgltryRptg"))
    for extra in ("IntrmyAgt2", "IntrmyAgt3", "UltmtDbtr", "UltmtCdtr", "InitgPty"):
        if child(tx, extra) is not None:
            writer.report.note("not_translated", extra, "MT103 has no field for it")


def pacs009_to_mt202(body: etree._Element, writer: Writer, sender: str,
                     receiver: str) -> bool:
    """Writes MT202 or MT202COV (sequence B); True for a cover."""
    tx = single_transaction(body)
    group = child(body, "GrpHdr")
    writer.add("20", writer.reference(text(tx, "PmtId/InstrId") or text(group, "MsgId"),
                                      "PmtId/InstrId"))
    related = text(tx, "PmtId/EndToEndId")
    writer.add("21", writer.reference(None if related in (None, NOT_PROVIDED) else related,
                                      "PmtId/EndToEndId"))
    _times(writer, tx)
    _settled_amount(writer, tx, group)
    _unless_default(writer, "52", tx, "Dbtr", sender, "AD")
    _settlement(writer, group)
    agent_field(writer, "56", child(tx, "IntrmyAgt1"), child(tx, "IntrmyAgt1Acct"), "AD",
                "IntrmyAgt1")
    agent_field(writer, "57", child(tx, "CdtrAgt"), child(tx, "CdtrAgtAcct"), "ABD",
                "CdtrAgt")
    agent_field(writer, "58", child(tx, "Cdtr"), child(tx, "CdtrAcct"), "AD", "Cdtr")
    _information(writer, tx)
    under = child(tx, "UndrlygCstmrCdtTrf")
    if under is None:
        return False
    customer_field(writer, "50", child(under, "Dbtr"), child(under, "DbtrAcct"),
                   "UndrlygCstmrCdtTrf/Dbtr")
    if not _copied(under, "DbtrAgt", tx, "Dbtr"):
        agent_field(writer, "52", child(under, "DbtrAgt"), child(under, "DbtrAgtAcct"),
                    "AD", "UndrlygCstmrCdtTrf/DbtrAgt")
    agent_field(writer, "56", child(under, "IntrmyAgt1"), child(under, "IntrmyAgt1Acct"),
                "ACD", "UndrlygCstmrCdtTrf/IntrmyAgt1")
    if child(under, "IntrmyAgt1") is not None or not _copied(under, "CdtrAgt", tx, "Cdtr"):
        agent_field(writer, "57", child(under, "CdtrAgt"), child(under, "CdtrAgtAcct"),
                    "ABCD", "UndrlygCstmrCdtTrf/CdtrAgt")
    customer_field(writer, "59", child(under, "Cdtr"), child(under, "CdtrAcct"),
                   "UndrlygCstmrCdtTrf/Cdtr")
    _remittance(writer, under)
    _information(writer, under)
    _amount_field(writer, "33B", find(under, "InstdAmt"))
    return True


def _copied(under: etree._Element, role: str, tx: etree._Element, original: str) -> bool:
    """The underlying transfer's agent is the cover's party, account and all (how the
    MT -> MX direction fills an absent sequence B field)."""
    return same_agent(child(under, role), child(tx, original)) and same(
        child(under, role + "Acct"), child(tx, original + "Acct"), names=False)


def _unless_default(writer: Writer, base: str, tx: etree._Element, role: str,
                    default_bic: str, options: str) -> None:
    """Agents CBPR+ fills with the sender or receiver when the MT field is absent."""
    element = child(tx, role)
    holder = child(tx, role + "Acct")
    if only_bic(element) == default_bic and holder is None:
        return
    agent_field(writer, base, element, holder, options, role)


def _times(writer: Writer, tx: etree._Element) -> None:
    for path, code in _TIME_CODES:
        value = text(tx, path)
        if value is None:
            continue
        time = value.split("T")[-1]
        hhmm = time[:2] + time[3:5]
        offset = time[8:].replace(":", "") if len(time) > 8 else "+0000"
        offset = "+0000" if offset in ("Z", "") else offset
        writer.add("13C", f"/{code}/{hhmm}{offset}")


def _instruction_codes(writer: Writer, tx: etree._Element) -> None:
    if text(tx, "PmtTpInf/SvcLvl/Cd") == "SDVA":
        writer.add("23E", "SDVA")
    for instruction in children(tx, "InstrForCdtrAgt"):
        code = text(instruction, "Cd")
        if code is not None:
            info = text(instruction, "InstrInf")
            writer.add("23E", code + ("/" + writer.text(info, 30, "InstrForCdtrAgt")
                                      if info else ""))
    for instruction in children(tx, "InstrForNxtAgt"):
        code = text(instruction, "Cd")
        info = text(instruction, "InstrInf") or ""
        if code in _NEXT_BACK:
            writer.add("23E", _NEXT_BACK[code] + ("/" + writer.text(info, 30, "InstrForNxtAgt")
                                                   if info else ""))
        elif info[:1] == "/" and info[1:5] in NARRATIVE_INSTRUCTIONS and info[5:6] == "/":
            rest = info[6:]
            writer.add("23E", info[1:5] + ("/" + writer.text(rest, 30, "InstrForNxtAgt")
                                            if rest else ""))
    category = text(tx, "PmtTpInf/CtgyPurp/Cd")
    if category in ("INTC", "CORT"):
        writer.add("23E", category)
    elif category is not None:
        writer.report.note("not_translated", "CtgyPurp", f"category purpose {category!r}")


def _information(writer: Writer, tx: etree._Element) -> None:
    """Field 72 from the instructions that are not 23E codes."""
    segments: list[str] = []
    for instruction in children(tx, "InstrForCdtrAgt"):
        info = text(instruction, "InstrInf")
        if text(instruction, "Cd") is None and info:
            segments.append("/ACC/" + info)
    for instruction in children(tx, "InstrForNxtAgt"):
        info = text(instruction, "InstrInf")
        if text(instruction, "Cd") is None and info and not (
            info[1:5] in NARRATIVE_INSTRUCTIONS and info[5:6] == "/"
        ):
            segments.append(info)
    lines: list[str] = []
    for segment in segments:
        lines += writer.lines(segment, 35, 6, "InstrForNxtAgt", continuation="//")
    lines = [line for line in lines if line != "//"]
    if len(lines) > 6:
        writer.report.note("truncated", "72", f"{len(lines)} lines cut to 6")
        lines = lines[:6]
    writer.add("72", lines)


def _remittance(writer: Writer, tx: etree._Element) -> None:
    unstructured = "".join(u.text or "" for u in children(find(tx, "RmtInf"), "Ustrd"))
    end_to_end = text(tx, "PmtId/EndToEndId")
    if end_to_end not in (None, NOT_PROVIDED) and not unstructured.startswith("/ROC/"):
        unstructured = f"/ROC/{end_to_end}" + (f"/{unstructured}" if unstructured else "")
    if find(tx, "RmtInf/Strd") is not None:
        writer.report.note("not_translated", "RmtInf/Strd", "structured remittance")
    if unstructured:
        width_lines = writer.lines(unstructured, 35, 4, "RmtInf/Ustrd")
        writer.add("70", width_lines)


def _settled_amount(writer: Writer, tx: etree._Element, group: etree._Element | None) -> None:
    amount = find(tx, "IntrBkSttlmAmt")
    day = text(tx, "IntrBkSttlmDt") or text(group, "IntrBkSttlmDt")
    if day is None:
        day = (text(group, "CreDtTm") or "2000-01-01")[:10]
        writer.report.note("defaulted", "IntrBkSttlmDt", f"value date taken from {day}")
    if amount is None or amount.text is None:  # pragma: no cover - mandatory in the XSD
        raise MtError("H27", "no IntrBkSttlmAmt", field="IntrBkSttlmAmt")
    writer.add("32A", day[2:4] + day[5:7] + day[8:10] + money(amount, "IntrBkSttlmAmt"))


def _amount_field(writer: Writer, tag: str, amount: etree._Element | None) -> None:
    if amount is not None and amount.text:
        writer.add(tag, money(amount, tag))


def _settlement(writer: Writer, group: etree._Element | None) -> None:
    settlement = child(group, "SttlmInf")
    number = account_number(child(settlement, "SttlmAcct"))
    if number is not None:
        writer.add("53B", "/" + writer.text(number, 34, "SttlmAcct"))
    agent_field(writer, "53", child(settlement, "InstgRmbrsmntAgt"),
                child(settlement, "InstgRmbrsmntAgtAcct"), "ABD", "InstgRmbrsmntAgt")
    agent_field(writer, "54", child(settlement, "InstdRmbrsmntAgt"),
                child(settlement, "InstdRmbrsmntAgtAcct"), "ABD", "InstdRmbrsmntAgt")
    agent_field(writer, "55", child(settlement, "ThrdRmbrsmntAgt"),
                child(settlement, "ThrdRmbrsmntAgtAcct"), "ABD", "ThrdRmbrsmntAgt")


def _charges(writer: Writer, tx: etree._Element, receiver: str, bearer: str) -> None:
    senders: list[str] = []
    receivers: list[str] = []
    for charge in children(tx, "ChrgsInf"):
        amount = find(charge, "Amt")
        if amount is None or amount.text is None:
            continue
        value = money(amount, "ChrgsInf/Amt")
        due_to_receiver = bic_of(child(charge, "Agt")) == receiver and bearer == "DEBT"
        (receivers if due_to_receiver else senders).append(value)
    for value in senders:
        writer.add("71F", value)
    if receivers:
        writer.add("71G", receivers[0])
    if len(receivers) > 1:
        writer.report.note("not_translated", "ChrgsInf", "71G holds one amount")
