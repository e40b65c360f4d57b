"""The compliance command line exactly as an officer types it: `python -m finmesh measure
| licence | holds | notices | audit ...` subprocesses against a served demo network.

Profiles of the template network point at a dead port, so every command gets --url:
the node is reached only the way the command line promises to reach it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.node.launcher import NodeProcess
from tests.netutil import run_cli, wait_until

ENTITIES = sanctions_demo_entities()
SUBSIDIARIES = sanctions_demo_subsidiaries()


def iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Net:
    root: Path
    url: str

    def op(self, name: str) -> Path:
        return self.root / "operators" / name

    def profile(self, bic11: str) -> Path:
        return self.root / "participants" / bic11

    def bank(self, bic11: str) -> Client:
        return Client.from_profile(self.profile(bic11), self.url)

    def real(self, index: int) -> str:
        listed = set(ENTITIES.values()) | set(SUBSIDIARIES.values())
        names = sorted(p.name for p in (self.root / "participants").iterdir())
        return [n for n in names if n not in listed][index]

    def ok(self, *args: str | Path) -> list[Any]:
        """Run a command with --url that must succeed; its JSON lines."""
        done = run_cli(*args, "--url", self.url)
        assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def one(self, *args: str | Path) -> Any:
        [answer] = self.ok(*args)
        return answer

    def fails(self, *args: str | Path) -> tuple[list[Any], str]:
        """Run a command with --url that must fail cleanly; its JSON lines and stderr."""
        done = run_cli(*args, "--url", self.url)
        assert done.returncode != 0, f"{args} succeeded: {done.stdout}"
        assert "Traceback" not in done.stderr, done.stderr
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        return lines, done.stderr


@pytest.fixture(scope="module")
def net(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    root = tmp_path_factory.mktemp("cli-measures") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield Net(root, process.url)
    finally:
        process.stop()


def test_disconnection_from_proposal_to_returned_notices(net: Net) -> None:
    vtb, a = ENTITIES["vtb"], net.real(0)
    start = now_ms()
    with net.bank(a) as bank:
        queued = [
            r["id"] for r in bank.send([example_message("pacs.009", a, vtb) for _ in range(3)])
        ]
    effective = now_ms() + 5000  # ahead of the next few commands, each a new process
    alice, bob, carol = net.op("alice"), net.op("bob"), net.op("carol")
    proposed = net.one(
        "measure", "propose", "--operator", alice, "--kind", "disconnect",
        "--bic", vtb[:8], "--with-subsidiaries",
        "--reference", "Reg (EU) 2022/345, Annex XIV", "--effective", iso(effective),
    )  # fmt: skip
    measure = proposed["id"]
    assert proposed["status"] == "proposed" and proposed["effective_ms"] == effective

    report = net.one(
        "measure", "impact", "--operator", carol, measure,
        "--from", iso(start), "--to", iso(now_ms() + 1), "--json",
    )  # fmt: skip
    assert report["queued_to_return"] == 3 and sorted(report["queued_ids"]) == sorted(queued)
    assert report["messages_stopped"] == 3
    assert report["value_stopped"] == {"EUR": "30.00"}
    assert {SUBSIDIARIES["vtb_1"][:8], SUBSIDIARIES["vtb_2"][:8]} <= set(
        report["covered_institutions"]
    )
    assert SUBSIDIARIES["vtb_3"][:8] not in report["covered_institutions"]

    before = net.one("measure", "list", "--operator", carol, "--json")
    lines, stderr = net.fails("measure", "approve", "--operator", alice, measure)
    assert "four-eyes" in stderr and "alice" in stderr
    # one error line on stderr, nothing on stdout
    assert not lines and stderr.startswith("error: refused: ") and "(HTTP 409)" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert net.one("measure", "list", "--operator", carol, "--json") == before

    approved = net.one("measure", "approve", "--operator", bob, measure)
    assert approved["status"] == "active" and approved["approved_by"] == "bob"
    if now_ms() < effective:  # approved ahead of the instant: the instant stands
        assert approved["effective_ms"] == effective and approved["in_force"] is False
    else:  # a slow machine: approval is never retroactive, the instant moves to it
        assert approved["effective_ms"] >= effective
    assert {vtb[:8], SUBSIDIARIES["vtb_2"][:8]} <= set(approved["covered"])

    with net.bank(a) as bank:
        wait_until(lambda: any(n["kind"] == "returned" for n in bank.notices()), timeout=15)
    notices = [n for n in net.ok("notices", "--profile", net.profile(a)) if n["kind"] == "returned"]
    assert sorted(n["id"] for n in notices) == sorted(queued)
    for n in notices:
        assert n["reason"] == "P04" and n["measure"] == measure
        assert f"measure {measure}" in n["detail"] and "2022/345" in n["detail"]
        assert n["created_ms"] >= approved["effective_ms"]

    listed = {m["id"]: m for m in net.one("measure", "list", "--operator", alice, "--json")}
    assert listed[measure]["in_force"] is True
    _, stderr = net.fails("receive", "--profile", net.profile(vtb))
    assert "403" in stderr and "disconnected" in stderr and measure in stderr


def test_prohibition_licence_and_holds(net: Net) -> None:
    cbr, a, b = ENTITIES["cbr"], net.real(1), net.real(2)
    alice, bob, carol = net.op("alice"), net.op("bob"), net.op("carol")
    _, stderr = net.fails(
        "measure", "propose", "--operator", alice, "--kind", "prohibit", "--bic", cbr[:8],
        "--reference", "Reg (EU) 2022/334",
    )  # fmt: skip
    assert "--action" in stderr
    measure = net.one(
        "measure", "propose", "--operator", alice, "--kind", "prohibit", "--bic", cbr[:8],
        "--name", "Central Bank of the Russian Federation", "--action", "hold",
        "--reference", "Reg (EU) 2022/334",
    )["id"]  # fmt: skip
    assert net.one("measure", "approve", "--operator", bob, measure)["in_force"] is True
    until = now_ms() + 86_400_000
    licence = net.one(
        "licence", "propose", "--operator", alice, "--measure", measure,
        "--reference", "national authorisation: energy (cf. US GL 8)",
        "--purpose", "ENRG", "--counterparty", a, "--counterparty", b,
        "--currency", "EUR", "--amount-max", "1000000", "--valid-until", iso(until),
    )  # fmt: skip
    assert licence["status"] == "proposed" and licence["purposes"] == ["ENRG"]
    assert licence["valid_until_ms"] == until and Decimal(licence["amount_max"]) == 1000000
    net.fails("licence", "approve", "--operator", alice, licence["id"])
    assert net.one("licence", "approve", "--operator", bob, licence["id"])["status"] == "active"

    energy: dict[str, Any] = {"extra_agent_bics": [cbr], "purpose": "ENRG"}
    with net.bank(a) as bank:
        results = bank.send(
            [
                example_message("pacs.009", a, b, amount=Decimal("500000.00"), **energy),
                example_message("pacs.009", a, b, extra_agent_bics=[cbr], purpose="GDDS"),
                example_message("pacs.009", a, b, amount=Decimal("1000000.01"), **energy),
            ]
        )
    assert [r["status"] for r in results] == ["ACK"] * 3
    licensed, goods, over = results
    assert "held" not in licensed["detail"]
    holds = {h["message"]: h for h in net.one("holds", "list", "--operator", carol)}
    assert set(holds) == {goods["id"], over["id"]}
    assert all(h["measure"] == measure and h["state"] == "held" for h in holds.values())
    release, reject = str(holds[goods["id"]]["id"]), str(holds[over["id"]]["id"])

    pending = net.one(
        "holds", "release", "--operator", alice, release, "--reason", "goods contract checked"
    )
    assert (pending["state"], pending["pending"], pending["pending_by"]) == (
        "held",
        "release",
        "alice",
    )
    _, stderr = net.fails("holds", "release", "--operator", alice, release)
    assert "four-eyes" in stderr
    assert net.one("holds", "release", "--operator", bob, release)["state"] == "released"
    net.one("holds", "reject", "--operator", bob, reject, "--reason", "over the licence cap")
    done = net.one("holds", "reject", "--operator", alice, reject)
    assert (done["state"], done["decided_by"]) == ("rejected", "alice")

    notices = {n["id"]: n for n in net.ok("notices", "--profile", net.profile(a))}
    assert notices[goods["id"]]["kind"] == "released"
    assert (notices[over["id"]]["kind"], notices[over["id"]]["reason"]) == ("rejected", "P03")
    assert "over the licence cap" in notices[over["id"]]["detail"]
    with net.bank(b) as bank:
        got = [m["id"] for page in bank.pages() for m in page]
    assert got == [licensed["id"], goods["id"]]  # the rejected one never arrives
    assert net.one("holds", "list", "--operator", carol) == []


# --- the audit trail, offline ---------------------------------------------------------


def _copy(net: Net, target: Path) -> Path:
    """A consistent copy of the network folder, taken while the node runs."""
    shutil.copytree(net.root, target, ignore=shutil.ignore_patterns("finmesh.db*", "serve.log"))
    source = sqlite3.connect(f"file:{net.root / 'finmesh.db'}?mode=ro", uri=True)
    copy = sqlite3.connect(target / "finmesh.db")
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return target


def _tamper(folder: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    db = sqlite3.connect(folder / "finmesh.db")
    try:
        with db:
            for sql, args in statements:
                db.execute(sql, args)
    finally:
        db.close()


def _verify(folder: Path) -> tuple[int, dict[str, Any]]:
    done = run_cli("audit", "verify", folder)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_audit_verify_detects_tampering(net: Net, tmp_path: Path) -> None:
    with Client.from_profile(net.op("alice"), net.url) as alice:
        for n in range(3):  # entries of its own, whatever ran before
            alice.request(
                "POST",
                "/v1/ops/measures",
                body={"kind": "disconnect", "bic": ENTITIES["cbm"][:8], "reference": f"draft {n}"},
            )
    code, intact = _verify(net.root)
    assert code == 0 and intact["ok"] is True and intact["first_bad_seq"] is None
    total = intact["entries"]
    listed = net.ok("audit", "list", "--operator", net.op("carol"))  # the auditor reads it
    assert [e["seq"] for e in listed] == list(range(1, total + 1))
    assert listed[-1]["hash"] == intact["head"]
    assert [e["subject"] for e in listed if e["action"] == "measure.propose"][-3:] == [
        e["subject"] for e in listed[-3:]
    ]
    assert total >= 4
    k = total // 2

    edited = _copy(net, tmp_path / "edited")
    _tamper(edited, ("UPDATE audit SET details = ? WHERE seq = ?", ('{"reference": "forged"}', k)))
    code, verdict = _verify(edited)
    assert code != 0 and verdict["ok"] is False
    assert verdict["first_bad_seq"] == k and "edited" in verdict["problem"]

    deleted = _copy(net, tmp_path / "deleted")
    _tamper(deleted, ("DELETE FROM audit WHERE seq = ?", (k,)))
    code, verdict = _verify(deleted)
    assert code != 0 and verdict["ok"] is False
    assert verdict["first_bad_seq"] == k + 1 and f"{k}" in verdict["problem"]
    assert verdict["entries"] == k - 1

    swapped = _copy(net, tmp_path / "swapped")
    _tamper(
        swapped,
        ("UPDATE audit SET seq = -1 WHERE seq = ?", (k,)),
        ("UPDATE audit SET seq = ? WHERE seq = ?", (k, k + 1)),
        ("UPDATE audit SET seq = ? WHERE seq = -1", (k + 1,)),
    )
    code, verdict = _verify(swapped)
    assert code != 0 and verdict["ok"] is False
    assert verdict["first_bad_seq"] == k and verdict["entries"] == k - 1

    cut = _copy(net, tmp_path / "cut")  # the newest entries removed: only the head shows it
    _tamper(cut, ("DELETE FROM audit WHERE seq > ?", (k,)))
    code, verdict = _verify(cut)
    assert code != 0 and verdict["ok"] is False
    assert verdict["first_bad_seq"] == k + 1 and "missing from the end" in verdict["problem"]

    # the original is untouched by all this
    code, again = _verify(net.root)
    assert code == 0 and again["ok"] is True and again["entries"] >= total
