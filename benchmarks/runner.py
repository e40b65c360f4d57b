"""``python -m benchmarks``: every section in one run; a table, JSON and a PNG chart.

Sections: intake (with the bound), broker (RabbitMQ baseline), latency (open loop at
offered rates), history (throughput with millions stored), receivers (a thousand long
polls at once). Results go to benchmarks/results/ (latest.json, latency.png).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from rich.console import Console

from benchmarks import report, suite
from benchmarks.chart import latency_chart
from benchmarks.stats import machine

RESULTS = Path(__file__).resolve().parent / "results"
DISK_BYTES_PER_HISTORY_MESSAGE = 700
"""Measured ~550 bytes per preloaded history message on SQLite, plus headroom."""

console = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)


def say(text: str) -> None:
    err.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {text}")


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def _rates(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a few minutes: short runs, small scale")
    p.add_argument("--seconds", type=float, help="measured seconds per run (full 30, quick 5)")
    p.add_argument("--reps", type=int, help="runs per intake/broker configuration (full 3)")
    p.add_argument("--rates", type=_rates, help="offered msgs/s for the latency runs")
    p.add_argument("--history", type=_sizes,
                   help="messages stored before each history run, e.g. 0,1000000,10000000")
    p.add_argument("--receivers", type=int, help="long polls held at once (full 1000)")
    p.add_argument("--only", default="", help=f"comma-separated sections of {list(suite.SECTIONS)}")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return p.parse_args(argv)


def _check_disk(plan: suite.Plan) -> None:
    need = max(plan.history, default=0) * DISK_BYTES_PER_HISTORY_MESSAGE
    free = shutil.disk_usage(os.environ.get("TMPDIR", "/tmp")).free
    if need > free * 0.8:
        raise SystemExit(f"history of {max(plan.history):,} messages needs ~{need / 1e9:.1f} GB;"
                         f" only {free / 1e9:.1f} GB free: give a smaller --history")


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: scratch networks removed, nodes stopped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_term)
    args = parse(argv)
    plan = suite.with_overrides(
        suite.QUICK if args.quick else suite.FULL, seconds=args.seconds, reps=args.reps,
        rates=args.rates, history=args.history, receivers=args.receivers,
    )
    _check_disk(plan)
    only = tuple(s.strip() for s in args.only.split(",") if s.strip())
    started = time.perf_counter()
    results = {"suite": "finmesh benchmarks", "plan": plan.__dict__, "machine": machine()}
    results.update(suite.run(plan, only, say))
    results["goals"] = report.goals(results)
    results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["duration_seconds"] = round(time.perf_counter() - started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    latency = results.get("latency")
    if isinstance(latency, list) and latency:
        broker = results.get("broker", {}).get("msgs_per_s")
        chart = latency_chart(latency, broker, args.output.with_name("latency.png"))
        say(f"chart written to {chart}")
    report.print_report(results, console)
    console.print(f"results written to {args.output}")
    return 0
