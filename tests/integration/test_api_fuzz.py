"""The HTTP API under generated input, against a real `finmesh serve` process.

Contract checked on every answer: never a 5xx, always a JSON body, and every 4xx is the
API's coded shape {"error": <code>, "message": <text>}. The node's own log is checked too:
an "unhandled error" there is a 500 even when the client was no longer around to see it.

Requests are signed like a real client's: the signature is computed last, over the exact
target httpx puts on the wire and the exact body bytes (participant routes with a bank's
profile, /v1/ops routes with alice's). Hypothesis runs derandomized with a fixed number of
examples, so the run is deterministic and bounded; one node serves the whole module.

Generated path segments never contain "/" and are never empty, "." or "..": those do not
reach a handler at all, and the routing layer's answers to them are pinned by the
explicit cases in test_routing_refusals_are_coded instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.identity.request_auth import sign_request
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants

EXAMPLES = 75
"""Examples per property test; about 800 signed requests for the module in all."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # harmless: the node fixture is module-scoped
    ],
)

LOG_BAD = ("unhandled error", "Traceback")
"""What the node writes when a request ended in an internal error."""

LOG_SETTLE_SECONDS = 0.5
"""How long to watch the log after a request whose client left before the answer."""


# --- the served node ----------------------------------------------------------------


@dataclass
class Served:
    root: Path
    http: httpx.Client
    bank: Profile
    other: Profile
    alice: Profile
    samples: list[tuple[str, str]] = field(default_factory=list)
    """(base64 payload, base64 signature) of valid messages from bank to other."""
    _log_offset: int = 0

    @property
    def port(self) -> int:
        return int(str(self.http.base_url).rstrip("/").rsplit(":", 1)[1])

    def new_log(self) -> str:
        """What the node logged since the last call."""
        with (self.root / "serve.log").open("rb") as log:
            log.seek(self._log_offset)
            data = log.read()
        self._log_offset += len(data)
        return data.decode("utf-8", "replace")

    def send(
        self,
        who: Profile | None,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request, signed (when ``who`` is given) over what goes on the wire."""
        target = f"{path}?{urlencode(params, quote_via=quote)}" if params else path
        request = self.http.build_request(
            method,
            target,
            content=body,
            headers={"content-type": "application/json", **(headers or {})},
        )
        if who is not None:
            wire = request.url.raw_path.decode("ascii")
            # a target no signature can cover (too long) goes unsigned: the node must say 401
            with contextlib.suppress(ValueError):
                request.headers.update(sign_request(who.key, who.subject, method, wire, body))
        return self.http.send(request)

    def check(self, response: httpx.Response) -> None:
        """The contract every answer and the node's log must keep."""
        request = response.request
        said = f"{request.method} {request.url.raw_path[:300]!r} body={request.content[:300]!r}"
        answer = f"HTTP {response.status_code} {response.text[:300]!r}"
        logged = self.new_log()
        problem = next((bad for bad in LOG_BAD if bad in logged), None)
        assert problem is None, f"{said} -> {answer}; the node logged:\n{logged[-3000:]}"
        assert response.status_code < 500, f"{said} -> {answer}"
        try:
            data = response.json()
        except ValueError:
            pytest.fail(f"{said} -> non-JSON answer {answer}")
        if response.status_code >= 400:
            assert isinstance(data, dict), f"{said} -> {answer}"
            assert isinstance(data.get("error"), str), f"{said} -> uncoded {answer}"
            assert isinstance(data.get("message"), str), f"{said} -> {answer}"

    def call(self, who: Profile | None, method: str, path: str, **kwargs: Any) -> None:
        self.new_log()  # what the node logs from here on belongs to this request
        self.check(self.send(who, method, path, **kwargs))


@pytest.fixture(scope="module")
def served(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("api-fuzz") / "net"
    shutil.copytree(network_template, root)
    # rate limits off: a 429 is a fine answer, but it would hide what the handler does
    process = NodeProcess(root, env={"FINMESH_SUBJECT_RPS": "0", "FINMESH_PEER_RPS": "0"})
    process.start()
    banks = participants(root)
    bank, other = load_profile(banks[0]), load_profile(banks[1])
    samples = []
    for kind in ("pacs.008", "pacs.009", "pacs.002"):
        payload = example_message(kind, sender=bank.subject, receiver=other.subject)
        samples.append(
            (
                base64.b64encode(payload).decode(),
                base64.b64encode(pki.sign(bank.key, payload)).decode(),
            )
        )
    try:
        with httpx.Client(base_url=process.url, timeout=30) as http:
            s = Served(
                root=root,
                http=http,
                bank=bank,
                other=other,
                alice=load_profile(root / "operators" / "alice"),
                samples=samples,
            )
            s.new_log()  # start reading after the startup lines
            yield s
    finally:
        process.stop()


# --- generated values ---------------------------------------------------------------

EDGE_INTS = st.sampled_from(
    [
        -1,
        0,
        1,
        2**31,
        2**53 + 1,
        2**62,
        2**62 + 1,
        2**63 - 1,
        2**63,
        2**64,
        -(2**63) - 1,
        10**30,
        10**400,
        253_402_300_799_999,
        253_402_300_800_000,
    ]
)
INTS = st.one_of(st.integers(), EDGE_INTS)
FLOATS = st.one_of(st.floats(), st.sampled_from([0.5, -0.0, 1e308, 5e-324, 1.5e16]))
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\n",
        "\u202e",
        "\ufeff",
        "𝟙𝟚",
        "١٢٣",
        "Ω" * 600,
        "null",
        "NaN",
        "Infinity",
        "-1",
        "1e999",
        "0x10",
        "DEUTDEFF",
        "DEUTDEFFXXX",
        "deutdeff",
        "M-1",
        "L-1",
        "%00",
        "../..",
    ]
)
TEXTS = st.one_of(st.text(max_size=20), st.text(min_size=100, max_size=300), ODD_TEXT)
LONG_TEXTS = st.one_of(TEXTS, st.just("x" * 20_000), st.just("Ж" * 5_000))
SCALARS = st.one_of(st.none(), st.booleans(), INTS, FLOATS, LONG_TEXTS)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b"{}",
            b"\xef\xbb\xbf{}",
            b"[" * 3000 + b"]" * 3000,
            b'{"a": ' * 3000 + b"1" + b"}" * 3000,
            b'{"osn": 1, "osn": 2}',
            b'{"x": NaN}',
            b'{"x": "\\ud800"}',
            b"\xff\xfe{\x00}\x00",
        ]
    ),
)
QUERY_VALUES = st.one_of(
    INTS.map(str),
    FLOATS.map(repr),
    TEXTS,
    st.sampled_from(["nan", "inf", "-inf", "1e309", "-0", "0.0", "1_000", " 1", "+1", "٣", ""]),
)
INSTANTS = st.one_of(st.integers(0, 253_402_300_799_999), st.sampled_from([0, 253_402_300_799_999]))
SHORT = st.text(min_size=1, max_size=40)


