"""In-process intake: ``node.intake.submit`` on a real SQLite file, no HTTP.

A batch is one call to ``submit`` and so one transaction (one fsync). Each batch size
runs on its own fresh copy of the demo network, with the same pre-signed messages.
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Deadline,
    Probe,
    Result,
    Settings,
    generate_messages,
    participant_folders,
)
from finmesh.node import Node
from finmesh.pipeline import Submission
from finmesh.profile import load_profile

BATCH_SIZES = (1, 10, 100, 1000)
WARMUP_MESSAGES = 20


class BenchmarkInvalid(RuntimeError):
    """The system under test refused messages it should accept: numbers would be wrong."""


class IntakeBench:
    def __init__(self, template: Path, scratch: Path, settings: Settings, probe: Probe) -> None:
        self.probe = probe
        self.template = template
        self.scratch = scratch
        self.settings = settings
        folders = participant_folders(template)
        self.sender_folder, self.receiver = folders[0], folders[-1].name
        self.sender_profile = load_profile(self.sender_folder)
        self.sender = self.sender_profile.subject
        self.cert_pem = self.sender_profile.cert_pem
        self.messages: list[Submission] = []

    def generate(self) -> float:
        """Sign every message the intake runs need; returns seconds spent (not timed)."""
        per_rep = max(
            max(self.settings.intake_messages.values()), self.settings.intake_threads_messages,
            self.settings.profile_messages,
        )
        count = self.settings.reps * per_rep + WARMUP_MESSAGES
        started = time.perf_counter()
        raw = generate_messages(self.sender_folder, self.receiver, count, sign=True)
        self.messages = [Submission(payload=p, signature=s) for p, s in raw]
        return time.perf_counter() - started

    def _fresh_node(self, name: str) -> Node:
        root = self.scratch / name
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(self.template, root)
        node = Node(root)
        # Warm up: schemas compiled, certificate cached, connection open.
        self._submit(node, self.messages[-WARMUP_MESSAGES:])
        return node

    def _submit(self, node: Node, batch: Sequence[Submission]) -> None:
        verdicts = node.intake.submit(self.sender, self.cert_pem, batch)
        bad = [v for v in verdicts
               if v.status != "ACK" or v.duplicate or getattr(v, "held", False)]
        if bad:
            raise BenchmarkInvalid(f"intake refused or held a generated message: {bad[0]}")

    def batch_size(self, batch: int) -> Result:
        per_rep = self.settings.intake_messages[batch]
        node = self._fresh_node(f"intake-{batch}")
        values = []
        probes = []
        cursor = 0
        try:
            for _ in range(self.settings.reps):
                probes.append(self.probe.run())
                deadline = Deadline(self.settings.rep_seconds_max)
                done = 0
                start = time.perf_counter()
                while done < per_rep and not deadline.passed():
                    chunk = self.messages[cursor : cursor + batch]
                    self._submit(node, chunk)
                    cursor += batch
                    done += batch
                values.append(done / (time.perf_counter() - start))
        finally:
            node.close()
        return Result(
            "intake", f"intake.submit, batch {batch}", "msgs/s", values,
            work=f"≤{per_rep} msgs/rep, 1 thread, 1 transaction per batch",
            extra={"batch": batch, "probes": probes},
        )

    def threads(self, batch: int = 100, threads: int = 2) -> Result:
        """Same node, ``threads`` threads submitting concurrently (GIL and write lock shared)."""
        per_rep = self.settings.intake_threads_messages
        per_thread = per_rep // threads
        node = self._fresh_node(f"intake-threads-{threads}")
        values = []
        probes = []
        cursor = 0
        try:
            for _ in range(self.settings.reps):
                probes.append(self.probe.run())
                slices = [
                    self.messages[cursor + i * per_thread : cursor + (i + 1) * per_thread]
                    for i in range(threads)
                ]
                cursor += per_thread * threads
                values.append(self._threads_once(node, slices, batch))
        finally:
            node.close()
        return Result(
            "intake", f"intake.submit, batch {batch}, {threads} threads", "msgs/s", values,
            work=f"≤{per_rep} msgs/rep split over {threads} threads, one Node",
            extra={"batch": batch, "threads": threads, "probes": probes},
        )

    def _threads_once(self, node: Node, slices: list[list[Submission]], batch: int) -> float:
        """One repetition: every slice submitted by its own thread; msgs/s over all."""
        done = [0] * len(slices)
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(slices) + 1)
        deadline = Deadline(self.settings.rep_seconds_max + 1)

        def work(i: int, mine: list[Submission]) -> None:
            barrier.wait()
            try:
                for at in range(0, len(mine), batch):
                    if deadline.passed():
                        return
                    self._submit(node, mine[at : at + batch])
                    done[i] += len(mine[at : at + batch])
            except BaseException as exc:  # reported after join
                errors.append(exc)

        workers = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(slices)]
        for w in workers:
            w.start()
        barrier.wait()
        start = time.perf_counter()
        for w in workers:
            w.join()
        rate = sum(done) / (time.perf_counter() - start)
        if errors:
            raise errors[0]
        return rate

    def profile(self, batch: int = 100) -> dict[str, Any]:
        """cProfile of intake at ``batch``: where the time goes, per message."""
        count = self.settings.profile_messages
        node = self._fresh_node(f"intake-profile-{batch}")
        messages = self.messages[:count]
        try:
            # Unprofiled reference on the same kind of work, then the profiled run.
            half = count // 2
            start = time.perf_counter()
            for at in range(0, half, batch):
                self._submit(node, messages[at : at + batch])
            plain_us = (time.perf_counter() - start) / half * 1e6
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.enable()
            for at in range(half, count, batch):
                self._submit(node, messages[at : at + batch])
            profiler.disable()
            profiled_us = (time.perf_counter() - start) / (count - half) * 1e6
        finally:
            node.close()
        stats = pstats.Stats(profiler)
        return _summarise(stats, count - half, plain_us, profiled_us)


STAGES = [
    # (file suffix, function name, label): cumulative time per message, nested by indent
    ("pipeline.py", "submit", "Intake.submit (everything)"),
    ("iso20022/intake.py", "parse_message", "  parse_message (parse + XSD + extract)"),
    ("iso20022/safe_xml.py", "parse_untrusted", "    hardened parse"),
    ("iso20022/schemas.py", "validate", "    XSD validate (head.001 + document)"),
    ("iso20022/extract.py", "extract", "    extraction"),
    ("pki.py", "verify_signature", "  pki.verify_signature (ECDSA)"),
    ("pipeline.py", "_route", "  Intake._route (directory queries)"),
    ("pipeline.py", "screen", "  screen (policy, builds rows)"),
    ("policy/evaluate.py", "evaluate", "    policy evaluate"),
    ("pipeline.py", "_new_message", "    _new_message (sha256, json)"),
    ("dataclasses.py", "asdict", "      dataclasses.asdict (parties_json)"),
    ("sqlite.py", "store_batch", "  store_batch (SQL + commit)"),
    ("sqlite.py", "_write", "    BEGIN IMMEDIATE + COMMIT (fsync)"),
    ("sqlite.py", "_store_one", "    _store_one (per-message SQL)"),
]
"""The _write generator's own frames run BEGIN and COMMIT; the statements inside the
with-block run in the caller's frame, so they are not part of its time."""


def _summarise(
    stats: pstats.Stats, messages: int, plain_us: float, profiled_us: float
) -> dict[str, Any]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    stages: dict[str, float] = {}
    for suffix, name, label in STAGES:
        total = sum(
            ct for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in raw.items()
            if func == name and filename.endswith(suffix)
        )
        if total:
            stages[label] = total / messages * 1e6
    top = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    top_rows = [
        {
            "function": f"{Path(filename).name}:{line}({func})",
            "calls_per_msg": round(nc / messages, 2),
            "self_us_per_msg": round(tt / messages * 1e6, 2),
            "cum_us_per_msg": round(ct / messages * 1e6, 2),
        }
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in top
    ]
    return {
        "batch": 100,
        "messages_profiled": messages,
        "unprofiled_us_per_msg": round(plain_us, 1),
        "profiled_us_per_msg": round(profiled_us, 1),
        "stages_cum_us_per_msg": {k: round(v, 1) for k, v in stages.items()},
        "top_self_time": top_rows,
        "note": "cProfile inflates Python-heavy code more than C calls (lxml, OpenSSL, sqlite)",
    }
