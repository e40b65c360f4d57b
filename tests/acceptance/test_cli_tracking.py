"""`finmesh example` for the flows around a payment, `finmesh send` of each, and
`finmesh track UETR --profile P --url U --json` / `finmesh payments stats` as a user
runs them: subprocesses against a served node."""

from __future__ import annotations

import json
from pathlib import Path

from finmesh.node.launcher import NodeProcess, free_port
from tests.acceptance.test_cli import lines, ok, refused
from tests.netutil import header_text, participants, run_cli
from tests.shareddata import shared


def test_a_payment_its_flows_and_its_tracking_from_the_command_line(
    network: Path, node: NodeProcess, tmp_path: Path
) -> None:
    a, b, c, outsider = participants(network)[:4]
    payment = tmp_path / "payment.xml"
    payment.write_text(ok("example", "pacs.008", "--from", a.name, "--to", b.name))
    uetr = header_text(payment.read_bytes(), "UETR")
    steps = [
        (a, payment),
        (b, ("pacs.008", b, c)),  # the next hop
        (c, ("pacs.002", c, b)),
        (b, ("pacs.002", b, a)),
        (a, ("camt.056", a, b)),
        (b, ("camt.029", b, a, "--refuse", "--reason", "NOOR")),
    ]
    for index, (sender, what) in enumerate(steps):
        if isinstance(what, tuple):
            kind, frm, to, *extra = what
            file = tmp_path / f"{index}.xml"
            file.write_text(
                ok("example", kind, "--from", frm.name, "--to", to.name,
                   "--original", payment, *extra)
            )  # fmt: skip
            what = file
        [result] = lines(ok("send", "--profile", sender, "--url", node.url, what))
        assert result["status"] == "ACK", result
        assert result["uetr"] == uetr

    [history] = lines(ok("track", uetr, "--profile", c, "--url", node.url, "--json"))
    assert history["status"] == "ACCC"
    assert [e["status"] for e in history["events"]] == [
        "ACSP", "ACSP", "ACCC", "ACCC", "recall_requested", "recall_rejected",
    ]  # fmt: skip
    assert history["events"][-1]["reason"] == "NOOR"
    assert history["institutions"] == [a.name, b.name, c.name]

    error = refused("track", uetr, "--profile", outsider, "--url", node.url, "--json")
    assert "error: not_found:" in error
    assert "--profile" in refused("track", uetr, "--url", node.url)  # neither profile given

    operator = network / "operators" / "oscar"
    [seen] = lines(ok("track", uetr, "--operator", operator, "--url", node.url, "--json"))
    assert seen == history
    [stats] = lines(ok("payments", "stats", "--operator", operator, "--url", node.url))
    assert stats["payments"] == 1 and stats["credited"] == 1
    assert json.dumps(stats)  # plain JSON


def test_flow_examples_need_their_original(tmp_path: Path) -> None:
    assert "give --original" in refused("example", "pacs.004", "--from", "A", "--to", "B")
    report = tmp_path / "report.xml"
    report.write_text(ok("example", "pacs.002", "--from", "DEUTDEFFXXX", "--to", "BNPAFRPP"))
    output = refused("example", "camt.029", "--from", "DEUTDEFFXXX", "--to", "BNPAFRPP",
                     "--original", report)  # fmt: skip
    assert "error: bad_example:" in output and "not a pacs.008/009" in output


def test_demo_shows_two_hops_with_status_reports_and_tracking(tmp_path: Path) -> None:
    port = free_port()
    done = run_cli(
        "demo", tmp_path / "demo", "--once", "--port", str(port),
        "--schemas", shared("iso20022", "xsd"),
    )  # fmt: skip
    told = " ".join(done.stderr.split())  # the console wraps long lines
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert told.count("pacs.002 ACCC: ACK") == 2
    assert told.count("same UETR: ACK") == 1
    assert "status ACCC, time to credit" in told
