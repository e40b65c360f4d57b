"""The command line as a user runs it: `python -m finmesh ...` subprocesses against a
network created by `finmesh init --demo` and a served node. Every command prints JSON
lines on stdout; errors exit non-zero with a message and never a traceback."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from finmesh.client import Client
from finmesh.node.launcher import NodeProcess, free_port
from tests.netutil import (
    header_text,
    non_participant_institution,
    participants,
    read_only_db,
    run_cli,
)
from tests.shareddata import shared
from tests.unit.mt.support import MT103, fin

PROFILE_FILES = {"key.pem", "cert.pem", "ca.pem", "profile.json"}


def ok(*args: str | Path) -> str:
    """Run a command that must succeed; return its stdout."""
    done = run_cli(*args)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def refused(*args: str | Path) -> str:
    """Run a command that must fail cleanly; return stdout + stderr."""
    done = run_cli(*args)
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"{args} succeeded:\n{output}"
    assert "Traceback" not in output, output
    return output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """A network made by the CLI itself, with what `init` printed."""
    root = tmp_path_factory.mktemp("cli") / "demo-net"
    return root, lines(ok("init", root, "--demo"))


@pytest.fixture(scope="module")
def served(demo: tuple[Path, list[dict[str, Any]]]) -> Iterator[NodeProcess]:
    process = NodeProcess(demo[0]).start()
    try:
        yield process
    finally:
        process.stop()


def test_init_demo_writes_a_network_with_ready_profiles(
    demo: tuple[Path, list[dict[str, Any]]],
) -> None:
    root, printed = demo
    [summary] = printed
    assert summary["institutions"] >= 11_000 and summary["countries"] >= 200
    folders = participants(root)
    assert len(folders) >= 20
    assert summary["participants"] == len(folders)
    for folder in folders:
        assert {p.name for p in folder.iterdir()} >= PROFILE_FILES, folder
        assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
        profile = json.loads((folder / "profile.json").read_text())
        assert profile["subject"] == folder.name and profile["kind"] == "participant"
    assert "already" in refused("init", root, "--demo")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    assert "not empty" in refused("init", tmp_path, "--demo")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert keep.read_text() == "mine"


def test_directory_stats(demo: tuple[Path, list[dict[str, Any]]]) -> None:
    root, _ = demo
    [stats] = lines(ok("directory", "stats", root, "--json"))
    assert stats["institutions"] >= 11_000
    assert stats["countries"] >= 200
    assert stats["real"] + stats["generated"] == stats["institutions"]
    assert stats["participants"] == len(participants(root))


def test_example_mints_fresh_identifiers(demo: tuple[Path, list[dict[str, Any]]]) -> None:
    a, b = (p.name for p in participants(demo[0])[:2])
    first = ok("example", "pacs.008", "--from", a, "--to", b).encode()
    second = ok("example", "pacs.008", "--from", a, "--to", b).encode()
    for text in (first, second):
        etree.fromstring(text)  # well-formed
        assert header_text(text, "MsgDefIdr") == "pacs.008.001.13"
        assert a.encode() in text and b.encode() in text
    assert header_text(first, "BizMsgIdr") != header_text(second, "BizMsgIdr")
    assert header_text(first, "UETR") != header_text(second, "UETR")
    urgent = ok("example", "pacs.009", "--from", a, "--to", b, "--priority", "HIGH",
                "--amount", "1234.50", "--currency", "USD").encode()
    assert header_text(urgent, "Prty") == "HIGH"
    assert b'Ccy="USD">1234.50<' in urgent
    assert "--amount" in refused("example", "pacs.008", "--from", a, "--to", b,
                                 "--amount", "lots")


def test_send_receive_and_notices(
    demo: tuple[Path, list[dict[str, Any]]], served: NodeProcess, tmp_path: Path
) -> None:
    a_folder, b_folder = participants(demo[0])[:2]
    a, b = a_folder.name, b_folder.name
    files = [tmp_path / "one.xml", tmp_path / "two.xml", tmp_path / "bad.xml"]
    files[0].write_text(ok("example", "pacs.008", "--from", a, "--to", b))
    files[1].write_text(ok("example", "pacs.009", "--from", a, "--to", b))
    files[2].write_text("<BizMsg><AppHdr>not closed</BizMsg>")
    # a demo network validates what installed packages ship; pacs.009's official XSD
    # is registered by the operator, and the running node takes it from then on
    xsd = shared("iso20022", "xsd", "pacs.009.001.08.xsd")
    [added] = lines(ok("schemas", "add", demo[0], xsd))
    assert added["definition"] == "pacs.009.001.08"

    results = lines(
        ok("send", "--profile", a_folder, "--url", served.url, "--notify", "--allow-nak", *files)
    )
    assert [r["file"] for r in results] == [str(f) for f in files]
    for r in results:
        assert {"file", "status", "reason", "id", "uetr"} <= r.keys()
    assert [(r["status"], r["reason"]) for r in results] == [
        ("ACK", None), ("ACK", None), ("NAK", "T01")
    ]
    ids = [header_text(f.read_bytes(), "BizMsgIdr") for f in files[:2]]
    assert [r["id"] for r in results[:2]] == ids
    assert [r["uetr"] for r in results[:2]] == [
        header_text(f.read_bytes(), "UETR") for f in files[:2]
    ]

    received = lines(ok("receive", "--profile", b_folder, "--url", served.url,
                        "--ack", "--wait", "1"))
    assert [m["osn"] for m in received] == [1, 2]
    for m, f in zip(received, files, strict=False):
        assert {"osn", "sender", "type", "id", "uetr", "possible_duplicate",
                "signature_valid", "payload"} <= m.keys()
        assert m["sender"] == a and m["signature_valid"] is True
        assert m["possible_duplicate"] is False
        assert m["payload"] == f.read_text()
    assert [m["id"] for m in received] == ids
    assert [m["type"] for m in received] == ["pacs.008.001.13", "pacs.009.001.08"]
    # acknowledged: nothing comes again
    assert ok("receive", "--profile", b_folder, "--url", served.url) == ""

    notices = lines(ok("notices", "--profile", a_folder, "--url", served.url, "--wait", "1"))
    assert [(n["kind"], n["id"], n["reason"]) for n in notices] == [
        ("delivered", ids[0], None), ("delivered", ids[1], None)
    ]
    assert len(lines(ok("notices", "--profile", a_folder, "--url", served.url, "--ack"))) == 2
    assert ok("notices", "--profile", a_folder, "--url", served.url) == ""


def test_directory_import_is_all_or_nothing(network: Path, tmp_path: Path) -> None:
    def institutions() -> int:
        with read_only_db(network) as db:
            return int(db.execute("SELECT count(*) FROM institutions").fetchone()[0])

    before = institutions()
    bad = tmp_path / "bad.csv"
    bad.write_text("bic,name,city\nQZQZFRPPXXX,Good Line Bank,Paris\nNOTABIC,Bad Bank,Nowhere\n")
    output = refused("directory", "import", network, bad)
    assert "nothing imported" in output
    assert "line" in output and "3" in output  # names the bad line
    assert institutions() == before

    good = tmp_path / "good.csv"
    good.write_text(
        "bic,name,city\nQXQXDEFFXXX,Test Bank,Frankfurt\nQXQXDEFF100,Test Bank Branch,Berlin\n"
    )
    [imported] = lines(ok("directory", "import", network, good))
    assert imported["imported"] == 2
    assert institutions() == before + 2
    [stats] = lines(ok("directory", "stats", network, "--json"))
    assert stats["institutions"] == before + 2
    assert "does not exist" in refused("directory", "import", network, tmp_path / "nope.csv")


def test_participant_add_creates_a_working_profile(
    network: Path, node: NodeProcess, tmp_path: Path
) -> None:
    b_folder = participants(network)[0]
    bic = non_participant_institution(network)
    [added] = lines(ok("participant", "add", network, bic, "--generate-key"))
    folder = Path(added["profile"])
    assert folder == network / "participants" / bic
    assert {p.name for p in folder.iterdir()} >= PROFILE_FILES
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    message = tmp_path / "m.xml"
    message.write_text(ok("example", "pacs.008", "--from", bic, "--to", b_folder.name))
    # onboarding grants nothing: the receiver authorizes the newcomer first (RMA)
    ok("rma", "grant", "--profile", b_folder, "--url", node.url, "--correspondent", bic[:8])
    [result] = lines(ok("send", "--profile", folder, "--url", node.url, message))
    assert result["status"] == "ACK", result
    with Client.from_profile(b_folder, node.url) as b:
        [m] = b.receive()["messages"]
        assert m["sender"] == bic and b.verify(m)

    absent = refused("participant", "add", network, "QXQXDEFFXXX", "--generate-key")
    assert "not in the directory" in absent


def test_participant_add_twice_keeps_the_existing_identity_working(
    network: Path, node: NodeProcess, tmp_path: Path
) -> None:
    a_folder, b_folder = participants(network)[:2]
    # the profile exists already
    refused("participant", "add", network, a_folder.name, "--generate-key")
    message = tmp_path / "m.xml"
    message.write_text(ok("example", "pacs.008", "--from", a_folder.name, "--to", b_folder.name))
    done = run_cli("send", "--profile", a_folder, "--url", node.url, message)
    assert done.returncode == 0, done.stderr  # its key still matches the registered cert
    assert lines(done.stdout)[0]["status"] == "ACK"


def test_participant_add_for_a_branch_of_a_participant_fails_cleanly(network: Path) -> None:
    with read_only_db(network) as db:
        row = db.execute(
            "SELECT i.bic11 FROM institutions i JOIN participants p ON p.bic8 = i.bic8"
            " WHERE i.bic11 != p.bic11 ORDER BY i.bic11 LIMIT 1"
        ).fetchone()
    assert row is not None, "the demo directory has no branch of a participant"
    before = sorted(p.name for p in participants(network))
    refused("participant", "add", network, row[0], "--generate-key")  # one participant per BIC8
    assert sorted(p.name for p in participants(network)) == before


def _unreachable() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(lambda root, f, m: ["send", "--profile", root / "nope", m],
                     id="send-missing-profile"),
        pytest.param(lambda root, f, m: ["receive", "--profile", root / "nope"],
                     id="receive-missing-profile"),
        pytest.param(lambda root, f, m: ["send", "--profile", root, m],
                     id="send-folder-without-profile"),
        pytest.param(lambda root, f, m: ["send", "--profile", f, m.with_name("none.xml")],
                     id="send-missing-file"),
        pytest.param(lambda root, f, m: ["directory", "stats", root / "participants"],
                     id="stats-not-a-network"),
        pytest.param(lambda root, f, m: ["serve", root / "participants"],
                     id="serve-not-a-network"),
        pytest.param(lambda root, f, m: ["send", "--profile", f, "--url", _unreachable(), m],
                     id="send-node-unreachable"),
        pytest.param(lambda root, f, m: ["receive", "--profile", f, "--url", _unreachable()],
                     id="receive-node-unreachable"),
        pytest.param(lambda root, f, m: ["notices", "--profile", f, "--url", _unreachable()],
                     id="notices-node-unreachable"),
    ],
)
def test_errors_exit_non_zero_with_a_message_and_no_traceback(
    network: Path, tmp_path: Path, command: Any
) -> None:
    folder = participants(network)[0]
    message = tmp_path / "m.xml"
    message.write_text("<x/>")
    output = refused(*command(network, folder, message))
    assert output.strip(), "says nothing about what went wrong"


def test_schemas_add_refuses_what_is_not_an_iso20022_schema_and_lists_the_registry(
    demo: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    root = demo[0]
    fake = tmp_path / "fake.xsd"
    fake.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x:y">'
        '<xs:element name="Document" type="xs:string"/></xs:schema>'
    )
    before = json.loads(ok("schemas", "list", root, "--json"))
    output = refused("schemas", "add", root, fake)
    assert "error: schema_refused:" in output and "not an ISO 20022" in output
    assert json.loads(ok("schemas", "list", root, "--json")) == before  # nothing registered

    xsd = shared("iso20022", "xsd", "camt.029.001.09.xsd")
    first = lines(ok("schemas", "add", root, xsd))
    again = lines(ok("schemas", "add", root, xsd))
    assert [(r["definition"], r["added"]) for r in first + again] == [
        ("camt.029.001.09", True), ("camt.029.001.09", False)
    ]  # fmt: skip
    listed = {r["definition"]: r for r in json.loads(ok("schemas", "list", root, "--json"))}
    assert listed["camt.029.001.09"]["origin"] == "registered"
    assert listed["head.001.001.02"]["origin"] == "package:openpurse"
    assert listed["pacs.008.001.13"]["origin"] == "package:openpurse"
    # registering is in the audit trail, and the trail still verifies
    assert lines(ok("audit", "verify", root))[-1]["ok"] is True


def test_every_error_is_one_coded_line_on_stderr(
    demo: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    root = demo[0]
    profile = participants(root)[0]
    dead = f"http://127.0.0.1:{free_port()}"
    cases = [
        (("receive", "--profile", profile, "--url", dead), "error: node_unreachable: "),
        (("directory", "stats", tmp_path), "error: not_a_network: "),
        (("example", "pacs.999", "--from", "A", "--to", "B"), "error: usage: "),
        (("schemas", "add", root, tmp_path / "missing.xsd"), "error: usage: "),
    ]
    for args, prefix in cases:
        done = run_cli(*args)
        assert done.returncode != 0, args
        assert done.stdout == "", (args, done.stdout)
        assert done.stderr.startswith(prefix), (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr and "{'" not in done.stderr, done.stderr


def test_send_takes_a_fin_file_and_receive_gives_each_bank_its_form(
    demo: tuple[Path, list[dict[str, Any]]], served: NodeProcess, tmp_path: Path
) -> None:
    # a demo network: pacs.008.001.08's XSD is not registered, yet the FIN rules vouch
    # for the translation of an MT103
    a_folder, b_folder = participants(demo[0])[4:6]
    fin_file = tmp_path / "mt103.fin"
    fin_file.write_bytes(
        fin(MT103, sender=a_folder.name, receiver=b_folder.name, uetr=str(uuid.uuid4()))
    )
    [sent] = lines(ok("send", "--profile", a_folder, "--url", served.url, fin_file))
    assert sent["status"] == "ACK" and sent["id"] == "REF-103-0001", sent
    [got] = lines(ok("receive", "--profile", b_folder, "--url", served.url, "--wait", "5",
                     "--format", "mt"))  # fmt: skip
    assert got["id"] == sent["id"] and got["format"] == "mt" and got["translated"] is False
    assert got["signature_valid"] is True and got["payload"].startswith("{1:F01")
    [as_mx] = lines(ok("receive", "--profile", b_folder, "--url", served.url, "--ack"))
    assert as_mx["format"] == "mx" and as_mx["translated"] is True
    assert "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08" in as_mx["payload"]
    assert as_mx["signature_valid"] is True
