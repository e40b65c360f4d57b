"""The 2022 sanctions timeline replayed in-process on a simulated clock (FACTS.md,
"Sanctions, 2022"), over the demo directory and a real SQLite store.

One module-scoped replay plays the officers (node.compliance), the participants
(node.intake.submit with profile-signed payloads), the receivers (node.delivery) and the
enforcer (node.compliance.enforce_due) from 28 Feb to 1 Jul 2022, recording what the
network answered. Each test below then checks one promise against that record, so one
broken promise fails one test and the others still say what holds.

Timeline (UTC):
  28 Feb  Reg (EU) 2022/334: transactions with the central bank (cbr) held for review,
          in force 18:00; a licence (national authorisation, cf. US GL 8) lets through
          energy payments: purpose ENRG, EUR only, at most 5,000,000.00 each, between
          two named counterparties, valid until 24 Jun 23:59:59.999.
   1 Mar  holds disposed of (four-eyes); Reg (EU) 2022/345 Annex XIV: seven banks and
          their > 50 % subsidiaries proposed for disconnection at 12 Mar 00:00.
  12 Mar  the instant: effective - 1 ms accepted, effective NAK P01, queued messages
          returned (P04), delivered-unacked ones kept with their OSN.
  20 Mar  Reg (EU) 2022/398: three Belarusian banks.
  14 Jun  Reg (EU) 2022/879: Sberbank, Credit Bank of Moscow, Rosselkhozbank.
   1 Jul  lift of one disconnection (test only; nothing was lifted in 2022).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finmesh import pki
from finmesh.compliance import Forbidden
from finmesh.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.domain.errors import Refused
from finmesh.domain.iso20022 import example_message
from finmesh.network_init import load_ca, onboard
from finmesh.node import Node
from finmesh.pipeline import Submission, Verdict
from finmesh.profile import Profile, load_profile
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


def _disconnect(t: Timeline, keys: tuple[str, ...], reference: str, effective: str) -> None:
    for key in keys:
        t.propose(
            key,
            "alice",
            kind="disconnect",
            bic=ENTITIES[key],
            name=None,
            with_subsidiaries=True,
            action="reject",
            reference=reference,
            effective_ms=ms(effective),
        )


def _approve(t: Timeline, keys: tuple[str, ...], officer: str = "bob") -> None:
    for key in keys:
        t.comp.approve_measure(officer, ROLES, t.measures[key])


def _ack(key: str) -> tuple[str, ...]:
    return ("ACK",)


def _both_ways(
    t: Timeline,
    topic: str,
    tag: str,
    other: str,
    keys: tuple[str, ...],
    expect: Callable[[str], tuple[str, ...]],
) -> None:
    """`other` -> each institution and back, expecting expect(key)."""
    for key in keys:
        bic = ENTITIES.get(key) or SUBSIDIARIES[key]
        t.send(topic, f"{tag} {other}->{key}", other, bic, expect(key))
        t.send(topic, f"{tag} {key}->{other}", bic, other, expect(key))


# --- the replay ----------------------------------------------------------------------


def replay(t: Timeline) -> None:
    a, b, c = t.facts["A"], t.facts["B"], t.facts["C"]
    cbr = ENTITIES["cbr"]
    _february_28(t, a, b, c, cbr)
    _march_1_holds(t, a, b, cbr)
    _licence_scope(t, a, b, c, cbr)
    _annex_xiv(t, a)
    _belarus(t, a)
    _june(t, a, b, cbr)
    _lift(t, a)


def _february_28(t: Timeline, a: str, b: str, c: str, cbr: str) -> None:
    t.clock.set("2022-02-28T10:00:00Z")
    measure = t.propose(
        "cbr",
        "alice",
        kind="prohibit",
        bic=cbr,
        name=None,  # the directory's name: "Central Bank of the Russian Federation"
        with_subsidiaries=False,
        action="hold",
        reference="Reg (EU) 2022/334 (central bank transactions)",
        effective_ms=ms("2022-02-28T18:00:00Z"),
    )
    t.attempt(
        "alice approves her own measure", lambda: t.comp.approve_measure("alice", ROLES, measure)
    )
    t.attempt(
        "carol (auditor) approves a measure",
        lambda: t.comp.approve_measure("carol", ("auditor",), measure),
    )
    t.clock.set("2022-02-28T10:30:00Z")
    t.comp.approve_measure("bob", ROLES, measure)
    t.clock.set("2022-02-28T11:00:00Z")
    licence = t.comp.propose_licence(
        "alice",
        ROLES,
        measure_id=measure,
        reference="national authorisation: energy payments (cf. US General License 8)",
        purposes=[ENERGY],
        counterparties=[a, b],
        currencies=["EUR"],
        amount_max=LICENCE_CAP,
        total_max=None,
        valid_from_ms=None,
        valid_until_ms=ms(LICENCE_UNTIL),
    )
    t.licence = licence.id
    t.attempt(
        "alice approves her own licence", lambda: t.comp.approve_licence("alice", ROLES, licence.id)
    )
    t.clock.set("2022-02-28T11:30:00Z")
    t.comp.approve_licence("bob", ROLES, licence.id)

    t.clock.set("2022-02-28T17:59:59.999Z")
    t.send(
        "cbr",
        "cbr intermediary at effective-1ms",
        a,
        b,
        ("ACK",),
        extra_agent_bics=[cbr],
        purpose=GOODS,
    )
    t.send("cbr", "cbr receiver at effective-1ms", a, cbr, ("ACK",))
    t.clock.set("2022-02-28T18:00:00Z")
    held = ("HELD", measure)
    t.send(
        "cbr", "cbr intermediary (to release)", a, b, held, extra_agent_bics=[cbr], purpose=GOODS
    )
    t.send("cbr", "cbr receiver (to reject)", a, cbr, held)
    t.send("cbr", "cbr receiver (left held)", b, cbr, held, amount=Decimal("250.00"))
    t.send("cbr", "cbr sender", cbr, a, held)
    t.send(
        "cbr",
        "cbr third intermediary",
        a,
        b,
        held,
        extra_agent_bics=[c, ENTITIES["gazprombank"], cbr],
    )
    t.send(
        "cbr",
        "cbr by name as creditor",
        a,
        b,
        held,
        kind="pacs.008",
        creditor_name="CENTRAL BANK OF THE RUSSIAN FEDERATION",
    )
    t.send("cbr", "no cbr", a, b, ("ACK",))
    t.send(
        "cbr",
        "gazprombank intermediary",
        a,
        b,
        ("ACK",),
        extra_agent_bics=[ENTITIES["gazprombank"]],
    )
    t.send("cbr", "gazprombank receiver", a, ENTITIES["gazprombank"], ("ACK",))
    t.facts["holds after 28 Feb"] = t.comp.holds(("auditor",))


def _march_1_holds(t: Timeline, a: str, b: str, cbr: str) -> None:
    t.clock.set("2022-03-01T08:00:00Z")
    t.drain(b)  # what B had before any hold decision
    release = t.by_label("cbr intermediary (to release)").verdict.hold_id
    reject = t.by_label("cbr receiver (to reject)").verdict.hold_id
    if release is None or reject is None:
        return  # not held: the cbr verdict test says so; nothing to decide here
    t.comp.decide_hold("alice", ROLES, release, "release", "energy contract, documents checked")
    t.attempt(
        "alice confirms her own release",
        lambda: t.comp.decide_hold("alice", ROLES, release, "release", None),
    )
    t.attempt(
        "bob rejects what alice proposed to release",
        lambda: t.comp.decide_hold("bob", ROLES, release, "reject", "disagree"),
    )
    t.clock.set("2022-03-01T08:30:00Z")
    t.facts["released"] = t.comp.decide_hold("bob", ROLES, release, "release", None)
    t.comp.decide_hold("bob", ROLES, reject, "reject", "reserve management: prohibited")
    t.attempt(
        "bob confirms his own rejection",
        lambda: t.comp.decide_hold("bob", ROLES, reject, "reject", None),
    )
    t.facts["rejected"] = t.comp.decide_hold("alice", ROLES, reject, "reject", None)
    t.drain(b)
    t.drain(cbr)
    t.facts["holds after 1 Mar"] = t.comp.holds(("compliance",), None)


def _licence_scope(t: Timeline, a: str, b: str, c: str, cbr: str) -> None:
    t.clock.set("2022-03-01T09:00:00Z")
    lic, held = ("LICENSED", t.licence), ("HELD", t.measures["cbr"])
    energy = {"extra_agent_bics": [cbr], "purpose": ENERGY}
    t.send("licence", "energy 1,000,000 EUR", a, b, lic, amount=Decimal("1000000.00"), **energy)
    t.send("licence", "energy at the cap", a, b, lic, amount=LICENCE_CAP, **energy)
    t.send("licence", "energy B->A", b, a, lic, amount=Decimal("10.00"), **energy)
    t.send(
        "licence", "energy over the cap", a, b, held, amount=LICENCE_CAP + Decimal("0.01"), **energy
    )
    t.send(
        "licence", "energy in USD", a, b, held, amount=Decimal("1000.00"), currency="USD", **energy
    )
    t.send(
        "licence", "energy to another counterparty", a, c, held, amount=Decimal("10.00"), **energy
    )
    t.send("licence", "goods purpose", a, b, held, extra_agent_bics=[cbr], purpose=GOODS)
    t.send("licence", "no purpose", a, b, held, extra_agent_bics=[cbr])


def _annex_xiv(t: Timeline, a: str) -> None:
    t.clock.set("2022-03-01T12:00:00Z")
    _disconnect(t, ANNEX_XIV, "Reg (EU) 2022/345, Annex XIV", "2022-03-12T00:00:00Z")
    t.clock.set("2022-03-02T09:00:00Z")
    t.attempt(
        "alice approves her own disconnection",
        lambda: t.comp.approve_measure("alice", ROLES, t.measures["vtb"]),
    )
    _approve(t, ANNEX_XIV)
    t.facts["measures after approval"] = t.comp.measures(ROLES)

    # 5 Mar: traffic queued for a bank; its first message handed out but not acknowledged
    t.clock.set("2022-03-05T10:00:00Z")
    novikombank = ENTITIES["novikombank"]
    t.send("annex_xiv", "queued 1 (delivered, unacked)", a, novikombank, ("ACK",))
    t.fetch("novikombank before", novikombank, limit=1)
    t.send("annex_xiv", "queued 2", a, novikombank, ("ACK",))
    t.send("annex_xiv", "queued 3", a, novikombank, ("ACK",))
    t.send("annex_xiv", "queued to chain subsidiary", a, SUBSIDIARIES["rossiya_2"], ("ACK",))
    t.send("annex_xiv", "queued to 50 % subsidiary", a, SUBSIDIARIES["promsvyazbank_2"], ("ACK",))
    t.send("annex_xiv", "queued to gazprombank", a, ENTITIES["gazprombank"], ("ACK",))
    t.send(
        "cbr",
        "cbr intermediary, to a bank about to be disconnected",
        a,
        novikombank,
        ("HELD", t.measures["cbr"]),
        extra_agent_bics=[ENTITIES["cbr"]],
        purpose=GOODS,
    )

    t.clock.set("2022-03-11T23:59:59.999Z")
    _both_ways(t, "annex_xiv", "effective-1ms", a, ANNEX_XIV, _ack)
    _both_ways(t, "annex_xiv_subsidiaries", "effective-1ms", a, ANNEX_XIV_COVERED_SUBS, _ack)

    t.clock.set("2022-03-12T00:00:00Z")
    t.fetch("novikombank at the instant, before enforcement", novikombank)
    parent = {"vtb_2": "vtb", "rossiya_2": "rossiya", "sovcombank_2": "sovcombank"}
    _both_ways(t, "annex_xiv", "effective", a, ANNEX_XIV, lambda key: ("P01", t.measures[key]))
    _both_ways(
        t,
        "annex_xiv_subsidiaries",
        "effective",
        a,
        ANNEX_XIV_COVERED_SUBS,
        lambda key: ("P01", t.measures[parent[key]]),
    )
    _both_ways(t, "not_covered", "effective", a, ANNEX_XIV_FREE_SUBS, _ack)
    _both_ways(t, "not_covered", "effective", a, ("gazprombank",), _ack)
    t.facts["returned on 12 Mar"] = t.comp.enforce_due()
    t.clock.set("2022-03-12T00:00:01Z")
    t.fetch("novikombank after enforcement", novikombank)
    t.fetch("novikombank from osn 0", novikombank, after=0)
    t.fetch("vtb after enforcement", ENTITIES["vtb"])
    t.fetch("vtb_2 after enforcement", SUBSIDIARIES["vtb_2"])
    t.facts["enforce again"] = t.comp.enforce_due()
    t.fetch("promsvyazbank_2 after enforcement", SUBSIDIARIES["promsvyazbank_2"])

    # 13 Mar: the officers release a message held since 5 Mar for a bank now disconnected
    t.clock.set("2022-03-13T09:00:00Z")
    late = t.by_label("cbr intermediary, to a bank about to be disconnected").verdict.hold_id
    if late is not None:
        try:
            t.comp.decide_hold("alice", ROLES, late, "release", "contract predates 12 Mar")
            t.facts["late release"] = t.comp.decide_hold("bob", ROLES, late, "release", None)
        except Refused as exc:  # refusing to release into a disconnection is fine too
            t.facts["late release"] = exc
    t.comp.enforce_due()


def _belarus(t: Timeline, a: str) -> None:
    t.clock.set("2022-03-15T09:00:00Z")
    _disconnect(t, BELARUS, "Reg (EU) 2022/398", "2022-03-20T00:00:00Z")
    t.clock.set("2022-03-16T09:00:00Z")
    _approve(t, BELARUS)
    t.clock.set("2022-03-19T23:59:59.999Z")
    _both_ways(t, "belarus", "effective-1ms", a, BELARUS, _ack)
    t.clock.set("2022-03-20T00:00:00Z")
    _both_ways(t, "belarus", "effective", a, BELARUS, lambda key: ("P01", t.measures[key]))
    t.comp.enforce_due()


def _june(t: Timeline, a: str, b: str, cbr: str) -> None:
    t.clock.set("2022-06-03T10:00:00Z")
    _disconnect(t, JUNE_2022, "Reg (EU) 2022/879", "2022-06-14T00:00:00Z")
    t.clock.set("2022-06-04T10:00:00Z")
    _approve(t, JUNE_2022)
    t.clock.set("2022-06-13T23:59:59.999Z")
    _both_ways(t, "june", "effective-1ms", a, (*JUNE_2022, "sberbank_1", "rosselkhozbank_2"), _ack)
    _both_ways(t, "june_aggregation", "effective-1ms", a, ("sberbank_2",), _ack)
    t.clock.set("2022-06-14T00:00:00Z")
    parent = {"sberbank_1": "sberbank", "rosselkhozbank_2": "rosselkhozbank"}
    _both_ways(
        t,
        "june",
        "effective",
        a,
        (*JUNE_2022, "sberbank_1", "rosselkhozbank_2"),
        lambda key: ("P01", t.measures[parent.get(key, key)]),
    )
    _both_ways(t, "not_covered", "june", a, ("cbm_2", "vtb_3", "gazprombank_1"), _ack)
    # sberbank_2: 30 % Sberbank + 30 % VTB. Annex XIV covers entities "owned more than
    # 50 % directly or indirectly by them" -- the listed banks together -- so once both
    # are listed it is off the network (demo_directory's docstring says so too).
    _both_ways(t, "june_aggregation", "effective", a, ("sberbank_2",), lambda key: ("P01", ""))
    t.comp.enforce_due()

    lic, held = ("LICENSED", t.licence), ("HELD", t.measures["cbr"])
    energy = {"extra_agent_bics": [cbr], "purpose": ENERGY, "amount": Decimal("100.00")}
    t.clock.set(LICENCE_UNTIL)
    t.send("licence", "energy at the licence's last instant", a, b, lic, **energy)
    t.clock.set("2022-06-25T00:00:00Z")
    t.send("licence", "energy after the licence expired", a, b, held, **energy)


def _lift(t: Timeline, a: str) -> None:
    novikombank, measure = ENTITIES["novikombank"], t.measures["novikombank"]
    t.clock.set("2022-06-27T09:00:00Z")
    t.comp.lift_measure("alice", ROLES, measure, ms("2022-07-01T00:00:00Z"))
    t.attempt(
        "alice approves her own lift", lambda: t.comp.approve_measure("alice", ROLES, measure)
    )
    t.clock.set("2022-06-28T09:00:00Z")
    t.comp.approve_measure("bob", ROLES, measure)
    t.clock.set("2022-06-30T23:59:59.999Z")
    _both_ways(t, "lift", "lift-1ms", a, ("novikombank",), lambda key: ("P01", measure))
    t.fetch("novikombank just before the lift", novikombank)
    t.clock.set("2022-07-01T00:00:00Z")
    _both_ways(t, "lift", "lift", a, ("novikombank",), _ack)
    _both_ways(
        t, "lift", "lift, others stay off", a, ("vtb",), lambda key: ("P01", t.measures[key])
    )
    t.fetch("novikombank after the lift", novikombank)


@pytest.fixture(scope="module")
def timeline(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Timeline]:
    root = tmp_path_factory.mktemp("timeline-2022") / "net"
    shutil.copytree(network_template, root)
    clock = SimClock("2022-02-27T12:00:00Z")
    node = Node(root, clock=clock)
    try:
        ca = load_ca(node.config)
        for key in EXTRA_SUBSIDIARY_PARTICIPANTS:
            onboard(node.config, node.store, ca, SUBSIDIARIES[key])
        t = Timeline(root, node, clock)
        everyone = set(ENTITIES.values()) | set(SUBSIDIARIES.values())
        real = sorted(p.name for p in (root / "participants").iterdir() if p.name not in everyone)
        t.facts.update(A=real[0], B=real[1], C=real[2])
        replay(t)
        yield t
    finally:
        node.close()


def _db_rows(t: Timeline, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with read_only_db(t.root) as db:
        return db.execute(sql, args).fetchall()


# --- every verdict --------------------------------------------------------------------

TOPICS = (
    "cbr",
    "licence",
    "annex_xiv",
    "annex_xiv_subsidiaries",
    "not_covered",
    "belarus",
    "june",
    "june_aggregation",
    "lift",
)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_verdict_is_the_expected_one(timeline: Timeline, topic: str) -> None:
    mine = [s for s in timeline.sent if s.topic == topic]
    assert mine, f"the timeline sent nothing under {topic}"
    wrong = [m for m in (s.mismatch() for s in mine) if m]
    assert not wrong, "\n".join(wrong)


def test_every_message_sent_was_judged(timeline: Timeline) -> None:
    assert {s.topic for s in timeline.sent} == set(TOPICS)
    assert all(s.verdict.biz_msg_id for s in timeline.sent)
    # NAKed messages are never stored; every ACKed one is stored exactly once.
    stored = {r[0] for r in _db_rows(timeline, "SELECT biz_msg_id FROM messages")}
    for s in timeline.sent:
        assert (s.id in stored) == (s.verdict.status == "ACK"), s.label


# --- 28 Feb: the central bank prohibition, licence, holds ------------------------------


def test_cbr_hold_shows_in_the_holds_list(timeline: Timeline) -> None:
    held = [s for s in timeline.sent if s.verdict.held and s.at_ms == ms("2022-02-28T18:00:00Z")]
    listed = {h["id"]: h for h in timeline.facts["holds after 28 Feb"]}
    assert len(held) == 6
    for s in held:
        entry = listed[s.verdict.hold_id]
        assert entry["message"] == s.id
        assert entry["measure"] == timeline.measures["cbr"]
        assert entry["state"] == "held"
        assert (entry["sender"], entry["receiver"]) == (s.sender, s.receiver)
    # the held message is stored, not queued: nobody can fetch it
    rows = _db_rows(
        timeline,
        "SELECT m.biz_msg_id, m.measure_id,"
        " (SELECT count(*) FROM queue q WHERE q.message_id = m.id)"
        " FROM messages m WHERE m.biz_msg_id = ?",
        timeline.by_label("cbr receiver (left held)").id,
    )
    assert rows == [(timeline.by_label("cbr receiver (left held)").id, timeline.measures["cbr"], 0)]


def test_licence_use_is_recorded_with_each_message(timeline: Timeline) -> None:
    licensed = [s for s in timeline.sent if s.expect[0] == "LICENSED"]
    assert len(licensed) == 4
    ids = {s.id for s in licensed}
    rows = _db_rows(
        timeline, "SELECT biz_msg_id, licence_id FROM messages WHERE licence_id IS NOT NULL"
    )
    assert dict(rows) == dict.fromkeys(ids, timeline.licence)
    [entry] = [x for x in timeline.comp.licences(("auditor",)) if x["id"] == timeline.licence]
    expected = sum(
        (Decimal("1000000.00"), LICENCE_CAP, Decimal("10.00"), Decimal("100.00")), Decimal(0)
    )
    assert Decimal(entry["used_total"]) == expected
    assert entry["status"] == "active" and entry["approved_by"] == "bob"
    assert entry["purposes"] == [ENERGY] and entry["currencies"] == ["EUR"]


def test_released_hold_is_delivered_and_its_sender_told(timeline: Timeline) -> None:
    a, b = timeline.facts["A"], timeline.facts["B"]
    released = timeline.by_label("cbr intermediary (to release)")
    assert timeline.facts["released"].state.value == "released"
    assert timeline.facts["released"].decided_by == "bob"
    assert timeline.delivered[b].count(released.id) == 1, "released message not delivered once"
    notices = [n for n in timeline.notices(a) if n.biz_msg_id == released.id]
    assert [n.kind for n in notices] == ["released"]
    assert notices[0].reason is None
    assert "energy contract" in (notices[0].detail or "")


def test_rejected_hold_is_never_delivered_and_its_sender_told_p03(timeline: Timeline) -> None:
    a, cbr = timeline.facts["A"], ENTITIES["cbr"]
    rejected = timeline.by_label("cbr receiver (to reject)")
    assert timeline.facts["rejected"].state.value == "rejected"
    assert rejected.id not in timeline.delivered.get(cbr, [])
    notices = [n for n in timeline.notices(a) if n.biz_msg_id == rejected.id]
    assert [(n.kind, n.reason) for n in notices] == [("rejected", "P03")]
    assert "reserve management" in (notices[0].detail or "")
    states = {h["message"]: h["state"] for h in timeline.facts["holds after 1 Mar"]}
    assert states[rejected.id] == "rejected"
    assert states[timeline.by_label("cbr receiver (left held)").id] == "held"


@pytest.mark.parametrize(
    ("label", "error"),
    [
        ("alice approves her own measure", Refused),
        ("carol (auditor) approves a measure", Forbidden),
        ("alice approves her own licence", Refused),
        ("alice confirms her own release", Refused),
        ("bob rejects what alice proposed to release", Refused),
        ("bob confirms his own rejection", Refused),
        ("alice approves her own disconnection", Refused),
        ("alice approves her own lift", Refused),
    ],
)
def test_four_eyes_refusals_change_nothing(timeline: Timeline, label: str, error: type) -> None:
    attempt = timeline.attempts[label]
    assert isinstance(attempt.error, error), f"{label}: {attempt.error!r}"
    assert attempt.audit_after == attempt.audit_before
    assert attempt.policy_after == attempt.policy_before


# --- 12 Mar: Annex XIV ----------------------------------------------------------------


def test_annex_xiv_measures_cover_majority_owned_subsidiaries_only(timeline: Timeline) -> None:
    listed = {m["id"]: m for m in timeline.facts["measures after approval"]}
    covered = {key: set(listed[timeline.measures[key]]["covered"]) for key in ANNEX_XIV}
    assert covered["rossiya"] == {bic8("rossiya"), bic8("rossiya_1"), bic8("rossiya_2")}
    assert covered["sovcombank"] == {bic8("sovcombank"), bic8("sovcombank_1"), bic8("sovcombank_2")}
    assert covered["vtb"] == {bic8("vtb"), bic8("vtb_1"), bic8("vtb_2")}
    assert covered["promsvyazbank"] == {bic8("promsvyazbank"), bic8("promsvyazbank_1")}
    assert covered["veb"] == {bic8("veb"), bic8("veb_1")}
    for key in ANNEX_XIV:
        m = listed[timeline.measures[key]]
        assert m["status"] == "active" and m["approved_by"] == "bob" and m["proposed_by"] == "alice"
        assert m["effective_ms"] == ms("2022-03-12T00:00:00Z")
        assert m["in_force"] is False  # approved on 2 Mar, in force from 12 Mar


def test_queued_messages_are_returned_at_the_instant_naming_the_measure(timeline: Timeline) -> None:
    a = timeline.facts["A"]
    measure_of = {ENTITIES[k][:8]: timeline.measures[k] for k in ANNEX_XIV}
    measure_of[SUBSIDIARIES["rossiya_2"][:8]] = timeline.measures["rossiya"]
    measure_of[SUBSIDIARIES["vtb_2"][:8]] = timeline.measures["vtb"]
    measure_of[SUBSIDIARIES["sovcombank_2"][:8]] = timeline.measures["sovcombank"]
    must_return = [
        s
        for s in timeline.sent
        if s.sender == a
        and s.verdict.status == "ACK"
        and not s.verdict.held
        and s.receiver[:8] in measure_of
        and s.at_ms < ms("2022-03-12T00:00:00Z")
        and s.label != "queued 1 (delivered, unacked)"
    ]
    assert len(must_return) == 3 + 7 + 3
    returned = {n.biz_msg_id: n for n in timeline.notices(a) if n.kind == "returned"}
    early = {i: n for i, n in returned.items() if n.created_ms == ms("2022-03-12T00:00:00Z")}
    assert timeline.facts["returned on 12 Mar"] == len(must_return)
    assert set(early) == {s.id for s in must_return}
    for s in must_return:
        notice = early[s.id]
        assert notice.reason == "P04"
        assert notice.receiver == s.receiver
        measure = measure_of[s.receiver[:8]]
        assert notice.measure_id == measure
        assert f"measure {measure} " in (notice.detail or "") and "2022/345" in (
            notice.detail or ""
        )
        # never delivered, to anyone, ever
        assert all(s.id not in ids for ids in timeline.delivered.values())
    assert timeline.facts["enforce again"] == 0
    rows = _db_rows(
        timeline,
        "SELECT m.biz_msg_id, q.state, q.osn FROM queue q JOIN messages m ON m.id = q.message_id",
    )
    state = {r[0]: (r[1], r[2]) for r in rows}
    for s in must_return:
        assert state[s.id] == ("returned", None)


def test_not_covered_queues_are_left_alone(timeline: Timeline) -> None:
    a = timeline.facts["A"]
    kept = timeline.by_label("queued to 50 % subsidiary")
    assert [d.biz_msg_id for d in timeline.fetched["promsvyazbank_2 after enforcement"]][:1] == [
        kept.id
    ]
    returned = {n.biz_msg_id for n in timeline.notices(a) if n.kind == "returned"}
    assert kept.id not in returned
    assert timeline.by_label("queued to gazprombank").id not in returned


def test_delivered_unacked_message_keeps_its_osn(timeline: Timeline) -> None:
    first = timeline.by_label("queued 1 (delivered, unacked)")
    [handed] = timeline.fetched["novikombank before"]
    assert handed.biz_msg_id == first.id
    returned = {n.biz_msg_id for n in timeline.notices(timeline.facts["A"]) if n.kind == "returned"}
    assert first.id not in returned
    rows = _db_rows(
        timeline,
        "SELECT q.state, q.osn, q.acked_ms FROM queue q JOIN messages m ON m.id = q.message_id"
        " WHERE m.biz_msg_id = ?",
        first.id,
    )
    assert rows == [("queued", handed.osn, None)]


def test_disconnected_bank_fetches_nothing_after_the_instant(timeline: Timeline) -> None:
    for label in (
        "novikombank at the instant, before enforcement",
        "novikombank after enforcement",
        "novikombank from osn 0",
        "vtb after enforcement",
        "vtb_2 after enforcement",
        "novikombank just before the lift",
    ):
        assert timeline.fetched[label] == [], label


def test_hold_released_during_a_disconnection_is_returned_not_queued(timeline: Timeline) -> None:
    """A held message for a bank disconnected before the hold was released must not wait
    in the bank's queue (to be handed out on a lift): like every message queued for a
    disconnected institution, it goes back to its sender with P04 (or the release is
    refused and the hold stays)."""
    a, novikombank = timeline.facts["A"], ENTITIES["novikombank"]
    held = timeline.by_label("cbr intermediary, to a bank about to be disconnected")
    assert held.verdict.held, "the precondition failed: the message was not held"
    outcome = timeline.facts["late release"]
    assert held.id not in timeline.delivered.get(novikombank, []), (
        "released during the disconnection, delivered after the lift"
    )
    if isinstance(outcome, Refused):
        return
    kinds = {(n.kind, n.reason) for n in timeline.notices(a) if n.biz_msg_id == held.id}
    assert ("returned", "P04") in kinds, f"sender told only {sorted(kinds, key=str)}"
    rows = _db_rows(
        timeline,
        "SELECT q.state FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.biz_msg_id = ?",
        held.id,
    )
    assert rows in ([], [("returned",)])


def test_lift_reopens_traffic_and_redelivers_with_the_same_osn(timeline: Timeline) -> None:
    first = timeline.by_label("queued 1 (delivered, unacked)")
    [before] = timeline.fetched["novikombank before"]
    after = timeline.fetched["novikombank after the lift"]
    by_id = {d.biz_msg_id: d for d in after}
    assert by_id[first.id].osn == before.osn
    assert by_id[first.id].possible_duplicate
    novikombank = ENTITIES["novikombank"]
    to_bank = [s for s in timeline.sent if s.topic == "lift" and s.receiver == novikombank]
    accepted = [s.id for s in to_bank if s.verdict.status == "ACK"]
    assert len(accepted) == 1, "exactly one message to the bank after the lift"
    assert [s.id for s in to_bank if s.id in by_id] == accepted
    for label in ("queued 2", "queued 3", "effective-1ms " + timeline.facts["A"] + "->novikombank"):
        assert timeline.by_label(label).id not in by_id, f"{label} came back after the lift"
    osns = [d.osn for d in after]
    assert osns == list(range(before.osn, before.osn + len(after))), "OSNs not gapless"


# --- the audit trail -----------------------------------------------------------------


def test_audit_chain_holds_and_records_every_step(timeline: Timeline) -> None:
    verdict = timeline.comp.verify_audit()
    assert verdict.ok, verdict.problem
    entries = timeline.node.store.audit_entries()
    assert verdict.checked == len(entries)
    actions: dict[str, list[Any]] = {}
    for e in entries:
        actions.setdefault(e.action, []).append(e)
    disconnections = len(ANNEX_XIV) + len(BELARUS) + len(JUNE_2022)
    assert len(actions["measure.propose"]) == 1 + disconnections
    assert len(actions["measure.approve"]) == 1 + disconnections
    assert {e.actor for e in actions["measure.approve"]} == {"bob"}
    assert len(actions["measure.enforce"]) == disconnections
    returned = sum(e.details["returned"] for e in actions["measure.enforce"])
    held_ids = {s.id for s in timeline.sent if s.verdict.held}
    notices = timeline.notices(timeline.facts["A"])
    assert returned == len(
        [n for n in notices if n.kind == "returned" and n.biz_msg_id not in held_ids]
    )
    assert [e.subject for e in actions["licence.propose"]] == [timeline.licence]
    assert [e.actor for e in actions["licence.approve"]] == ["bob"]
    licensed = [s.id for s in timeline.sent if s.expect[0] == "LICENSED"]
    assert [e.details["message"] for e in actions["licence.use"]] == licensed
    held = [s for s in timeline.sent if s.verdict.held]
    assert [e.details["message"] for e in actions["hold.create"]] == [s.id for s in held]
    assert [
        (e.actor, e.action)
        for e in entries
        if e.action.startswith("hold.") and e.action != "hold.create"
    ] == [
        ("alice", "hold.release.propose"),
        ("bob", "hold.release.confirm"),
        ("bob", "hold.reject.propose"),
        ("alice", "hold.reject.confirm"),
        ("alice", "hold.release.propose"),
        ("bob", "hold.release.confirm"),
    ]
    assert [e.actor for e in actions["measure.lift.propose"]] == ["alice"]
    assert [e.actor for e in actions["measure.lift.approve"]] == ["bob"]
    # entries are in time order of the simulated clock
    assert [e.at_ms for e in entries] == sorted(e.at_ms for e in entries)
