"""Screening's CPU per message as a node's cache warms: cold start to steady state.

Intake screens every pacs.008 against the generated 100,000-entry list
(``benchmarks.screening.speed``) through ``ActiveScreening``, the per-node cache of
intake (hits remembered per screened name). Counterparties come from
``benchmarks.counterparties`` (Zipf over a population, a share of new names, a share of
true variants of listed names): the traffic ``finmesh bench intake`` sends. The CPU time
of screening (queries and matching, not parsing) is reported per window of messages: the
first windows are a node that just started, the last a node that has run for a while.
One process, one thread, ``time.process_time``.

Run from the checkout root:
``.venv/bin/python -m benchmarks.screening.steady [MESSAGES] [WINDOW]`` (JSON lines).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from xml.sax.saxutils import unescape

from benchmarks.counterparties import DISTRIBUTION, Counterparties
from benchmarks.screening.speed import BENCH_SEED, generate_list
from benchmarks.traffic import MESSAGE_DEFINITION
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.queries import screening_queries
from finmesh.node.intake_screening import ActiveScreening
from finmesh.node.schemas import packaged_registry

ENTRIES = 100_000
SENDERS = ("BCVLCH2LXXX", "COBADEFFXXX", "BNPAFRPPXXX", "INGBNL2AXXX")
LISTED_SAMPLE = 1000


def run(messages: int = 40_000, window: int = 5_000) -> list[dict[str, object]]:
    names, version = generate_list(ENTRIES, random.Random(BENCH_SEED))
    active = ActiveScreening(1, ScreeningIndex.build([version]), (), ())
    traffic = Counterparties(names[:: ENTRIES // LISTED_SAMPLE], seed=BENCH_SEED)
    schemas, rng = packaged_registry(), random.Random(BENCH_SEED)
    costs_us: list[float] = []
    held = 0
    for _ in range(messages):
        debtor, creditor = (unescape(n) for n in traffic.pair())
        payload = example_message(
            "pacs.008", rng.choice(SENDERS), rng.choice(SENDERS), debtor_name=debtor,
            creditor_name=creditor, definition=MESSAGE_DEFINITION,
        )  # fmt: skip
        parsed = parse_message(payload, schemas)
        started = time.process_time()
        held += active.screen(screening_queries(parsed), 0).decision == "hold"
        costs_us.append((time.process_time() - started) * 1e6)
    return [
        {
            "messages_from": low,
            "messages_to": low + len(costs_us[low : low + window]),
            "screening_cpu_us_per_msg": round(statistics.fmean(costs_us[low : low + window]), 1),
            "entries": ENTRIES,
            "traffic": DISTRIBUTION,
            "held_share_overall": round(held / messages, 4),
        }
        for low in range(0, messages, window)
    ]


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    for row in run(*arguments):
        print(json.dumps(row))
