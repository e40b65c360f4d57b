"""Baselines measured in the same run: raw SQLite, parse+validate alone, ECDSA alone.

Everything else in the suite is reported as a ratio to these, so a slow or noisy
machine moves both sides of the ratio together.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import Deadline, Result, Settings, project_root
from finmesh import pki
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.request_auth import sign_request, verify_request

CRYPTO_PAYLOAD_BYTES = 4096
SCRIPT_TIMEOUT_SECONDS = 120

ROW_BYTES = 4096
COMMIT_SIZES = (1, 100, 1000)
"""Rows per commit; 100 is the reference the intake ratios use."""


def raw_sqlite(
    path: Path, settings: Settings, rows_per_commit: int, label: str = ""
) -> Result:
    """Rows/s inserting 4 KB rows into a WAL, synchronous=FULL file, one commit per N rows."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB)"
        )
        # Per-commit fsync dominates at 1 row per commit: fewer rows keep it bounded.
        rows = settings.sqlite_rows if rows_per_commit > 1 else settings.sqlite_rows // 10
        rows = max(rows, rows_per_commit)
        blobs = [os.urandom(ROW_BYTES) for _ in range(min(rows, 1000))]
        values: list[float] = []
        serial = 0
        for _ in range(settings.reps):
            deadline = Deadline(settings.rep_seconds_max)
            done = 0
            start = time.perf_counter()
            while done < rows and not deadline.passed():
                db.execute("BEGIN")
                for _ in range(rows_per_commit):
                    serial += 1
                    db.execute(
                        "INSERT INTO rows (k, v) VALUES (?, ?)",
                        (f"k{serial}", blobs[serial % len(blobs)]),
                    )
                db.execute("COMMIT")
                done += rows_per_commit
            values.append(done / (time.perf_counter() - start))
    finally:
        db.close()
    return Result(
        "baseline", f"raw SQLite insert, commit/{rows_per_commit} rows{label}", "rows/s",
        values, work=f"≤{rows} rows of {ROW_BYTES} B, WAL, synchronous=FULL",
    )


def parse(settings: Settings, label: str = "") -> tuple[Result, int]:
    """Messages/s of parse_message alone on one thread over fresh pacs.008 examples."""
    messages = [
        example_message("pacs.008", "DEUTDEFFXXX", "BNPAFRPPXXX")
        for _ in range(settings.parse_messages)
    ]
    parse_message(messages[0])  # compile schemas outside the timing
    values = []
    for _ in range(settings.reps):
        deadline = Deadline(settings.rep_seconds_max)
        done = 0
        start = time.perf_counter()
        for message in messages:
            parse_message(message)
            done += 1
            if done % 100 == 0 and deadline.passed():
                break
        values.append(done / (time.perf_counter() - start))
    size = len(messages[0])
    return Result(
        "baseline", f"parse+validate pacs.008 (1 thread){label}", "msgs/s", values,
        work=f"{settings.parse_messages} msgs of {size} B, hardened lxml + 2 XSDs + extract",
        extra={"message_bytes": size},
    ), size


def _per_round(action: Callable[[], object], rounds: int, seconds: float) -> list[float]:
    rates = []
    for _ in range(rounds):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(50):
                action()
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    return rates


def _crypto_rates(settings: Settings, which: tuple[str, ...]) -> dict[str, list[float]]:
    now = datetime.now(UTC)
    ca = pki.CertificateAuthority.create("bench CA", now=now)
    key = pki.generate_key()
    bic = "BANKDEFFXXX"
    cert = ca.issue(bic, pki.public_key_pem(key), kind="participant", now=now)
    payload = os.urandom(CRYPTO_PAYLOAD_BYTES)
    signature = pki.sign(key, payload)
    now_ms = int(now.timestamp() * 1000)
    headers = sign_request(key, bic, "POST", "/v1/messages", payload, now_ms=now_ms)

    def check_request() -> None:
        verify_request(
            headers, "POST", "/v1/messages", payload,
            certificate_for={bic: cert}.get, ca_cert_pem=ca.cert_pem,
            now_ms=now_ms, expected_kind="participant",
        )

    if not pki.verify_signature(cert, payload, signature):
        raise RuntimeError("signature does not verify: nothing worth measuring")
    check_request()
    actions: dict[str, Callable[[], object]] = {
        "verify": lambda: pki.verify_signature(cert, payload, signature),
        "sign": lambda: pki.sign(key, payload),
        "sign_request": lambda: sign_request(key, bic, "POST", "/v1/messages", payload),
        "verify_request": check_request,
    }
    return {
        name: _per_round(actions[name], settings.reps, settings.crypto_seconds) for name in which
    }


CRYPTO_NAMES = {
    "verify": "ECDSA P-256 verify (1 thread)",
    "sign": "ECDSA P-256 sign (1 thread, client side)",
    "sign_request": "sign_request (client, per HTTP request)",
    "verify_request": "verify_request (node, per HTTP request)",
}


def crypto(settings: Settings, label: str = "") -> list[Result]:
    rates = _crypto_rates(settings, ("sign", "sign_request", "verify_request"))
    return [
        Result("baseline", CRYPTO_NAMES[k] + label, "ops/s", v,
               work=f"{CRYPTO_PAYLOAD_BYTES} B payload, ~{settings.crypto_seconds}s/rep")
        for k, v in rates.items()
    ]


def scripts(quick: bool) -> list[dict[str, Any]]:
    """Run the standalone scripts (bench_parse.py, bench_crypto.py) and keep their output."""
    runs = [
        ["benchmarks/bench_parse.py", "300", "3"] if quick else ["benchmarks/bench_parse.py"],
        ["benchmarks/bench_crypto.py"],
    ]
    if quick:
        runs = runs[:1]
    out = []
    for args in runs:
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, *args], cwd=project_root(), capture_output=True, text=True,
                timeout=SCRIPT_TIMEOUT_SECONDS,
                env={**os.environ, "PYTHONPATH": str(project_root())},
            )
            text, rc = (done.stdout + done.stderr).strip(), done.returncode
        except subprocess.TimeoutExpired:
            text, rc = f"timed out after {SCRIPT_TIMEOUT_SECONDS}s", -1
        out.append({"command": " ".join(args), "returncode": rc, "output": text,
                    "seconds": round(time.perf_counter() - started, 1)})
    return out


def core(settings: Settings, scratch: Path, label: str) -> dict[str, Result]:
    """The three baselines the ratios use (run twice: before intake and before HTTP)."""
    sqlite_result = raw_sqlite(scratch / f"raw{label.strip(' ()')}.db", settings, 100, label)
    parse_result, _ = parse(settings, label)
    verify_values = _crypto_rates(settings, ("verify",))["verify"]
    verify_result = Result(
        "baseline", f"{CRYPTO_NAMES['verify']}{label}", "ops/s", verify_values,
        work=f"{CRYPTO_PAYLOAD_BYTES} B payload, cached certificate",
    )
    return {"sqlite": sqlite_result, "parse": parse_result, "verify": verify_result}


def pooled(first: Result, second: Result, name: str) -> Result:
    """One baseline from both passes: the ratios divide by the median of all its reps."""
    values = first.values + second.values
    drift = (statistics.median(second.values) / statistics.median(first.values)) - 1
    return Result(
        first.group, name, first.unit, values, work=first.work + " (both passes pooled)",
        extra={"drift_between_passes": drift},
    )
