"""`finmesh operator add` says how the new operator signs in to the console, and the
code it prints signs in once; `finmesh operator sign-in-code` makes a fresh one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from finmesh.node.launcher import NodeProcess
from tests.console.signin import csrf_of


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finmesh", *map(str, args)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def post_code(url: str, code: str) -> int:
    with httpx.Client(base_url=url, timeout=15) as browser:
        page = browser.get("/console")
        answer = browser.post("/console/sign-in", data={"csrf": csrf_of(page.text), "code": code})
        return answer.status_code


def test_operator_add_prints_how_to_sign_in(network_template: Path, tmp_path: Path) -> None:
    root = tmp_path / "net"
    shutil.copytree(network_template, root)
    added = cli("operator", "add", root, "dave", "--role", "compliance")
    assert added.returncode == 0, added.stderr
    said = json.loads(added.stdout)
    assert said["console"].endswith("/console")
    assert "sign-in-code --operator" in said["sign_in"]
    assert said["sign_in_code"].startswith("dave.")
    node = NodeProcess(root).start()
    try:
        assert post_code(node.url, said["sign_in_code"]) == 303
        assert post_code(node.url, said["sign_in_code"]) == 401  # once only
        fresh = cli("operator", "sign-in-code", "--operator", root / "operators" / "dave")
        assert fresh.returncode == 0, fresh.stderr
        assert post_code(node.url, json.loads(fresh.stdout)["sign_in_code"]) == 303
        bank = next((root / "participants").iterdir())
        refused = cli("operator", "sign-in-code", "--operator", bank)
        assert refused.returncode == 1 and "not_operator" in refused.stderr
    finally:
        node.stop()
