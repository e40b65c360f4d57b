"""Hostile XML submitted by an authenticated member (or by whoever holds its key): each
is NAKed with its own code before any expansion, network access or schema work, leaves
the store as it was, and the node keeps serving. Threats T-XML-* in docs/threat-model.md."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from finmesh.domain import limits
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from tests.security.conftest import EXTERNAL_CHECK_SECONDS, Target, elapsed


def _nak(target: Target, payload: bytes) -> dict[str, object]:
    """Submit ``payload`` from A, correctly signed; the result, which must be a NAK."""
    result = target.submit_raw(payload, pki.sign(target.a.profile.key, payload))
    assert result["status"] == "NAK", result
    assert result["id"] is None, result  # refused before anything was read from it
    return result


def _codes(target: Target, payloads: dict[str, bytes]) -> dict[str, object]:
    with target.unchanged():
        found = {name: _nak(target, p)["reason"] for name, p in payloads.items()}
    target.still_serves()
    return found


def _message(target: Target) -> tuple[bytes, bytes]:
    """A valid message from A to B split after its XML declaration."""
    declaration, rest = example_message("pacs.008", target.A, target.B).split(b"?>", 1)
    return declaration + b"?>", rest


def _with_doctype(target: Target, doctype: bytes, reference: bytes = b"") -> bytes:
    declaration, rest = _message(target)
    return declaration + doctype + rest.replace(b"<BizSvc>", b"<BizSvc>" + reference, 1)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that records whether anyone connected to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def test_external_entity_to_a_local_file_is_refused(target: Target) -> None:
    """T-XML-1 information disclosure (XXE): an external entity naming file:///etc/passwd,
    referenced in a header field that would be stored and delivered. NAK M03 within 2 s."""
    payload = _with_doctype(
        target, b'<!DOCTYPE BizMsg [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;"
    )
    with target.unchanged():
        started = time.monotonic()
        result = _nak(target, payload)
        took = elapsed(started)
    assert result["reason"] == "M03", result
    assert "root:" not in str(result)
    assert took < EXTERNAL_CHECK_SECONDS
    target.still_serves()


def test_external_entity_over_http_is_refused_without_fetching(
    target: Target, listener: socket.socket
) -> None:
    """T-XML-2 server-side request forgery (XXE over http): an external DTD, an external
    entity and a parameter entity naming an http:// URL. NAK M03, and the node never
    connects to that URL."""
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/evil.dtd".encode()
    payloads = {
        "external DTD": _with_doctype(target, b'<!DOCTYPE BizMsg SYSTEM "' + url + b'">'),
        "external entity": _with_doctype(
            target, b'<!DOCTYPE BizMsg [<!ENTITY x SYSTEM "' + url + b'">]>', b"&x;"
        ),
        "parameter entity": _with_doctype(
            target, b'<!DOCTYPE BizMsg [<!ENTITY % p SYSTEM "' + url + b'"> %p;]>'
        ),
    }
    assert set(_codes(target, payloads).values()) == {"M03"}
    assert _nobody_connected(listener)


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'.encode()


def test_billion_laughs_is_refused(target: Target) -> None:
    """T-XML-3 denial of service by exponential entity expansion (10^9 "lol"s from under
    1 KB). NAK M03 within 2 s, the node's memory is not spent."""
    with target.unchanged():
        started = time.monotonic()
        result = _nak(target, _billion_laughs())
        took = elapsed(started)
    assert result["reason"] == "M03", result
    assert took < EXTERNAL_CHECK_SECONDS
    target.still_serves()


def test_quadratic_blowup_is_refused(target: Target) -> None:
    """T-XML-4 denial of service by quadratic expansion: one 50 KB entity referenced
    50,000 times (2.5 GB expanded) inside a payload under the 256 KB size limit. NAK M03."""
    entity = b'<!DOCTYPE BizMsg [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
    payload = _with_doctype(target, entity, b"&a;" * 50_000)
    assert len(payload) <= limits.MESSAGE_BYTES_MAX
    assert _codes(target, {"quadratic": payload}) == {"quadratic": "M03"}


def test_document_type_declarations_are_refused(target: Target) -> None:
    """T-XML-5 any DTD (even an empty or harmless-looking one) changes how a parser
    reads the document: defaults, entities, external subsets. NAK M03 for each."""
    payloads = {
        "empty": _with_doctype(target, b"<!DOCTYPE BizMsg>"),
        "internal subset": _with_doctype(target, b"<!DOCTYPE BizMsg [<!ELEMENT BizMsg ANY>]>"),
        "attribute default": _with_doctype(
            target, b'<!DOCTYPE BizMsg [<!ATTLIST BizSvc x CDATA "injected">]>'
        ),
        "public identifier": _with_doctype(
            target, b'<!DOCTYPE BizMsg PUBLIC "-//X//DTD X//EN" "x.dtd">'
        ),
    }
    assert set(_codes(target, payloads).values()) == {"M03"}


