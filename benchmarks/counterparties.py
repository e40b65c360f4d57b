"""Screening as a real network meets it: a sanctions list of realistic size loaded in the
node, and payments whose debtor and creditor names repeat as correspondent traffic's do.

The list: ``entries`` generated names (default 100,000: the OFAC, EU and UN lists'
names and aliases together are of that order), in the styles of the screening
evaluation set (``benchmarks.screening``), loaded through ``finmesh lists load``.

The traffic: each message names a debtor and a creditor drawn from a population of
``POPULATION`` counterparties with Zipf weights (exponent ``ZIPF_S``): in correspondent
banking a bank's payments concentrate on few corporates and persons that recur daily,
with a long tail; a share ``NEW_SHARE`` of names is new (never seen before, so never in
any cache), and a share ``LISTED_SHARE`` is a true variant of a listed name (a hit that
holds the message, as a few per mille of real payments do).

The prior day: a network measured in its steady state has screened its recurring
counterparties before (yesterday's traffic). Before the clock starts, each client sends
``prior_day()`` messages that name every one of its ``POPULATION`` counterparties once
as debtor and once as creditor (a name is screened with the country of its side, so the
two are screened apart), unmeasured; measured traffic then meets them again, while its
new names (``NEW_SHARE``) and listed variants are screened as they come. Counterparties are persons
and companies as ``faker`` writes them for the locales in ``LOCALES`` (weighted towards
the traffic of European and US correspondents, with Russian, Arabic, Chinese, Japanese
and Turkish names in their own scripts): generated data, labelled so in every result.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from faker import Faker

from benchmarks.screening.listed_names import Composed
from benchmarks.screening.speed import BENCH_SEED, generate_list
from benchmarks.screening.variants import true_variants

POPULATION = 10_000
ZIPF_S = 1.0
NEW_SHARE = 0.05
LISTED_SHARE = 0.002
LOCALES = OrderedDict(
    en_US=0.25, de_DE=0.12, fr_FR=0.10, es_ES=0.08, it_IT=0.07, nl_NL=0.05, pl_PL=0.05,
    tr_TR=0.05, ru_RU=0.08, ar_AA=0.05, zh_CN=0.06, ja_JP=0.04,
)  # fmt: skip
PERSON_SHARE = 0.5
DISTRIBUTION = (
    f"Zipf s={ZIPF_S} over {POPULATION} generated counterparties (faker, 12 locales, "
    f"{PERSON_SHARE:.0%} persons) per client, each named on both sides by a prior day's "
    f"traffic before the clock starts; {NEW_SHARE:.0%} new names, {LISTED_SHARE:.1%} true "
    "variants of listed names"
)


def write_list_csv(path: Path, entries: int, seed: int = BENCH_SEED) -> list[Composed]:
    """The generated list in finmesh's plain CSV layout; returns the listed names."""
    names, version = generate_list(entries, random.Random(seed))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "aliases", "type", "countries", "bics", "program"])
        for entry in version.entries:
            writer.writerow([
                entry.id, entry.name, ";".join(entry.weak_aliases), entry.type.value,
                ";".join(entry.countries), "", entry.programme,
            ])  # fmt: skip
    return names


def client_seed(profile_folder: str | Path) -> int:
    """Each client's own population, the same in every run: runs compare (a seed that
    changed per run made the share of held messages swing between 4 % and 9 %, as a
    frequent counterparty happened to resemble a listed name or not)."""
    return zlib.crc32(Path(profile_folder).name.encode())


class Counterparties:
    """An endless stream of (debtor, creditor) names, XML-escaped, as described above."""

    def __init__(self, listed: Sequence[Composed], seed: int) -> None:
        self._rng = random.Random(seed)
        self._faker = Faker(LOCALES)
        self._faker.seed_instance(seed)
        self._listed = list(listed)
        self._population = [self._fresh() for _ in range(POPULATION)]
        weights = [1.0 / (rank**ZIPF_S) for rank in range(1, POPULATION + 1)]
        self._cumulative = list(itertools.accumulate(weights))
        self._replay: list[str] = []

    def prior_day(self) -> int:
        """Make the next ``pair()`` calls name every recurring counterparty once on each
        side (in random order); returns how many pairs that takes."""
        self._replay = self._population[:]
        self._rng.shuffle(self._replay)
        return len(self._replay)

    def _fresh(self) -> str:
        person = self._rng.random() < PERSON_SHARE
        name = self._faker.name() if person else self._faker.company()
        return escape(name[:140])

    def name(self) -> str:
        roll = self._rng.random()
        if roll < LISTED_SHARE and self._listed:
            variants = true_variants(self._rng.choice(self._listed), self._rng)
            if variants:
                return escape(self._rng.choice(variants)[1])
        if roll < LISTED_SHARE + NEW_SHARE:
            return self._fresh()
        at = bisect.bisect(self._cumulative, self._rng.random() * self._cumulative[-1])
        return self._population[min(at, POPULATION - 1)]

    def pair(self) -> tuple[str, str]:
        if self._replay:
            both = self._replay.pop()
            return both, both
        return self.name(), self.name()
