"""Obsolescence on a simulated clock: a message undelivered past its period (15 min for
urgent, 100 min for normal priority, as in FIN) earns its sender exactly one
non-delivery notice with reason N02, acknowledged messages earn none, and an obsolete
message is still delivered when its receiver finally asks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.node.intake import Submission
from finmesh.node.root import Node
from finmesh.store.port import Notice
from tests.netutil import header_text, participants

START_MS = 1_800_000_000_000
MINUTE_MS = 60_000


class FakeClock:
    """Milliseconds since the epoch, moved only by the test."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def set(self, ms_after_start: int) -> None:
        assert START_MS + ms_after_start >= self.now_ms, "the clock never goes back"
        self.now_ms = START_MS + ms_after_start


@dataclass
class World:
    node: Node
    clock: FakeClock
    a: Profile
    b: Profile
    c: Profile

    def send(self, sender: Profile, receiver: Profile, *, priority: str = "NORM",
             notify: bool = False) -> str:
        payload = example_message("pacs.008", sender.subject, receiver.subject,
                                  priority=priority)
        [verdict] = self.node.intake.submit(
            sender.subject, sender.cert_pem,
            [Submission(payload, pki.sign(sender.key, payload), notify_delivery=notify)],
        )
        assert verdict.status == "ACK", verdict
        assert verdict.biz_msg_id == header_text(payload, "BizMsgIdr")
        return verdict.biz_msg_id

    def notices(self, owner: Profile) -> list[Notice]:
        return self.node.delivery.notices(owner.subject, 0, limits.DELIVERY_PAGE_MAX)


@pytest.fixture
def world(network: Path) -> Iterator[World]:
    clock = FakeClock(START_MS)
    node = Node(network, clock=clock)
    a, b, c = (load_profile(p) for p in participants(network)[:3])
    try:
        yield World(node, clock, a, b, c)
    finally:
        node.close()


def _non_delivery(notices: list[Notice]) -> list[str]:
    found = [n for n in notices if n.kind == "non-delivery"]
    assert all(n.reason == "N02" for n in found), found
    return [n.biz_msg_id for n in found]


def test_obsolete_messages_earn_one_non_delivery_notice_each(world: World) -> None:
    # acknowledged before it could become obsolete: never warned about
    acked = world.send(world.a, world.b, priority="HIGH")
    [delivered] = world.node.delivery.fetch(world.b.subject, None, 10)
    assert delivered.biz_msg_id == acked
    assert world.node.delivery.acknowledge(world.b.subject, delivered.osn).acked == 1

    normal = world.send(world.a, world.b)
    urgent = world.send(world.a, world.b, priority="HIGH", notify=True)
    from_c = world.send(world.c, world.b)
    # fetched but not acknowledged is still undelivered
    assert len(world.node.delivery.fetch(world.b.subject, None, 10)) == 3

    world.clock.set(limits.OBSOLESCENCE_URGENT_SECONDS * 1000 - 1)
    assert world.node.delivery.sweep_obsolete() == 0
    assert world.notices(world.a) == []

    world.clock.set(limits.OBSOLESCENCE_URGENT_SECONDS * 1000 + 1)
    assert world.node.delivery.sweep_obsolete() == 1
    assert _non_delivery(world.notices(world.a)) == [urgent]
    assert world.notices(world.c) == []
    assert world.notices(world.b) == []  # the receiver is not told

    # a second sweep, later but before the normal period ends, adds nothing
    world.clock.set(50 * MINUTE_MS)
    assert world.node.delivery.sweep_obsolete() == 0
    assert _non_delivery(world.notices(world.a)) == [urgent]

    world.clock.set(limits.OBSOLESCENCE_NORMAL_SECONDS * 1000 - 1)
    assert world.node.delivery.sweep_obsolete() == 0

    world.clock.set(limits.OBSOLESCENCE_NORMAL_SECONDS * 1000 + 1)
    assert world.node.delivery.sweep_obsolete() == 2
    assert _non_delivery(world.notices(world.a)) == [urgent, normal]
    assert _non_delivery(world.notices(world.c)) == [from_c]
    notice = world.notices(world.a)[-1]
    assert notice.receiver == world.b.subject
    assert notice.created_ms == world.clock()

    # exactly once, however often and however late the sweep runs
    for hours in (2, 5, 48):
        world.clock.set(hours * 60 * MINUTE_MS)
        assert world.node.delivery.sweep_obsolete() == 0
    assert _non_delivery(world.notices(world.a)) == [urgent, normal]
    assert _non_delivery(world.notices(world.c)) == [from_c]
    assert acked not in _non_delivery(world.notices(world.a))

    # obsolete messages stay deliverable, in order, marked as handed out before
    late = world.node.delivery.fetch(world.b.subject, None, 10)
    assert [(d.osn, d.biz_msg_id) for d in late] == [(2, normal), (3, urgent), (4, from_c)]
    assert all(d.possible_duplicate for d in late)
    world.node.delivery.acknowledge(world.b.subject, 4)
    assert world.node.delivery.fetch(world.b.subject, None, 10) == []

    # the urgent one asked for a delivery notice: it gets it on top of the warning
    kinds = [(n.kind, n.biz_msg_id) for n in world.notices(world.a)]
    assert kinds == [("non-delivery", urgent), ("non-delivery", normal), ("delivered", urgent)]
    assert world.node.delivery.sweep_obsolete() == 0


def test_urgent_and_normal_periods_count_from_receipt(world: World) -> None:
    world.clock.set(10 * MINUTE_MS)
    urgent = world.send(world.a, world.b, priority="HIGH")
    world.clock.set(12 * MINUTE_MS)
    normal = world.send(world.a, world.b)

    # 15 min after receipt of the urgent one, not 15 min after the start
    world.clock.set(25 * MINUTE_MS - 1)
    assert world.node.delivery.sweep_obsolete() == 0
    world.clock.set(25 * MINUTE_MS + 1)
    assert world.node.delivery.sweep_obsolete() == 1

    world.clock.set(112 * MINUTE_MS - 1)
    assert world.node.delivery.sweep_obsolete() == 0
    world.clock.set(112 * MINUTE_MS + 1)
    assert world.node.delivery.sweep_obsolete() == 1
    assert _non_delivery(world.notices(world.a)) == [urgent, normal]


def test_acknowledged_in_time_means_no_warning(world: World) -> None:
    ids = [world.send(world.a, world.b, priority=p) for p in ("HIGH", "NORM", "HIGH")]
    world.clock.set(5 * MINUTE_MS)
    page = world.node.delivery.fetch(world.b.subject, None, 10)
    assert [d.biz_msg_id for d in page] == ids
    world.node.delivery.acknowledge(world.b.subject, page[-1].osn)
    world.clock.set(24 * 60 * MINUTE_MS)
    assert world.node.delivery.sweep_obsolete() == 0
    assert world.notices(world.a) == []