def test_processing_instructions_are_refused(target: Target) -> None:
    """T-XML-6 processing instructions (stylesheets, application hooks) anywhere in the
    document, before, inside or after the root. NAK M03."""
    declaration, rest = _message(target)
    payloads = {
        "before the root": declaration + b'<?xml-stylesheet href="http://x/s.xsl"?>' + rest,
        "inside the header": declaration + rest.replace(b"<BizSvc>", b"<?php x?><BizSvc>", 1),
        "after the root": declaration + rest + b"<?trailer?>",
    }
    assert set(_codes(target, payloads).values()) == {"M03"}


def test_deep_nesting_is_refused(target: Target) -> None:
    """T-XML-7 denial of service by deep nesting (recursion in parsers and validators):
    just past the 64-level limit inside a real message, and 5,000 levels deep. NAK M02."""
    declaration, rest = _message(target)
    depth = limits.XML_DEPTH_MAX
    inside = declaration + rest.replace(
        b"<BizSvc>", b"<BizSvc>" + b"<x>" * depth + b"</x>" * depth, 1
    )
    far = b"<a>" * 5_000 + b"</a>" * 5_000
    assert _codes(target, {"past the limit": inside, "5,000 deep": far}) == {
        "past the limit": "M02",
        "5,000 deep": "M02",
    }


def test_huge_text_nodes_are_refused(target: Target) -> None:
    """T-XML-8 resource exhaustion with one huge text node: 250 KB in a 35-character
    header field is refused by the head.001 schema (T06), 1 MB by the size limit (M01)
    before parsing."""
    declaration, rest = _message(target)
    big = declaration + rest.replace(b"<BizSvc>", b"<BizSvc>" + b"x" * 250_000, 1)
    huge = declaration + rest.replace(b"<BizSvc>", b"<BizSvc>" + b"x" * 1_000_000, 1)
    assert len(big) <= limits.MESSAGE_BYTES_MAX < len(huge)
    assert _codes(target, {"250 KB": big, "1 MB": huge}) == {"250 KB": "T06", "1 MB": "M01"}


def test_wrong_encodings_are_refused(target: Target) -> None:
    """T-XML-9 encoding confusion: the network signs, screens and stores UTF-8 only, so a
    document whose bytes and declaration disagree cannot be read two ways (by the node's
    screening and by a receiver). UTF-16/32, Latin-1 and byte-order-mark games: NAK M04."""
    good = example_message("pacs.008", target.A, target.B)
    declared_utf16 = good.replace(b"encoding='UTF-8'", b"encoding='UTF-16'")
    payloads = {
        "declares UTF-16, is UTF-8": declared_utf16,
        "UTF-16 with BOM": good.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"),
        "UTF-16 declaring UTF-8": good.decode().encode("utf-16-le"),
        "UTF-32": good.decode().encode("utf-32"),
        "Latin-1 bytes": good.replace(b"<BizSvc>", b"<BizSvc>caf\xe9", 1),
        "declares ISO-8859-1": good.replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'"),
        "declares UTF-7": good.replace(b"encoding='UTF-8'", b"encoding='UTF-7'"),
        "UTF-8 BOM, declares UTF-16": b"\xef\xbb\xbf" + declared_utf16,
        "UTF-16 BOM on UTF-8": b"\xff\xfe" + good,
        "two UTF-8 BOMs": b"\xef\xbb\xbf" * 2 + good,
    }
    assert set(_codes(target, payloads).values()) == {"M04"}


def test_malformed_utf8_is_refused(target: Target) -> None:
    """T-XML-10 malformed UTF-8 (overlong forms, surrogates, truncated sequences, bytes
    that never occur, code points past U+10FFFF): decoders disagree on these, so they are
    refused before parsing. NAK M04."""
    good = example_message("pacs.008", target.A, target.B)
    broken = {
        "overlong slash": b"\xc0\xaf",
        "surrogate": b"\xed\xa0\x80",
        "truncated": b"\xe2\x82",
        "0xFF": b"\xff",
        "past U+10FFFF": b"\xf4\x90\x80\x80",
    }
    payloads = {n: good.replace(b"<BizSvc>", b"<BizSvc>" + b, 1) for n, b in broken.items()}
    assert set(_codes(target, payloads).values()) == {"M04"}


def test_element_floods_are_refused(target: Target) -> None:
    """T-XML-11 resource exhaustion by element count: 60,000 empty elements inside the
    size limit (validation work grows with the count). NAK M05."""
    declaration, rest = _message(target)
    flood = declaration + rest.replace(b"<BizSvc>", b"<BizSvc>" + b"<x/>" * 60_000, 1)
    assert len(flood) <= limits.MESSAGE_BYTES_MAX
    assert _codes(target, {"flood": flood}) == {"flood": "M05"}
