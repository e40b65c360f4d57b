"""MT103 -> pacs.008.001.08 and MT202 / MT202COV -> pacs.009.001.08, after CBPR+.

The element order of each writer is the order of the XSD sequence it fills.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from finmesh.domain.mt.blocks import Field
from finmesh.domain.mt.fields import (
    LINE_WIDTH,
    code_lines,
    parse_32a,
    parse_currency_amount,
    parse_instruction,
    parse_time_indications,
)
from finmesh.domain.mt.formats import narrative_text, parse_rate
from finmesh.domain.mt.message import MtMessage, sequence_b
from finmesh.domain.mt.mx_parts import account, agent, customer
from finmesh.domain.mt.mx_tree import Builder, iso_datetime, new_message
from finmesh.domain.mt.parties import parse_agent, parse_customer
from finmesh.domain.mt.report import TranslationReport

NOT_PROVIDED = "NOTPROVIDED"
"""CBPR+ placeholder for a mandatory identifier the MT message does not have."""

CHARGE_BEARERS = {"OUR": "DEBT", "BEN": "CRED", "SHA": "SHAR"}
CREDITOR_AGENT_CODES = frozenset({"CHQB", "HOLD", "PHOB", "TELB"})
NEXT_AGENT_CODES = {"PHON": "PHOA", "TELE": "TELA"}
NARRATIVE_INSTRUCTIONS = frozenset({"PHOI", "TELI", "REPA"})
"""23E codes with no ISO 20022 code: carried as ``/CODE/text`` in InstrForNxtAgt."""
_TIME_REQUESTS = {"CLSTIME": "CLSTm", "TILTIME": "TillTm", "FROTIME": "FrTm",
                  "REJTIME": "RjctTm"}
_TIME_INDICATIONS = {"SNDTIME": "DbtDtTm", "RNCTIME": "CdtDtTm"}


class _Fields:
    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = fields

    def get(self, tag: str) -> Field | None:
        return next((f for f in self.fields if f.tag == tag or (
            len(tag) == 2 and f.tag[:2] == tag)), None)

    def all(self, tag: str) -> list[Field]:
        return [f for f in self.fields if f.tag == tag]


def mt103_to_pacs008(message: MtMessage, now: datetime,
                     report: TranslationReport) -> etree._Element:
    fields = _Fields(message.fields)
    reference = _value(fields, "20")
    envelope, document, tree = _start(message, "pacs.008.001.08", reference, now)
    body = tree.add(document, "FIToFICstmrCdtTrf")
    _group_header(tree, body, reference, now, fields, report)
    tx = tree.add(body, "CdtTrfTxInf")
    ids = tree.add(tx, "PmtId")
    tree.add(ids, "InstrId", reference)
    tree.add(ids, "EndToEndId", _end_to_end(fields))
    _uetr(tree, ids, message, report)
    _payment_type(tree, tx, fields)
    settled = parse_32a(_field(fields, "32A"))
    _settlement(tree, tx, settled.currency, settled.amount, settled.day)
    _times(tree, tx, fields, settled.day, report)
    instructed = fields.get("33B")
    if instructed is not None:
        amount = parse_currency_amount(instructed)
        tree.money(tx, "InstdAmt", amount.amount, amount.currency)
    rate = fields.get("36")
    if rate is not None:
        tree.add(tx, "XchgRate", format(parse_rate(rate.value, rate), "f"))
    tree.add(tx, "ChrgBr", CHARGE_BEARERS[_value(fields, "71A")])
    _charges(tree, tx, fields, message)
    _instructed_agents(tree, tx, message, fields)
    if fields.get("51") is not None:
        report.note("not_translated", "51A", "the sending institution has no place in"
                    " pacs.008 (CBPR+ leaves it out)")
    _agent_or_default(tree, tx, "IntrmyAgt1", fields.get("56"), None, report)
    ordering = _field(fields, "50")
    customer(tree, tx, "Dbtr", parse_customer(ordering, "AFK"), report, ordering.tag)
    _agent_or_default(tree, tx, "DbtrAgt", fields.get("52"), message.sender_bic, report)
    _agent_or_default(tree, tx, "CdtrAgt", fields.get("57"), message.receiver_bic, report)
    beneficiary = _field(fields, "59")
    customer(tree, tx, "Cdtr", parse_customer(beneficiary, "-AF"), report, beneficiary.tag)
    _instructions(tree, tx, fields, report)
    _purpose(tree, tx, fields)
    _regulatory(tree, tx, fields)
    _remittance(tree, tx, fields.get("70"))
    return envelope


def mt202_to_pacs009(message: MtMessage, now: datetime,
                     report: TranslationReport) -> etree._Element:
    cover = message.message_type == "202COV"
    head = message.fields[: len(message.fields) - len(sequence_b(message.fields))] if cover \
        else message.fields
    fields = _Fields(head)
    reference = _value(fields, "20")
    envelope, document, tree = _start(message, "pacs.009.001.08", reference, now)
    body = tree.add(document, "FICdtTrf")
    _group_header(tree, body, reference, now, fields, report)
    tx = tree.add(body, "CdtTrfTxInf")
    ids = tree.add(tx, "PmtId")
    tree.add(ids, "InstrId", reference)
    related = _value(fields, "21")
    tree.add(ids, "EndToEndId", NOT_PROVIDED if related == "NONREF" else related)
    _uetr(tree, ids, message, report)
    settled = parse_32a(_field(fields, "32A"))
    _settlement(tree, tx, settled.currency, settled.amount, settled.day)
    _times(tree, tx, fields, settled.day, report)
    _instructed_agents(tree, tx, message, fields)
    _agent_or_default(tree, tx, "IntrmyAgt1", fields.get("56"), None, report)
    _agent_or_default(tree, tx, "Dbtr", fields.get("52"), message.sender_bic, report)
    _agent_or_default(tree, tx, "CdtrAgt", fields.get("57"), None, report)
    _agent_or_default(tree, tx, "Cdtr", fields.get("58"), None, report)
    _instructions(tree, tx, fields, report)
    if cover:
        _underlying(tree, tx, _Fields(sequence_b(message.fields)), report)
    return envelope


def _underlying(tree: Builder, tx: etree._Element, fields: _Fields,
                report: TranslationReport) -> None:
    """MT202COV sequence B: the customer credit transfer this cover pays for."""
    under = tree.add(tx, "UndrlygCstmrCdtTrf")
    ordering = _field(fields, "50")
    customer(tree, under, "Dbtr", parse_customer(ordering, "AFK"), report, "B/" + ordering.tag)
    ordering_bank = fields.get("52")
    if ordering_bank is not None:
        agent(tree, under, "DbtrAgt", parse_agent(ordering_bank), report,
              "B/" + ordering_bank.tag)
    else:  # the ordering institution of sequence A (or the sender) took the order
        _copy(tree, tx, under, "Dbtr", "DbtrAgt")
    _agent_or_default(tree, under, "IntrmyAgt1", fields.get("56"), None, report, "B/")
    account_with = fields.get("57")
    if account_with is not None:
        agent(tree, under, "CdtrAgt", parse_agent(account_with), report,
              "B/" + account_with.tag)
    else:  # the beneficiary institution of sequence A holds the customer's account
        _copy(tree, tx, under, "Cdtr", "CdtrAgt")
    beneficiary = _field(fields, "59")
    customer(tree, under, "Cdtr", parse_customer(beneficiary, "-AF"), report,
             "B/" + beneficiary.tag)
    _instructions(tree, under, fields, report)
    _remittance(tree, under, fields.get("70"))
    instructed = fields.get("33B")
    if instructed is not None:
        amount = parse_currency_amount(instructed)
        tree.money(under, "InstdAmt", amount.amount, amount.currency)


def _copy(tree: Builder, source: etree._Element, target: etree._Element, name: str,
          role: str) -> None:
    original = next(c for c in source if etree.QName(c).localname == name)
    copied = tree.add(target, role)
    for part in original:
        copied.append(_clone(part))
    number = next((c for c in source if etree.QName(c).localname == name + "Acct"), None)
    if number is not None:
        clone = _clone(number)
        clone.tag = tree.ns + role + "Acct"
        target.append(clone)


def _clone(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def _start(message: MtMessage, msg_def: str, reference: str,
           now: datetime) -> tuple[etree._Element, etree._Element, Builder]:
    duplicate = any(tag == "PDE" for tag, _ in message.blocks.trailer)
    return new_message(msg_def, sender=message.sender_bic, receiver=message.receiver_bic,
                       biz_msg_id=reference, created=now, mt_type=message.message_type,
                       priority=message.blocks.application.priority,
                       possible_duplicate=duplicate)


def _group_header(tree: Builder, body: etree._Element, reference: str, now: datetime,
                  fields: _Fields, report: TranslationReport) -> None:
    group = tree.add(body, "GrpHdr")
    tree.add(group, "MsgId", reference)
    tree.add(group, "CreDtTm", iso_datetime(now))
    tree.add(group, "NbOfTxs", "1")
    settlement = tree.add(group, "SttlmInf")
    senders, receivers, third = fields.get("53"), fields.get("54"), fields.get("55")
    correspondent = parse_agent(senders) if senders is not None else None
    only_account = correspondent is not None and correspondent.option == "B" and (
        correspondent.location is None and correspondent.account is not None)
    cover = (correspondent is not None and not only_account) or receivers is not None
    tree.add(settlement, "SttlmMtd", "COVE" if cover else "INDA")
    if only_account and correspondent is not None and correspondent.account is not None:
        account(tree, settlement, "SttlmAcct", correspondent.account)
    elif correspondent is not None:
        agent(tree, settlement, "InstgRmbrsmntAgt", correspondent, report, _tag(senders))
    if receivers is not None:
        agent(tree, settlement, "InstdRmbrsmntAgt", parse_agent(receivers), report,
              receivers.tag)
    if third is not None:
        agent(tree, settlement, "ThrdRmbrsmntAgt", parse_agent(third), report, third.tag)


def _tag(field: Field | None) -> str:
    return field.tag if field is not None else ""


def _uetr(tree: Builder, ids: etree._Element, message: MtMessage,
          report: TranslationReport) -> None:
    if message.uetr is not None:
        tree.add(ids, "UETR", message.uetr)
    else:
        report.note("defaulted", "121", "no UETR in block 3: PmtId/UETR left out (CBPR+"
                    " requires one)")


def _end_to_end(fields: _Fields) -> str:
    """CBPR+: the /ROC/ reference of field 70, else NOTPROVIDED."""
    remittance = fields.get("70")
    if remittance is not None:
        text = narrative_text(remittance.lines, LINE_WIDTH, 140)
        if text.startswith("/ROC/"):
            reference = text[5:].split("/", 1)[0]
            if reference:
                return reference[:35]
    return NOT_PROVIDED


def _payment_type(tree: Builder, tx: etree._Element, fields: _Fields) -> None:
    operation = _value(fields, "23B")
    codes = [parse_instruction(f)[0] for f in fields.all("23E")]
    service = "SDVA" in codes
    category = next((c for c in codes if c in ("INTC", "CORT")), None)
    if operation == "CRED" and not service and category is None:
        return
    kind = tree.add(tx, "PmtTpInf")
    if service:
        tree.path(kind, "SvcLvl/Cd", "SDVA")
    if operation != "CRED":
        tree.path(kind, "LclInstrm/Prtry", operation)
    if category is not None:
        tree.path(kind, "CtgyPurp/Cd", category)


def _settlement(tree: Builder, tx: etree._Element, currency: str, amount: Decimal,
                day: date | None) -> None:
    tree.money(tx, "IntrBkSttlmAmt", amount, currency)
    if day is not None:
        tree.add(tx, "IntrBkSttlmDt", day.isoformat())


def _times(tree: Builder, tx: etree._Element, fields: _Fields, day: date | None,
           report: TranslationReport) -> None:
    indications: dict[str, str] = {}
    requests: dict[str, str] = {}
    seen: set[str] = set()
    for field in fields.all("13C"):
        for code, hhmm, offset in parse_time_indications(field):
            time = f"{hhmm[:2]}:{hhmm[2:]}:00{offset[:3]}:{offset[3:]}"
            if code in seen:
                report.note("not_translated", "13C", f"repeated /{code}/: ISO 20022 holds"
                            " one of each")
            elif code in _TIME_INDICATIONS and day is not None:
                indications[_TIME_INDICATIONS[code]] = f"{day.isoformat()}T{time}"
            elif code in _TIME_REQUESTS:
                requests[_TIME_REQUESTS[code]] = time
            seen.add(code)
    if indications:
        parent = tree.add(tx, "SttlmTmIndctn")
        for name in ("DbtDtTm", "CdtDtTm"):
            if name in indications:
                tree.add(parent, name, indications[name])
    if requests:
        parent = tree.add(tx, "SttlmTmReq")
        for name in ("CLSTm", "TillTm", "FrTm", "RjctTm"):
            if name in requests:
                tree.add(parent, name, requests[name])


def _charges(tree: Builder, tx: etree._Element, fields: _Fields, message: MtMessage) -> None:
    """71F: charges taken by the sender and earlier banks; 71G: those due to the receiver."""
    for tag, bic in (("71F", message.sender_bic), ("71G", message.receiver_bic)):
        for field in fields.all(tag):
            amount = parse_currency_amount(field)
            charge = tree.add(tx, "ChrgsInf")
            tree.money(charge, "Amt", amount.amount, amount.currency)
            tree.path(charge, "Agt/FinInstnId/BICFI", bic)


def _instructed_agents(tree: Builder, tx: etree._Element, message: MtMessage,
                       fields: _Fields) -> None:
    for role, bic in (("InstgAgt", message.sender_bic), ("InstdAgt", message.receiver_bic)):
        tree.path(tx, f"{role}/FinInstnId/BICFI", bic)


def _agent_or_default(tree: Builder, parent: etree._Element, role: str, field: Field | None,
                      default_bic: str | None, report: TranslationReport,
                      sequence: str = "") -> None:
    if field is not None:
        agent(tree, parent, role, parse_agent(field), report, sequence + field.tag)
    elif default_bic is not None:
        tree.path(parent, f"{role}/FinInstnId/BICFI", default_bic)


def _instructions(tree: Builder, tx: etree._Element, fields: _Fields,
                  report: TranslationReport) -> None:
    """23E and 72: instructions for the creditor agent, then for the next agent."""
    for_creditor: list[tuple[str | None, str | None]] = []
    for_next: list[tuple[str | None, str | None]] = []
    for field in fields.all("23E"):
        instruction, extra = parse_instruction(field)
        if instruction in CREDITOR_AGENT_CODES:
            for_creditor.append((instruction, extra))
        elif instruction in NEXT_AGENT_CODES:
            for_next.append((NEXT_AGENT_CODES[instruction], extra))
        elif instruction in NARRATIVE_INSTRUCTIONS:
            for_next.append((None, f"/{instruction}/" + (extra or "")))
    information = fields.get("72")
    if information is not None:
        for segment_code, flat in code_lines(information):
            if segment_code == "ACC":
                for_creditor.append((None, flat))
            else:
                for_next.append((None, (f"/{segment_code}/" if segment_code else "") + flat))
    for name, entries in (("InstrForCdtrAgt", for_creditor), ("InstrForNxtAgt", for_next)):
        for code, text in entries:
            element = tree.add(tx, name)
            if code is not None:
                tree.add(element, "Cd", code)
            if text:
                tree.add(element, "InstrInf", text[:140])
                if len(text) > 140:
                    report.note("truncated", "72", f"{text[:20]!r}... cut to 140")


def _purpose(tree: Builder, tx: etree._Element, fields: _Fields) -> None:
    transaction_type = fields.get("26T")
    if transaction_type is not None:
        tree.path(tx, "Purp/Prtry", transaction_type.value)


def _regulatory(tree: Builder, tx: etree._Element, fields: _Fields) -> None:
    reporting = fields.get("77B")
    if reporting is not None:
        details = tree.path(tx, "RgltryRptg/Dtls")
        for line in reporting.lines:
            tree.add(details, "Inf", line)


def _remittance(tree: Builder, tx: etree._Element, remittance: Field | None) -> None:
    if remittance is not None:
        tree.path(tx, "RmtInf/Ustrd", narrative_text(remittance.lines, LINE_WIDTH, 140))


def _value(fields: _Fields, tag: str) -> str:
    return _field(fields, tag).value


def _field(fields: _Fields, tag: str) -> Field:
    found = fields.get(tag)
    if found is None:  # pragma: no cover - parse_mt checked the mandatory fields
        raise ValueError(f"field {tag} missing after validation")
    return found

