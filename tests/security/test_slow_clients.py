"""Slow clients (slowloris): connections that trickle their headers or their body are
closed by the node's deadlines while everyone else is served. The node here runs with
1 s deadlines (FINMESH_HEADER_SECONDS, FINMESH_BODY_SECONDS; 10 s and 30 s by default)
so the tests wait little. Threats T-SL-* in docs/threat-model.md."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.identity import request_auth
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network
from tests.security.conftest import Target, serve, target_over

DEADLINE_SECONDS = 1.0
GIVE_UP_SECONDS = 15.0
"""How long the test keeps a slow connection going before it calls the node wrong."""
SLOW_CONNECTIONS = 40
TRICKLE_SECONDS = 0.2


@pytest.fixture(scope="module")
def strict_node(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("slow") / "net")
    seconds = str(DEADLINE_SECONDS)
    node = serve(root, {"FINMESH_HEADER_SECONDS": seconds, "FINMESH_BODY_SECONDS": seconds})
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def strict(strict_node: NodeProcess) -> Iterator[Target]:
    with target_over(strict_node.root, strict_node) as found:
        yield found


def _trickle_until_closed(conn: socket.socket, data: bytes) -> tuple[bool, bytes]:
    """Send ``data`` a byte at a time; (closed by the node?, what it answered)."""
    conn.settimeout(TRICKLE_SECONDS)
    answer = b""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    for byte in data:
        if time.monotonic() > deadline:
            return False, answer
        try:
            conn.send(bytes([byte]))
            chunk = conn.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return True, answer  # reset by the node
        if not chunk:
            return True, answer
        answer += chunk
    return False, answer


def test_trickled_headers_are_cut_off_while_others_are_served(strict: Target) -> None:
    """T-SL-1 denial of service by slowloris: 40 connections each sending its request
    headers one byte at a time would hold sockets forever (uvicorn alone never closes
    them). Each is closed at the header deadline; meanwhile a member sends and receives."""
    line = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    outcome: list[bool] = []

    def attacker() -> None:
        with socket.create_connection(("127.0.0.1", strict.port), timeout=5) as conn:
            closed, answer = _trickle_until_closed(conn, line)
            outcome.append(closed and answer == b"")

    threads = [threading.Thread(target=attacker) for _ in range(SLOW_CONNECTIONS)]
    for thread in threads:
        thread.start()
    with strict.unchanged():
        time.sleep(TRICKLE_SECONDS)  # the attack is under way
    strict.still_serves()
    for thread in threads:
        thread.join(GIVE_UP_SECONDS + 5)
    assert outcome == [True] * SLOW_CONNECTIONS
    strict.still_serves()


def _head(target: Target, body: bytes, signed: bool) -> bytes:
    lines = [
        b"POST /v1/messages HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Content-Type: application/json",
        f"Content-Length: {len(body)}".encode(),
    ]
    if signed:
        headers = request_auth.sign_request(
            target.a.profile.key, target.A, "POST", "/v1/messages", body
        )
        lines += [f"{name}: {value}".encode() for name, value in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def test_trickled_body_is_cut_off(strict: Target) -> None:
    """T-SL-2 denial of service by a slow body: an authenticated request whose body
    trickles in is answered 408 request_timeout at the body deadline and its connection
    closed; an unauthenticated one is answered 401 at once and its connection closed at
    the header deadline, without the node waiting for the rest."""
    body = json.dumps({"messages": []}).encode() + b" " * 400
    with strict.unchanged():
        for signed, status, code in ((True, b"408", "request_timeout"), (False, b"401", None)):
            with socket.create_connection(("127.0.0.1", strict.port), timeout=5) as conn:
                conn.sendall(_head(strict, body, signed))
                closed, answer = _trickle_until_closed(conn, body)
            assert closed, f"signed={signed}: the node kept the connection"
            head, _, rest = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 " + status), answer[:200]
            error = json.loads(rest)["error"]
            assert error == (code or "authentication_failed"), rest
    strict.still_serves()
