"""Read the routing, screening and accounting facts out of a validated AppHdr and Document.

Runs only after validation, so shapes are known; it still never assumes an optional
element is there. Every message passes here and each lxml ``find`` costs about a
microsecond, so each part is read in one document-order walk with a dict lookup per
element: an agent or party element opens a slot, and the BIC, name, postal address
elements below it fill that slot when their path up to it is one of the known shapes.
A party's account is its sibling ``<role>Acct`` (DbtrAcct beside Dbtr): its IBAN joins
the party's slot. Free text (remittance information, instructions to agents,
proprietary purposes) is collected on the way for screening.

In ``parse_message`` the same Document walk also sorts every element into the rules'
facts (``scan`` with ``Facts``): the walk picks the elements read here, the rules run
on the completed facts, and only then are the picked elements read (``Scanned``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022.model import HEADER_NS, FreeText, ParsedMessage, Party
from finmesh.domain.iso20022.tracking import flow_facts
from finmesh.domain.reasons import Reason
from finmesh.domain.rules.facts import KINDS, Facts, kind_of

_ROLES = frozenset(
    {
        *("Fr", "To"),  # AppHdr
        *("InstgAgt", "InstdAgt", "DbtrAgt", "CdtrAgt"),
        *("PrvsInstgAgt1", "PrvsInstgAgt2", "PrvsInstgAgt3"),
        *("IntrmyAgt1", "IntrmyAgt2", "IntrmyAgt3"),
        *("InstgRmbrsmntAgt", "InstdRmbrsmntAgt", "ThrdRmbrsmntAgt"),
        *("Dbtr", "Cdtr", "UltmtDbtr", "UltmtCdtr", "InitgPty"),
        "Agt",  # a party only under ChrgsInf; elsewhere it is a Party40Choice branch
    }
)

# Paths from a role element down to each fact, covering agents (FinInstnId), customer
# parties (PartyIdentification), pacs.002 original parties (Party40Choice: Pty or Agt),
# the AppHdr (Party44Choice: FIId or OrgId) and FinInstnId before pacs.008.001.07 (BIC).
_INSTITUTION = ("FinInstnId/", "FIId/FinInstnId/", "Agt/FinInstnId/")
_ORGANISATION = ("", "Pty/", "OrgId/")
_ADDRESS_PARTS = (
    *("Dept", "SubDept", "StrtNm", "BldgNb", "BldgNm", "PstCd", "TwnNm", "TwnLctnNm"),
    *("DstrctNm", "CtrySubDvsn", "AdrLine"),
)
_ACCOUNT = "Acct/"
"""Prefix of the paths below a ``<role>Acct`` element (the role's account)."""
_FACT_PATHS: dict[str, str] = {
    **{f"{base}{leaf}": "bic" for base in _INSTITUTION for leaf in ("BICFI", "BIC")},
    **{
        f"{base}Id/OrgId/{leaf}": "bic" for base in _ORGANISATION for leaf in ("AnyBIC", "BICOrBEI")
    },
    **{f"{base}Nm": "name" for base in (*_INSTITUTION, *_ORGANISATION)},
    **{f"{base}PstlAdr/Ctry": "country" for base in (*_INSTITUTION, *_ORGANISATION)},
    **{
        f"{base}PstlAdr/{part}": "address"
        for base in (*_INSTITUTION, *_ORGANISATION)
        for part in _ADDRESS_PARTS
    },
    f"{_ACCOUNT}Id/IBAN": "iban",
}
_REPEATED_FACTS = frozenset({"address", "iban"})
_ACCOUNTS = {f"{role}Acct": role for role in _ROLES if role not in ("Fr", "To", "Agt")}
"""``<role>Acct`` element -> its role."""
_FREE_TEXT = {
    ("RmtInf", "Ustrd"): "RmtInf/Ustrd",
    ("Strd", "AddtlRmtInf"): "RmtInf/Strd/AddtlRmtInf",
    ("InstrForCdtrAgt", "InstrInf"): "InstrForCdtrAgt/InstrInf",
    ("InstrForNxtAgt", "InstrInf"): "InstrForNxtAgt/InstrInf",
    ("Purp", "Prtry"): "Purp/Prtry",
}
"""(parent, element) -> the field name free text is reported under."""
_FREE_TEXT_PARENTS = frozenset(parent for parent, _ in _FREE_TEXT)
_INSTITUTION_BICS = frozenset({"BICFI", "BIC"})
_FACT_PREFIXES = frozenset(
    path.rsplit("/", cut)[0] for path in _FACT_PATHS for cut in range(1, path.count("/") + 1)
)
_PATH_TAGS = frozenset(step for path in _FACT_PATHS for step in path.split("/") if step != "Acct")
_TRANSACTIONS = frozenset({"CdtTrfTxInf", "TxInfAndSts"})
_OTHERS = frozenset(
    {"Cd", "UETR", "OrgnlUETR", "IntrBkSttlmAmt", *_ACCOUNTS, *(leaf for _, leaf in _FREE_TEXT)}
)
_HEADER_FIELDS = ("BizMsgIdr", "MsgDefIdr", "BizSvc", "CreDt", "Prty", "PssblDplct")
_TRUE = frozenset({"true", "1"})


class _Walk:
    """What one pass over a header party or a Document body collected."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.names = _interesting(ns)
        self.slots: dict[etree._Element, dict[str, str]] = {}
        self.repeated: dict[int, dict[str, list[str]]] = {}
        """id(slot) -> address parts and IBANs of that slot."""
        self.free_text: dict[FreeText, None] = {}
        self.purposes: dict[str, None] = {}
        self.transactions = 0
        self.amounts: list[tuple[str, str]] = []
        self.uetr: str | None = None

    def run(self, top: etree._Element) -> _Walk:
        """Read ``top`` and its descendants."""
        names = self.names
        picked = [
            (element, local)
            for element in top.iter(etree.Element)
            if (local := names.get(element.tag)) is not None
        ]
        return self.read(top.tag, picked)

    def pick(self, top: etree._Element, facts: Facts) -> list[tuple[etree._Element, str]]:
        """The (element, local name) pairs ``read`` needs from ``top`` and its descendants,
        in document order, each element sorted into the rules' ``facts`` on the way as
        ``Facts.sort`` does: one walk serves both, and the reading waits for the rules."""
        names, kinds, picked = self.names, KINDS, []
        lists, amounts, dates = facts.lists(), facts.amounts, facts.dates
        for element in top.iter(etree.Element):
            tag = element.tag
            if element.get("Ccy") is not None:
                amounts.append(element)
            else:
                kind = kinds.get(tag)
                if kind is None:
                    kind = kind_of(tag)
                if kind:
                    found = lists[kind]
                    if found is not dates or not len(element):
                        found.append(element)
            local = names.get(tag)
            if local is not None:
                picked.append((element, local))
        return picked

    def read(self, top_tag: object, picked: list[tuple[etree._Element, str]]) -> _Walk:
        """Collect the parties, amounts, purposes and free text of the picked elements of
        one subtree (whose top has ``top_tag``), in document order."""
        ns = self.ns
        # Element -> (its party slot, its path below the role element plus "/"), for
        # elements on the way to a fact: facts are found from their parent alone.
        inside: dict[etree._Element, tuple[dict[str, str], str]] = {}
        # (parent, role) -> the slot of that role there, for its sibling <role>Acct.
        by_role: dict[tuple[etree._Element | None, str], dict[str, str]] = {}
        for element, local in picked:
            parent = element.getparent()
            if local in _ROLES and (local != "Agt" or _tag(parent) == ns + "ChrgsInf"):
                slot = self.slots[element] = {"role": local}
                inside[element] = (slot, "")
                by_role[(parent, local)] = slot
                continue
            known = inside.get(parent) if parent is not None else None
            if known is not None:
                slot, prefix = known
                path = prefix + local
                fact = _FACT_PATHS.get(path)
                if fact is None:
                    if path in _FACT_PREFIXES:
                        inside[element] = (slot, path + "/")
                elif fact in _REPEATED_FACTS:
                    self._repeated(slot, fact, local, element.text)
                elif fact not in slot and element.text:
                    slot[fact] = element.text
                    if local in _INSTITUTION_BICS:
                        slot["institution"] = local
            elif local in _ACCOUNTS:
                owner = by_role.get((parent, _ACCOUNTS[local]))
                if owner is not None:
                    inside[element] = (owner, _ACCOUNT)
            elif local in _TRANSACTIONS:
                self.transactions += _tag(parent) == top_tag
            elif not element.text:
                continue
            elif local == "Cd":
                if _tag(parent) in (ns + "Purp", ns + "CtgyPurp"):
                    self.purposes.setdefault(element.text, None)
            elif local == "IntrBkSttlmAmt":
                if _tag(parent) in (ns + "CdtTrfTxInf", ns + "TxInfAndSts"):
                    self.amounts.append((element.text, element.get("Ccy", "")))
            elif local in ("UETR", "OrgnlUETR") and self.uetr is None:
                self.uetr = element.text
            elif parent is not None:
                self._free_text(local, parent.tag, element.text)
        return self

    def _repeated(self, slot: dict[str, str], fact: str, local: str, text: str | None) -> None:
        """Record an address part or an IBAN of a slot (a party may have several)."""
        if text:
            facts = self.repeated.setdefault(id(slot), {})
            facts.setdefault(fact, []).append(text)
            if local == "TwnNm" and "town" not in slot:
                slot["town"] = text

    def _free_text(self, local: str, parent_tag: object, text: str) -> None:
        parent = _local(parent_tag)
        if parent in _FREE_TEXT_PARENTS:
            field = _FREE_TEXT.get((parent, local))
            if field is not None:
                self.free_text.setdefault(FreeText(field, text), None)

    def parties(self) -> list[Party]:
        parties = []
        for slot in self.slots.values():
            repeated = self.repeated.get(id(slot), {})
            if len(slot) > 1 or repeated:
                parties.append(
                    Party(
                        slot["role"],
                        slot.get("bic"),
                        slot.get("name"),
                        slot.get("country"),
                        address=tuple(repeated.get("address", ())),
                        town=slot.get("town"),
                        ibans=tuple(repeated.get("iban", ())),
                    )
                )
        return parties

    def institution_bic(self, role: str) -> str | None:
        for slot in self.slots.values():
            if slot["role"] == role and "institution" in slot:
                return slot["bic"]
        return None


def extract(header: etree._Element, document: etree._Element, msg_def_id: str) -> ParsedMessage:
    """Build the ParsedMessage of a message whose header and document passed validation."""
    return scan(header, document).message(msg_def_id)


def scan(
    header: etree._Element, document: etree._Element, facts: Facts | None = None
) -> Scanned:
    """Walk a validated Document for what ``extract`` reads; with the rules' ``facts``
    begun (``RuleBook.begin``), complete them in the same walk. The reading itself
    waits for ``Scanned.message`` (a message the rules refuse is never read)."""
    walk = _Walk(_clark_prefix(document))
    if facts is not None:
        facts.sort((document,))
    children = iter(document)
    body = next(children, None)
    picked = None
    if body is not None and facts is not None:
        picked = walk.pick(body, facts)
    if facts is not None:
        for child in children:
            facts.sort(child.iter(etree.Element))
        facts.complete()
    return Scanned(header, document, body, walk, picked)


class Scanned:
    """A Document walked by ``scan``, for building the ParsedMessage."""

    def __init__(
        self,
        header: etree._Element,
        document: etree._Element,
        body: etree._Element | None,
        walk: _Walk,
        picked: list[tuple[etree._Element, str]] | None,
    ) -> None:
        self.header = header
        self.document = document
        self.body = body
        self.walk = walk
        self.picked = picked

    def _read_header(self) -> tuple[dict[str, str | None], _Walk]:
        fields: dict[str, str | None] = {}
        header_walk = _Walk(f"{{{HEADER_NS}}}")
        for child in self.header:
            local = _local(child.tag)
            if local in ("Fr", "To"):
                header_walk.run(child)
            elif local in _HEADER_FIELDS:
                fields[local] = child.text
        return fields, header_walk

    def message(self, msg_def_id: str) -> ParsedMessage:
        """The ParsedMessage, or Rejected when the AppHdr names no sender or receiver BIC
        (once per scan: the reading accumulates)."""
        fields, header_walk = self._read_header()
        sender = header_walk.institution_bic("Fr")
        receiver = header_walk.institution_bic("To")
        if sender is None or receiver is None:
            side = "Fr" if sender is None else "To"
            raise Rejected(Reason.INVALID_BIC, f"AppHdr {side} carries no FIId/FinInstnId/BICFI")
        walk, body = self.walk, self.body
        if body is not None:
            if self.picked is None:
                walk.run(body)
            else:
                walk.read(body.tag, self.picked)
        amount, currency = (None, None)
        if not msg_def_id.startswith("pacs.002."):
            amount, currency = _total(walk.amounts, walk.transactions)
        return ParsedMessage(
            sender_bic=sender,
            receiver_bic=receiver,
            biz_msg_id=fields.get("BizMsgIdr") or "",
            msg_def_id=fields.get("MsgDefIdr") or msg_def_id,
            business_service=fields.get("BizSvc"),
            created=fields.get("CreDt"),
            priority=fields.get("Prty"),
            possible_duplicate=(fields.get("PssblDplct") or "").strip() in _TRUE,
            uetr=walk.uetr,
            amount=amount,
            currency=currency,
            transactions=walk.transactions,
            parties=tuple(dict.fromkeys([*header_walk.parties(), *walk.parties()])),
            purposes=tuple(walk.purposes),
            free_text=tuple(walk.free_text),
            flow=flow_facts(self.document, msg_def_id) if walk.uetr is not None else None,
        )


def _total(amounts: list[tuple[str, str]], transactions: int) -> tuple[Decimal | None, str | None]:
    """Sum when every transaction has one amount and all share a currency."""
    if not amounts or len(amounts) != transactions or len({c for _, c in amounts}) != 1:
        return None, None
    try:
        return sum((Decimal(text.strip()) for text, _ in amounts), Decimal(0)), amounts[0][1]
    except InvalidOperation:
        return None, None


_INTERESTING: dict[str, dict[str, str]] = {}


def _interesting(ns: str) -> dict[str, str]:
    """Clark tag -> local name of every element a walk looks at, per namespace."""
    names = _INTERESTING.get(ns)
    if names is None:
        wanted = (*_ROLES, *_PATH_TAGS, *_TRANSACTIONS, *_OTHERS)
        names = _INTERESTING[ns] = {ns + local: local for local in wanted}
    return names


def _clark_prefix(element: etree._Element) -> str:
    """``f"{{{etree.QName(element).namespace}}}"``, sliced from the tag when it has a
    namespace instead of building a QName."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[: tag.index("}") + 1]
    return f"{{{etree.QName(element).namespace}}}"


def _tag(element: etree._Element | None) -> object:
    """The tag of an element that may be absent (read only where it is needed: each
    read builds a new string)."""
    return element.tag if element is not None else None


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
