"""The node's OpenAPI document is valid for client generators and fuzzers: every
``$ref`` resolves from the document's root (the request bodies that routes read
themselves included), and a real request validates against its published schema."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.api.app import create_app
from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from finmesh.node.root import Node
from tests.netutil import participants


@pytest.fixture(scope="module")
def document(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("openapi") / "net"
    shutil.copytree(network_template, root)
    node = Node(root)
    try:
        built: dict[str, Any] = create_app(node).openapi()
    finally:
        node.close()
    return built


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_every_ref_resolves_from_the_root(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert "#/components/schemas/SubmitRequest" in refs
    assert "#/components/schemas/SubmitItem" in refs  # nested: once a dangling $defs ref
    for ref in refs:
        _resolve(document, ref)
    assert "$defs" not in json.dumps(document)


def test_participant_bodies_are_documented(document: dict[str, Any]) -> None:
    for path, model in (
        ("/v1/messages", "SubmitRequest"),
        ("/v1/deliveries/ack", "AckRequest"),
        ("/v1/notices/ack", "NoticeAckRequest"),
        ("/v1/rma", "RmaGrantRequest"),
    ):
        body = document["paths"][path]["post"]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model}"}, path
        assert _resolve(document, schema["$ref"])["type"] == "object"


def test_a_real_submission_validates_against_the_published_schema(
    document: dict[str, Any],
) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = {
        "$ref": "#/components/schemas/SubmitRequest",
        "components": document["components"],
    }
    payload = example_message("pacs.008", "BANKDEFFXXX", "OTHRGB2LXXX")
    good = {"messages": [{"payload": base64.b64encode(payload).decode(), "signature": "AA=="}]}
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid(good)
    assert not validator.is_valid({"messages": [{"signature": "AA=="}]})  # no payload


def test_signed_operations_declare_the_rfc_9421_headers_and_public_ones_do_not(
    document: dict[str, Any],
) -> None:
    headers = {"Content-Digest", "Signature-Input", "Signature"}
    seen = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            declared = {
                _resolve(document, p["$ref"])["name"] if "$ref" in p else p["name"]
                for p in operation.get("parameters", [])
                if "$ref" in p or p.get("in") == "header"
            }
            if "public" in operation.get("tags", []):
                assert not headers & declared, (method, path)
            else:
                assert headers <= declared, (method, path)
                seen += 1
    assert seen >= 20  # participants' and operators' endpoints
    assert document["paths"]["/v1/health"]["get"]["tags"] == ["public"]


def test_real_submit_answers_validate_against_the_published_response_schema(
    document: dict[str, Any], network: Path, node: NodeProcess
) -> None:
    """The node writes its submit answers straight to JSON (no model on the hot path):
    every answer (ACK, duplicate ACK, NAK) has exactly the documented fields, in order."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    components = document["components"]
    validator = jsonschema_rs.validator_for(
        {"$ref": "#/components/schemas/SubmitResponse", "components": components}
    )
    documented = list(components["schemas"]["SubmitResult"]["properties"])
    bank, other = (Client.from_profile(p, node.url) for p in participants(network)[:2])
    try:
        payload = example_message("pacs.008", bank.profile.subject, other.profile.subject)
        answers = [
            bank.send([payload]),
            bank.send([payload]),  # a duplicate
            bank.send([payload.replace(b"pacs.008", b"pacs.999")]),  # a NAK
        ]
    finally:
        bank.close()
        other.close()
    for results in answers:
        body = {"results": results}
        assert validator.is_valid(body), body
        assert all(list(r) == documented for r in results)
    assert [a[0]["status"] for a in answers] == ["ACK", "ACK", "NAK"]
    assert answers[1][0]["duplicate"] is True and answers[2][0]["reason"]
