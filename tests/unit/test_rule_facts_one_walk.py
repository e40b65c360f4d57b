"""The rules' facts that parse_message collects inside extraction's walk (``scan``) are
the very elements ``Facts.collect`` finds in a walk of its own: the two sorting loops
(facts.py and extract.py) must stay alike."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022.extract import scan
from finmesh.domain.iso20022.intake import split_envelope
from finmesh.domain.iso20022.safe_xml import parse_untrusted
from finmesh.domain.rules import RuleBook
from finmesh.domain.rules.facts import Facts
from tests.unit.parse_equivalence_cases import EDITS, bench_payloads, sample_payloads

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LISTS = ("amounts", "currencies", "bics", "header_bics", "document_bics", "ibans", "uetrs", "dates")


def _trees(payload: bytes) -> tuple[etree._Element, etree._Element] | None:
    try:
        return split_envelope(parse_untrusted(payload))
    except Rejected:
        return None


def _payloads() -> dict[str, bytes]:
    out = {**bench_payloads(), **sample_payloads()}
    for name, payload in list(out.items()):
        for edit_name, edit in EDITS.items():
            root = etree.fromstring(payload)
            if edit(root):
                out[f"{name}#{edit_name}"] = etree.tostring(root)
    return out


def test_one_walk_finds_the_facts_a_walk_of_their_own_finds() -> None:
    book = RuleBook()
    checked = 0
    for name, payload in _payloads().items():
        trees = _trees(payload)
        if trees is None:
            continue
        header, document = trees
        definition = etree.QName(document).namespace or ""
        alone = Facts.collect(header, document, definition, "swift.cbprplus.02", NOW)
        begun = book.begin(header, document, definition, "swift.cbprplus.02", NOW)
        assert begun is not None
        scan(header, document, begun)
        for field in LISTS:
            assert getattr(begun, field) == getattr(alone, field), (name, field)
        checked += 1
    assert checked >= 7


def test_no_rule_set_means_no_facts_and_no_sorting() -> None:
    header, document = split_envelope(parse_untrusted(bench_payloads()["bench_plain"]))
    assert RuleBook([]).begin(header, document, "pacs.008.001.13", None, NOW) is None
