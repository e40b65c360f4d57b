"""What sanctions screening adds to intake, per message, against 100,000 listed entries.

Builds the generated list of ``benchmarks.screening.speed`` (100,000 entries by default),
then times, per pacs.008, exactly what intake adds when a list is loaded: the screening
queries of the parsed message (``screening_queries``) and ``ActiveScreening.screen``
(every party, agent and free text; hits cached per query, as in a node). Debtor and
creditor names are fresh for every message (half true variants of listed names, half
clean names), so only agents repeat. Parsing is timed too, for scale. One thread.

Run from the checkout root: ``.venv/bin/python -m benchmarks.bench_screening_intake
[ENTRIES] [MESSAGES]``
(prints one JSON object).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time

from benchmarks.screening.speed import BENCH_SEED, generate_list, generate_queries
from benchmarks.traffic import MESSAGE_DEFINITION
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.queries import screening_queries
from finmesh.node.intake_screening import ActiveScreening
from finmesh.node.schemas import packaged_registry

SCHEMAS = packaged_registry()

SENDERS = ("BCVLCH2LXXX", "COBADEFFXXX", "BNPAFRPPXXX", "INGBNL2AXXX")


def main(entries: int = 100_000, messages: int = 2_000) -> dict[str, object]:
    rng = random.Random(BENCH_SEED)
    names, version = generate_list(entries, rng)
    started = time.perf_counter()
    index = ScreeningIndex.build([version])
    build_s = time.perf_counter() - started
    active = ActiveScreening(1, index, (), ())
    people = [q.name or "" for q in generate_queries(names, 2 * messages, rng)]
    payloads = [
        example_message("pacs.008", rng.choice(SENDERS), rng.choice(SENDERS[::-1]),
                        debtor_name=people[2 * i], creditor_name=people[2 * i + 1],
                        definition=MESSAGE_DEFINITION)
        for i in range(messages)
    ]
    parse_us, screen_us, held = [], [], 0
    for payload in payloads:
        t0 = time.perf_counter()
        parsed = parse_message(payload, SCHEMAS)
        t1 = time.perf_counter()
        result = active.screen(screening_queries(parsed), 0)
        t2 = time.perf_counter()
        parse_us.append((t1 - t0) * 1e6)
        screen_us.append((t2 - t1) * 1e6)
        held += result.decision == "hold"
    quantiles = statistics.quantiles(screen_us, n=100)
    return {
        "entries": entries,
        "messages": messages,
        "build_s": round(build_s, 2),
        "screen_us_mean": round(statistics.fmean(screen_us)),
        "screen_us_p50": round(quantiles[49]),
        "screen_us_p99": round(quantiles[98]),
        "parse_us_p50": round(statistics.median(parse_us)),
        "held_share": round(held / messages, 3),
        "messages_per_s_screening_only": round(messages / (sum(screen_us) / 1e6)),
    }


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(main(*arguments)))
