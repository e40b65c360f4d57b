"""A measure takes effect atomically under concurrent load: real SQLite, real threads, the
system clock, and (last tests) a real server process with HTTP clients.

What must hold at an effective instant E of a disconnection:
- every message the network ACKed involving the institution was received before E
  (stored with received_ms < E), and nothing involving it is stored with received_ms >= E;
- every NAK carries P01 and names the measure; a batch submitted after E is NAKed whole;
- what was queued for it and never handed out is returned to its sender (P04), and
  nothing is handed to it from E on: nothing is silently dropped.
And two officers acting at once on the same pending item: exactly one wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.errors import Refused
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.network.create import add_operator, load_ca
from finmesh.network.demo_directory import sanctions_demo_entities
from finmesh.node.intake import Submission, Verdict
from finmesh.node.launcher import NodeProcess
from finmesh.node.root import Node
from finmesh.store.port import StalePolicy
from tests.netutil import read_only_db

ROLES = ("compliance",)
ENTITIES = sanctions_demo_entities()
BATCH = 5
ANNEX_XIV = ("otkritie", "novikombank", "promsvyazbank", "rossiya", "sovcombank", "veb", "vtb")
FUTURE_MS = 1_500
"""How far in the future the effective instant is set when the approval is given."""
LOAD_AFTER_MS = 300
"""How long the load goes on after the instant."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def real_banks(root: Path, count: int) -> list[str]:
    listed = set(ENTITIES.values())
    found = sorted(
        p.name
        for p in (root / "participants").iterdir()
        if p.name not in listed and p.name[4:6] != "RU"
    )
    return found[:count]


@dataclass
class Call:
    sender: str
    receiver: str
    started_ms: int
    ended_ms: int
    verdicts: list[Verdict]


@dataclass
class Load:
    """Threads that submit batches until told to stop, recording every call."""

    node: Node
    root: Path
    calls: list[Call] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def sender(self, sender: str, receivers: list[str]) -> None:
        profile = load_profile(self.root / "participants" / sender)
        thread = threading.Thread(target=self._run, args=(profile, receivers), daemon=True)
        self.threads.append(thread)

    def _run(self, profile: Profile, receivers: list[str]) -> None:
        turn = 0
        try:
            while not self.stop.is_set():
                receiver = receivers[turn % len(receivers)]
                turn += 1
                items = [_signed(profile, receiver) for _ in range(BATCH)]
                started = now_ms()
                verdicts = self.node.intake.submit(profile.subject, profile.cert_pem, items)
                self.calls.append(Call(profile.subject, receiver, started, now_ms(), verdicts))
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        assert not self.errors, self.errors


def _signed(profile: Profile, receiver: str) -> Submission:
    payload = example_message("pacs.009", profile.subject, receiver)
    return Submission(payload, pki.sign(profile.key, payload))


@pytest.fixture
def live(network: Path) -> Iterator[Node]:
    node = Node(network)
    try:
        yield node
    finally:
        node.close()


def _disconnect(node: Node, bic: str, effective_ms: int | None, reference: str) -> str:
    measure = node.compliance.propose_measure(
        "alice",
        ROLES,
        kind="disconnect",
        bic=bic,
        name=None,
        with_subsidiaries=True,
        action="reject",
        reference=reference,
        effective_ms=effective_ms,
    )
    return str(measure.id)


def _stored_involving(root: Path, bic8s: set[str], at_or_after_ms: int) -> list[tuple[Any, ...]]:
    marks = ",".join("?" * len(bic8s))
    with read_only_db(root) as db:
        return db.execute(
            "SELECT biz_msg_id, sender, receiver, received_ms FROM messages"
            f" WHERE (substr(sender, 1, 8) IN ({marks}) OR substr(receiver, 1, 8) IN ({marks}))"
            " AND received_ms >= ?",
            (*bic8s, *bic8s, at_or_after_ms),
        ).fetchall()


def _received(root: Path) -> dict[str, int]:
    with read_only_db(root) as db:
        return dict(db.execute("SELECT biz_msg_id, received_ms FROM messages").fetchall())


