"""`finmesh rma` and `finmesh cert` as a user runs them: subprocesses against a served
demo network, exactly as the acceptance surface is written. Every command prints JSON;
refusals exit non-zero with a message and never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import (
    copy_network,
    non_participant_institution,
    participants,
    run_cli,
)


@dataclass
class Net:
    root: Path
    url: str
    a: str
    b: str
    c: str

    def profile(self, bic11: str) -> Path:
        return self.root / "participants" / bic11

    def operator(self, name: str) -> Path:
        return self.root / "operators" / name


def ok(*args: str | Path) -> list[Any]:
    done = run_cli(*args)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def refused(*args: str | Path) -> str:
    done = run_cli(*args)
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"{args} succeeded:\n{output}"
    assert "Traceback" not in output, output
    return output


@pytest.fixture(scope="module")
def net(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    root = copy_network(network_template, tmp_path_factory.mktemp("cli-trust") / "net")
    node = NodeProcess(root).start()
    a, b, c = (p.name for p in participants(root)[:3])
    try:
        yield Net(root, node.url, a, b, c)
    finally:
        node.stop()


def send(net: Net, sender: str, receiver: str, kind: str, folder: Path) -> dict[str, Any]:
    message = folder / f"{kind}-{len(list(folder.iterdir()))}.xml"
    message.write_bytes(example_message(kind, sender, receiver))
    [line] = ok("send", "--profile", net.profile(sender), "--url", net.url, "--allow-nak", message)
    result: dict[str, Any] = line
    return result


def test_rma_grant_list_revoke(net: Net, tmp_path: Path) -> None:
    b = ("--profile", net.profile(net.b), "--url", net.url)
    a8 = net.a[:8]
    [revoked] = ok("rma", "revoke", *b, "--correspondent", a8)
    assert len(revoked["deleted"]) == 1  # the demo's authorization for every type
    nak = send(net, net.a, net.b, "pacs.008", tmp_path)
    assert (nak["status"], nak["reason"]) == ("NAK", "R01")
    [granted] = ok(
        "rma", "grant", *b, "--correspondent", a8, "--type", "pacs.008", "--type", "pacs.009",
        "--until", "2099-01-01T00:00:00Z",
    )
    assert (granted["receiver"], granted["sender"]) == (net.b[:8], a8)
    assert granted["types"] == ["pacs.008", "pacs.009"]
    assert granted["valid_until"] == "2099-01-01T00:00:00.000Z" and granted["valid_from"] is None
    [listed] = ok("rma", "list", *b, "--json")
    assert isinstance(listed, list) and granted in listed
    for grant in listed:
        assert {"receiver", "sender", "types", "valid_from", "valid_until", "id"} <= set(grant)
        assert grant["receiver"] == net.b[:8]
    assert send(net, net.a, net.b, "pacs.008", tmp_path)["status"] == "ACK"
    [narrowed] = ok("rma", "revoke", *b, "--correspondent", a8, "--type", "pacs.008")
    assert [g["types"] for g in narrowed["narrowed"]] == [["pacs.009"]]
    assert send(net, net.a, net.b, "pacs.008", tmp_path)["reason"] == "R01"
    assert send(net, net.a, net.b, "pacs.009", tmp_path)["status"] == "ACK"
    [received] = ok(
        "rma", "list", "--profile", net.profile(net.a), "--url", net.url,
        "--direction", "received", "--json",
    )
    assert granted["id"] in {g["id"] for g in received}
    assert all(g["sender"] == a8 for g in received)


def test_rma_refusals_exit_nonzero(net: Net) -> None:
    c = ("--profile", net.profile(net.c), "--url", net.url)
    assert "MsgDefIdr" in refused("rma", "grant", *c, "--correspondent", net.a[:8], "--type", "x")
    assert "not in the directory" in refused("rma", "grant", *c, "--correspondent", "QXQXDEFF")
    assert "every message type" in refused(
        "rma", "revoke", *c, "--correspondent", net.a[:8], "--type", "pacs.008"
    )
    assert "ISO 8601" in refused(
        "rma", "grant", *c, "--correspondent", net.a[:8], "--from", "yesterday"
    )
    [still] = ok("rma", "list", *c, "--json")
    assert any(g["sender"] == net.a[:8] and g["types"] == [] for g in still)


def test_cert_revoke_and_rotate(net: Net, tmp_path: Path) -> None:
    c = net.c
    assert "operator role" in refused(
        "cert", "revoke", "--operator", net.operator("alice"), "--url", net.url, c
    )
    [revoked] = ok(
        "cert", "revoke", "--operator", net.operator("oscar"), "--url", net.url, c,
        "--reason", "key reported stolen",
    )
    assert revoked["bic"] == c and revoked["revoked_by"] == "oscar"
    assert "revoked" in refused("notices", "--profile", net.profile(c), "--url", net.url)
    assert "already revoked" in refused(
        "cert", "revoke", "--operator", net.operator("oscar"), "--url", net.url, c
    )
    [rotated] = ok("cert", "rotate", net.root, c, "--generate-key")
    assert rotated["profile"] == str(net.profile(c))
    assert rotated["previous_serial"] == revoked["serial"] != rotated["serial"]
    assert ok("notices", "--profile", net.profile(c), "--url", net.url) == []
    assert send(net, c, net.a, "pacs.008", tmp_path)["status"] == "ACK"
    absent = refused("cert", "rotate", net.root, "QXQXDEFFXXX", "--generate-key")
    assert "not a participant" in absent
    assert "not a finmesh network" in refused("cert", "rotate", tmp_path, c, "--generate-key")


def test_onboarding_grants_nothing_until_the_receiver_does(net: Net, tmp_path: Path) -> None:
    newcomer = non_participant_institution(net.root)
    [added] = ok("participant", "add", net.root, newcomer, "--generate-key")
    assert added["profile"] == str(net.profile(newcomer))
    nak = send(net, newcomer, net.a, "pacs.008", tmp_path)
    assert (nak["status"], nak["reason"]) == ("NAK", "R01")
    ok("rma", "grant", "--profile", net.profile(net.a), "--url", net.url,
       "--correspondent", newcomer[:8])
    assert send(net, newcomer, net.a, "pacs.008", tmp_path)["status"] == "ACK"
    [seen] = ok("rma", "list", "--operator", net.operator("carol"), "--url", net.url,
                "--bic", newcomer[:8], "--json")
    assert [(g["receiver"], g["sender"]) for g in seen] == [(net.a[:8], newcomer[:8])]
    assert "either --profile" in refused("rma", "list", "--url", net.url)