def _routable(segment: str) -> bool:
    return segment not in ("", ".", "..") and "/" not in segment


def segments(*likely: str) -> st.SearchStrategy[str]:
    """A path segment: one of the likely ones, a number, or odd text (quoted when sent)."""
    return st.one_of(st.sampled_from(likely), INTS.map(str), st.text(max_size=40), ODD_TEXT).filter(
        _routable
    )


def bodies(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[bytes]:
    """JSON bodies for a model: valid, valid but for one field, loose, any JSON, raw bytes."""

    @st.composite
    def valid(draw: st.DrawFn) -> dict[str, Any]:
        return {name: draw(strategy) for name, strategy in fields.items()}

    @st.composite
    def one_off(draw: st.DrawFn) -> dict[str, Any]:
        body = draw(valid())
        name = draw(st.sampled_from(sorted(fields)))
        if draw(st.booleans()):
            body[name] = draw(JSON_VALUES)
        else:
            del body[name]
        return body

    @st.composite
    def loose(draw: st.DrawFn) -> dict[str, Any]:
        body = {
            name: draw(st.one_of(strategy, JSON_VALUES))
            for name, strategy in fields.items()
            if draw(st.booleans())
        }
        body.update(draw(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=2)))
        return body

    as_json = st.one_of(valid(), one_off(), one_off(), loose(), JSON_VALUES)
    return st.one_of(as_json.map(lambda v: json.dumps(v).encode()), RAW_BODIES)


# --- participant API ----------------------------------------------------------------


@FUZZ
@given(
    path=st.sampled_from(["/v1/deliveries", "/v1/notices"]),
    params=st.dictionaries(
        st.sampled_from(["after", "limit", "wait", "x"]), QUERY_VALUES, max_size=4
    ),
)
def test_queue_queries(served: Served, path: str, params: dict[str, str]) -> None:
    params = dict(params)
    if "wait" in params:  # keep long polls short; odd spellings stay as generated
        try:
            if float(params["wait"]) > 0.05:
                params["wait"] = "0.01"
        except ValueError:
            pass
    served.call(served.bank, "GET", path, params=params)


