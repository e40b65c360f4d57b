"""Python client for institutions: sign, submit, receive, verify, acknowledge.

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
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx

from finmesh import pki
from finmesh.domain import limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import AuthenticationFailed, FinmeshError
from finmesh.profile import Profile, load_profile

HTTP_TIMEOUT_SECONDS = 60.0
RATE_LIMIT_RETRIES_MAX = 5
RETRY_AFTER_SECONDS_MAX = 5.0


class ApiError(FinmeshError):
    """The node refused a request (HTTP 4xx/5xx); ``body`` holds its JSON answer."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class NodeUnreachable(FinmeshError):
    """The node could not be reached or did not answer (connection, timeout, protocol)."""


class Client:
    """One institution's (or operator's) signed session with a node."""

    def __init__(self, profile: Profile, url: str | None = None) -> None:
        self.profile = profile
        self.url = (url or profile.url).rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=HTTP_TIMEOUT_SECONDS)

    @classmethod
    def from_profile(cls, folder: str | Path, url: str | None = None) -> Client:
        return cls(load_profile(Path(folder)), url)

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
    ) -> Any:
        """Send one signed request and return its JSON answer."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        target = f"{path}?{urlencode(query)}" if query else path
        content = b"" if body is None else json.dumps(body).encode()
        for _ in range(RATE_LIMIT_RETRIES_MAX):
            response = self._send(method, path, target, content, timeout)
            if response.status_code != 429:
                break
            # rate limited: nothing was done; wait as told, then sign afresh (new nonce)
            time.sleep(min(RETRY_AFTER_SECONDS_MAX, float(response.headers.get("retry-after", 1))))
        try:
            data = response.json() if response.content else None
        except ValueError as exc:
            raise NodeUnreachable(f"{method} {self.url}{path}: not JSON: {exc}") from exc
        if response.status_code >= 400:
            raise ApiError(response.status_code, data)
        return data

    def _send(
        self, method: str, path: str, target: str, content: bytes, timeout: float
    ) -> httpx.Response:
        headers = pki.sign_request(self.profile.key, self.profile.subject, method, target, content)
        headers["content-type"] = "application/json"
        try:
            response = self._http.request(
                method, target, content=content, headers=headers, timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise NodeUnreachable(f"{method} {self.url}{path}: {exc}") from exc
        return response

    # participant operations

    def send(
        self, payloads: Sequence[bytes], notify_delivery: bool = False
    ) -> list[dict[str, Any]]:
        """Sign and submit each payload unchanged; one result per payload, in order."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(payloads), limits.BATCH_MESSAGES_MAX):
            chunk = payloads[start : start + limits.BATCH_MESSAGES_MAX]
            batch = [self._signed(p, notify_delivery) for p in chunk]
            answer = self.request("POST", "/v1/messages", body={"messages": batch})
            results.extend(answer["results"])
        return results

    def _signed(self, payload: bytes, notify_delivery: bool) -> dict[str, Any]:
        return {
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(pki.sign(self.profile.key, payload)).decode(),
            "notify_delivery": notify_delivery,
        }

    def receive(
        self, after: int | None = None, wait: float = 0, limit: int = 100
    ) -> dict[str, Any]:
        """One page of deliveries (see DeliveriesResponse in the OpenAPI)."""
        params = {"after": after, "limit": limit, "wait": wait or None}
        page: dict[str, Any] = self.request(
            "GET", "/v1/deliveries", params, timeout=HTTP_TIMEOUT_SECONDS + wait
        )
        return page

    def pages(self, wait: float = 0) -> Iterator[list[dict[str, Any]]]:
        """Every message available now, page by page, then what arrives within ``wait``
        seconds after the queue was first found empty."""
        after: int | None = None
        deadline: float | None = None
        while True:
            remaining = 0.0 if deadline is None else deadline - time.monotonic()
            page = self.receive(
                after=after, wait=max(0.0, remaining), limit=limits.DELIVERY_PAGE_MAX
            )
            messages: list[dict[str, Any]] = page["messages"]
            if messages:
                after = messages[-1]["osn"]
                yield messages
            elif deadline is None and wait > 0:
                deadline = time.monotonic() + wait
            elif deadline is None or remaining <= 0:
                return

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

    def ack_notices(self, seq: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("POST", "/v1/notices/ack", body={"seq": seq})
        return answer

    def verify(self, delivered: dict[str, Any]) -> bool:
        """Check a delivered message: sender certificate issued by our network CA and
        bound to the sender's BIC, and the signature valid over the exact bytes."""
        cert = delivered["sender_certificate"].encode()
        try:
            pki.verify_issued_by(cert, self.profile.ca_pem, kind="participant")
            identity = pki.certificate_identity(cert)
            if Bic.parse(identity.subject).bic8 != Bic.parse(delivered["sender"]).bic8:
                return False
        except (AuthenticationFailed, FinmeshError, ValueError):
            return False
        payload = base64.b64decode(delivered["payload"])
        return pki.verify_signature(cert, payload, base64.b64decode(delivered["signature"]))
