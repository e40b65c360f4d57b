"""The 203 published FIN messages: each is accepted or refused with a coded MtError, and
the verdicts are the ones FIN's rules give (figures pinned; see docs/mt.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from finmesh.domain.mt import CODES, MtError, parse_mt
from tests.unit.mt.support import SAMPLES, need_samples, sample_files


def _verdict(path: Path, require_uetr: bool = True) -> str:
    try:
        return "ok:" + parse_mt(path.read_bytes(), require_uetr=require_uetr).message_type
    except MtError as exc:
        assert exc.code in CODES
        assert exc.field is not None or exc.line is not None, str(exc)
        return exc.code


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_is_accepted_or_refused_with_a_code(path: Path) -> None:
    _verdict(path)


def test_sample_verdicts() -> None:
    need_samples()
    verdicts = Counter(_verdict(p) for p in sample_files())
    accepted = sum(n for v, n in verdicts.items() if v.startswith("ok:"))
    assert sum(verdicts.values()) == 203
    assert accepted == 67, verdicts
    assert verdicts["H82"] == 42  # MT103/202/202COV without the UETR FIN requires since 2018
    lenient = Counter(_verdict(p, require_uetr=False) for p in sample_files())
    assert sum(n for v, n in lenient.items() if v.startswith("ok:")) == 109


@pytest.mark.parametrize(
    ("sample", "code", "field"),
    [
        ("mt202/swiftmtmessage--mt202_rejt-01.fin", "H81", "121"),  # a version 3 UUID
        ("mt900/swiftmtmessage--mt900_with_time-01.fin", "T17", "25P"),  # account/BIC on 1 line
        ("mt103/swiftmtmessage--mt103_retn-01.fin", "T13", "21"),  # MT103 has no field 21
        ("mt199/swiftmtmessage--comprehensive_demo-01.fin", "T13", "75"),
        ("mt103/swiftmtmessage--lib-01.fin", "E13", "71F"),  # OUR with sender's charges
        ("mt103/swift-mt-parser--Sample-03.fin", "T73", "50F"),  # 3/TEXAS US: no country
        ("mt202cov/swiftmtmessage--test_cov_mismatch_simple-03.fin", "T17", "20"),
        ("mt950/module-ballerinax-financial.swiftmt-to-iso20022--to_iso20022_xml_test-01.fin",
         "H20", "block2"),  # a 15-character receiver address
        ("mt202/prowide-core--MT202ParserTest-01.fin", "T27", "53A"),  # FOOOOOOO
    ],
)
def test_known_defects_get_their_code(sample: str, code: str, field: str) -> None:
    need_samples()
    with pytest.raises(MtError) as caught:
        parse_mt((SAMPLES / sample).read_bytes())
    assert (caught.value.code, caught.value.field) == (code, field), str(caught.value)
