"""Measure parse_message throughput (prints; asserts nothing).

Run: .venv/bin/python benchmarks/bench_parse.py [messages per run] [runs]

Reports the median of the runs in messages per second: the CBPR+ pacs.008 example on one
thread (full intake: safe parse, envelope, head.001 XSD, pacs.008.001.08 XSD, extraction)
and on two threads, then the pacs.009 and pacs.002 examples, which are validated
structurally against pyiso20022's classes (much slower, smaller samples).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finmesh.domain.iso20022 import example_message, parse_message


def _messages(kind: str, count: int) -> list[bytes]:
    return [
        example_message(kind, "DEUTDEFFXXX", "BNPAFRPPXXX", purpose="GDDS", debtor_name="A Debtor")
        for _ in range(count)
    ]


def _parse_all(messages: list[bytes]) -> None:
    for message in messages:
        parse_message(message)


def _rate(messages: list[bytes], runs: int, threads: int = 1) -> float:
    parse_message(messages[0])  # compile schemas and import classes outside the timing
    shares = [messages[index::threads] for index in range(threads)]
    rates = []
    for _ in range(runs):
        workers = [threading.Thread(target=_parse_all, args=(share,)) for share in shares]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        rates.append(len(messages) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    pacs008 = _messages("pacs.008", count)
    size = len(pacs008[0])
    print(f"pacs.008, 1 thread : {_rate(pacs008, runs):8,.0f} msgs/s ({count} x {size} B)")
    print(f"pacs.008, 2 threads: {_rate(pacs008, runs, threads=2):8,.0f} msgs/s")
    for kind in ("pacs.009", "pacs.002"):
        sample = _messages(kind, max(count // 10, 1))
        print(f"{kind}, 1 thread : {_rate(sample, runs):8,.0f} msgs/s ({len(sample)} msgs)")


if __name__ == "__main__":
    main()
