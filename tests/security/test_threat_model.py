"""The threat model and the attack suite name each other: every test in tests/security
appears in docs/threat-model.md, and every test the document names exists."""

from __future__ import annotations

import re
from pathlib import Path

SUITE = Path(__file__).parent
DOCUMENT = SUITE.parent.parent / "docs" / "threat-model.md"
NAMED = re.compile(r"`(test_\w+\.py)::(test_\w+)`")


def _tests_in_suite() -> set[tuple[str, str]]:
    return {
        (path.name, name)
        for path in SUITE.glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)\(", path.read_text(), re.MULTILINE)
    }


def test_threat_model_names_every_attack_test_and_only_real_ones() -> None:
    """Documentation drift: a threat whose test was renamed or removed, or a test that
    shows a control no threat in the model asks for."""
    named = set(NAMED.findall(DOCUMENT.read_text()))
    here = {(f, t) for f, t in _tests_in_suite() if f != Path(__file__).name}
    assert sorted(here - named) == [], "tests missing from docs/threat-model.md"
    assert sorted(named - here) == [], "docs/threat-model.md names tests that do not exist"