def _check_instant(
    root: Path, calls: list[Call], bic8s: set[str], effective: int, measure: str
) -> None:
    """The promises of the module docstring, for one instant and the calls around it."""
    received = _received(root)
    acked = [v for c in calls for v in c.verdicts if v.status == "ACK"]
    naked = [v for c in calls for v in c.verdicts if v.status == "NAK"]
    assert acked and naked, f"the load did not span the instant: {len(acked)} ACK, {len(naked)} NAK"
    late = [v.biz_msg_id for v in acked if received[str(v.biz_msg_id)] >= effective]
    assert not late, f"{len(late)} messages ACKed with received_ms >= the instant"
    assert _stored_involving(root, bic8s, effective) == []
    wrong = {(v.reason.code if v.reason else None, v.detail) for v in naked}
    assert {code for code, _ in wrong} == {"P01"}, wrong
    assert all(f"measure {measure} " in detail for _, detail in wrong)
    for v in naked:
        assert v.biz_msg_id not in received
    after = [c for c in calls if c.started_ms >= effective]
    assert after, "no batch was submitted after the instant"
    assert all(v.status == "NAK" for c in after for v in c.verdicts)


# --- in-process, threads ---------------------------------------------------------------


def test_future_instant_under_concurrent_load(live: Node, network: Path) -> None:
    vtb = ENTITIES["vtb"]
    senders = real_banks(network, 3)
    load = Load(live, network)
    for sender in senders:
        load.sender(sender, [vtb])
    load.sender(vtb, senders)  # the bank itself keeps sending too
    fetched: list[tuple[int, int]] = []
    handed: list[str] = []

    def receive() -> None:
        while not load.stop.is_set():
            started = now_ms()
            got = live.delivery.fetch(vtb, None, 50)
            fetched.append((started, len(got)))
            handed.extend(d.biz_msg_id for d in got)
            if got:
                live.delivery.acknowledge(vtb, got[-1].osn)
            time.sleep(0.02)

    def enforce() -> None:
        while not load.stop.is_set():
            live.compliance.enforce_due()
            time.sleep(0.05)

    for work in (receive, enforce):
        load.threads.append(threading.Thread(target=work, daemon=True))

    with load:
        time.sleep(0.2)
        measure = _disconnect(live, vtb, now_ms() + FUTURE_MS, "Reg (EU) 2022/345, Annex XIV")
        approved = live.compliance.approve_measure("bob", ROLES, measure)
        effective = approved.effective_ms
        assert effective > now_ms(), "approval took longer than the lead time"
        while now_ms() < effective + LOAD_AFTER_MS:
            time.sleep(0.02)
    live.compliance.enforce_due()

    _check_instant(network, load.calls, set(approved.covered), effective, measure)
    assert all(count == 0 for started, count in fetched if started >= effective)
    # every ACKed message to the bank was handed to it before the instant, or returned
    to_bank = {
        v.biz_msg_id
        for c in load.calls
        if c.receiver == vtb
        for v in c.verdicts
        if v.status == "ACK"
    }
    returned = {
        n.biz_msg_id: n
        for sender in senders
        for n in live.delivery.notices(sender, 0, 1000)
        if n.kind == "returned"
    }
    assert to_bank == set(handed) | set(returned), "a message to the bank was dropped silently"
    assert not set(handed) & set(returned)
    assert {n.reason for n in returned.values()} <= {"P04"}
    assert all(f"measure {measure} " in (n.detail or "") for n in returned.values())
    assert live.compliance.verify_audit().ok


def test_effective_now_approval_under_concurrent_load(live: Node, network: Path) -> None:
    """Approval with no instant: in force from the approval on. The senders all aim at the
    bank about to be disconnected, so writes contend with the approval's commit."""
    targets = [*ANNEX_XIV, "sberbank", "cbm", "rosselkhozbank"]
    current = [ENTITIES[targets[0]]]  # what every sender addresses now (mutated below)
    load = Load(live, network)
    for sender in real_banks(network, 3):
        load.sender(sender, current)
    measures: list[tuple[str, int, int, set[str]]] = []
    with load:
        for key in targets:
            current[0] = ENTITIES[key]
            time.sleep(0.12)
            measure = _disconnect(live, ENTITIES[key], None, "effective on approval")
            approved = live.compliance.approve_measure("bob", ROLES, measure)
            measures.append((measure, approved.effective_ms, now_ms(), set(approved.covered)))
        time.sleep(0.1)
    received = _received(network)
    problems = []
    for measure, effective, returned_at, covered in measures:
        late = _stored_involving(network, covered, effective)
        if late:
            problems.append(
                f"measure {measure} in force from {effective} (approval returned at"
                f" {returned_at}): {len(late)} messages stored at or after it,"
                f" received_ms {sorted({row[3] for row in late})}"
            )
        mine = [c for c in load.calls if c.receiver[:8] in covered]
        after = [c for c in mine if c.started_ms >= returned_at]
        assert all(v.status == "NAK" for c in after for v in c.verdicts)
        for c in mine:
            for v in c.verdicts:
                if v.status == "ACK" and received[str(v.biz_msg_id)] >= effective:
                    problems.append(f"{v.biz_msg_id} ACKed, received at or after {effective}")
                if v.status == "NAK":
                    assert v.reason is not None and v.reason.code == "P01", v
    assert not problems, "\n".join(problems)
    assert live.compliance.verify_audit().ok


