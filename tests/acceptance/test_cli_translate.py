"""`finmesh translate` as a user runs it: MT file in, ISO 20022 envelope out and back;
a refused file gives one line `error: CODE: message` on stderr and exit status 1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from finmesh.domain.mt import equivalent, parse_mt
from tests.netutil import run_cli
from tests.unit.mt.support import MT103, fin, xsd_problems

ERROR_LINE = re.compile(r"error: [A-Z][0-9]{2}: \S.*\n")


def test_mt_to_mx_and_back(tmp_path: Path) -> None:
    source = tmp_path / "payment.fin"
    source.write_bytes(fin(MT103))
    done = run_cli("translate", "--to", "mx", source, "--created", "2026-01-15T10:30:00+0000")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("<?xml")
    assert "<CreDt>2026-01-15T10:30:00+00:00</CreDt>" in done.stdout
    assert xsd_problems(done.stdout.encode(), "pacs.008.001.08") == []
    translated = tmp_path / "payment.xml"
    translated.write_text(done.stdout)
    report = tmp_path / "report.json"
    back = run_cli("translate", "--to", "mt", translated, "--report", report)
    assert back.returncode == 0, back.stderr
    assert equivalent(parse_mt(fin(MT103)), parse_mt(back.stdout.strip().encode()))
    assert json.loads(report.read_text())["target"] == "MT103"


def test_refused_files_give_one_coded_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.fin"
    broken.write_bytes(fin(MT103.replace(":32A:260115", ":32A:261315")))
    done = run_cli("translate", "--to", "mx", broken)
    assert done.returncode == 1
    assert done.stdout == ""
    assert ERROR_LINE.fullmatch(done.stderr), done.stderr
    assert done.stderr.startswith("error: T50: field 32A line 4")
    not_xml = tmp_path / "broken.xml"
    not_xml.write_text("<BizMsg>")
    done = run_cli("translate", "--to", "mt", not_xml)
    assert (done.returncode, done.stderr[:11]) == (1, "error: T01:")
    assert ERROR_LINE.fullmatch(done.stderr), done.stderr


def test_stdin_and_report_on_stderr(tmp_path: Path) -> None:
    missing = run_cli("translate", "--to", "mx", tmp_path / "missing.fin")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    xml = subprocess.run(
        [sys.executable, "-m", "finmesh", "translate", "--to", "mx", "-"],
        input=fin(MT103), capture_output=True, check=False, timeout=120,
    )
    assert xml.returncode == 0, xml.stderr
    accented = xml.stdout.replace(b"JANE DOE", "JOSÉ DOE".encode())
    back = subprocess.run(
        [sys.executable, "-m", "finmesh", "translate", "--to", "mt", "-"],
        input=accented, capture_output=True, check=False, timeout=120,
    )
    assert back.returncode == 0, back.stderr
    assert b"JOSE DOE" in back.stdout
    report = json.loads(back.stderr)
    assert report["lossless"] is False
    assert report["notes"][0]["kind"] == "replaced"