@FUZZ
@given(
    route=st.sampled_from([("/v1/deliveries/ack", "osn"), ("/v1/notices/ack", "seq")]),
    data=st.data(),
)
def test_acknowledgements(served: Served, route: tuple[str, str], data: st.DataObject) -> None:
    path, name = route
    served.call(served.bank, "POST", path, body=data.draw(bodies({name: INTS})))


def _decoded(strategy: st.SearchStrategy[bytes]) -> st.SearchStrategy[Any]:
    """Items of a batch as JSON values (raw non-JSON items become strings)."""

    def load(raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deep for json
            return raw.decode("latin-1")

    return strategy.map(load)


@FUZZ
@given(data=st.data())
def test_submissions(served: Served, data: st.DataObject) -> None:
    sample = st.sampled_from(served.samples)
    item = {
        "payload": st.one_of(sample.map(lambda s: s[0]), LONG_TEXTS),
        "signature": st.one_of(sample.map(lambda s: s[1]), st.none(), TEXTS),
        "notify_delivery": st.booleans(),
    }
    messages = st.lists(_decoded(bodies(item)), max_size=3)
    body = data.draw(bodies({"messages": messages}))
    served.call(served.bank, "POST", "/v1/messages", body=body)


@FUZZ
@given(
    prefix=st.sampled_from(["/v1/certificates/", "/v1/directory/"]),
    bic=segments("DEUTDEFFXXX", "DEUTDEFF", "DEUTDEFF500", "BARCGB22", "QXQXDEFFXXX", " DEUTDEFF "),
)
def test_bic_lookups(served: Served, prefix: str, bic: str) -> None:
    served.call(served.bank, "GET", prefix + quote(bic, safe=""))


# --- operator API (alice: compliance) -----------------------------------------------

BICS = st.one_of(
    st.sampled_from(["DEUTDEFF", "DEUTDEFFXXX", "BARCGB22", "QXQXDEFF", "deutdeff", "DEUTDE"]),
    st.from_regex(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", fullmatch=True),
    TEXTS,
)


@FUZZ
@given(
    data=st.data(),
)
def test_measure_proposals(served: Served, data: st.DataObject) -> None:
    body = bodies(
        {
            "kind": st.sampled_from(["disconnect", "prohibit"]),
            "bic": BICS,
            "name": st.one_of(st.none(), SHORT),
            "with_subsidiaries": st.booleans(),
            "action": st.sampled_from(["hold", "reject"]),
            "reference": SHORT,
            "effective_ms": st.one_of(st.none(), INSTANTS),
        }
    )
    served.call(served.alice, "POST", "/v1/ops/measures", body=data.draw(body))


@FUZZ
@given(
    measure=segments("M-1", "M-2", "M-3"),
    action=st.sampled_from(["approve", "lift"]),
    body=bodies({"effective_ms": st.one_of(st.none(), INSTANTS)}),
)
def test_measure_decisions(served: Served, measure: str, action: str, body: bytes) -> None:
    path = f"/v1/ops/measures/{quote(measure, safe='')}/{action}"
    served.call(served.alice, "POST", path, body=body)


@FUZZ
@given(
    measure=segments("M-1", "M-2"),
    params=st.dictionaries(
        st.sampled_from(["from_ms", "to_ms", "x"]),
        st.one_of(INSTANTS.map(str), QUERY_VALUES),
        max_size=3,
    ),
)
def test_impact_queries(served: Served, measure: str, params: dict[str, str]) -> None:
    path = f"/v1/ops/measures/{quote(measure, safe='')}/impact"
    served.call(served.alice, "GET", path, params=params)


@FUZZ
@given(data=st.data())
def test_licence_proposals(served: Served, data: st.DataObject) -> None:
    codes = st.lists(st.one_of(st.sampled_from(["GDDS", "EUR", "DEUTDEFF"]), TEXTS), max_size=3)
    amounts = st.one_of(
        st.none(),
        st.decimals(min_value=0, max_value=10**12, places=2).map(str),
        FLOATS,
        INTS,
        st.sampled_from(["1e3", "0.000001", "-1", "NaN", "sNaN", "Infinity", "1e999999999"]),
    )
    body = bodies(
        {
            "measure": st.sampled_from(["M-1", "M-2", "M-404"]),
            "reference": SHORT,
            "purposes": codes,
            "counterparties": codes,
            "currencies": codes,
            "amount_max": amounts,
            "total_max": amounts,
            "valid_from_ms": st.one_of(st.none(), INSTANTS),
            "valid_until_ms": st.one_of(st.none(), INSTANTS),
        }
    )
    served.call(served.alice, "POST", "/v1/ops/licences", body=data.draw(body))


@FUZZ
@given(
    hold=segments("1", "2", "0", "-1", "4611686018427387905", "1" * 5000, "1.0", "1e3"),
    decision=st.sampled_from(["release", "reject"]),
    body=bodies({"reason": st.one_of(st.none(), SHORT, TEXTS)}),
)
def test_hold_decisions(served: Served, hold: str, decision: str, body: bytes) -> None:
    path = f"/v1/ops/holds/{quote(hold, safe='')}/{decision}"
    served.call(served.alice, "POST", path, body=body)


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/v1/ops/holds",
            "/v1/ops/audit",
            "/v1/ops/audit/verify",
            "/v1/ops/measures",
            "/v1/ops/licences",
        ]
    ),
    params=st.dictionaries(
        st.sampled_from(["state", "after", "limit", "x"]), QUERY_VALUES, max_size=3
    ),
    licence=segments("L-1", "L-2"),
)
def test_operator_reads(served: Served, path: str, params: dict[str, str], licence: str) -> None:
    served.call(served.alice, "GET", path, params=params)
    served.call(served.alice, "POST", f"/v1/ops/licences/{quote(licence, safe='')}/approve")


