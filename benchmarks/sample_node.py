"""Where a real node's CPU goes, sampled: py-spy on every worker of ``finmesh serve``
during the measured window of a ``finmesh bench intake`` run, nothing else.

``profile_node`` runs the node in one process with its thread hops inlined under a
deterministic profiler, which costs every Python call several times its own time and
hides the hops; this samples the node as it runs (screening list, prior day and
workers as in the benchmark), so the shares it prints are those of the real CPU.
py-spy is not a dependency of the project: ``pip install py-spy`` first.

    .venv/bin/python -m benchmarks.sample_node [--batch 1] [--seconds 20] [--top 60]
        [--raw FILE]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from benchmarks import scratch
from benchmarks.intake import IntakeSettings, bench_network, load_list
from benchmarks.load import run_closed_loop
from finmesh.node.launcher import serving

RATE_HZ = 250


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def sample(settings: IntakeSettings, raw: Path) -> dict[str, float]:
    """Run the benchmark with py-spy on each worker for the measured window; the
    raw folded stacks of all workers go to ``raw``. Returns the run's summary."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy)")
    spies: list[subprocess.Popen[bytes]] = []
    parts = [raw.with_suffix(f".{i}.txt") for i in range(settings.workers)]

    def start() -> None:
        for part, pid in zip(parts, _children(server_pid), strict=False):
            spies.append(subprocess.Popen(
                [spy, "record", "-p", str(pid), "-r", str(RATE_HZ), "--format", "raw",
                 "--nonblocking", "-o", str(part)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip

    def stop() -> None:
        for proc in spies:
            proc.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        for proc in spies:
            proc.wait(timeout=30)

    with bench_network(settings, settings.clients + 1) as (root, _url):
        pairs = scratch.pairs(scratch.participant_folders(root), settings.clients)
        scratch.authorize_pairs(root, [(p.name, r) for p, r in pairs])
        with serving(root, settings.workers) as server:
            server_pid = server.pid
            listed = load_list(root, server.url, settings.screening_entries)
            result = run_closed_loop(
                server.url, server.pid, pairs, settings.batch, settings.seconds,
                settings.warmup, listed, (start, stop),
            )  # fmt: skip
    raw.write_text("".join(p.read_text() for p in parts if p.exists()))
    return {k: v for k, v in result.items() if isinstance(v, int | float)}


def shares(lines: Iterable[str]) -> tuple[int, Counter[str], Counter[str]]:
    """Samples in all, and per function: in its stack (inclusive), on top (self)."""
    inclusive: Counter[str] = Counter()
    on_top: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_name(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        on_top[frames[-1]] += n
    return total, inclusive, on_top


def _name(frame: str) -> str:
    function, _, where = frame.partition(" (")
    return f"{function} {where.rsplit('/', 1)[-1].split(':')[0]}".strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--screening-entries", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--raw", type=Path, default=Path("/tmp/finmesh-sample.txt"))
    args = parser.parse_args()
    settings = IntakeSettings(
        seconds=args.seconds, batch=args.batch, clients=args.clients, workers=args.workers,
        screening_entries=args.screening_entries,
    )  # fmt: skip
    summary = sample(settings, args.raw)
    total, inclusive, on_top = shares(args.raw.read_text().splitlines())
    print(f"{total} samples of {args.workers} workers; raw stacks in {args.raw}")
    for title, counts in (("in the stack", inclusive), ("on top", on_top)):
        print(f"--- {title}")
        for name, n in counts.most_common(args.top):
            print(f"{100 * n / max(1, total):5.1f}%  {name}")
    print(summary)


if __name__ == "__main__":
    main()
