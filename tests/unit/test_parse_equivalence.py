"""parse_message gives exactly what it gave before its walks were trimmed (issue 16):
every extracted field, flow facts, and every refusal's code and detail, with and
without the rules, on the benchmark messages, every published sample and edits of
them (see parse_equivalence_cases.py; the fixture was written by the code before)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.parse_equivalence_cases import (
    FIXTURE,
    edited,
    record,
    sample_payloads,
    summary,
)

EXPECTED: dict[str, Any] = json.loads(FIXTURE.read_text())
BENCH = {name: text.encode() for name, text in EXPECTED["bench_payloads"].items()}


def _differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    names = sorted(set(expected) | set(got))
    return [name for name in names if expected.get(name) != got.get(name)]


def test_the_benchmark_messages_parse_as_before() -> None:
    got = record(BENCH)
    assert _differences(EXPECTED["bench"], got) == []
    assert EXPECTED["bench"]["bench_aa_country"]["rules"]["rejected"] == "V04"


def test_every_published_sample_parses_or_is_refused_as_before() -> None:
    samples = sample_payloads()
    if not samples:
        pytest.skip("the published samples (shared/iso20022/samples) are not on this machine")
    got = record(samples)
    wrong = _differences(EXPECTED["samples"], got)
    assert wrong == [], [(n, EXPECTED["samples"].get(n), got.get(n)) for n in wrong[:3]]


def test_edited_messages_parse_or_are_refused_as_before() -> None:
    samples = sample_payloads()
    cases = dict(edited({**BENCH, **samples}))
    got = {name: summary(outcomes) for name, outcomes in record(cases).items()}
    expected = EXPECTED["edited"]
    if not samples:
        expected = {k: v for k, v in expected.items() if k.split("#")[0] in BENCH}
    wrong = _differences(expected, got)
    assert wrong == [], [(n, expected.get(n), got.get(n)) for n in wrong[:5]]
