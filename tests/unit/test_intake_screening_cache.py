"""Intake's screening cache: a name is screened once whatever field it comes from, and
every hit still names the field of the message it was found in."""

from __future__ import annotations

from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion, Query
from finmesh.node.intake_screening import ActiveScreening, hit_json
from tests.unit.screening_index import counted

LISTED = ListEntry("1", EntryType.PERSON, "SECHIN, Igor Ivanovich", countries=("RU",))


def active() -> tuple[ActiveScreening, list[Query]]:
    index = ScreeningIndex.build([ListVersion.create("t", 1, "cache", (LISTED,))])
    screened = counted(index)
    return ActiveScreening(1, index, (), ()), screened


def test_the_same_name_in_another_field_is_screened_once_and_keeps_its_field() -> None:
    screening, screened = active()
    as_debtor = screening.screen([Query("Dbtr", name="Igor Sechin")], 0)
    as_creditor = screening.screen([Query("Cdtr", name="Igor Sechin")], 0)
    assert len(screened) == 1
    assert as_debtor.decision == as_creditor.decision == "hold"
    assert [hit_json(h)["field"] for h in as_debtor.hits] == ["Dbtr"]
    assert [hit_json(h)["field"] for h in as_creditor.hits] == ["Cdtr"]


def test_other_evidence_is_screened_again() -> None:
    screening, screened = active()
    plain = screening.screen([Query("Dbtr", name="Igor Sechin")], 0)
    russian = screening.screen([Query("Dbtr", name="Igor Sechin", countries=("RU",))], 0)
    assert len(screened) == 2
    assert russian.hits[0].score > plain.hits[0].score
