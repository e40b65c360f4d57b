"""Runs the whole suite: baselines, in-process intake, HTTP; prints a table, writes JSON.

Order matters on a shared machine: the three baselines the ratios divide by run twice
(before intake and before HTTP) and are pooled, and the drift between the two passes is
reported as a noise indicator.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import bench_baselines, bench_http
from benchmarks.bench_intake import BATCH_SIZES, IntakeBench
from benchmarks.common import (
    FULL,
    QUICK,
    SWIFT_FIN_AVG_PER_SECOND,
    SWIFT_FIN_RECORD_PER_SECOND,
    Probe,
    Result,
    Settings,
    build_network,
    machine,
    paired_ratios,
)

NOISY_DRIFT = 0.15
RESULTS_DIR = Path(__file__).resolve().parent / "results"
console = Console(width=None if sys.stdout.isatty() else 180)
err = Console(stderr=True)


def say(text: str) -> None:
    err.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {text}")


def run(settings: Settings, scratch: Path) -> dict[str, Any]:
    started = time.perf_counter()
    report: dict[str, Any] = {
        "suite": "finmesh benchmarks",
        "profile": settings.name,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in settings.__dict__.items()},
    }
    results: list[Result] = []
    say("building the demo network (CA, directory, participant profiles)")
    template = build_network(scratch)
    probe = Probe(scratch)

    # 1. baselines, first pass (plus the secondary baselines, once)
    say("baselines, pass 1: raw SQLite, parse+validate, ECDSA")
    first = bench_baselines.core(settings, scratch, " (pass 1)")
    raw_by_commit: dict[int, Result] = {100: first["sqlite"]}
    for commit in (1, 1000):
        raw_by_commit[commit] = bench_baselines.raw_sqlite(
            scratch / f"raw-commit-{commit}.db", settings, commit
        )
    crypto = bench_baselines.crypto(settings)
    message_bytes = first["parse"].extra["message_bytes"]

    # 2. in-process intake
    intake = IntakeBench(template, scratch, settings, probe)
    say("intake: generating and signing messages (untimed)")
    report["intake_generation_seconds_untimed"] = round(intake.generate(), 1)
    intake_results: dict[int, Result] = {}
    for batch in BATCH_SIZES:
        say(f"intake: batch {batch}")
        intake_results[batch] = intake.batch_size(batch)
    say("intake: batch 100, 2 threads")
    intake_threads = intake.threads(100, 2)
    say("intake: cProfile at batch 100")
    report["intake_profile_batch_100"] = intake.profile(100)
    report["intake_profile_batch_100"]["benchmark_median_us_per_msg"] = round(
        1e6 / intake_results[100].median, 1
    )
    intake.messages = []

    # baselines, second pass
    say("baselines, pass 2")
    second = bench_baselines.core(settings, scratch, " (pass 2)")
    sqlite100 = bench_baselines.pooled(
        first["sqlite"], second["sqlite"], "raw SQLite insert 4 KB, commit/100 rows"
    )
    parse = bench_baselines.pooled(
        first["parse"], second["parse"], "parse+validate pacs.008 alone (1 thread)"
    )
    verify = bench_baselines.pooled(
        first["verify"], second["verify"], "ECDSA P-256 verify alone (1 thread)"
    )
    raw_by_commit[100] = sqlite100
    chain = 1 / (1 / parse.median + 1 / verify.median)
    report["parse_plus_verify_chain_msgs_per_s"] = chain

    # 3. HTTP
    http_results, report["http"] = bench_http.run_all(
        template, scratch, settings, probe, say
    )
    probe.close()

    # the standalone scripts, unchanged, for their own view (kept verbatim in the JSON)
    quick = settings.name == "quick"
    say("standalone scripts: bench_parse.py" + ("" if quick else ", bench_crypto.py"))
    report["scripts"] = bench_baselines.scripts(settings.name == "quick")

    # ratios: paired (each rep / a probe taken just before it) where a probe exists,
    # otherwise median / median within this run
    for batch, r in intake_results.items():
        r.ratios.update(paired_ratios(r.values, r.extra["probes"], ("sqlite", "parse", "chain")))
        if batch in raw_by_commit and batch != 100:
            r.ratios[f"x raw SQLite commit/{batch} (pass 1)"] = (
                r.median / raw_by_commit[batch].median
            )
    intake_threads.ratios["x same, 1 thread"] = intake_threads.median / intake_results[100].median
    intake_threads.ratios.update(
        paired_ratios(intake_threads.values, intake_threads.extra["probes"], ("sqlite", "chain"))
    )
    for r in http_results:
        same = intake_results.get(r.extra.get("batch", 0))
        if r.group == "http" and same is not None and not r.name.startswith("sustained"):
            r.ratios[f"x intake batch {r.extra['batch']}"] = r.median / same.median
        if "probes" in r.extra:
            r.ratios.update(paired_ratios(r.values, r.extra["probes"], ("sqlite", "chain")))
        if r.group in ("http", "delivery"):
            r.ratios["x SWIFT FIN avg 490/s"] = r.median / SWIFT_FIN_AVG_PER_SECOND
    for r in [*intake_results.values(), intake_threads, *http_results]:
        if r.unit != "msgs/s":
            continue
        r.extra["ratios_unpaired"] = {
            "x raw SQLite commit/100 (pooled passes)": r.median / sqlite100.median,
            "x parse alone (pooled passes)": r.median / parse.median,
            "x parse+verify chain (pooled passes)": r.median / chain,
        }

    sustained = next(r for r in http_results if r.name.startswith("sustained"))
    sustained.ratios["x SWIFT FIN record 580/s"] = sustained.median / SWIFT_FIN_RECORD_PER_SECOND
    sustained.ratios["min window x 490/s"] = min(sustained.values) / SWIFT_FIN_AVG_PER_SECOND
    report["swift_fin_comparison"] = {
        "target_avg_per_s": SWIFT_FIN_AVG_PER_SECOND,
        "target_record_day_per_s": SWIFT_FIN_RECORD_PER_SECOND,
        "best_http_config": sustained.name,
        "sustained_median_window_msgs_per_s": sustained.median,
        "sustained_min_window_msgs_per_s": min(sustained.values),
        "sustained_overall_msgs_per_s": sustained.extra["overall_rate"],
        "multiple_of_avg": sustained.median / SWIFT_FIN_AVG_PER_SECOND,
        "multiple_of_record": sustained.median / SWIFT_FIN_RECORD_PER_SECOND,
        "min_window_multiple_of_avg": min(sustained.values) / SWIFT_FIN_AVG_PER_SECOND,
    }

    results += [raw_by_commit[1], sqlite100, raw_by_commit[1000], parse, verify, *crypto]
    results += [*intake_results.values(), intake_threads, *http_results]
    report["message_bytes"] = message_bytes
    report["baseline_drift_between_passes"] = {
        "raw SQLite commit/100": sqlite100.extra["drift_between_passes"],
        "parse": parse.extra["drift_between_passes"],
        "ECDSA verify": verify.extra["drift_between_passes"],
    }
    report["results"] = [r.as_json() for r in results]
    report["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["duration_seconds"] = round(time.perf_counter() - started, 1)
    return report


# --- output ------------------------------------------------------------------------


def _num(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    console.print(
        f"[bold]finmesh benchmarks[/bold] ({report['profile']}, {report['duration_seconds']} s) "
        f"on {m['nproc']} × {m['cpu_model']}, Python {m['python']}, SQLite {m['sqlite']}, "
        f"load {m['loadavg_at_start']} -> {m['loadavg_at_end']}; "
        f"messages: pacs.008 of {report['message_bytes']} B"
    )
    table = Table(show_lines=True, header_style="bold")
    table.add_column("group")
    table.add_column("benchmark")
    table.add_column("median", justify="right")
    table.add_column("unit")
    table.add_column("reps", justify="right")
    table.add_column("min–max", justify="right")
    table.add_column("ratios (same run)")
    table.add_column("CPU µs/msg (or /req) client/node", justify="right")
    previous = None
    for r in report["results"]:
        if previous is not None and r["group"] != previous:
            table.add_section()
        previous = r["group"]
        ratios = "\n".join(f"{_ratio(v)} {k}" for k, v in r["ratios"].items())
        extra = r["extra"]
        if r["group"] == "latency":
            ratios = (f"p99 {extra['p99_ms_median_of_reps']:.1f} ms (median of reps)\n"
                      f"pooled p99 {extra['p99_ms_pooled']:.1f} ms, n={extra['samples']}")
        if "drift_between_passes" in extra:
            ratios = f"drift pass1->pass2 {extra['drift_between_passes']:+.0%}"
        cpu = ""
        if "client_cpu_us_per_msg" in extra:
            cpu = f"{extra['client_cpu_us_per_msg']:.0f} / {extra['server_cpu_us_per_msg']:.0f}"
        table.add_row(
            r["group"], r["name"], _num(r["median"]), r["unit"], str(r["reps"]),
            f"{_num(r['min'])}–{_num(r['max'])}", ratios, cpu,
        )
    console.print(table)

    prof = report["intake_profile_batch_100"]
    console.print(
        f"[bold]In-process intake at batch 100, cProfile[/bold]: {prof['profiled_us_per_msg']} "
        f"µs/msg profiled; {prof['unprofiled_us_per_msg']} µs/msg just before without the "
        f"profiler; {prof['benchmark_median_us_per_msg']} µs/msg in the batch 100 benchmark. "
        "[dim]cProfile inflates Python code more than C calls (lxml, OpenSSL, sqlite).[/dim]"
    )
    ptable = Table(header_style="bold")
    ptable.add_column("stage (cumulative)")
    ptable.add_column("µs/msg", justify="right")
    for stage, us in prof["stages_cum_us_per_msg"].items():
        ptable.add_row(stage, f"{us:.1f}")
    console.print(ptable)
    ttable = Table(title="top self time (cProfile, batch 100)", header_style="bold")
    for col in ("function", "calls/msg", "self µs/msg", "cum µs/msg"):
        ttable.add_column(col, justify="left" if col == "function" else "right")
    for row in prof["top_self_time"][:10]:
        ttable.add_row(row["function"], str(row["calls_per_msg"]),
                       f"{row['self_us_per_msg']:.1f}", f"{row['cum_us_per_msg']:.1f}")
    console.print(ttable)

    fin = report["swift_fin_comparison"]
    console.print(
        f"[bold]SWIFT FIN comparison:[/bold] best HTTP configuration sustained "
        f"{fin['sustained_median_window_msgs_per_s']:,.0f} msgs/s (median window; worst window "
        f"{fin['sustained_min_window_msgs_per_s']:,.0f}) = "
        f"[bold]{fin['multiple_of_avg']:.1f}×[/bold] the 2021 average of 490/s and "
        f"{fin['multiple_of_record']:.1f}× the record day (580/s). "
        f"[dim]({fin['best_http_config']})[/dim]"
    )
    for script in report.get("scripts", []):
        console.print(f"[bold]{script['command']}[/bold] (exit {script['returncode']}, "
                      f"{script['seconds']} s)")
        console.print(script["output"], markup=False, highlight=False)
    drifts = report["baseline_drift_between_passes"]
    drift = ", ".join(f"{k} {v:+.0%}" for k, v in drifts.items())
    console.print(f"baseline drift between passes (noise indicator): {drift}")
    if any(abs(v) > NOISY_DRIFT for v in drifts.values()):
        console.print(
            f"[bold yellow]the machine was busy: a baseline moved more than {NOISY_DRIFT:.0%} "
            "between passes; trust the (paired) ratios over absolute numbers, or rerun[/]"
        )
    console.print(
        "[dim](paired) = median over reps of rep / a short baseline probe run just before it;"
        " other ratios are median / median within this run[/dim]"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="~1 minute run (fewer, shorter reps)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json",
                        help="JSON results file (default benchmarks/results/latest.json)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch network folder")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    scratch = Path(tempfile.mkdtemp(prefix="finmesh-bench-"))
    try:
        report = run(settings, scratch)
    finally:
        if args.keep:
            say(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report)
    console.print(f"results written to {args.output}")
    return 0