# --- concrete reproducers -----------------------------------------------------------


def _raw_signed_head(served: Served, who: Profile, method: str, target: str, body: bytes) -> bytes:
    """Request line and headers of a request signed over ``body`` (sent separately)."""
    headers = sign_request(who.key, who.subject, method, target, body)
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n").encode()


def _gone_after_part_of_the_body(served: Served) -> bytes:
    # signed over the whole body, announced whole, but only 10 bytes arrive
    body = b'{"seq": 1}' + b" " * 90
    head = _raw_signed_head(served, served.bank, "POST", "/v1/notices/ack", body)
    return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:10]


def _unsigned_gone_after_part_of_the_body(served: Served) -> bytes:
    # no signature: refused on its headers before the body is read
    return b'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"mess'


def _broken_chunked_body(served: Served) -> bytes:
    body = b'{"osn": 0}'
    head = _raw_signed_head(served, served.bank, "POST", "/v1/deliveries/ack", body)
    return head + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"osn\r\nZZ\r\n'


def _gone_after_expect_continue(served: Served) -> bytes:
    body = b'{"kind": "prohibit", "bic": "DEUTDEFF", "reference": "fuzz"}'
    head = _raw_signed_head(served, served.alice, "POST", "/v1/ops/measures", body)
    return head + f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n".encode()


@pytest.mark.parametrize(
    "build",
    [
        _gone_after_part_of_the_body,
        _unsigned_gone_after_part_of_the_body,
        _broken_chunked_body,
        _gone_after_expect_continue,
    ],
    ids=["signed-short-body", "unsigned-short-body", "broken-chunked-body", "expect-continue"],
)
def test_client_gone_mid_body_is_not_an_internal_error(served: Served, build: Any) -> None:
    """A client that closes the connection before its body is complete is not a node bug:
    no 500, no traceback in the log (today: ClientDisconnect escapes read_body)."""
    served.new_log()
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as conn:
        conn.sendall(build(served))
        time.sleep(0.1)
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(2)
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
    deadline = time.monotonic() + LOG_SETTLE_SECONDS
    logged = ""
    while time.monotonic() < deadline:
        logged += served.new_log()
        if any(bad in logged for bad in LOG_BAD):
            time.sleep(0.3)  # let the server's second report land here, not in the next test
            logged += served.new_log()
            break
        time.sleep(0.05)
    assert not any(bad in logged for bad in LOG_BAD), f"the node logged:\n{logged[-3000:]}"


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/v1/nope", {}),
        ("GET", "/v1/directory/", {}),
        ("GET", "/v1/directory/DEUT%2FDEFF", {}),
        ("POST", "/v1/ops/measures//approve", {}),
        ("GET", "/v1/deliveries/ack", {}),
        ("DELETE", "/v1/messages", {}),
        ("PUT", "/v1/ops/measures", {}),
        (
            "GET",
            "/v1/deliveries",
            {
                "connection": "Upgrade",
                "upgrade": "websocket",
                "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
                "sec-websocket-version": "13",
            },
        ),
    ],
    ids=[
        "unknown-path",
        "empty-bic",
        "encoded-slash",
        "empty-measure-id",
        "wrong-method",
        "delete",
        "put",
        "websocket-upgrade",
    ],
)
def test_routing_refusals_are_coded(
    served: Served, method: str, path: str, headers: dict[str, str]
) -> None:
    """Requests that match no route still get the API's coded JSON error (today:
    Starlette's {"detail": ...}, and an empty text/plain 403 for a websocket upgrade)."""
    who = served.alice if path.startswith("/v1/ops") else served.bank
    served.call(who, method, path, headers=headers)
