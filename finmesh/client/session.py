"""A session with the network for one institution: sign, submit, receive, verify,
acknowledge, failing over between nodes::

    from finmesh.client import Client
    with Client.from_profile("net/participants/DEUTDEFFXXX") as bank:
        results = bank.send([payload_bytes])
        page = bank.receive(wait=5)
        for m in page["messages"]:
            assert bank.verify(m)
        bank.ack(page["messages"][-1]["osn"])
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from finmesh.domain import limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import AuthenticationFailed, FinmeshError
from finmesh.domain.iso20022 import header_sender
from finmesh.domain.mt import MtError, is_fin, parse_mt
from finmesh.domain.reasons import Reason
from finmesh.identity import message_signature, pki, request_auth
from finmesh.identity.profile import Profile, load_profile

HTTP_TIMEOUT_SECONDS = 60.0
RATE_LIMIT_RETRIES_MAX = 5
RETRY_AFTER_SECONDS_MAX = 5.0
FAILOVER_ROUNDS_MAX = 2
"""How often one request goes round the node list (connection errors, HTTP 503) before
the client gives up."""
RECONNECT_PAUSE_SECONDS = 0.25
"""Pause before the next round when no node could be reached."""
URLS_ENV = "FINMESH_URLS"
"""Comma-separated node URLs to fail over to, after the profile's (or the given) URL."""


class ApiError(FinmeshError):
    """The node refused a request (HTTP 4xx/5xx); ``body`` holds its JSON answer."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


REQUEST_BUDGET_BYTES = limits.REQUEST_BYTES_MAX // 2
"""Encoded payload bytes per request: base64 and JSON stay well inside the node's limit."""


def _chunks(payloads: Sequence[bytes]) -> Iterator[list[int]]:
    """Indexes of the payloads to upload, grouped into requests by count and size."""
    chunk: list[int] = []
    size = 0
    for i, payload in enumerate(payloads):
        if len(payload) > limits.MESSAGE_BYTES_MAX:
            continue
        encoded = len(payload) * 4 // 3 + 512
        if chunk and (
            len(chunk) == limits.BATCH_MESSAGES_MAX or size + encoded > REQUEST_BUDGET_BYTES
        ):
            yield chunk
            chunk, size = [], 0
        chunk.append(i)
        size += encoded
    if chunk:
        yield chunk


def _oversize(index: int, payload: bytes) -> dict[str, Any]:
    reason = Reason.OVERSIZE
    return {
        "index": index,
        "status": "NAK",
        "reason": reason.code,
        "reason_text": reason.text,
        "detail": f"not sent: {len(payload)} bytes > {limits.MESSAGE_BYTES_MAX}",
        "id": None,
        "uetr": None,
        "duplicate": False,
        "held": False,
        "hold": None,
        "measure": None,
        "licence": None,
    }


def _drain(
    fetch: Callable[[int | None, float], list[dict[str, Any]]], position: str, wait: float
) -> Iterator[list[dict[str, Any]]]:
    """Pages from ``fetch(after, poll_seconds)`` until none is left, then long polls for
    ``wait`` seconds more, split into polls the node allows (WAIT_SECONDS_MAX each)."""
    after: int | None = None
    deadline: float | None = None
    while True:
        remaining = 0.0 if deadline is None else deadline - time.monotonic()
        page = fetch(after, min(max(0.0, remaining), limits.WAIT_SECONDS_MAX))
        if page:
            after = page[-1][position]
            yield page
        elif deadline is None and wait > 0:
            deadline = time.monotonic() + wait
        elif deadline is None or remaining <= 0:
            return


class NodeUnreachable(FinmeshError):
    """The node could not be reached or did not answer (connection, timeout, protocol)."""


def _pause(unavailable: httpx.Response | None) -> float:
    """How long to wait before the next round: as a 503 said, else a short pause."""
    if unavailable is None:
        return RECONNECT_PAUSE_SECONDS
    try:
        told = float(unavailable.headers.get("retry-after", RECONNECT_PAUSE_SECONDS))
    except ValueError:
        told = RECONNECT_PAUSE_SECONDS
    return max(0.0, min(RETRY_AFTER_SECONDS_MAX, told))


def node_urls(first: str, more: Sequence[str] = ()) -> list[str]:
    """``first``, then ``more``, then those of $FINMESH_URLS; each once, in that order."""
    env = [u.strip() for u in os.environ.get(URLS_ENV, "").split(",")]
    found: list[str] = []
    for url in (first, *more, *env):
        url = url.strip().rstrip("/")
        if url and url not in found:
            found.append(url)
    return found


