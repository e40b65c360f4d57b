"""The 2022 sanctions timeline replayed in-process on a simulated clock (FACTS.md,
"Sanctions, 2022"), over the demo directory and a real SQLite store.

One module-scoped replay plays the officers (node.compliance), the participants
(node.intake.submit with profile-signed payloads), the receivers (node.delivery) and the
enforcer (node.compliance.enforce_due) from 28 Feb to 1 Jul 2022, recording what the
network answered. Each test in test_measures_2022_*.py then checks one promise against
that record, so one broken promise fails one test and the others still say what holds.

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

from collections.abc import Callable
from decimal import Decimal

from finmesh.domain.errors import Refused
from tests.integration.timeline_2022 import (
    ANNEX_XIV,
    ANNEX_XIV_COVERED_SUBS,
    ANNEX_XIV_FREE_SUBS,
    BELARUS,
    ENERGY,
    ENTITIES,
    GOODS,
    JUNE_2022,
    LICENCE_CAP,
    LICENCE_UNTIL,
    ROLES,
    SUBSIDIARIES,
    Timeline,
    ms,
)


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
