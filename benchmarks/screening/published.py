"""The published-alias evaluation: recall on variants the list publisher wrote, false
alerts on real names that are not listed.

Data (none of it written by this project):

- OFAC SDN list, mid-2021, CSV layout (``shared/sanctions/ofac-sdn-2021``: ``sdn.csv``
  primary names, ``alt.csv`` the a.k.a./f.k.a./n.k.a. names OFAC gives each entry).
  EU, UN and UK list files are not obtainable on this machine (only PyPI, Debian and
  npm are reachable, and no package ships them), so OFAC is the only publisher here.
- Clean names: the bank names of the registries shipped in ``schwifty``
  (``registries.clean_banks``), and person names that recombine a given name and a
  surname of two *different* listed persons of the same programme (parts written by
  OFAC, combined here; no listed person bears both).

The split: every entry falls, by a fixed SHA-256 of its OFAC id, into the *development*
half (the matcher may be tuned on it) or the *unseen* half (reported, never tuned on).
Clean names are split the same way by their own text.

The list screened against holds every entry (both halves, 8,976) under its **primary
name only**; each alias of an entry is screened as a query and counts as found when its
own entry is among the hits at the hold threshold. A clean name is a false alert when
any hit reaches the threshold. The kind of each alias comes from ``kinds`` (string rules,
not the matcher); only ``kinds.IN_SCOPE`` kinds make the headline recall.

Run: ``.venv/bin/python -m benchmarks.screening.published [--half unseen|development]
[--examples N]`` (prints JSON).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.screening import kinds
from benchmarks.screening.scoreboard import Case, Scoreboard, screen_cases
from finmesh.domain.screening.decision import HOLD_THRESHOLD
from finmesh.domain.screening.index import ScreeningIndex
from finmesh.domain.screening.model import EntryType, ListEntry, ListVersion

OFAC_FOLDER = "ofac-sdn-2021"
RECOMBINED_PER_PERSON = 2
RECOMBINE_SEED = 2021


def shared_sanctions() -> Path | None:
    """$FINMESH_SHARED/sanctions, else ``<checkout>/../shared/sanctions``, else
    /work/shared/sanctions, if present."""
    beside = Path(__file__).resolve().parents[2].parent / "shared"
    for root in (os.environ.get("FINMESH_SHARED"), beside, Path("/work/shared")):
        folder = Path(root) / "sanctions" if root else None
        if folder is not None and (folder / OFAC_FOLDER / "sdn.csv").is_file():
            return folder
    return None


def half_of(key: str) -> str:
    """ "development" or "unseen", fixed by a hash of ``key`` (an id or a name)."""
    digest = hashlib.sha256(f"finmesh-screening-split:{key}".encode()).digest()
    return "development" if digest[0] % 2 == 0 else "unseen"


@dataclass(frozen=True)
class Published:
    """One OFAC entry as published: primary name, aliases, type and programme."""

    id: str
    person: bool
    name: str
    aliases: tuple[tuple[str, str], ...]
    """(alias type: aka, fka, nka; the alias as written)."""
    programme: str


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 3:
                yield [cell.strip() for cell in row]


def read_ofac(folder: Path) -> list[Published]:
    """Every entry of ``sdn.csv`` with its aliases from ``alt.csv``."""
    aliases: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(folder / OFAC_FOLDER / "alt.csv"):
        aliases.setdefault(row[0], []).append((row[2].strip('"'), row[3]))
    return [
        Published(row[0], row[2] == "individual", row[1], tuple(aliases.get(row[0], ())), row[3])
        for row in _rows(folder / OFAC_FOLDER / "sdn.csv")
    ]


def listed_version(entries: Iterable[Published]) -> ListVersion:
    """The list screened against: every entry under its primary name only."""
    listed = tuple(
        ListEntry(e.id, EntryType.PERSON if e.person else EntryType.ENTITY, e.name,
                  programme=e.programme)
        for e in entries
    )  # fmt: skip
    return ListVersion.create("ofac-primary", 1, "OFAC SDN 2021, primary names", listed)


def alias_cases(entries: Iterable[Published], half: str) -> list[Case]:
    """Each alias of the entries of ``half`` as a query for its own entry, with its kind."""
    cases = []
    for entry in entries:
        if half_of(entry.id) != half:
            continue
        for _, alias in entry.aliases:
            kind = kinds.variation_kind(entry.name, alias, entry.person)
            if kind is not None:
                group = "person" if entry.person else "entity"
                cases.append(Case(alias, f"{group}:{kind}", entry.id))
    return cases


def _given_and_surname(entry: Published) -> tuple[str, str] | None:
    surname, comma, given = entry.name.partition(",")
    given_words = given.split()
    if not comma or not given_words or not surname.strip():
        return None
    return given_words[0], surname.strip()


def recombined_persons(entries: list[Published], half: str) -> list[Case]:
    """Clean look-alikes: a listed person's given name with the surname of another listed
    person of the same programme (and the other way round), when no listed name holds
    both words."""
    rng = random.Random(RECOMBINE_SEED)
    persons = [e for e in entries if e.person and _given_and_surname(e)]
    by_programme: dict[str, list[Published]] = {}
    for person in persons:
        by_programme.setdefault(person.programme, []).append(person)
    listed_words = [
        frozenset(kinds.tokens(name, True))
        for e in persons
        for name in (e.name, *(a for _, a in e.aliases))
    ]
    cases = []
    for person in persons:
        if half_of(person.id) != half or len(by_programme[person.programme]) < 2:
            continue
        given, surname = _given_and_surname(person) or ("", "")
        for _ in range(RECOMBINED_PER_PERSON):
            donor = rng.choice(by_programme[person.programme])
            other_given, other_surname = _given_and_surname(donor) or ("", "")
            for kind, name in (
                ("clean:same_given_other_surname", f"{other_surname}, {given}"),
                ("clean:same_surname_other_given", f"{surname}, {other_given}"),
            ):
                words = frozenset(kinds.tokens(name, True))
                if not any(words <= listed for listed in listed_words):
                    cases.append(Case(name, kind, None))
    return list(dict.fromkeys(cases))


def build(folder: Path, half: str) -> tuple[ListVersion, list[Case]]:
    """The list and the cases of one half: aliases, recombined persons, registry banks."""
    from benchmarks.screening.registries import clean_banks

    entries = read_ofac(folder)
    version = listed_version(entries)
    cases = alias_cases(entries, half) + recombined_persons(entries, half)
    cases += [case for case in clean_banks(entries) if half_of(case.query) == half]
    return version, cases


def run(half: str, examples: int = 20) -> dict[str, object]:
    folder = shared_sanctions()
    if folder is None:
        raise SystemExit("shared/sanctions is not beside this checkout (set FINMESH_SHARED)")
    version, cases = build(folder, half)
    index = ScreeningIndex.build([version])
    board: Scoreboard = screen_cases(index, cases, HOLD_THRESHOLD)
    return {
        "set": "published OFAC aliases",
        "half": half,
        **board.summary(kinds.IN_SCOPE, examples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("unseen", "development"), default="unseen")
    parser.add_argument("--examples", type=int, default=20)
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.half, arguments.examples), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
