"""Screening speed against a large generated list: ``screening_benchmark(entries=100_000)``.

``screens_per_s`` divides the screens by the CPU time of the screening thread (per
core, as the goal is stated; the machine may be shared), ``screens_per_s_wall`` by the
elapsed time; latencies are elapsed times.

The list mixes the evaluation set's origins (``listed_names``); most surnames and company
names are replaced by invented words so that, as in real lists, most distinctive words
are rare. Queries are a realistic mix: half are true variants of listed names (script,
respelling, reordering, typos, ...), half are clean names of the same origins that are
not listed. One thread, one core; the list build time is reported apart.

Run: ``.venv/bin/python -m benchmarks.screening.speed [--entries N] [--queries N]``
(prints the result as JSON).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import random
import resource
import statistics
import time

from benchmarks.screening.listed_names import Composed, Part, compose
from benchmarks.screening.variants import true_variants
from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion, Query

BENCH_SEED = 424_242
BENCH_LIST = "bench"
DEFAULT_ENTRIES = 100_000
DEFAULT_QUERIES = 4_000
SCREEN_SECONDS_MAX = 20.0
"""Time bound of the screening loop: a slow machine screens fewer queries, not longer."""

_ONSETS = tuple("b br ch d dr f g gr h k kh kr l m n p pr r s sh st t tr v z zh".split())  # noqa: SIM905
_VOWELS = ["a", "e", "i", "o", "u", "ia", "ou", "ei"]
_CODAS = ("", "", "n", "r", "l", "s", "k", "m", "t")
_ENDINGS = {
    "ru": ("ov", "ev", "in", "sky", "enko", "ovich"),
    "el": ("opoulos", "idis", "akis", "ou", "as"),
    "ar": ("i", "an", "ani", "awi"),
    "west": ("son", "mann", "er", "ton", "ley", "berg"),
}


def invented_word(rng: random.Random, origin: str) -> str:
    """A pronounceable invented word in the style of ``origin`` (mostly unique)."""
    syllables = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.choice((1, 2, 2, 3)))
    )
    return (syllables + rng.choice(_ENDINGS.get(origin, ("",)))).capitalize()


def _diversify(name: Composed, rng: random.Random) -> Composed:
    role = "surname" if name.person else "core"
    if rng.random() < 0.2 or not name.of_role(role):
        return name
    word = invented_word(rng, name.origin)
    parts = tuple(Part(role, (word,)) if p.role == role else p for p in name.parts)
    return dataclasses.replace(name, parts=parts, native_form=None)


def generate_list(entries: int, rng: random.Random) -> tuple[list[Composed], ListVersion]:
    names = [_diversify(compose(rng), rng) for _ in range(entries)]
    listed = tuple(
        ListEntry(
            id=f"B{number:07d}",
            type=EntryType.PERSON if name.person else EntryType.ENTITY,
            name=name.listed(),
            weak_aliases=(name.weak_alias,) if name.weak_alias else (),
            countries=(rng.choice(("RU", "BY", "IR", "SY", "AE", "GR", "CY", "TR", "KP")),),
            programme="BENCH",
        )
        for number, name in enumerate(names)
    )
    return names, ListVersion.create(BENCH_LIST, 1, f"generated {entries}", listed)


def generate_queries(names: list[Composed], count: int, rng: random.Random) -> list[Query]:
    """Half true variants of listed names, half clean names that are not listed."""
    queries: list[Query] = []
    while len(queries) < count // 2:
        variants = true_variants(rng.choice(names), rng)
        if variants:
            queries.append(Query("bench", name=rng.choice(variants)[1]))
    while len(queries) < count:
        queries.append(Query("bench", name=_diversify(compose(rng), rng).listed()))
    rng.shuffle(queries)
    return queries


def screening_benchmark(
    entries: int = DEFAULT_ENTRIES, queries: int = DEFAULT_QUERIES, seed: int = BENCH_SEED
) -> dict[str, object]:
    """Build an index of ``entries`` generated entries and time ``queries`` screens."""
    rng = random.Random(seed)
    names, version = generate_list(entries, rng)
    workload = generate_queries(names, queries, rng)
    gc.collect()
    rss_before = _rss_mb()
    started = time.perf_counter()
    index = ScreeningIndex.build([version])
    build_s = time.perf_counter() - started
    index_mb = _rss_mb() - rss_before
    timings: list[float] = []
    held = 0
    loop_started = time.perf_counter()
    cpu_started = time.thread_time()
    for query in workload:
        before = time.perf_counter()
        held += bool(index.screen(query, min_score=HOLD_THRESHOLD))
        timings.append(time.perf_counter() - before)
        if before - loop_started > SCREEN_SECONDS_MAX:
            break
    cpu_s = time.thread_time() - cpu_started
    quantiles = statistics.quantiles(timings, n=100)
    return {
        "screens_per_s": round(len(timings) / cpu_s),
        "screens_per_s_wall": round(len(timings) / sum(timings)),
        "entries": entries,
        "names_indexed": index.name_count,
        "queries": len(timings),
        "held_share": round(held / len(timings), 3),
        "build_s": round(build_s, 2),
        "p50_us": round(quantiles[49] * 1e6),
        "p99_us": round(quantiles[98] * 1e6),
        "index_mb": index_mb,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def _rss_mb() -> int:
    """Resident memory of this process now, in MiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=DEFAULT_ENTRIES)
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES)
    arguments = parser.parse_args()
    print(json.dumps(screening_benchmark(arguments.entries, arguments.queries)))


if __name__ == "__main__":
    main()
