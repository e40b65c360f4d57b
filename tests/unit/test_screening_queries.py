"""What a message gives screening: addresses, IBANs and free text, then the queries."""

from __future__ import annotations

from lxml import etree

from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.iso20022.model import FreeText, ParsedMessage, Party
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion, Query
from finmesh.domain.screening.queries import message_countries, screening_queries
from tests.shareddata import SCHEMAS
from tests.unit.iso20022_helpers import RECEIVER, SENDER, edit, find, ns

KIND = "pacs.008"
N = ns(KIND)


def add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, N + tag)
    if text is not None:
        child.text = text
    return child


def account(after: etree._Element, tag: str, iban: str) -> None:
    element = etree.Element(N + tag)
    after.addnext(element)
    add(add(element, "Id"), "IBAN", iban)


def enrich(root: etree._Element) -> None:
    """Address lines, IBANs, instructions, remittance information: in schema order."""
    debtor = find(root, KIND, "CdtTrfTxInf/Dbtr")
    address = find(root, KIND, "CdtTrfTxInf/Dbtr/PstlAdr")
    address.insert(0, etree.Element(N + "StrtNm"))
    address[0].text = "Tverskaya 7"
    town = etree.Element(N + "TwnNm")
    town.text = "Moskva"
    address.insert(1, town)
    add(address, "AdrLine", "c/o Rosneft")
    account(debtor, "DbtrAcct", "RU0204452560040702810412345678901")
    account(find(root, KIND, "CdtTrfTxInf/Cdtr"), "CdtrAcct", "FR7630006000011234567890189")
    purpose = find(root, KIND, "CdtTrfTxInf/Purp")
    instruction = etree.Element(N + "InstrForCdtrAgt")
    purpose.addprevious(instruction)
    add(instruction, "InstrInf", "Call Igor Sechin before crediting")
    remittance = etree.Element(N + "RmtInf")
    purpose.addnext(remittance)
    add(remittance, "Ustrd", "Invoice 42 crude oil")


def rich_message() -> ParsedMessage:
    payload = example_message(
        KIND, SENDER, RECEIVER, debtor_name="ООО Ромашка", creditor_name="Acme GmbH", purpose="GDDS"
    )
    return parse_message(edit(payload, enrich), SCHEMAS)


def party(parsed: ParsedMessage, role: str) -> Party:
    return next(p for p in parsed.parties if p.role == role)


def test_parties_carry_address_town_and_ibans() -> None:
    parsed = rich_message()
    debtor = party(parsed, "Dbtr")
    assert debtor.name == "ООО Ромашка"
    assert debtor.country == "DE"
    assert debtor.address == ("Tverskaya 7", "Moskva", "c/o Rosneft")
    assert debtor.town == "Moskva"
    assert debtor.ibans == ("RU0204452560040702810412345678901",)
    assert party(parsed, "Cdtr").ibans == ("FR7630006000011234567890189",)
    assert party(parsed, "DbtrAgt").ibans == ()


def test_free_text_is_collected_in_document_order() -> None:
    assert rich_message().free_text == (
        FreeText("InstrForCdtrAgt/InstrInf", "Call Igor Sechin before crediting"),
        FreeText("RmtInf/Ustrd", "Invoice 42 crude oil"),
    )


def test_proprietary_purpose_is_free_text() -> None:
    def proprietary(root: etree._Element) -> None:
        code = find(root, KIND, "CdtTrfTxInf/Purp/Cd")
        code.tag = N + "Prtry"
        code.text = "Payment for Rosneft shares"

    payload = example_message(KIND, SENDER, RECEIVER, purpose="GDDS")
    parsed = parse_message(edit(payload, proprietary), SCHEMAS)
    assert parsed.free_text == (FreeText("Purp/Prtry", "Payment for Rosneft shares"),)
    assert parsed.purposes == ()


def test_plain_examples_keep_their_former_facts() -> None:
    parsed = parse_message(
        example_message(KIND, SENDER, RECEIVER, debtor_name="Jean Dupont"), SCHEMAS
    )
    assert parsed.free_text == ()
    debtor = party(parsed, "Dbtr")
    assert (debtor.bic, debtor.name, debtor.country) == (None, "Jean Dupont", "DE")
    assert (debtor.address, debtor.town, debtor.ibans) == ((), None, ())


def test_queries_cover_parties_addresses_and_free_text() -> None:
    parsed = rich_message()
    queries = screening_queries(parsed)
    fields = [query.field for query in queries]
    assert fields == [
        "Fr,InstgAgt,DbtrAgt",
        "To,InstdAgt,CdtrAgt",
        "Dbtr",
        "Dbtr/PstlAdr",
        "Cdtr",
        "InstrForCdtrAgt/InstrInf",
        "RmtInf/Ustrd",
    ]
    debtor = queries[2]
    assert (debtor.name, debtor.countries) == ("ООО Ромашка", ("DE", "RU"))
    assert queries[3].text == "Tverskaya 7 Moskva c/o Rosneft"
    assert queries[0].bic == SENDER
    assert message_countries(parsed) == frozenset({"DE", "FR", "RU"})


def test_a_message_is_screened_through_its_queries() -> None:
    entries = (
        ListEntry("R", EntryType.ENTITY, "Rosneft", countries=("RU",)),
        ListEntry("S", EntryType.PERSON, "SECHIN, Igor Ivanovich", countries=("RU",)),
        ListEntry("B", EntryType.ENTITY, "Some Bank", bics=(RECEIVER,)),
    )
    index = ScreeningIndex.build([ListVersion.create("test", 1, "t", entries)])
    found = {
        (hit.entry_id, hit.query.field)
        for query in screening_queries(rich_message())
        for hit in index.screen(query)
    }
    assert found == {
        ("R", "Dbtr/PstlAdr"),
        ("S", "InstrForCdtrAgt/InstrInf"),
        ("B", "To,InstdAgt,CdtrAgt"),
    }
    assert index.screen(Query("x", name="Acme GmbH")) == []
