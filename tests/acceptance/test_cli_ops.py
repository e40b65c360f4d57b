"""The operations commands as an operator runs them: `operator add` refusals,
`config show`, `backup` and `restore` (issue 15)."""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from finmesh import config
from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import serving
from tests.acceptance.test_cli import ok, refused
from tests.netutil import copy_network, participants


def test_operator_add_twice_is_a_coded_refusal(network_template: Path, tmp_path: Path) -> None:
    root = copy_network(network_template, tmp_path / "net")
    first = json.loads(ok("operator", "add", root, "dora", "--role", "compliance"))
    assert first["roles"] == ["compliance"]
    cert = (Path(first["profile"]) / "cert.pem").read_bytes()
    again = refused("operator", "add", root, "dora", "--role", "auditor")
    assert again.startswith("error: operator_exists: "), again
    assert len(again.strip().splitlines()) == 1
    assert (Path(first["profile"]) / "cert.pem").read_bytes() == cert  # not replaced


# --- config show --------------------------------------------------------------------


def test_config_show_prints_every_setting_in_force(
    network_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_network(network_template, tmp_path / "net")
    monkeypatch.setenv("FINMESH_SUBJECT_RPS", "42")
    monkeypatch.setenv("FINMESH_PASSPHRASE", "not to be printed")
    rows = {r["name"]: r for r in json.loads(ok("config", "show", root, "--json"))}
    assert set(rows) == {"network", "url", *(s.name for s in config.SETTINGS)}
    assert rows["FINMESH_SUBJECT_RPS"] == {
        "name": "FINMESH_SUBJECT_RPS", "value": "42", "unit": "requests/s", "source": "environment"
    }
    assert rows["FINMESH_PORT"]["source"] == "default"
    assert rows["FINMESH_PASSPHRASE"]["value"] == "(set)"
    assert "not to be printed" not in json.dumps(rows)


def test_readme_documents_every_setting_with_default_and_unit() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for s in config.SETTINGS:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{s.name}`")), None)
        assert row is not None, f"{s.name} is not in the README's settings table"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == (f"`{s.default}`" if s.default else "unset"), row
        assert cells[2] == s.unit, row


def test_a_bad_setting_is_one_coded_line(
    network_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_network(network_template, tmp_path / "net")
    monkeypatch.setenv("FINMESH_PORT", "eighty")
    out = refused("serve", root)
    assert out.strip() == "error: bad_setting: FINMESH_PORT='eighty' is not a number (TCP port)"


# --- backup, restore ----------------------------------------------------------------


def _fetch(client: Client, limit: int) -> list[dict[str, Any]]:
    answer = client.request("GET", "/v1/deliveries", params={"limit": limit})
    return list(answer["messages"])


def test_backup_while_serving_then_restore_resumes_delivery(
    network_template: Path, tmp_path: Path
) -> None:
    root = copy_network(network_template, tmp_path / "net")
    a_dir, b_dir = participants(root)[:2]
    first = [example_message("pacs.008", a_dir.name, b_dir.name) for _ in range(10)]
    during: list[bytes] = []
    with (
        serving(root) as node,
        Client.from_profile(a_dir, node.url) as a,
        Client.from_profile(b_dir, node.url) as b,
    ):
        assert all(r["status"] == "ACK" for r in a.send(first))
        got = _fetch(b, 4)
        b.ack(got[-1]["osn"])
        stop = threading.Event()

        def traffic() -> None:  # the node keeps taking messages while it is copied
            while not stop.is_set():
                payload = example_message("pacs.008", a_dir.name, b_dir.name)
                if a.send([payload])[0]["status"] == "ACK":
                    during.append(payload)

        sender = threading.Thread(target=traffic)
        sender.start()
        try:
            time.sleep(0.3)
            made = json.loads(ok("backup", root, tmp_path / "bk"))
        finally:
            stop.set()
            sender.join()
    assert made["audit_entries"] >= 1 and made["database"] == "sqlite"
    assert len(during) > 0

    restored = json.loads(ok("restore", tmp_path / "bk", tmp_path / "again"))
    assert restored["audit_entries"] == made["audit_entries"]
    ok("audit", "verify", tmp_path / "again")

    again = tmp_path / "again"
    with serving(again) as node:
        a_dir2, b_dir2 = again / "participants" / a_dir.name, again / "participants" / b_dir.name
        with Client.from_profile(a_dir2, node.url) as a, Client.from_profile(b_dir2, node.url) as b:
            rest = [m for page in b.pages() for m in page]
            # nothing lost: the six unacknowledged of the first ten, in order; nothing
            # doubled: the four acknowledged before the backup do not come again
            payloads = [base64.b64decode(m["payload"]) for m in rest]
            assert payloads[:6] == first[4:]
            assert [m["osn"] for m in rest] == list(range(5, 5 + len(rest)))
            assert set(payloads) <= set(first[4:]) | set(during)
            assert len(set(payloads)) == len(payloads)
            # the senders' retries of what the copy holds are duplicates, not new messages
            again_results = a.send(first)
            assert [r["duplicate"] for r in again_results] == [True] * 10


def test_restore_refuses_a_tampered_backup_and_a_used_folder(
    network_template: Path, tmp_path: Path
) -> None:
    root = copy_network(network_template, tmp_path / "net")
    ok("backup", root, tmp_path / "bk")
    assert refused("backup", root, tmp_path / "bk").startswith("error: backup_exists: ")
    assert refused("restore", tmp_path / "bk", root).startswith("error: restore_target_exists: ")
    with (tmp_path / "bk" / "finmesh.db").open("r+b") as db:
        db.seek(5000)
        db.write(b"\x00tampered")
    out = refused("restore", tmp_path / "bk", tmp_path / "x")
    assert out.startswith("error: backup_corrupt: finmesh.db is changed"), out
    assert not (tmp_path / "x" / "finmesh.db").exists()


# --- retention ----------------------------------------------------------------------


def test_retention_archives_then_prunes_acknowledged_payloads(
    network_template: Path, tmp_path: Path
) -> None:
    root = copy_network(network_template, tmp_path / "net")
    a_dir, b_dir = participants(root)[:2]
    sent = [example_message("pacs.008", a_dir.name, b_dir.name) for _ in range(3)]
    with (
        serving(root) as node,
        Client.from_profile(a_dir, node.url) as a,
        Client.from_profile(b_dir, node.url) as b,
    ):
        a.send(sent)
        got = _fetch(b, 2)
        b.ack(got[-1]["osn"])  # two acknowledged, one handed out but not
        time.sleep(1.0)
        assert refused("retention", root, "--days", "0").startswith("error: bad_request: ")
        done = json.loads(ok("retention", root, "--days", "0.00001"))  # under a second
        assert done["pruned"] == 2 and len(done["archives"]) == 1
        # the pruned are still known: their senders' retries are duplicates
        assert [r["duplicate"] for r in a.send(sent)] == [True] * 3
        # the unacknowledged one still comes, whole
        [left] = [m for page in b.pages() for m in page]
        assert base64.b64decode(left["payload"]) == sent[2]
    assert json.loads(ok("retention", root, "--verify")) == {"checked": 2, "ok": True, "bad": []}
    ok("audit", "verify", root)
    with gzip.open(root / "archive" / done["archives"][0], "rt") as archive:
        kept = [base64.b64decode(json.loads(line)["payload"]) for line in archive]
    assert kept == sent[:2]
    again = json.loads(ok("retention", root, "--days", "0.00001"))
    assert again["pruned"] == 0  # nothing twice
