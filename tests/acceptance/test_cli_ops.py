"""The operations commands as an operator runs them: `operator add` refusals,
`config show`, `backup` and `restore` (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.test_cli import ok, refused
from tests.netutil import copy_network


def test_operator_add_twice_is_a_coded_refusal(network_template: Path, tmp_path: Path) -> None:
    root = copy_network(network_template, tmp_path / "net")
    first = json.loads(ok("operator", "add", root, "dora", "--role", "compliance"))
    assert first["roles"] == ["compliance"]
    cert = (Path(first["profile"]) / "cert.pem").read_bytes()
    again = refused("operator", "add", root, "dora", "--role", "auditor")
    assert again.startswith("error: operator_exists: "), again
    assert len(again.strip().splitlines()) == 1
    assert (Path(first["profile"]) / "cert.pem").read_bytes() == cert  # not replaced
