"""Proof in other languages: docs/integrate.md's bash blocks (openssl, curl, jq only on
the bank's side) run in order as one script against a real node, and the Node.js client
(clients/node, built-in crypto and fetch) sends, receives, verifies and acknowledges."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network, non_participant_institution, participants

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "integrate.md"
NODE_CLI = ROOT / "clients" / "node" / "cli.mjs"
TOOLS = ("openssl", "curl", "jq", "xxd", "base64", "bash")
NODEJS = shutil.which("node")


REQUIRED = os.environ.get("FINMESH_REQUIRE_TOOLS") == "1"
"""Set by .ci/run: a missing tool fails these tests instead of skipping them."""


def _needs(*tools: str) -> pytest.MarkDecorator:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing and REQUIRED:
        pytest.fail(f"FINMESH_REQUIRE_TOOLS=1 but {', '.join(missing)} missing", pytrace=False)
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}")


@pytest.fixture(scope="module")
def served(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("integrate") / "net")
    node = NodeProcess(root).start()
    try:
        yield node
    finally:
        node.stop()


def guide_script() -> str:
    blocks = re.findall(r"^```bash\n(.*?)^```", GUIDE.read_text("utf-8"), re.M | re.S)
    assert len(blocks) >= 8, "docs/integrate.md lost its runnable blocks"
    return "\n".join(blocks)


def _env(**extra: str) -> dict[str, str]:
    # the finmesh of this checkout first on PATH: the operator's and demo peer's steps
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "NO_COLOR": "1", **extra}


@_needs(*TOOLS)
def test_the_guide_runs_with_openssl_and_curl(served: NodeProcess, tmp_path: Path) -> None:
    bic = non_participant_institution(served.root)
    peer = participants(served.root)[0].name
    (tmp_path / "guide.sh").write_text(guide_script())
    done = subprocess.run(
        ["bash", "-x", "guide.sh"], cwd=tmp_path, capture_output=True, text=True, timeout=180,
        env=_env(NODE=served.url, BIC=bic, PEER=peer, NETDIR=str(served.root)),
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    # the bank's key never went to the network; what it sent arrived, signed by it
    assert not (served.root / "participants" / bic / "key.pem").exists()
    sent = json.loads((tmp_path / "sent.json").read_text())["results"][0]
    with Client.from_profile(served.root / "participants" / peer, served.url) as client:
        [got] = [m for m in client.receive()["messages"] if m["id"] == sent["id"]]
        assert got["sender"] == bic and client.verify(got)
    assert json.loads((tmp_path / "page.json").read_text())["messages"][0]["sender"] == peer


@_needs(*TOOLS)
def test_a_refused_signature_says_why(served: NodeProcess, tmp_path: Path) -> None:
    """The guide's function with a key the network never certified: 401, coded."""
    bic = participants(served.root)[1].name
    body = re.search(r"finmesh_call\(\) \{.*?^\}", guide_script(), re.M | re.S)
    assert body is not None
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", tmp_path / "key.pem"], check=True,
                   capture_output=True)
    (tmp_path / "call.sh").write_text(body.group(0) + "\nfinmesh_call GET /v1/deliveries\n")
    done = subprocess.run(["bash", "call.sh"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env=_env(NODE=served.url, BIC=bic))
    assert done.returncode != 0
    answer = json.loads(done.stdout)
    assert answer["error"] == "authentication_failed"
    assert answer["message"] == f"bad signature for keyid '{bic}'"


def _node(*args: str | Path, url: str) -> subprocess.CompletedProcess[str]:
    assert NODEJS is not None
    return subprocess.run([NODEJS, str(NODE_CLI), *map(str, args)], capture_output=True,
                          text=True, timeout=120, env=_env(FINMESH_URL=url))


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@_needs("node")
def test_node_client_sends_receives_verifies_and_acks(
    served: NodeProcess, tmp_path: Path
) -> None:
    a, b = participants(served.root)[2:4]
    files = []
    for n in range(3):
        files.append(tmp_path / f"m{n}.xml")
        files[-1].write_bytes(example_message("pacs.008", a.name, b.name))
    sent = _node("send", a, *files, url=served.url)
    assert sent.returncode == 0, sent.stderr
    results = _lines(sent.stdout)
    assert [r["status"] for r in results] == ["ACK"] * 3

    with Client.from_profile(b, served.url) as client:  # the SDK reads the JWS form too
        peeked = client.receive(wait=5)["messages"]
        assert [m["signature_format"] for m in peeked] == ["jws"] * 3
        assert all(client.verify(m) for m in peeked)
    received = _node("receive", b, "--wait", "5", url=served.url)
    assert received.returncode == 0, received.stderr
    *messages, acked = _lines(received.stdout)
    assert [m["id"] for m in messages] == [r["id"] for r in results]
    assert all(m["verified"] is True and m["sender"] == a.name for m in messages)
    assert acked == {"acked": messages[-1]["osn"]}
    with Client.from_profile(b, served.url) as client:
        assert client.receive()["messages"] == []  # acknowledged: nothing comes again

    refused = _node("send", a, tmp_path / "m0.xml", url="http://127.0.0.1:9")
    assert refused.returncode == 1 and refused.stderr.startswith("error:")


VERIFY = """
import { readFileSync } from 'node:fs';
import { loadProfile, verifyDelivered } from '%s';
const profile = loadProfile(process.argv[1]);
const delivered = JSON.parse(readFileSync(process.argv[2], 'utf8'));
console.log(JSON.stringify(delivered.map((m) => verifyDelivered(profile, m))));
"""


@_needs("node")
def test_node_client_refuses_a_forged_delivery(served: NodeProcess, tmp_path: Path) -> None:
    a, b, c = participants(served.root)[4:7]
    with Client.from_profile(a, served.url) as client:
        [ack] = client.send([example_message("pacs.008", a.name, b.name)])
    assert ack["status"] == "ACK"
    with Client.from_profile(b, served.url) as client:
        [genuine] = client.receive(wait=5)["messages"]
    with Client.from_profile(c, served.url) as client:
        c_cert = client.request("GET", f"/v1/certificates/{c.name}")["certificate"]
    payload = base64.b64decode(genuine["payload"])
    forged = [
        genuine,
        {**genuine, "payload": base64.b64encode(payload.replace(b"EUR", b"USD")).decode()},
        {**genuine, "sender_certificate": c_cert},  # another bank's certificate
        {**genuine, "sender": c.name},  # the node names another sender
    ]
    (tmp_path / "delivered.json").write_text(json.dumps(forged))
    assert NODEJS is not None
    done = subprocess.run(
        [NODEJS, "--input-type=module", "-e", VERIFY % (ROOT / "clients/node/finmesh.mjs"), b,
         tmp_path / "delivered.json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, False, False, False]
