"""Group commit: several requests admitted together and stored in one transaction, on a
real SQLite file, in-process and through the node's intake lane. Each request must get
exactly the verdicts it would get alone, in order, and each message is stored once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.api.intake_lane import IntakeLane
from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.network.demo_directory import sanctions_demo_entities
from finmesh.node.intake import IntakeRequest, Submission
from finmesh.node.root import Node
from tests.netutil import db_consistency, header_text, read_only_db


@pytest.fixture
def live(network: Path) -> Iterator[Node]:
    node = Node(network)
    try:
        yield node
    finally:
        node.close()


def banks(root: Path, count: int) -> list[Profile]:
    listed = set(sanctions_demo_entities().values())
    names = sorted(p.name for p in (root / "participants").iterdir() if p.name not in listed)
    return [load_profile(root / "participants" / n) for n in names[:count]]


def signed(sender: Profile, payload: bytes) -> Submission:
    return Submission(payload, pki.sign(sender.key, payload))


def fresh(sender: Profile, receiver: Profile, count: int) -> list[Submission]:
    return [
        signed(sender, example_message("pacs.008", sender.subject, receiver.subject))
        for _ in range(count)
    ]


def request(sender: Profile, items: list[Submission]) -> IntakeRequest:
    return IntakeRequest(sender.subject, sender.cert_pem, items)


def queue_order(root: Path, receiver: str) -> list[str]:
    with read_only_db(root) as db:
        rows = db.execute(
            "SELECT m.biz_msg_id FROM queue q JOIN messages m ON m.id = q.message_id"
            " WHERE q.receiver = ? ORDER BY q.seq",
            (receiver,),
        ).fetchall()
    return [r[0] for r in rows]


def test_a_group_answers_each_request_with_its_own_verdicts_in_order(
    live: Node, network: Path
) -> None:
    a, b, c = banks(network, 3)
    first, second = fresh(a, c, 3), fresh(b, c, 2)
    answers = live.intake.submit_group([request(a, first), request(b, second)])
    assert [len(v) for v in answers] == [3, 2]
    assert all(v.status == "ACK" and not v.duplicate for part in answers for v in part)
    ids = [[v.biz_msg_id for v in part] for part in answers]
    expected = [[header_text(s.payload, "BizMsgIdr") for s in part] for part in (first, second)]
    assert ids == expected
    assert queue_order(network, c.subject) == ids[0] + ids[1]
    assert {v.receiver for part in answers for v in part} == {c.subject}
    consistency = db_consistency(network)
    assert consistency["messages"] == consistency["queue"] == 5


def test_a_copy_later_in_the_same_group_is_a_duplicate_and_other_bytes_are_refused(
    live: Node, network: Path
) -> None:
    a, b = banks(network, 2)
    original = fresh(a, b, 1)[0]
    altered = signed(a, original.payload.replace(b">10.00<", b">11.00<"))
    answers = live.intake.submit_group(
        [request(a, [original]), request(a, [original]), request(a, [altered])]
    )
    [[first], [copy], [other]] = answers
    assert first.status == "ACK" and not first.duplicate
    assert copy.status == "ACK" and copy.duplicate and copy.receiver is None
    assert other.status == "NAK" and other.reason is not None and other.reason.code == "D01"
    assert db_consistency(network)["messages"] == 1


def test_a_refused_request_in_a_group_leaves_the_others_alone(
    live: Node, network: Path
) -> None:
    a, b = banks(network, 2)
    too_many = [signed(a, b"<x/>")] * (limits.BATCH_MESSAGES_MAX + 1)
    good = fresh(a, b, 2)
    unsigned = Submission(fresh(a, b, 1)[0].payload, None)
    answers = live.intake.submit_group(
        [request(a, too_many), request(a, good), request(b, [unsigned])]
    )
    assert {v.reason.code for v in answers[0] if v.reason} == {"N01"}
    assert [v.status for v in answers[1]] == ["ACK", "ACK"]
    assert answers[2][0].reason is not None and answers[2][0].reason.code == "S01"
    assert db_consistency(network)["messages"] == 2


def test_the_lane_stores_concurrent_requests_once_each_in_submission_order(
    live: Node, network: Path
) -> None:
    a, b = banks(network, 2)
    batches = [fresh(a, b, 5) for _ in range(8)]

    async def submit_all() -> list[list[str | None]]:
        lane = IntakeLane(live.intake)
        answers = await asyncio.gather(
            *(lane.submit(a.subject, a.cert_pem, items) for items in batches)
        )
        return [[v.biz_msg_id if v.status == "ACK" else None for v in part] for part in answers]

    ids = asyncio.run(submit_all())
    expected = [[header_text(s.payload, "BizMsgIdr") for s in part] for part in batches]
    assert ids == expected
    assert queue_order(network, b.subject) == [i for part in expected for i in part]
    assert db_consistency(network)["messages_without_queue"] == 0
