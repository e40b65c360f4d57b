"""CLI behaviour scripts can rely on: `finmesh send` exits 3 when a message is NAKed
(`--allow-nak` keeps exit 0), instants are printed in ISO 8601 beside their
milliseconds, `serve` binds where the network's profiles point unless told otherwise,
and an out-of-range port is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.cli.output import with_iso_times
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess, free_port
from tests.netutil import copy_network, participants, run_cli


@pytest.fixture(scope="module")
def served(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("scripting") / "net")
    node = NodeProcess(root).start()
    try:
        yield node
    finally:
        node.stop()


def test_send_exits_3_on_a_nak_and_allow_nak_keeps_0(served: NodeProcess, tmp_path: Path) -> None:
    a, b = participants(served.root)[:2]
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(example_message("pacs.008", a.name, b.name))
    bad.write_text("<BizMsg><AppHdr>not closed</BizMsg>")
    ok = run_cli("send", "--profile", a, "--url", served.url, good)
    assert ok.returncode == 0, ok.stderr
    mixed = run_cli("send", "--profile", a, "--url", served.url, good, bad)
    assert mixed.returncode == 3, mixed.stderr
    statuses = [json.loads(x)["status"] for x in mixed.stdout.splitlines()]
    assert statuses == ["ACK", "NAK"]  # every result printed before the exit
    assert mixed.stderr.strip() == "error: naked: 1 of 2 messages NAKed (see their lines)"
    allowed = run_cli("send", "--profile", a, "--url", served.url, "--allow-nak", bad)
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["status"] == "NAK"


def test_instants_are_printed_in_iso_8601(served: NodeProcess) -> None:
    a = participants(served.root)[0]
    done = run_cli("rma", "list", "--profile", a, "--url", served.url, "--json")
    assert done.returncode == 0, done.stderr
    grants = json.loads(done.stdout)
    assert grants and all(g["granted"].endswith("Z") and "T" in g["granted"] for g in grants)
    assert with_iso_times({"effective_ms": 0, "lift_effective_ms": None, "seconds_ms": 5}) == {
        "effective_ms": 0, "effective": "1970-01-01T00:00:00.000Z",
        "lift_effective_ms": None, "lift_effective": None, "seconds_ms": 5,
    }
    assert with_iso_times([{"at_ms": 1000, "at": "kept"}]) == [{"at_ms": 1000, "at": "kept"}]


def test_out_of_range_ports_are_refused(served: NodeProcess) -> None:
    for port in ("0", "65536", "-1"):
        done = run_cli("serve", served.root, "--port", port)
        assert done.returncode == 2 and "not in the range" in done.stderr, done.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "finmesh", "serve", str(served.root)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "FINMESH_PORT": "99999"},
    )
    expected = "error: bad_setting: FINMESH_PORT='99999' is not a TCP port"
    assert bad.returncode == 1 and bad.stderr.startswith(expected), bad.stderr


def test_serve_binds_where_the_profiles_point(network_template: Path, tmp_path: Path) -> None:
    root = copy_network(network_template, tmp_path / "net")
    port = free_port()
    document = json.loads((root / "network.json").read_text())
    document["url"] = f"http://127.0.0.1:{port}"
    (root / "network.json").write_text(json.dumps(document))
    env = {k: v for k, v in os.environ.items() if k != "FINMESH_PORT"}
    node = subprocess.Popen(
        [sys.executable, "-m", "finmesh", "serve", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert node.poll() is None and time.monotonic() < deadline, "node did not start"
                time.sleep(0.2)
        assert answer.json()["status"] == "ok"
    finally:
        node.terminate()
        node.wait(timeout=30)
