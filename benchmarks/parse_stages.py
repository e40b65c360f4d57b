"""CPU per message of each stage of ``parse_message``, measured in isolation.

``python -m benchmarks.parse_stages [--rounds N] [--seconds S] [--json]``

Two corpora: (a) the messages the node benchmarks send (``MessageFactory`` pacs.008,
BANKDEFFXXX -> BANKFRPPXXX, with and without counterparty names), (b) the published
samples under ``../shared/iso20022/samples`` that pass safe parsing and both schemas
(skipped when the folder is absent). Each stage runs over the whole corpus many times;
its CPU (``time.process_time``) per message is the median of ``--rounds`` rounds.
Stages: safe parse, XSD header, XSD document, rules (the full rule book, CBPR+ included),
extract (flow facts included), and total (``parse_message`` with the rule book).
A message the rules refuse is measured too: refusing is part of the rules' cost; the
samples are also shown split into those the rules accept and those they refuse.
In ``parse_message`` the rules' facts are collected in extraction's walk (one walk), so
there ``total`` is less than the sum of the stages, which each walk on their own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from benchmarks.counterparties import Counterparties
from benchmarks.traffic import MessageFactory
from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import SchemaRegistry, SchemaSource, inspect_schema
from finmesh.domain.iso20022.extract import extract
from finmesh.domain.iso20022.intake import parse_message, split_envelope
from finmesh.domain.iso20022.model import HEADER_DEF, HEADER_NS, definition_of
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.domain.rules import RuleBook
from finmesh.node.schemas import packaged_loader

SHARED = Path(os.environ.get("FINMESH_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SHARED = SHARED / "iso20022"
"""The shared data: FINMESH_SHARED, else beside the checkout (as the tests find it)."""
SENDER, RECEIVER = "BANKDEFFXXX", "BANKFRPPXXX"
BENCH_MESSAGES = 200
STAGES = ("safe_parse", "xsd_header", "xsd_document", "rules", "extract", "total")
_BIZSVC = f"{{{HEADER_NS}}}BizSvc"


def _shared_loader(definition: str) -> SchemaSource | None:
    path = SHARED / "xsd" / f"{definition}.xsd"
    return inspect_schema(path.read_bytes(), "registered") if path.is_file() else None


@dataclass(frozen=True)
class Prepared:
    """One message, its trees, and what the stages need from it."""

    payload: bytes
    header: etree._Element
    document: etree._Element
    definition: str
    business_service: str | None


def bench_messages(count: int = BENCH_MESSAGES) -> list[bytes]:
    """Half plain, half with counterparty names, as the node benchmarks send them."""
    plain = MessageFactory(SENDER, RECEIVER)
    named = MessageFactory(SENDER, RECEIVER, Counterparties([], seed=16))
    return [(plain if i % 2 else named).make()[1] for i in range(count)]


def sample_messages(schemas: SchemaRegistry) -> list[bytes]:
    """The published samples both schemas accept (the rules may still refuse them)."""
    folder = SHARED / "samples"
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*.xml")):
        data = path.read_bytes()
        try:
            parse_message(data, schemas)
        except Rejected:
            continue
        out.append(data)
    return out


def _by_verdict(
    payloads: Sequence[bytes], schemas: SchemaRegistry, book: RuleBook, now: datetime
) -> tuple[list[bytes], list[bytes]]:
    """(those the rules accept, those they refuse)."""
    accepted, refused = [], []
    for payload in payloads:
        try:
            parse_message(payload, schemas, rules=book, now=now)
        except Rejected:
            refused.append(payload)
            continue
        accepted.append(payload)
    return accepted, refused


def prepare(payloads: Sequence[bytes]) -> list[Prepared]:
    out = []
    for payload in payloads:
        header, document = split_envelope(parse_untrusted(payload))
        definition = definition_of(etree.QName(document).namespace)
        assert definition is not None
        out.append(Prepared(payload, header, document, definition, header.findtext(_BIZSVC)))
    return out


def _stage_functions(
    schemas: SchemaRegistry, book: RuleBook, now: datetime
) -> dict[str, Callable[[Prepared], object]]:
    head = schemas.validator_for(HEADER_DEF)
    assert head is not None

    def xsd_document(m: Prepared) -> object:
        validator = schemas.validator_for(m.definition)
        assert validator is not None
        return validator.validate(m.document)

    def rules(m: Prepared) -> object:
        try:
            book.check(m.header, m.document, m.definition, m.business_service, now)
        except Rejected as exc:
            return exc
        return None

    def total(m: Prepared) -> object:
        try:
            return parse_message(m.payload, schemas, rules=book, now=now)
        except Rejected as exc:
            return exc

    return {
        "safe_parse": lambda m: parse_untrusted(m.payload),
        "xsd_header": lambda m: head.validate(m.header),
        "xsd_document": xsd_document,
        "rules": rules,
        "extract": lambda m: extract(m.header, m.document, m.definition),
        "total": total,
    }


def _cpu_per_message(
    run: Callable[[Prepared], object], corpus: Sequence[Prepared], seconds: float
) -> float:
    """CPU µs per message of one round lasting about ``seconds``."""
    start = time.process_time()
    passes = 0
    while True:
        for message in corpus:
            run(message)
        passes += 1
        spent = time.process_time() - start
        if spent >= seconds:
            return spent / (passes * len(corpus)) * 1e6


def measure(
    corpus: Sequence[Prepared], stages: dict[str, Callable[[Prepared], object]],
    rounds: int, seconds: float,
) -> dict[str, float]:  # fmt: skip
    """Stage -> median over ``rounds`` of its CPU µs per message; rounds interleave the
    stages so a noisy neighbour hits them alike."""
    samples: dict[str, list[float]] = {name: [] for name in stages}
    for run in stages.values():
        _cpu_per_message(run, corpus, seconds / 4)  # warm caches and schemas
    for _ in range(rounds):
        for name, run in stages.items():
            samples[name].append(_cpu_per_message(run, corpus, seconds))
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.4, help="CPU seconds per round")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    schemas = SchemaRegistry([packaged_loader, _shared_loader])
    book = RuleBook()
    now = datetime.now(UTC)
    stages = _stage_functions(schemas, book, now)
    corpora = {"bench": prepare(bench_messages())}
    samples = sample_messages(schemas)
    if samples:
        corpora["samples"] = prepare(samples)
        accepted, refused = _by_verdict(samples, schemas, book, now)
        corpora["samples_accepted"] = prepare(accepted)
        corpora["samples_refused"] = prepare(refused)
    results = {
        name: {"messages": len(corpus), **measure(corpus, stages, args.rounds, args.seconds)}
        for name, corpus in corpora.items()
    }
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    print(f"CPU µs per message, median of {args.rounds} rounds")
    print(f"{'corpus':<18}{'msgs':>6}" + "".join(f"{s:>14}" for s in STAGES))
    for name, row in results.items():
        cells = "".join(f"{row[s]:>14.1f}" for s in STAGES)
        print(f"{name:<18}{int(row['messages']):>6}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
