"""The PostgreSQL acceptance surface as a user runs it: `finmesh init D --demo
--database postgresql://...` (the database is created if missing), two `finmesh serve D
--port ...` processes, a message sent through one and received through the other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.node.launcher import NodeProcess
from tests import pgutil
from tests.netutil import participants, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def database() -> Iterator[str]:
    pgutil.require_pg()
    name = pgutil.unique_name("cli")  # does not exist yet: init creates it
    try:
        yield name
    finally:
        pgutil.drop_database(name)


def ok(*args: str | Path) -> list[dict[str, object]]:
    done = run_cli(*args)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_two_nodes_on_one_database_send_through_one_receive_through_the_other(
    database: str, tmp_path: Path
) -> None:
    root = tmp_path / "D"
    url = pgutil.url_for(database)
    [made] = ok("init", root, "--demo", "--database", url)
    assert made["participants"] and made["institutions"] > 11_000
    assert json.loads((root / "network.json").read_text())["database"] == url
    assert not (root / "finmesh.db").exists()  # the state is in PostgreSQL
    one, two = NodeProcess(root).start(), NodeProcess(root).start()
    try:
        a, b = participants(root)[:2]
        message = tmp_path / "m.xml"
        done = run_cli("example", "pacs.008", "--from", a.name, "--to", b.name)
        message.write_text(done.stdout)
        [sent] = ok("send", "--profile", a, "--url", one.url, message)
        assert sent["status"] == "ACK", sent
        [got] = ok("receive", "--profile", b, "--url", two.url, "--ack", "--wait", "5")
        assert (got["id"], got["osn"], got["sender"]) == (sent["id"], 1, a.name)
        assert ok("receive", "--profile", b, "--url", one.url) == []  # acknowledged: gone
    finally:
        one.stop()
        two.stop()


def test_init_refuses_a_database_that_holds_a_network(database: str, tmp_path: Path) -> None:
    url = pgutil.url_for(database)
    ok("init", tmp_path / "first", "--demo", "--database", url)
    again = run_cli("init", tmp_path / "second", "--demo", "--database", url)
    assert again.returncode == 1 and "already holds a network" in again.stderr
    assert not (tmp_path / "second" / "network.json").exists()
    wrong = run_cli("init", tmp_path / "third", "--demo", "--database", "mysql://127.0.0.1/x")
    assert wrong.returncode == 1 and "unsupported database URL" in wrong.stderr
