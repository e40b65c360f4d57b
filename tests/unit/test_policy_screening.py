"""Screening: name normalisation, name matching, and where an entity appears."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finmesh.domain.iso20022.model import ParsedMessage, Party
from finmesh.domain.policy.screening import (
    MessageFacts,
    entity_appears,
    locate,
    names_match,
    normalise_name,
)

ENTITY, SUB = "ENTYRUMM", "SUBARUMM"
SENDER, RECEIVER, AGENT = "SENDDEFFXXX", "RECVFRPPXXX", "AGNTGB2LXXX"
COVERED = frozenset({ENTITY, SUB})


def facts(*parties: Party, sender: str = SENDER, receiver: str = RECEIVER) -> MessageFacts:
    return MessageFacts(sender=sender, receiver=receiver, parties=parties)


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("ПАО «Банк Россия»", ("bank", "rossiya")),
        ("АО «Банк «Россия»»", ("bank", "rossiya")),
        ("ROSSIYA, BANK", ("rossiya", "bank")),
        ("Промсвязьбанк", ("promsvyazbank",)),
        ("Promsvyaz'bank PJSC", ("promsvyazbank",)),
        ("Société Générale S.A.", ("societe", "generale")),
        ("Barclays Bank P.L.C.", ("barclays", "bank")),
        ("VEB.RF", ("veb", "rf")),
        ("Public Joint Stock Company Sberbank", ("sberbank",)),
        ("Bank Dabrabyt OJSC", ("bank", "dabrabyt")),
        ("Deutsche Bank AG", ("deutsche", "bank")),
        ("ООО", ()),
        ("", ()),
    ],
)
def test_normalise_name(name: str, tokens: tuple[str, ...]) -> None:
    assert normalise_name(name) == tokens


@pytest.mark.parametrize(
    ("entity", "candidate", "expected"),
    [
        ("Bank Rossiya", "АО «Банк Россия»", True),  # Cyrillic candidate, Latin list name
        ("Bank Rossiya", "ROSSIYA, BANK", True),  # reordered
        ("Bank Rossiya", "Joint Stock Company Bank Rossiya, St Petersburg", True),
        ("BANK ROSSIYA", "bank rossiya", True),
        ("Промсвязьбанк", "PROMSVYAZBANK PJSC", True),
        ("Bank Rossiya", "Rossiya", False),  # the list name has a word more
        ("Bank Rossiya", "Bank Rossiyskiy Kapital", False),  # no partial words
        ("Bank Rossiya", "Rossiya Savings Bank", False),  # not contiguous, not the same words
        ("PAO", "PAO Sberbank", False),  # a name of legal forms only matches nothing
        ("Sberbank", "", False),
    ],
)
def test_names_match(entity: str, candidate: str, expected: bool) -> None:
    assert names_match(entity, candidate) is expected


def test_from_parsed_copies_what_policy_needs() -> None:
    debtor = Party("Dbtr", None, "Ivanov", "RU")
    parsed = ParsedMessage(
        sender_bic="SENDDEFF",
        receiver_bic="RECVFRPP",
        biz_msg_id="B1",
        msg_def_id="pacs.008.001.08",
        business_service=None,
        created=None,
        priority=None,
        possible_duplicate=False,
        uetr=None,
        amount=Decimal("12.50"),
        currency="EUR",
        transactions=1,
        parties=(debtor,),
        purposes=("GDDS",),
    )
    built = MessageFacts.from_parsed(parsed, SENDER, RECEIVER)
    assert built == MessageFacts(SENDER, RECEIVER, (debtor,), ("GDDS",), Decimal("12.50"), "EUR")


def test_sender_and_receiver_are_found_by_bic8() -> None:
    assert entity_appears(facts(sender="ENTYRUMMXXX"), COVERED, None) == "Fr"
    assert entity_appears(facts(receiver="SUBARUMM123"), COVERED, None) == "To"


@pytest.mark.parametrize(
    "role", ["InstgAgt", "InstdAgt", "IntrmyAgt1", "DbtrAgt", "CdtrAgt", "Dbtr", "UltmtCdtr"]
)
def test_party_bic_in_any_role(role: str) -> None:
    agent = Party("DbtrAgt", AGENT, "Agent Bank", "GB")  # another institution comes first
    message = facts(agent, Party(role, "ENTYRUMM123", None, None))
    assert entity_appears(message, COVERED, None) == role


def test_branch_bic_matches_its_institution() -> None:
    message = facts(Party("IntrmyAgt2", "SUBARUMMMOS", None, None))
    assert entity_appears(message, COVERED, None) == "IntrmyAgt2"


def test_name_only_for_parties_without_bic() -> None:
    by_name = facts(Party("UltmtCdtr", None, "ПАО Банк Россия", "RU"))
    found = locate(by_name, COVERED, "Bank Rossiya")
    assert found is not None
    assert (found.role, found.by) == ("UltmtCdtr", "name")
    # The same name on a party identified by another BIC is that other institution.
    with_bic = facts(Party("Cdtr", "OTHRRUMM", "ПАО Банк Россия", "RU"))
    assert entity_appears(with_bic, COVERED, "Bank Rossiya") is None


def test_no_name_means_no_name_screening() -> None:
    message = facts(Party("Cdtr", None, "Bank Rossiya", "RU"))
    assert entity_appears(message, COVERED, None) is None


def test_absent_entity() -> None:
    message = facts(Party("Dbtr", None, "Ivanov", "RU"), Party("DbtrAgt", AGENT, None, None))
    assert entity_appears(message, COVERED, "Bank Rossiya") is None


def test_first_appearance_wins() -> None:
    message = facts(
        Party("Dbtr", None, "Bank Rossiya", None), Party("IntrmyAgt1", "ENTYRUMM", None, None)
    )
    found = locate(message, COVERED, "Bank Rossiya")
    assert found is not None and found.role == "Dbtr"
    assert found.describe() == "Dbtr name Bank Rossiya"
    assert facts().institution_bic8s() == {"SENDDEFF", "RECVFRPP"}


@pytest.mark.parametrize(
    ("entity", "candidate"),
    [
        ("DANSKE BANK A/S", "Danske Bank"),
        ("Citibank N.A.", "Citibank"),
        ("Banco do Brasil S/A", "Banco do Brasil"),
        ("PT Bank Rakyat Indonesia Tbk", "Bank Rakyat Indonesia"),
    ],
)
def test_slashed_and_dotted_legal_forms_do_not_hide_a_name(entity: str, candidate: str) -> None:
    assert names_match(entity, candidate)
    assert names_match(candidate, entity)
