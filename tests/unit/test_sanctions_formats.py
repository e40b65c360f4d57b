"""Sanctions list files: every format read from fixtures, and refused whole when malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion
from finmesh.sanctions import FORMATS, ListFormatError, new_version, parse_list
from finmesh.sanctions import entries as entry_rules

FIXTURES = Path(__file__).parent.parent / "fixtures" / "lists"
FILES = {
    "ofac-sdn-xml": "sdn.xml",
    "ofac-csv": "sdn.csv",
    "eu-fsf-xml": "eu_fsf.xml",
    "un-xml": "un_consolidated.xml",
    "ftm-json": "opensanctions.ftm.jsonl",
    "csv": "plain.csv",
}


def fixture(fmt: str) -> bytes:
    return (FIXTURES / FILES[fmt]).read_bytes()


def by_id(entries: tuple[ListEntry, ...]) -> dict[str, ListEntry]:
    return {entry.id: entry for entry in entries}


def refused(data: bytes, fmt: str) -> ListFormatError:
    with pytest.raises(ListFormatError) as caught:
        parse_list(data, fmt)
    return caught.value


def test_every_format_has_a_fixture() -> None:
    assert set(FILES) == set(FORMATS)


def test_ofac_xml_reads_names_aliases_strength_countries_bics() -> None:
    entries = by_id(parse_list(fixture("ofac-sdn-xml"), "ofac-sdn-xml"))
    person, bank, vessel = entries["90001"], entries["90002"], entries["90003"]
    assert person.type is EntryType.PERSON
    assert person.name == "PETROVSKY, Arkady Nikolaevich"
    assert person.aliases == ("PETROVSKIY, Arkadiy",)
    assert person.weak_aliases == ("ARKASHA",)
    assert person.countries == ("RU",)
    assert bank.bics == ("SVKBRUMM",)  # the registration number is not a BIC
    assert bank.programme == "RUSSIA-EO14024; UKRAINE-EO13662"
    assert vessel.type is EntryType.ENTITY


def test_ofac_csv_reads_the_sdn_csv_layout_with_remarks() -> None:
    entries = by_id(parse_list(fixture("ofac-csv"), "ofac-csv"))
    assert entries["90001"].weak_aliases == ("ARKASHA",)
    assert entries["90001"].aliases == ("PETROVSKIY, Arkadiy",)
    assert entries["90001"].countries == ("RU",)
    assert entries["90002"].bics == ("SVKBRUMM",)
    assert entries["90002"].type is EntryType.ENTITY
    assert entries["90002"].programme == "RUSSIA-EO14024; UKRAINE-EO13662"


def test_eu_fsf_reads_first_alias_as_name_and_weak_aliases() -> None:
    entries = by_id(parse_list(fixture("eu-fsf-xml"), "eu-fsf-xml"))
    bank, person = entries["700001"], entries["700002"]
    assert bank.name == "Severny Kapital Bank"
    assert bank.aliases == ("ПАО «Северный Капитал Банк»",)
    assert bank.weak_aliases == ("SevKapBank",)
    assert bank.bics == ("SVKBRUMMXXX",)
    assert bank.programme == "RUS"
    assert person.type is EntryType.PERSON
    assert person.countries == ("RU",)


def test_un_reads_name_parts_original_script_and_alias_quality() -> None:
    entries = by_id(parse_list(fixture("un-xml"), "un-xml"))
    person, entity = entries["QDi.901"], entries["KPe.901"]
    assert person.name == "KHALID BIN SALIM AL-TAMIMI"
    assert person.aliases == ("خالد بن سالم التميمي", "Khaled Salem al-Tamimi")
    assert person.weak_aliases == ("Abu Salim",)
    assert person.countries == ("YE",)
    assert entity.type is EntryType.ENTITY
    assert entity.countries == ("KP",)
    assert entity.programme == "DPRK"


def test_ftm_keeps_persons_and_organisations_and_skips_other_schemas() -> None:
    entries = by_id(parse_list(fixture("ftm-json"), "ftm-json"))
    assert set(entries) == {"NK-test-severny", "NK-test-petrovsky", "NK-test-koryo"}
    bank = entries["NK-test-severny"]
    assert bank.aliases == ("Северный Капитал Банк", "Severny Capital Bank")
    assert bank.weak_aliases == ("SKB",)
    assert bank.bics == ("SVKBRUMM",)
    assert bank.programme == "EU-RUS"
    assert entries["NK-test-petrovsky"].programme == "sanction; role.pep"  # topics as fallback


def test_plain_csv_splits_lists_and_resolves_country_names() -> None:
    entries = by_id(parse_list(fixture("csv"), "csv"))
    assert entries["P-1"].bics == ("SVKBRUMM", "SVKBRUMMXXX")
    assert entries["P-1"].aliases == ("Severny Capital Bank", "ПАО Северный Капитал Банк")
    assert entries["P-3"].countries == ("KP",)  # "KP" and the country's name: one code


def test_plain_csv_accepts_columns_in_any_order() -> None:
    data = b"name,id,type,aliases,countries,bics,program\nAcme Trading,A1,entity,,,,X\n"
    assert parse_list(data, "csv")[0].id == "A1"


def test_a_version_digest_ignores_entry_order_and_format() -> None:
    entries = parse_list(fixture("ofac-sdn-xml"), "ofac-sdn-xml")
    first = new_version("ofac", 1, "sdn.xml", entries)
    again = ListVersion.create("ofac", 2, "reloaded", tuple(reversed(entries)))
    assert first.digest == again.digest
    assert first.entry_count == 3
    changed = ListVersion.create("ofac", 3, "edited", entries[:2])
    assert changed.digest != first.digest


@pytest.mark.parametrize(
    ("fmt", "data", "code", "where"),
    [
        ("ofac-sdn-xml", b"<sdnList><sdnEntry><uid>1</uid>\n<lastName>X</sdnEntry>", "L04",
         "line 2"),
        (
            "ofac-sdn-xml",
            b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><sdnList/>',
            "L05",
            "line 2",
        ),
        (
            "ofac-sdn-xml",
            b"<sdnList>\n<sdnEntry><uid>1</uid><lastName>A</lastName></sdnEntry>\n"
            b"<sdnEntry><lastName>B</lastName></sdnEntry></sdnList>",
            "L06",
            "<sdnEntry> line 3",
        ),
        (
            "ofac-sdn-xml",
            b"<sdnList><sdnEntry><uid>1</uid><lastName>A</lastName><sdnType>Entity</sdnType>"
            b"<idList><id><idType>SWIFT/BIC</idType><idNumber>NOTABIC</idNumber></id></idList>"
            b"</sdnEntry></sdnList>",
            "L07",
            "<sdnEntry> line 1",
        ),
        (
            "ofac-sdn-xml",
            b"<sdnList>\n<sdnEntry><uid>1</uid><lastName>A</lastName></sdnEntry>\n"
            b"<sdnEntry><uid>1</uid><lastName>B</lastName></sdnEntry></sdnList>",
            "L08",
            "<sdnEntry> line 3",
        ),
        ("ofac-sdn-xml", b"<sdnList><publshInformation/></sdnList>", "L09", ""),
        ("ofac-csv", b'1,"A",-0-,"[X]"\n', "L04", "line 1"),
        ("ofac-csv", b'1,"A",-0-,"[X]",,,,,,,,""\n2,,-0-,"[X]",,,,,,,,""\n', "L06", "line 2"),
        ("eu-fsf-xml", b'<export><sanctionEntity logicalId="1"><subjectType code="person"/>'
         b"</sanctionEntity></export>", "L06", "<sanctionEntity> line 1"),
        ("un-xml", b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
         b"<FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>", "L04", "line 1"),
        ("ftm-json", b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": ',
         "L04", "line 2"),
        ("ftm-json", b'{"id": "a", "schema": "Person", "properties": {"name": "A"}}', "L07",
         "line 1"),
        ("ftm-json", b'{"schema": "Company", "properties": {"name": ["A"]}}', "L06", "line 1"),
        ("ftm-json", b"[1, 2]", "L04", "line 1"),
        ("csv", b"id,name,type\nA1,Acme,entity\n", "L04", "line 1"),
        ("csv", b"id,name,aliases,type,countries,bics,program\nA1,Acme,,company,,,X\n", "L07",
         "line 2"),
        ("csv", b"id,name,aliases,type,countries,bics,program\nA1,Acme,,entity,,,X,extra\n",
         "L04", "line 2"),
        ("csv", b"id,name,aliases,type,countries,bics,program\nA1,Acme\xff,,entity,,,X\n", "L11",
         ""),
    ],
)  # fmt: skip
def test_malformed_files_are_refused_with_the_place_at_fault(
    fmt: str, data: bytes, code: str, where: str
) -> None:
    error = refused(data, fmt)
    assert error.code == code
    assert error.where == where
    assert code in str(error)


def test_a_fault_after_good_entries_refuses_the_whole_file() -> None:
    good = fixture("csv").decode()
    error = refused((good + "P-4,Bad Bank,,entity,,NOTABIC,X\n").encode(), "csv")
    assert (error.code, error.where) == ("L07", "line 5")


def test_too_long_fields_and_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    long_name = "A" * (entry_rules.FIELD_CHARS_MAX + 1)
    data = f"id,name,aliases,type,countries,bics,program\nA1,{long_name},,entity,,,X\n"
    assert refused(data.encode(), "csv").code == "L03"
    monkeypatch.setattr(entry_rules, "LIST_BYTES_MAX", 100)
    assert refused(fixture("un-xml"), "un-xml").code == "L01"


def test_unknown_format_is_refused() -> None:
    assert refused(b"", "xlsx").code == "L10"
