"""Intake and policy together, in-process on a real SQLite file: a resubmission keeps
its original verdict whatever the policy says now, and drawing on a licence makes only
batches on the same licence evaluate again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.network.demo_directory import sanctions_demo_entities
from finmesh.node.intake import Submission, Verdict
from finmesh.node.root import Node

ROLES = ("compliance",)
ENTITIES = sanctions_demo_entities()


@pytest.fixture
def live(network: Path) -> Iterator[Node]:
    node = Node(network)
    try:
        yield node
    finally:
        node.close()


def banks(root: Path, count: int) -> list[Profile]:
    listed = set(ENTITIES.values())
    names = sorted(p.name for p in (root / "participants").iterdir() if p.name not in listed)
    return [load_profile(root / "participants" / n) for n in names[:count]]


def submit(node: Node, sender: Profile, payload: bytes) -> Verdict:
    signed = Submission(payload, pki.sign(sender.key, payload))
    [verdict] = node.intake.submit(sender.subject, sender.cert_pem, [signed])
    return verdict


def approve(node: Node, **proposal: object) -> str:
    measure = node.compliance.propose_measure("alice", ROLES, **proposal)  # type: ignore[arg-type]
    node.compliance.approve_measure("bob", ROLES, measure.id)
    return measure.id


def test_a_resubmission_after_a_disconnection_gets_its_original_ack(
    live: Node, network: Path
) -> None:
    a, b = banks(network, 2)
    payload = example_message("pacs.008", a.subject, b.subject)
    assert submit(live, a, payload).status == "ACK"
    approve(
        live,
        kind="disconnect",
        bic=b.subject[:8],
        name=None,
        with_subsidiaries=False,
        action="reject",
        reference="test",
        effective_ms=None,
    )
    again = submit(live, a, payload)
    assert (again.status, again.duplicate, again.reason) == ("ACK", True, None)
    fresh = submit(live, a, example_message("pacs.008", a.subject, b.subject))
    assert fresh.status == "NAK" and fresh.reason is not None and fresh.reason.code == "P01"


def test_a_resubmitted_held_message_says_it_is_held(live: Node, network: Path) -> None:
    a, b = banks(network, 2)
    cbr = ENTITIES["cbr"]
    approve(
        live,
        kind="prohibit",
        bic=cbr[:8],
        name=None,
        with_subsidiaries=False,
        action="hold",
        reference="Reg (EU) 2022/334",
        effective_ms=None,
    )
    payload = example_message("pacs.008", a.subject, b.subject, extra_agent_bics=[cbr])
    first = submit(live, a, payload)
    assert first.held and first.hold_id is not None
    again = submit(live, a, payload)
    assert (again.status, again.duplicate, again.held, again.hold_id) == (
        "ACK",
        True,
        True,
        first.hold_id,
    )
    assert len([h for h in live.store.holds() if h.id == first.hold_id]) == 1


def test_drawing_on_a_licence_never_makes_other_senders_try_again(
    live: Node, network: Path
) -> None:
    a, b, c, d = banks(network, 4)
    cbr = ENTITIES["cbr"]
    measure = approve(
        live,
        kind="prohibit",
        bic=cbr[:8],
        name=None,
        with_subsidiaries=False,
        action="reject",
        reference="Reg (EU) 2022/334",
        effective_ms=None,
    )
    licence = live.compliance.propose_licence(
        "alice",
        ROLES,
        measure_id=measure,
        reference="energy",
        purposes=["ENRG"],
        counterparties=[],
        currencies=["EUR"],
        amount_max=None,
        total_max=Decimal("1000000"),
        valid_from_ms=None,
        valid_until_ms=None,
    )
    live.compliance.approve_licence("bob", ROLES, licence.id)
    others: list[Verdict] = []
    licensed: list[Verdict] = []

    def licensed_sender() -> None:
        for _ in range(40):
            payload = example_message(
                "pacs.008", a.subject, b.subject, purpose="ENRG", extra_agent_bics=[cbr]
            )
            licensed.append(submit(live, a, payload))

    def other_sender() -> None:
        for _ in range(40):
            payloads = [example_message("pacs.008", c.subject, d.subject) for _ in range(5)]
            signed = [Submission(p, pki.sign(c.key, p)) for p in payloads]
            others.extend(live.intake.submit(c.subject, c.cert_pem, signed))

    threads = [threading.Thread(target=licensed_sender), threading.Thread(target=other_sender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [v.status for v in others] == ["ACK"] * 200
    assert all(v.status == "ACK" and v.licence_id == licence.id for v in licensed)
    _, used = live.store.licence(licence.id)
    assert used == Decimal("10.00") * 40
