"""The screening command line exactly as the issue writes it: `python -m finmesh lists
load|show`, `screen`, `goodguy ...` and `bench screening` as subprocesses against a
served demo network (profiles point at a dead port, so every command gets --url)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from finmesh.node.launcher import NodeProcess
from tests.netutil import run_cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "lists"
FILES = {
    "ofac-sdn-xml": "sdn.xml",
    "ofac-csv": "sdn.csv",
    "eu-fsf-xml": "eu_fsf.xml",
    "un-xml": "un_consolidated.xml",
    "ftm-json": "opensanctions.ftm.jsonl",
    "csv": "plain.csv",
}


@dataclass
class Net:
    root: Path
    url: str

    def op(self, name: str) -> Path:
        return self.root / "operators" / name

    def run(self, *args: str | Path) -> tuple[int, list[Any], str]:
        done = run_cli(*args, "--url", self.url)
        assert "Traceback" not in done.stderr, done.stderr
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        parsed = [json.loads(line) for line in lines] if lines and lines[0][0] in "{[" else lines
        return done.returncode, parsed, done.stderr

    def one(self, *args: str | Path) -> Any:
        code, lines, err = self.run(*args)
        assert code == 0, f"{args}: exit {code}\n{lines}{err}"
        [answer] = lines
        return answer


@pytest.fixture(scope="module")
def net(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    root = tmp_path_factory.mktemp("cli-screening") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield Net(root, process.url)
    finally:
        process.stop()


@pytest.mark.parametrize("fmt", list(FILES))
def test_lists_load_takes_every_format_and_show_lists_it(net: Net, fmt: str) -> None:
    name = fmt.replace("-", "_")
    loaded = net.one("lists", "load", "--operator", net.op("alice"), FIXTURES / FILES[fmt],
                     "--format", fmt, "--list", name)
    assert loaded["list"] == name and loaded["format"] == fmt and loaded["entries"] > 0
    assert loaded["label"] == FILES[fmt] and len(loaded["digest"]) == 64
    shown = net.one("lists", "show", "--operator", net.op("carol"), "--json")
    [row] = [x for x in shown["lists"] if x["list"] == name]
    assert row["active"] and row["version"] == loaded["version"]


def test_a_malformed_list_exits_non_zero_naming_the_line(net: Net, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,aliases,type,countries,bics,program\nX-1,,,person,RU,,P\n")
    code, lines, err = net.run("lists", "load", "--operator", net.op("alice"), bad,
                               "--format", "csv", "--list", "broken")
    assert code != 0 and not lines
    assert err.startswith("error: list_format: ") and "(HTTP 422)" in err
    assert "line 2" in err and "L06" in err
    shown = net.one("lists", "show", "--operator", net.op("alice"), "--json")
    assert "broken" not in {x["list"] for x in shown["lists"]}
    code, _, err = net.run("lists", "load", "--operator", net.op("carol"),
                           FIXTURES / "plain.csv", "--format", "csv", "--list", "x")
    assert code != 0 and "compliance" in err  # an auditor may not load lists


def test_screen_json_gives_the_decision_and_explained_hits(net: Net) -> None:
    net.one("lists", "load", "--operator", net.op("alice"), FIXTURES / "plain.csv",
            "--format", "csv", "--list", "plain")
    held = net.one("screen", "--operator", net.op("carol"), "--name", "Аркадий Петровский",
                   "--country", "RU", "--json")
    assert held["decision"] == "hold"
    for hit in held["hits"]:
        assert hit.keys() >= {"list", "entry", "name", "score", "why"}
    [hit] = [h for h in held["hits"] if h["list"] == "plain"]  # other lists hold it too
    assert hit["entry"] == "P-2" and hit["score"] >= 0.8 and "petrovsk" in hit["why"]
    assert "plain" in {v["list"] for v in held["versions"]}
    clear = net.one("screen", "--operator", net.op("carol"), "--name", "Maria Gonzalez",
                    "--json")
    assert clear["decision"] == "clear" and clear["hits"] == []
    code, lines, _ = net.run("screen", "--operator", net.op("carol"), "--name", "Petrovsky")
    assert code == 0 and lines[0].startswith(("HOLD", "CLEAR"))


def test_goodguy_four_eyes_on_the_command_line(net: Net) -> None:
    net.one("lists", "load", "--operator", net.op("alice"), FIXTURES / "plain.csv",
            "--format", "csv", "--list", "gg")
    proposed = net.one("goodguy", "propose", "--operator", net.op("alice"), "--list", "gg",
                       "--entry", "P-2", "--for", "Arkady Petrovsky",
                       "--reason", "namesake, KYC 12")
    code, _, err = net.run("goodguy", "approve", "--operator", net.op("alice"), proposed["id"])
    assert code != 0 and "four-eyes" in err
    approved = net.one("goodguy", "approve", "--operator", net.op("bob"), proposed["id"])
    assert approved["status"] == "active"
    listed = net.one("goodguy", "list", "--operator", net.op("carol"), "--json")
    assert [g["status"] for g in listed if g["id"] == proposed["id"]] == ["active"]
    withdrawn = net.one("goodguy", "withdraw", "--operator", net.op("bob"), proposed["id"])
    assert withdrawn["status"] == "withdrawn"


def test_bench_screening_prints_screens_per_second() -> None:
    done = run_cli("bench", "screening", "--entries", "2000", "--queries", "200", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [x for x in done.stdout.splitlines() if x.strip()]
    result = json.loads(line)
    assert result["entries"] == 2000 and result["screens_per_s"] > 0
