"""Backup and restore of a PostgreSQL network as an operator runs them: `finmesh backup`
(pg_dump) while the node serves, `finmesh restore --database` into another database,
and delivery resumes there with nothing lost or doubled."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import serving
from tests import pgutil
from tests.acceptance.test_cli import ok
from tests.netutil import participants

pytestmark = pytest.mark.slow


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    pgutil.require_pg()
    names = pgutil.unique_name("bk"), pgutil.unique_name("rs")
    try:
        yield names
    finally:
        for name in names:
            pgutil.drop_database(name)


def test_pg_backup_restore_into_another_database(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = (pgutil.url_for(n) for n in databases)
    root = tmp_path / "D"
    ok("init", root, "--demo", "--database", source)
    a_dir, b_dir = participants(root)[:2]
    sent = [example_message("pacs.008", a_dir.name, b_dir.name) for _ in range(3)]
    with (
        serving(root) as node,
        Client.from_profile(a_dir, node.url) as a,
        Client.from_profile(b_dir, node.url) as b,
    ):
        assert all(r["status"] == "ACK" for r in a.send(sent))
        [first] = b.request("GET", "/v1/deliveries", params={"limit": 1})["messages"]
        b.ack(first["osn"])
        made = json.loads(ok("backup", root, tmp_path / "bk"))
    assert made["database"] == "postgres"
    assert (tmp_path / "bk" / "finmesh.pgdump").is_file()

    again = tmp_path / "E"
    ok("restore", tmp_path / "bk", again, "--database", target)
    assert json.loads((again / "network.json").read_text())["database"] == target
    ok("audit", "verify", again)
    with (
        serving(again) as node,
        Client.from_profile(again / "participants" / b_dir.name, node.url) as b,
    ):
        rest = [m for page in b.pages() for m in page]
    assert [base64.b64decode(m["payload"]) for m in rest] == sent[1:]
    assert [m["osn"] for m in rest] == [2, 3]
