"""The cases test_parse_equivalence.py holds ``parse_message`` to, and how their outcome
is written down: the benchmark messages, every published sample, and each schema-valid
one of them edited to break (or just change) one thing the rules or the extraction read.

``python -m tests.unit.parse_equivalence_cases`` rewrites the fixture from the code as it
is: run it only on the code whose behaviour is the reference.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.rules import RuleBook
from tests.shareddata import SCHEMAS, shared_root

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "parse_equivalence.json"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
BOOK = RuleBook()
Edit = Callable[[etree._Element], bool]


def outcome(payload: bytes, with_rules: bool) -> dict[str, Any]:
    """The ParsedMessage as plain JSON values, or the refusal's code and detail."""
    try:
        parsed = parse_message(payload, SCHEMAS, rules=BOOK if with_rules else None, now=NOW)
    except Rejected as exc:
        return {"rejected": exc.reason.code, "detail": exc.detail}
    return {"parsed": json.loads(json.dumps(dataclasses.asdict(parsed), default=_plain))}


def digest(value: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:20]


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return f"Decimal:{value}"
    raise TypeError(type(value))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _first(root: etree._Element, name: str, under: str = "") -> etree._Element | None:
    scope = root
    if under:
        scope = next((e for e in root.iter() if _local(e) == under), root)
    return next((e for e in scope.iter() if _local(e) == name), None)


def _set_text(name: str, change: Callable[[str], str], under: str = "") -> Edit:
    def edit(root: etree._Element) -> bool:
        found = _first(root, name, under)
        if found is None or found.text is None:
            return False
        found.text = change(found.text)
        return True

    return edit


def _set_ccy(code: str) -> Edit:
    def edit(root: etree._Element) -> bool:
        found = next((e for e in root.iter() if e.get("Ccy") is not None), None)
        if found is None:
            return False
        found.set("Ccy", code)
        return True

    return edit


def _drop(name: str) -> Edit:
    def edit(root: etree._Element) -> bool:
        found = _first(root, name)
        if found is None or found.getparent() is None:
            return False
        found.getparent().remove(found)  # type: ignore[union-attr]
        return True

    return edit


def _bump_check_digits(iban: str) -> str:
    return iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]


EDITS: dict[str, Edit] = {
    "ccy_unknown": _set_ccy("XYZ"),
    "ccy_gold": _set_ccy("XAU"),
    "ccy_yen": _set_ccy("JPY"),
    "amount_decimals": _set_text("IntrBkSttlmAmt", lambda t: t.split(".")[0] + ".125"),
    "bic_country_aa": _set_text("BICFI", lambda t: t[:4] + "AA" + t[6:], under="Document"),
    "header_bic_aa": _set_text("BICFI", lambda t: t[:4] + "AA" + t[6:], under="AppHdr"),
    "instructed_agent_other": _set_text("BICFI", lambda t: "COBADEFFXXX", under="InstdAgt"),
    "iban_check_digits": _set_text("IBAN", _bump_check_digits),
    "uetr_upper": _set_text("UETR", str.upper),
    "orgnl_uetr_upper": _set_text("OrgnlUETR", str.upper),
    "uetr_dropped": _drop("UETR"),
    "cre_dt_tm_future": _set_text("CreDtTm", lambda t: "2099-01-01T00:00:00Z"),
    "cre_dt_tm_naive": _set_text("CreDtTm", lambda t: "2026-12-01T10:00:00"),
    "cre_dt_offset": _set_text("CreDt", lambda t: "2026-12-01T10:00:00+15:00"),
    "biz_svc_cbpr03": _set_text("BizSvc", lambda t: "swift.cbprplus.03"),
    "biz_svc_dropped": _drop("BizSvc"),
    "debtor_name_dropped": _drop("Nm"),
    "town_dropped": _drop("TwnNm"),
    "remittance_dropped": _drop("Ustrd"),
}
"""Name -> an edit of one message (False when the message has nothing to edit)."""


def bench_payloads() -> dict[str, bytes]:
    """The messages the node benchmarks send and the examples of each kind, made once
    (their identifiers are random) and kept in the fixture."""
    from benchmarks.counterparties import Counterparties
    from benchmarks.traffic import MessageFactory

    named = MessageFactory("BANKDEFFXXX", "BANKFRPPXXX", Counterparties([], seed=16))
    return {
        "bench_plain": MessageFactory("BANKDEFFXXX", "BANKFRPPXXX").make()[1],
        "bench_named": named.make()[1],
        "bench_named_2": named.make()[1],
        "bench_aa_country": MessageFactory("BANKDEFFXXX", "BANKAAPPXXX").make()[1],
        "example_pacs009": example_message(
            "pacs.009", "DEUTDEFFXXX", "BNPAFRPP", extra_agent_bics=["COBADEFF"], now=NOW
        ),
        "example_pacs002": example_message("pacs.002", "DEUTDEFFXXX", "BNPAFRPP", now=NOW),
        "example_pacs008_purposes": example_message(
            "pacs.008",
            "DEUTDEFFXXX",
            "BNPAFRPP",
            purpose="GDDS",
            category_purpose="SUPP",
            debtor_name="Ann Example",
            creditor_name="Bob Example",
            extra_agent_bics=["COBADEFF", "INGBNL2A", "RABONL2U"],
            now=NOW,
        ),
    }


def sample_payloads() -> dict[str, bytes]:
    root = shared_root()
    if root is None or not (root / "iso20022" / "samples").is_dir():
        return {}
    folder = root / "iso20022" / "samples"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.xml"))}


def edited(bases: dict[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """Every edit of every base message whose schema-valid form it applies to."""
    for name, payload in bases.items():
        if "rejected" in outcome(payload, with_rules=False):
            continue
        for edit_name, edit in EDITS.items():
            root = etree.fromstring(payload)
            if edit(root):
                yield f"{name}#{edit_name}", etree.tostring(root, encoding="UTF-8")


def record(payloads: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Case -> outcome without and with the rules."""
    return {
        name: {"schema": outcome(payload, False), "rules": outcome(payload, True)}
        for name, payload in payloads.items()
    }


def summary(outcomes: dict[str, Any]) -> str:
    """``<code with rules or pass>/<code without or pass> <digest of both outcomes>``."""
    codes = [outcomes[m].get("rejected", "pass") for m in ("rules", "schema")]
    return f"{codes[0]}/{codes[1]} {digest(outcomes)}"


def write_fixture() -> None:
    bench = bench_payloads()
    samples = sample_payloads()
    fixture: dict[str, dict[str, Any]] = {
        "bench_payloads": {name: payload.decode() for name, payload in bench.items()},
        "bench": record(bench),
        "samples": record(samples),
        "edited": {
            name: summary(outcomes)
            for name, outcomes in record(dict(edited({**bench, **samples}))).items()
        },
    }
    sections = []
    for section, cases in fixture.items():  # one case a line: small, and diffs read well
        lines = [f"  {json.dumps(k)}: {_compact(v)}" for k, v in sorted(cases.items())]
        sections.append(f"{json.dumps(section)}: {{\n" + ",\n".join(lines) + "\n}")
    FIXTURE.write_text("{\n" + ",\n".join(sections) + "\n}\n")


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    write_fixture()