class Client:
    """One institution's (or operator's) signed session with the network's nodes.

    Requests go to ``url`` (the node that last answered); on a connection error or an
    HTTP 503 (the node's database is unreachable) the same request, signed afresh, goes
    to the next of ``urls``. That is safe for every request: a resubmitted batch gets
    its original verdicts (ACKs are idempotent by sender and BizMsgIdr), deliveries
    handed out but never received come again marked possible duplicate, and
    acknowledgements only move forward."""

    def __init__(self, profile: Profile, url: str | None = None, urls: Sequence[str] = ()) -> None:
        self.profile = profile
        self.urls = node_urls(url or profile.url, urls)
        self.url = self.urls[0]
        self._http = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)

    @classmethod
    def from_profile(
        cls, folder: str | Path, url: str | None = None, urls: Sequence[str] = ()
    ) -> Client:
        return cls(load_profile(Path(folder)), url, urls)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        timeout: float = HTTP_TIMEOUT_SECONDS,
        raw: bytes | None = None,
    ) -> Any:
        """Send one signed request and return its JSON answer. ``raw``: send these bytes
        as the body instead of ``body`` as JSON (a sanctions list file)."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        # doseq: a list value becomes a repeated parameter (?type=a&type=b)
        target = f"{path}?{urlencode(query, doseq=True)}" if query else path
        content = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        response = self._failover(method, path, target, content, timeout)
        try:
            data = response.json() if response.content else None
        except ValueError as exc:
            raise NodeUnreachable(f"{method} {self.url}{path}: not JSON: {exc}") from exc
        if response.status_code >= 400:
            raise ApiError(response.status_code, data)
        return data

    def _failover(
        self, method: str, path: str, target: str, content: bytes, timeout: float
    ) -> httpx.Response:
        """The first answer other than 503 from the nodes, current node first; else the
        last 503, or NodeUnreachable when no node answered at all."""
        unavailable: httpx.Response | None = None
        unreachable: NodeUnreachable | None = None
        for round_ in range(FAILOVER_ROUNDS_MAX):
            if round_:
                time.sleep(_pause(unavailable))
            unavailable, unreachable = None, None
            for url in [self.url, *(u for u in self.urls if u != self.url)]:
                try:
                    response = self._rate_limited(url, method, path, target, content, timeout)
                except NodeUnreachable as exc:
                    unreachable = exc
                    continue
                if response.status_code == 503:
                    unavailable = response
                    continue
                self.url = url  # stay with the node that answered
                return response
        if unavailable is not None:
            return unavailable
        assert unreachable is not None
        raise unreachable

    def _rate_limited(
        self, url: str, method: str, path: str, target: str, content: bytes, timeout: float
    ) -> httpx.Response:
        for _ in range(RATE_LIMIT_RETRIES_MAX):
            response = self._send(url, method, path, target, content, timeout)
            if response.status_code != 429:
                break
            # rate limited: nothing was done; wait as told, then sign afresh (new nonce)
            time.sleep(min(RETRY_AFTER_SECONDS_MAX, float(response.headers.get("retry-after", 1))))
        return response

    def _send(
        self, url: str, method: str, path: str, target: str, content: bytes, timeout: float
    ) -> httpx.Response:
        headers = request_auth.sign_request(
            self.profile.key, self.profile.subject, method, target, content
        )
        headers["content-type"] = "application/json"
        try:
            response = self._http.request(
                method, f"{url}{target}", content=content, headers=headers, timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise NodeUnreachable(f"{method} {url}{path}: {exc}") from exc
        return response

    # participant operations

    def send(
        self, payloads: Sequence[bytes], notify_delivery: bool = False
    ) -> list[dict[str, Any]]:
        """Sign and submit each payload unchanged; one result per payload, in order.

        Requests are cut by message count and by size. A payload over the network's
        size limit is not uploaded: its result is the NAK M01 the node would give."""
        results: list[dict[str, Any] | None] = [None] * len(payloads)
        for chunk in _chunks(payloads):
            batch = [self._signed(payloads[i], notify_delivery) for i in chunk]
            answer = self.request("POST", "/v1/messages", body={"messages": batch})
            for i, result in zip(chunk, answer["results"], strict=True):
                results[i] = {**result, "index": i}
        return [r if r is not None else _oversize(i, payloads[i]) for i, r in enumerate(results)]

    def _signed(self, payload: bytes, notify_delivery: bool) -> dict[str, Any]:
        return {
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(pki.sign(self.profile.key, payload)).decode(),
            "notify_delivery": notify_delivery,
        }

    def receive(
        self,
        after: int | None = None,
        wait: float = 0,
        limit: int = 100,
        receive_format: str | None = None,
        ack: int | None = None,
    ) -> dict[str, Any]:
        """One page of deliveries (see DeliveriesResponse in the OpenAPI), in
        ``receive_format`` (mx | mt; default: the profile's); ``ack``: acknowledge up to
        that OSN in the same request."""
        wanted = receive_format or self.profile.receive_format
        params = {"after": after, "limit": limit, "wait": wait or None, "format": wanted,
                  "ack": ack}
        page: dict[str, Any] = self.request(
            "GET", "/v1/deliveries", params, timeout=HTTP_TIMEOUT_SECONDS + wait
        )
        return page

    def pages(
        self, wait: float = 0, receive_format: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every message available now, page by page, then what arrives within ``wait``
        seconds after the queue was first found empty."""

        def page(after: int | None, poll: float) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = self.receive(
                after=after,
                wait=poll,
                limit=limits.DELIVERY_PAGE_MAX,
                receive_format=receive_format,
            )["messages"]
            return found

        return _drain(page, "osn", wait)

    def ack(self, osn: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("POST", "/v1/deliveries/ack", body={"osn": osn})
        return answer

    def notices(
        self, after: int | None = None, wait: float = 0, limit: int = 100
    ) -> list[dict[str, Any]]:
        params = {"after": after, "limit": limit, "wait": wait or None}
        answer = self.request("GET", "/v1/notices", params, timeout=HTTP_TIMEOUT_SECONDS + wait)
        notices: list[dict[str, Any]] = answer["notices"]
        return notices

    def all_notices(self, wait: float = 0) -> Iterator[dict[str, Any]]:
        """Every unacknowledged notice, then what arrives within ``wait`` seconds."""
        for page in _drain(
            lambda after, poll: self.notices(after, poll, limits.DELIVERY_PAGE_MAX), "seq", wait
        ):
            yield from page

    def ack_notices(self, seq: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("POST", "/v1/notices/ack", body={"seq": seq})
        return answer

    # relationship management (RMA): the caller is always the receiver that grants

    def rma_grant(
        self,
        correspondent: str,
        types: Sequence[str] = (),
        valid_from_ms: int | None = None,
        valid_until_ms: int | None = None,
    ) -> dict[str, Any]:
        """Authorize ``correspondent`` (BIC8) to send us ``types`` (none: every type)."""
        body = {
            "correspondent": correspondent,
            "types": list(types),
            "valid_from_ms": valid_from_ms,
            "valid_until_ms": valid_until_ms,
        }
        answer: dict[str, Any] = self.request("POST", "/v1/rma", body=body)
        return answer

    def rma_revoke(self, correspondent: str, types: Sequence[str] = ()) -> dict[str, Any]:
        """Revoke our authorizations of ``correspondent`` (the listed types, or all)."""
        params = {"correspondent": correspondent, "type": list(types)}
        answer: dict[str, Any] = self.request("DELETE", "/v1/rma", params)
        return answer

    def rma_list(self, direction: str = "granted") -> list[dict[str, Any]]:
        """Our authorizations: granted (by us), received (to us as sender) or all."""
        found: list[dict[str, Any]] = self.request("GET", "/v1/rma", {"direction": direction})
        return found

    def track(self, uetr: str) -> dict[str, Any]:
        """The history of the payment ``uetr`` names (we must be in its chain, or an
        operator)."""
        answer: dict[str, Any] = self.request("GET", f"/v1/payments/{quote(uetr, safe='')}")
        return answer

    # operator calls

    def payment_statistics(self, days: float = 30) -> dict[str, Any]:
        """(Operators) time to credit over the network's payments of the last ``days``."""
        answer: dict[str, Any] = self.request("GET", "/v1/payments/statistics", {"days": days})
        return answer

    def cert_revoke(self, bic11: str, reason: str | None = None) -> dict[str, Any]:
        """(Operator role) revoke an institution's current certificate."""
        path = f"/v1/ops/certificates/{bic11}/revoke"
        answer: dict[str, Any] = self.request("POST", path, body={"reason": reason})
        return answer

    def verify(self, delivered: dict[str, Any]) -> bool:
        """Check a delivered message without trusting the node: the sender certificate
        is issued by our network CA, the signature is valid over the exact bytes, and
        the institution in the certificate is the one the signed AppHdr names as sender.
        The node also says whether that certificate was rotated out or revoked since:
        ``delivered["sender_certificate_status"]`` (current | rotated | revoked)."""
        cert = delivered["sender_certificate"].encode()
        payload = base64.b64decode(delivered["payload"])
        try:
            pki.verify_issued_by(cert, self.profile.ca_pem, kind="participant")
            signature = message_signature.from_wire(delivered["signature"])
            if not message_signature.verify(cert, payload, signature):
                return False
            signer = Bic.parse(pki.certificate_identity(cert).subject).bic8
            named = _signed_sender(payload)
            if named is None:
                return False
            in_header = Bic.parse(named).bic8
        except (AuthenticationFailed, FinmeshError, ValueError):
            return False
        return signer == in_header == Bic.parse(delivered["sender"]).bic8


def _signed_sender(payload: bytes) -> str | None:
    """The sender the signed bytes name: AppHdr From of ISO 20022, the LT address of
    FIN's basic header."""
    if not is_fin(payload):
        return header_sender(payload)
    try:
        return parse_mt(payload, require_uetr=False).sender_bic
    except MtError:
        return None
