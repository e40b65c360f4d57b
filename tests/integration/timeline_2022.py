"""The 2022 sanctions timeline's model: constants, the simulated clock, and the record
of what was sent and what the network answered (see replay_2022 for the replay itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.node.intake import Submission, Verdict
from finmesh.node.root import Node
from finmesh.store.port import Delivery, Notice
from tests.netutil import read_only_db

ROLES = ("compliance",)
ENTITIES = sanctions_demo_entities()
SUBSIDIARIES = sanctions_demo_subsidiaries()
ANNEX_XIV = ("otkritie", "novikombank", "promsvyazbank", "rossiya", "sovcombank", "veb", "vtb")
BELARUS = ("belagroprombank", "dabrabyt", "devbank_by")
JUNE_2022 = ("sberbank", "cbm", "rosselkhozbank")

# ExternalPurpose1Code "ENRG" (Energies): "Transaction is related to a utility operation"
# (ISO 20022 external code set, category Utilities) -- the code that fits payments for
# energy deliveries, the transactions US GL 8 and national authorisations let through.
ENERGY = "ENRG"
GOODS = "GDDS"  # ExternalPurpose1Code "Purchase Sale Of Goods"
LICENCE_CAP = Decimal("5000000.00")
LICENCE_UNTIL = "2022-06-24T23:59:59.999Z"

# Subsidiaries that get network identities here, beyond the demo's own three
# (vtb_2, vtb_3, sberbank_2): so that messages can be addressed to them.
EXTRA_SUBSIDIARY_PARTICIPANTS = (
    "rossiya_2",  # chain: rossiya 60 % -> rossiya_1 70 %
    "sovcombank_2",  # aggregation: 30 % direct + 30 % through sovcombank_1
    "promsvyazbank_2",  # exactly 50 %: never covered
    "veb_2",  # 45 %: never covered
    "gazprombank_1",  # Gazprombank was never listed
    "sberbank_1",  # 100 %
    "rosselkhozbank_2",  # chain: 70 % -> 55 %
    "cbm_2",  # exactly 50 %
)
# Covered by their parent's Annex XIV measure (participants only).
ANNEX_XIV_COVERED_SUBS = ("vtb_2", "rossiya_2", "sovcombank_2")
ANNEX_XIV_FREE_SUBS = ("vtb_3", "promsvyazbank_2", "veb_2", "gazprombank_1", "sberbank_2")


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def bic8(key: str) -> str:
    return (ENTITIES.get(key) or SUBSIDIARIES[key])[:8]


class SimClock:
    """The node's clock: milliseconds the test sets."""

    def __init__(self, start: str) -> None:
        self.now = ms(start)

    def __call__(self) -> int:
        return self.now

    def set(self, text: str) -> int:
        instant = ms(text)
        assert instant >= self.now, "the simulated clock never goes back"
        self.now = instant
        return instant

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now / 1000, UTC)


@dataclass
class Sent:
    """One submitted message, what the timeline expects of it and what it got."""

    topic: str
    label: str
    at_ms: int
    sender: str
    receiver: str
    expect: tuple[str, ...]
    """("ACK",), ("HELD", measure), ("LICENSED", licence) or ("P01", measure or "")."""
    verdict: Verdict

    @property
    def id(self) -> str:
        assert self.verdict.biz_msg_id is not None
        return self.verdict.biz_msg_id

    def mismatch(self) -> str | None:
        v, kind = self.verdict, self.expect[0]
        got = (
            f"{v.status} {v.reason.code if v.reason else ''} held={v.held} "
            f"measure={v.measure_id} licence={v.licence_id} {v.detail!r}"
        )
        if kind == "ACK":
            ok = v.status == "ACK" and not v.held and v.licence_id is None
        elif kind == "HELD":
            ok = v.status == "ACK" and v.held and v.hold_id is not None
            ok = ok and v.measure_id == self.expect[1]
        elif kind == "LICENSED":
            ok = v.status == "ACK" and not v.held and v.licence_id == self.expect[1]
        else:
            measure = self.expect[1]
            ok = v.status == "NAK" and v.reason is not None and v.reason.code == kind
            ok = ok and (not measure or f"measure {measure} " in v.detail)
        if ok:
            return None
        route = f"{self.sender}->{self.receiver}"
        return f"{self.label} at {self.at_ms} {route}: want {self.expect}, got {got}"


@dataclass
class Attempt:
    """An officer action that must be refused and change nothing."""

    error: BaseException | None
    audit_before: int
    audit_after: int
    policy_before: int
    policy_after: int


@dataclass
class Timeline:
    root: Path
    node: Node
    clock: SimClock
    profiles: dict[str, Profile] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    measures: dict[str, str] = field(default_factory=dict)
    """Entity key (or "cbr") -> measure id."""
    licence: str = ""
    attempts: dict[str, Attempt] = field(default_factory=dict)
    fetched: dict[str, list[Delivery]] = field(default_factory=dict)
    """Label -> what a receiver's fetch returned at that point."""
    delivered: dict[str, list[str]] = field(default_factory=dict)
    """Receiver BIC11 -> every BizMsgIdr ever handed to it."""
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def comp(self) -> Any:
        return self.node.compliance

    def profile(self, bic11: str) -> Profile:
        if bic11 not in self.profiles:
            self.profiles[bic11] = load_profile(self.root / "participants" / bic11)
        return self.profiles[bic11]

    def send(
        self,
        topic: str,
        label: str,
        sender: str,
        receiver: str,
        expect: tuple[str, ...],
        **options: Any,
    ) -> Sent:
        kind = options.pop("kind", "pacs.009")
        payload = example_message(kind, sender, receiver, now=self.clock.datetime(), **options)
        profile = self.profile(sender)
        item = Submission(payload, pki.sign(profile.key, payload))
        [verdict] = self.node.intake.submit(sender, profile.cert_pem, [item])
        record = Sent(topic, label, self.clock.now, sender, receiver, expect, verdict)
        self.sent.append(record)
        return record

    def by_label(self, label: str) -> Sent:
        [found] = [s for s in self.sent if s.label == label]
        return found

    def fetch(
        self, label: str, receiver: str, *, after: int | None = None, limit: int = 100
    ) -> list[Delivery]:
        got = self.node.delivery.fetch(receiver, after, limit)
        self.fetched[label] = got
        self.delivered.setdefault(receiver, []).extend(d.biz_msg_id for d in got)
        return got

    def drain(self, receiver: str) -> None:
        """Fetch and acknowledge everything queued for `receiver`."""
        while got := self.fetch(f"drain {receiver} {self.clock.now}", receiver, limit=1000):
            self.node.delivery.acknowledge(receiver, got[-1].osn)

    def notices(self, owner: str) -> list[Notice]:
        return self.node.delivery.notices(owner, 0, 1000)

    def attempt(self, label: str, action: Callable[[], object]) -> None:
        audit_before, policy_before = (
            len(self.node.store.audit_entries()),
            self.node.store.policy_version(),
        )
        error: BaseException | None = None
        try:
            action()
        except Exception as exc:  # recorded; the tests judge it
            error = exc
        self.attempts[label] = Attempt(
            error,
            audit_before,
            len(self.node.store.audit_entries()),
            policy_before,
            self.node.store.policy_version(),
        )

    def propose(self, key: str, officer: str, **kwargs: Any) -> str:
        measure = self.comp.propose_measure(officer, ROLES, **kwargs)
        self.measures[key] = measure.id
        return str(measure.id)


def db_rows(t: Timeline, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with read_only_db(t.root) as db:
        return db.execute(sql, args).fetchall()
