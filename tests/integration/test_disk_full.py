"""A full disk, for real: the network folder on a small tmpfs that a filler file fills.
Writes are answered 503 ``store_unavailable`` with Retry-After (nothing stored), the SDK
retries and succeeds once space is back, and a node started on a full disk refuses with
one clear line. Skipped where tmpfs cannot be mounted (not root, no mount namespace)."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.identity import request_auth
from finmesh.node.launcher import NodeProcess, free_port
from tests.netutil import participants

TMPFS_MB = 64


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
    return filler


@pytest.fixture
def full_disk_net(network: Path, tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk") as disk:
        root = disk / "net"
        shutil.copytree(network, root)
        yield root


def _signed_send(client: Client, url: str, payload: bytes) -> httpx.Response:
    body = json.dumps({"messages": [{"payload": base64.b64encode(payload).decode()}]}).encode()
    headers = request_auth.sign_request(
        client.profile.key, client.profile.subject, "POST", "/v1/messages", body
    )
    headers["content-type"] = "application/json"
    return httpx.post(f"{url}/v1/messages", content=body, headers=headers, timeout=30)


def test_full_disk_answers_coded_503_and_the_sdk_retries(full_disk_net: Path) -> None:
    a_dir, b_dir = participants(full_disk_net)[:2]
    node = NodeProcess(full_disk_net)
    node.start()
    a = Client.from_profile(a_dir, node.url)
    try:
        first = example_message("pacs.008", a.profile.subject, b_dir.name)
        assert a.send([first])[0]["status"] == "ACK"
        filler = fill(full_disk_net.parent)

        second = example_message("pacs.008", a.profile.subject, b_dir.name)
        refused = _signed_send(a, node.url, second)
        assert refused.status_code == 503
        assert refused.json()["error"] == "store_unavailable"
        assert int(refused.headers["retry-after"]) >= 1
        assert "disk is full" in refused.json()["message"] or "I/O" in refused.json()["message"]

        ready = httpx.get(f"{node.url}/v1/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"]
        assert ready.json()["error"] == "not_ready"
        assert ready.json()["checks"]["database"] != "ok"
        assert httpx.get(f"{node.url}/v1/health").status_code == 200  # alive all the same

        # the SDK waits as told and sends again: space comes back meanwhile
        threading.Timer(0.3, filler.unlink).start()
        later = example_message("pacs.008", a.profile.subject, b_dir.name)
        started = time.monotonic()
        [result] = a.send([later])
        assert result["status"] == "ACK" and not result["duplicate"]
        assert time.monotonic() - started >= 0.9  # it did wait for Retry-After
        assert httpx.get(f"{node.url}/v1/ready").status_code == 200
    finally:
        a.close()
        node.stop()


def test_node_started_on_a_full_disk_refuses_with_one_line(full_disk_net: Path) -> None:
    for leftover in ("finmesh.db-wal", "finmesh.db-shm"):
        (full_disk_net / leftover).unlink(missing_ok=True)
    fill(full_disk_net.parent)
    done = subprocess.run(
        [sys.executable, "-m", "finmesh", "serve", str(full_disk_net), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: store_unavailable: "), lines
    assert "Traceback" not in done.stderr
