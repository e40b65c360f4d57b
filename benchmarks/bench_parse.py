"""Measure parse_message throughput on CBPR+ pacs.008 examples (prints; asserts nothing).

Run: .venv/bin/python benchmarks/bench_parse.py [messages per run] [runs]
Reports the median of the runs, in messages per second on one thread, for the full
intake (safe parse, envelope, head.001 XSD, pacs.008.001.08 XSD, extraction), and for
comparison the pacs.009 and pacs.002 examples, which are validated structurally.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finmesh.domain.iso20022 import example_message, parse_message  # noqa: E402


def _rate(kind: str, count: int, runs: int) -> tuple[float, int]:
    messages = [
        example_message(kind, "DEUTDEFFXXX", "BNPAFRPPXXX", purpose="GDDS", debtor_name="A Debtor")
        for _ in range(count)
    ]
    parse_message(messages[0])  # compile schemas and import classes outside the timing
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for message in messages:
            parse_message(message)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), len(messages[0])


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for kind, share in (("pacs.008", 1), ("pacs.009", 10), ("pacs.002", 10)):
        n = max(count // share, 1)
        rate, size = _rate(kind, n, runs)
        print(f"{kind}: {rate:,.0f} msgs/s (median of {runs} runs of {n}, {size} bytes each)")


if __name__ == "__main__":
    main()
