"""Benchmark traffic: fresh signed messages made fast, and a lean signed HTTP client.

Messages: one pacs.008 is built with lxml (``example_message``); every further message
is a copy with fresh identifiers (BizMsgIdr, MsgId, InstrId, EndToEndId, TxId, UETR),
so each one is distinct, valid against the schemas, and stored as a new message (a
repeated message would take the cheaper duplicate path and flatter the numbers).

HTTP: the standard library's ``http.client`` on one keep-alive connection, with every
request signed exactly as ``finmesh.client.Client`` signs it. It costs a fraction of
httpx's CPU per request, which matters because clients share the node's cores here.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.counterparties import Counterparties
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.identity.request_auth import sign_request

MESSAGE_DEFINITION = "pacs.008.001.13"
"""The definition benchmark messages are written in: the pacs.008 whose official XSD
the runtime installs (openpurse), so a benchmark network needs no registration."""

_IDS = re.compile(rb"(?:BAH|MSG|INS|E2E|TXN)[0-9a-f]{32}")
_UETR = re.compile(rb"<UETR>([0-9a-f-]{36})</UETR>")
HTTP_TIMEOUT_SECONDS = 120.0
RATE_LIMIT_RETRIES_MAX = 50


class BenchmarkInvalid(RuntimeError):
    """The node refused something a benchmark sent in good faith: numbers would lie."""


_DEBTOR, _CREDITOR = "DEBTOR-NAME-SLOT", "CREDITOR-NAME-SLOT"


class MessageFactory:
    """Fresh valid pacs.008 messages from ``sender`` to ``receiver``; with ``names``, each
    names a debtor and a creditor drawn from it (see counterparties.py)."""

    def __init__(
        self, sender: str, receiver: str, names: Counterparties | None = None
    ) -> None:
        self.names = names
        self.template = example_message(
            "pacs.008", sender, receiver, definition=MESSAGE_DEFINITION,
            debtor_name=_DEBTOR if names else None, creditor_name=_CREDITOR if names else None,
        )  # fmt: skip
        self.ids = _IDS.findall(self.template)
        uetr = _UETR.search(self.template)
        if not self.ids or not self.ids[0].startswith(b"BAH") or uetr is None:
            raise BenchmarkInvalid("example_message changed shape: no BizMsgIdr or UETR")
        self.uetr = uetr.group(1)

    def make(self) -> tuple[str, bytes]:
        """(BizMsgIdr, payload) of a new message."""
        payload = self.template
        fresh = [old[:3] + os.urandom(16).hex().encode() for old in self.ids]
        for old, new in zip(self.ids, fresh, strict=True):
            payload = payload.replace(old, new)
        payload = payload.replace(self.uetr, str(uuid.uuid4()).encode())
        if self.names is not None:
            debtor, creditor = self.names.pair()
            payload = payload.replace(_DEBTOR.encode(), debtor.encode())
            payload = payload.replace(_CREDITOR.encode(), creditor.encode())
        return fresh[0].decode(), payload


def submission_item(payload: bytes, signature: bytes) -> bytes:
    """One message as our client submits it: the JSON item of POST /v1/messages."""
    return b'{"payload":"%s","signature":"%s","notify_delivery":false}' % (
        base64.b64encode(payload),
        base64.b64encode(signature),
    )


def batch_body(items: Sequence[bytes]) -> bytes:
    return b'{"messages":[' + b",".join(items) + b"]}"


@dataclass(frozen=True)
class SignedMessage:
    biz_msg_id: str
    payload: bytes
    signature: bytes
    item: bytes


PRIOR_DAY_BATCH = 100
"""Messages per request of the prior day's traffic (unmeasured: as fast as it goes)."""


def send_prior_day(http: SignedHttp, receiver: str | Sequence[str], names: Counterparties) -> int:
    """The prior day's traffic (counterparties.py): messages naming every recurring
    counterparty once, sent before the clock starts; returns how many of them are
    queued for delivery (not held by screening)."""
    messages = signed_messages(http.profile, receiver, names.prior_day(), names)
    held = 0
    for at in range(0, len(messages), PRIOR_DAY_BATCH):
        chunk = messages[at : at + PRIOR_DAY_BATCH]
        results = http.submit(batch_body([m.item for m in chunk]), len(chunk))
        held += sum(1 for r in results if r.get("held"))
    return len(messages) - held


def signed_messages(
    profile: Profile,
    receiver: str | Sequence[str],
    count: int,
    names: Counterparties | None = None,
) -> list[SignedMessage]:
    """``count`` fresh messages from the profile's institution, signed by its key, to
    ``receiver`` (or to each of several receivers in turn)."""
    receivers = [receiver] if isinstance(receiver, str) else list(receiver)
    factories = [MessageFactory(profile.subject, r, names) for r in receivers]
    out = []
    for n in range(count):
        biz_msg_id, payload = factories[n % len(factories)].make()
        signature = pki.sign(profile.key, payload)
        item = submission_item(payload, signature)
        out.append(SignedMessage(biz_msg_id, payload, signature, item))
    return out


class SignedHttp:
    """One keep-alive connection to a node, every request signed by a profile's key."""

    def __init__(self, url: str, profile_folder: str | Path) -> None:
        self.profile = load_profile(Path(profile_folder))
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.rate_limited = 0
        self.held = 0
        self._conn = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT_SECONDS)

    def request(self, method: str, target: str, body: bytes = b"") -> Any:
        """The JSON answer of a 2xx response; waits and re-signs on HTTP 429."""
        for _ in range(RATE_LIMIT_RETRIES_MAX):
            headers = sign_request(self.profile.key, self.profile.subject, method, target, body)
            headers["Content-Type"] = "application/json"
            try:
                self._conn.request(method, target, body=body, headers=headers)
                response = self._conn.getresponse()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # the node closed an idle keep-alive connection (clients wait for each
                # other before the clock starts): reconnect; the request was not taken
                self._conn.close()
                self._conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=HTTP_TIMEOUT_SECONDS
                )
                continue
            data = response.read()
            if response.status == 429:
                # nothing was done; wait as told (precisely, from the body), sign afresh
                self.rate_limited += 1
                time.sleep(float(json.loads(data).get("retry_after_s", 0.01)))
                continue
            if response.status >= 300:
                raise BenchmarkInvalid(f"{method} {target}: HTTP {response.status} {data[:300]!r}")
            return json.loads(data)
        raise BenchmarkInvalid(f"{method} {target}: rate limited {RATE_LIMIT_RETRIES_MAX} times")

    def submit(self, body: bytes, expected: int) -> list[dict[str, Any]]:
        """POST one prepared batch; every message must be ACKed as new."""
        results: list[dict[str, Any]] = self.request("POST", "/v1/messages", body)["results"]
        check_acked(results, expected)
        self.held += sum(1 for r in results if r.get("held"))
        return results

    def close(self) -> None:
        self._conn.close()


def check_acked(results: Sequence[dict[str, Any]], expected: int) -> None:
    if len(results) != expected:
        raise BenchmarkInvalid(f"{expected} sent, {len(results)} results")
    for r in results:
        # a held message is ACKed (the network took custody): screening did its job
        if r["status"] != "ACK" or r.get("duplicate"):
            raise BenchmarkInvalid(f"the node did not ACK a fresh message: {r}")