class StepClock:
    """A clock the test moves by hand (milliseconds)."""

    def __init__(self, start_ms: int) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        return self.now


def test_effective_now_approval_with_a_batch_committed_while_it_waits(network: Path) -> None:
    """The interleaving the load test above hits by chance, made deterministic: the
    approval has read the clock (instant T) and waits for the write lock while an intake
    batch, evaluated at T+1 against the policy without the measure, commits first."""
    clock = StepClock(now_ms())
    node = Node(network, clock=clock)
    try:
        vtb, a = ENTITIES["vtb"], real_banks(network, 1)[0]
        profile = load_profile(network / "participants" / a)
        measure = _disconnect(node, vtb, None, "effective on approval")
        original = node.store.update_measure
        sneaked: list[Verdict] = []

        def commit_first(*args: Any, **kwargs: Any) -> Any:
            if not sneaked:
                clock.now += 1
                sneaked.extend(node.intake.submit(a, profile.cert_pem, [_signed(profile, vtb)]))
            return original(*args, **kwargs)

        node.store.update_measure = commit_first  # type: ignore[method-assign]
        try:
            approved = node.compliance.approve_measure("bob", ROLES, measure)
        finally:
            del node.store.update_measure
        assert sneaked, "the interleaving did not happen"
        stored = _stored_involving(network, set(approved.covered), approved.effective_ms)
        assert stored == [], (
            f"measure {measure} in force from {approved.effective_ms}, yet {stored} was stored"
            f" (ACK: {sneaked[0].status}) at or after that instant"
        )
    finally:
        node.close()


# --- officers acting at once -----------------------------------------------------------


