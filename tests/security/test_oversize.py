"""Oversize input: bodies past the request limit are refused before the node reads them,
whether announced (Content-Length) or streamed (chunked, no length); oversize messages
and batches get their own codes. Threats T-SZ-* in docs/threat-model.md."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx

from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import request_auth
from tests.security.conftest import EXTERNAL_CHECK_SECONDS, Target, elapsed, json_body

FIFTY_MB = 50 * 1024 * 1024
CHUNK = b" " * (1024 * 1024)


def _read_response(conn: socket.socket) -> bytes:
    raw = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in raw:
        chunk = conn.recv(65536)
        if not chunk:
            break
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _signed_head(target: Target, framing: bytes) -> bytes:
    """Request line and signed headers (over an empty body: the size check comes first)."""
    headers = request_auth.sign_request(target.a.profile.key, target.A, "POST", "/v1/messages", b"")
    lines = [b"POST /v1/messages HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json"]
    lines += [f"{name}: {value}".encode() for name, value in headers.items()]
    return b"\r\n".join([*lines, framing]) + b"\r\n\r\n"


def _assert_413(raw: bytes) -> None:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), raw[:300]
    answer = json.loads(body)
    assert answer["error"] == "payload_too_large" and answer["message"], answer


def test_50_mb_body_is_refused_before_it_is_read(target: Target) -> None:
    """T-SZ-1 resource exhaustion: a 50 MB body announced by Content-Length, from a member
    with a valid profile. Answered 413 within 2 s after sending only the headers and
    1 MB: the node never waited for (or buffered) the rest."""
    with (
        target.unchanged(),
        socket.create_connection(("127.0.0.1", target.port), timeout=10) as conn,
    ):
        started = time.monotonic()
        conn.sendall(_signed_head(target, f"Content-Length: {FIFTY_MB}".encode()))
        conn.sendall(b'{"messages": [' + CHUNK)
        raw = _read_response(conn)
        took = elapsed(started)
    _assert_413(raw)
    assert took < EXTERNAL_CHECK_SECONDS
    target.still_serves()


def test_50_mb_sent_whole_gets_a_coded_answer(target: Target) -> None:
    """T-SZ-2 the same attack from an ordinary HTTP client that uploads all 50 MB before it
    reads the answer: it still gets the coded 413, within 2 s."""
    body = b" " * FIFTY_MB
    headers = request_auth.sign_request(
        target.a.profile.key, target.A, "POST", "/v1/messages", body
    )
    with target.unchanged():
        started = time.monotonic()
        response = httpx.post(
            target.url + "/v1/messages", content=body, headers=headers, timeout=30
        )
        took = elapsed(started)
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "payload_too_large"
    assert took < EXTERNAL_CHECK_SECONDS
    target.still_serves()


def test_chunked_body_without_length_is_cut_off_at_the_limit(target: Target) -> None:
    """T-SZ-3 resource exhaustion with no length announced: a chunked upload that would
    run to 50 MB is refused 413 as soon as it passes the 16 MB limit; the node reads no
    further and the connection is not kept for the rest."""

    def chunks() -> Iterator[bytes]:
        yield b'{"messages": ['
        for _ in range(FIFTY_MB // len(CHUNK)):
            yield CHUNK

    with (
        target.unchanged(),
        socket.create_connection(("127.0.0.1", target.port), timeout=10) as conn,
    ):
        conn.sendall(_signed_head(target, b"Transfer-Encoding: chunked"))
        sent = 0
        try:
            for chunk in chunks():
                conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
                if sent > limits.REQUEST_BYTES_MAX + 2 * len(CHUNK):
                    break  # the node has answered by now; read it
        except OSError:
            pass  # the node may close before the client finished sending
        raw = _read_response(conn)
    _assert_413(raw)
    assert sent <= limits.REQUEST_BYTES_MAX + 3 * len(CHUNK)
    target.still_serves()


def test_oversize_message_in_a_batch_is_nakked(target: Target) -> None:
    """T-SZ-4 an oversize message (over 256 KB) inside an otherwise small batch: NAK M01
    for it alone, its neighbours are judged on their own."""
    good = example_message("pacs.008", target.A, target.B)
    big = good.replace(b"</AppHdr>", b"</AppHdr>" + b" " * limits.MESSAGE_BYTES_MAX, 1)
    items = [target.a._signed(big, False), target.a._signed(good, False)]
    answer = target.a.request("POST", "/v1/messages", body={"messages": items})
    oversize, fine = answer["results"]
    assert (oversize["status"], oversize["reason"]) == ("NAK", "M01"), oversize
    assert fine["status"] == "ACK", fine
    for page in target.b.pages():
        target.b.ack(page[-1]["osn"])
    target.still_serves()


def test_batch_over_the_limit_is_refused_whole(target: Target) -> None:
    """T-SZ-5 resource exhaustion by batch size: 1,001 messages in one request (limit
    1,000) are refused whole with a coded 400 before any is parsed or stored."""
    payload = example_message("pacs.008", target.A, target.B)
    item = target.a._signed(payload, False)
    body = json_body({"messages": [item] * (limits.BATCH_MESSAGES_MAX + 1)})
    with target.unchanged():
        response = target.signed_post(target.a, "/v1/messages", body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "bad_request" and "messages" in answer["message"], answer
    target.still_serves()