def _race(actions: list[Callable[[], object]]) -> list[object]:
    """Run the actions at the same moment; each one's result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = actions[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def dave(network: Path, live: Node) -> str:
    """A third compliance officer, so two non-proposers can approve at once."""
    add_operator(live.config, live.store, load_ca(live.config), "dave", ROLES)
    return "dave"


def test_two_officers_approving_at_once_exactly_one_wins(live: Node, dave: str) -> None:
    comp = live.compliance
    for round_ in range(8):
        measure = comp.propose_measure(
            "alice",
            ROLES,
            kind="prohibit",
            bic=ENTITIES["cbr"],
            name=None,
            with_subsidiaries=False,
            action="hold",
            reference=f"round {round_}",
            effective_ms=now_ms() + 86_400_000,
        ).id
        results = _race(
            [
                lambda: comp.approve_measure("bob", ROLES, measure),  # noqa: B023
                lambda: comp.approve_measure(dave, ROLES, measure),  # noqa: B023
            ]
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], StalePolicy | Refused), repr(losers[0])
        approvals = [
            e
            for e in live.store.audit_entries()
            if e.action == "measure.approve" and e.subject == measure
        ]
        assert len(approvals) == 1
        assert live.store.measure(measure).approved_by == approvals[0].actor
    assert comp.verify_audit().ok


def test_two_officers_confirming_a_hold_at_once_exactly_one_wins(
    live: Node, network: Path, dave: str
) -> None:
    comp, cbr = live.compliance, ENTITIES["cbr"]
    a, b = real_banks(network, 2)
    measure = comp.propose_measure(
        "alice",
        ROLES,
        kind="prohibit",
        bic=cbr,
        name=None,
        with_subsidiaries=False,
        action="hold",
        reference="Reg (EU) 2022/334",
        effective_ms=None,
    ).id
    comp.approve_measure("bob", ROLES, measure)
    profile = load_profile(network / "participants" / a)
    items = []
    for _ in range(4):
        payload = example_message("pacs.009", a, b, extra_agent_bics=[cbr])
        items.append(Submission(payload, pki.sign(profile.key, payload)))
    verdicts = live.intake.submit(a, profile.cert_pem, items)
    assert all(v.held and v.hold_id is not None for v in verdicts), verdicts
    for v in verdicts:
        hold = int(v.hold_id or 0)
        comp.decide_hold("alice", ROLES, hold, "release", "documents checked")
        results = _race(
            [
                lambda: comp.decide_hold("bob", ROLES, hold, "release", None),  # noqa: B023
                lambda: comp.decide_hold(dave, ROLES, hold, "release", None),  # noqa: B023
            ]
        )
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(losers) == 1, results
        assert isinstance(losers[0], StalePolicy | Refused), repr(losers[0])
    delivered = live.delivery.fetch(b, None, 100)
    assert sorted(d.biz_msg_id for d in delivered) == sorted(str(v.biz_msg_id) for v in verdicts)
    released = [n for n in live.delivery.notices(a, 0, 100) if n.kind == "released"]
    assert len(released) == len(verdicts)
    confirms = [e for e in live.store.audit_entries() if e.action == "hold.release.confirm"]
    assert len(confirms) == len(verdicts)
    assert comp.verify_audit().ok


def test_an_approval_acts_on_the_measure_as_stored_when_it_is_written(
    live: Node, dave: str
) -> None:
    """Officers look at a measure, then act: the action applies to the state inside the
    write transaction, so an approval overtaken by another officer's is refused and
    changes nothing (no stale read can approve twice)."""
    comp, store = live.compliance, live.store
    measure = comp.propose_measure(
        "alice",
        ROLES,
        kind="disconnect",
        bic=ENTITIES["veb"],
        name=None,
        with_subsidiaries=True,
        action="reject",
        reference="Reg (EU) 2022/345, Annex XIV",
        effective_ms=now_ms() + 86_400_000,
    ).id
    seen_by_bob = store.measure(measure)
    assert seen_by_bob.status.value == "proposed"
    comp.approve_measure(dave, ROLES, measure)  # overtakes bob
    audit_before = len(store.audit_entries())
    with pytest.raises(Refused):
        comp.approve_measure("bob", ROLES, measure)
    after = store.measure(measure)
    assert (after.status.value, after.approved_by) == ("active", dave)
    assert len(store.audit_entries()) == audit_before
    assert comp.verify_audit().ok


# --- the instant over HTTP ---------------------------------------------------------------


@dataclass
class HttpCall:
    """One batch submitted over HTTP: who, when, and what came back."""

    sender: str
    started_ms: int
    ended_ms: int
    results: list[dict[str, Any]] | None
    error: ApiError | None


def _http_sender(
    url: str, folder: Path, receivers: list[str], stop: threading.Event, calls: list[HttpCall]
) -> Callable[[], None]:
    def run() -> None:
        with Client.from_profile(folder, url) as client:
            turn = 0
            while not stop.is_set():
                receiver = receivers[turn % len(receivers)]
                turn += 1
                payloads = [
                    example_message("pacs.009", client.profile.subject, receiver)
                    for _ in range(BATCH)
                ]
                started = now_ms()
                try:
                    results, error = client.send(payloads), None
                except ApiError as exc:
                    results, error = None, exc
                calls.append(HttpCall(client.profile.subject, started, now_ms(), results, error))

    return run


@pytest.fixture
def served(network: Path) -> Iterator[tuple[NodeProcess, Path]]:
    node = Node(network)
    try:
        add_operator(node.config, node.store, load_ca(node.config), "dave", ROLES)
    finally:
        node.close()
    process = NodeProcess(network).start()
    try:
        yield process, network
    finally:
        process.stop()


def test_future_instant_under_http_load(served: tuple[NodeProcess, Path]) -> None:
    process, network = served
    vtb = ENTITIES["vtb"]
    senders = real_banks(network, 3)
    stop = threading.Event()
    calls: list[HttpCall] = []
    errors: list[BaseException] = []
    runs = [
        _http_sender(process.url, network / "participants" / s, [vtb], stop, calls) for s in senders
    ]
    runs.append(_http_sender(process.url, network / "participants" / vtb, senders, stop, calls))

    def guarded(run: Callable[[], None]) -> Callable[[], None]:
        def inner() -> None:
            try:
                run()
            except BaseException as exc:
                errors.append(exc)

        return inner

    threads = [threading.Thread(target=guarded(r), daemon=True) for r in runs]
    for thread in threads:
        thread.start()
    ops = network / "operators"
    try:
        time.sleep(0.3)
        with Client.from_profile(ops / "alice", process.url) as alice:
            proposed = alice.request(
                "POST",
                "/v1/ops/measures",
                body={
                    "kind": "disconnect",
                    "bic": vtb[:8],
                    "with_subsidiaries": True,
                    "reference": "Reg (EU) 2022/345, Annex XIV",
                    "effective_ms": now_ms() + 2 * FUTURE_MS,
                },
            )
        with Client.from_profile(ops / "bob", process.url) as bob:
            approved = bob.request("POST", f"/v1/ops/measures/{proposed['id']}/approve")
        effective = approved["effective_ms"]
        assert effective > now_ms()
        while now_ms() < effective + LOAD_AFTER_MS:
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert not errors, errors

    measure = proposed["id"]
    with read_only_db(network) as db:
        received = dict(db.execute("SELECT biz_msg_id, received_ms FROM messages").fetchall())
    results = [r for c in calls if c.results for r in c.results]
    acked = [r for r in results if r["status"] == "ACK"]
    naked = [r for r in results if r["status"] == "NAK"]
    assert acked and naked, f"the load did not span the instant: {len(acked)} ACK, {len(naked)} NAK"
    assert all(received[r["id"]] < effective for r in acked)
    assert _stored_involving(network, set(approved["covered"]), effective) == []
    assert {r["reason"] for r in naked} == {"P01"}
    assert all(f"measure {measure} " in r["detail"] for r in naked)
    for c in calls:
        if c.started_ms >= effective:
            assert c.results is None or all(r["status"] == "NAK" for r in c.results)
    # the bank's own requests are refused from the instant on, naming the measure
    refused = [c for c in calls if c.error is not None]
    assert refused, "the disconnected bank's requests were never refused"
    for c in refused:
        assert c.sender == vtb
        assert c.error is not None and c.error.status == 403
        assert c.error.body["error"] == "disconnected" and measure in c.error.body["message"]
        assert c.ended_ms >= effective
    with Client.from_profile(ops / "carol", process.url) as carol:
        assert carol.request("GET", "/v1/ops/audit/verify")["ok"] is True


def test_two_officers_approving_over_http_one_gets_409(served: tuple[NodeProcess, Path]) -> None:
    process, network = served
    ops = network / "operators"
    with (
        Client.from_profile(ops / "alice", process.url) as alice,
        Client.from_profile(ops / "bob", process.url) as bob,
        Client.from_profile(ops / "dave", process.url) as dave,
    ):
        for round_ in range(5):
            measure = alice.request(
                "POST",
                "/v1/ops/measures",
                body={
                    "kind": "prohibit",
                    "bic": ENTITIES["cbr"][:8],
                    "action": "hold",
                    "reference": f"round {round_}",
                    "effective_ms": now_ms() + 86_400_000,
                },
            )["id"]
            path = f"/v1/ops/measures/{measure}/approve"
            results = _race(
                [
                    lambda: bob.request("POST", path),  # noqa: B023
                    lambda: dave.request("POST", path),  # noqa: B023
                ]
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            assert len(errors) == 1, results
            assert isinstance(errors[0], ApiError) and errors[0].status == 409, repr(errors[0])
            assert errors[0].body["error"] in ("stale", "refused")
        listed = {m["id"]: m for m in alice.request("GET", "/v1/ops/measures")}
        assert all(m["status"] == "active" for m in listed.values())
        entries = alice.request("GET", "/v1/ops/audit")
        approvals = [e["subject"] for e in entries if e["action"] == "measure.approve"]
        assert sorted(approvals) == sorted(listed)
        assert alice.request("GET", "/v1/ops/audit/verify")["ok"] is True
