"""Property tests on generated valid MT103 and MT202/MT202COV: the MX validates against
the official XSDs and MT -> MX -> MT keeps every mapped field."""

from __future__ import annotations

import re
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmesh.domain.mt import canonical_fields, equivalent, mt_to_mx, mx_to_mt, parse_mt
from tests.shareddata import SCHEMAS
from tests.unit.mt.strategies import bics, mt103_texts, mt202_texts
from tests.unit.mt.support import fin, xsd_problems

_SETTINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _round_trip(payload: bytes, definition: str) -> None:
    original = parse_mt(payload)
    translation = mt_to_mx(payload)
    assert xsd_problems(translation.payload, definition) == []
    again = parse_mt(mx_to_mt(translation.payload, SCHEMAS).payload)
    assert equivalent(original, again), (canonical_fields(original), canonical_fields(again))


def _stp_compatible(text: str) -> bool:
    """MT103 STP takes option A only for 52a-57a and four 23E codes."""
    agents = re.findall(r"^:5([2-7])([A-Z]):", text, re.MULTILINE)
    codes = re.findall(r"^:23E:([A-Z]{4})", text, re.MULTILINE)
    return all(option == "A" for _, option in agents) and all(
        code in ("CORT", "INTC", "SDVA", "REPA") for code in codes)


@_SETTINGS
@given(text=mt103_texts(), sender=bics(), receiver=bics(), uetr=st.uuids(version=4),
       stp=st.booleans())
def test_mt103_round_trip(text: str, sender: str, receiver: str, uetr: uuid.UUID,
                          stp: bool) -> None:
    user = "{119:STP}" if stp and _stp_compatible(text) else None
    payload = fin(text, sender=sender, receiver=receiver, uetr=str(uetr), user=user)
    _round_trip(payload, "pacs.008.001.08")


@_SETTINGS
@given(data=st.data(), sender=bics(), receiver=bics(), uetr=st.uuids(version=4),
       cover=st.booleans())
def test_mt202_round_trip(data: st.DataObject, sender: str, receiver: str, uetr: uuid.UUID,
                          cover: bool) -> None:
    text = data.draw(mt202_texts(cover))
    payload = fin(text, mt="202", sender=sender, receiver=receiver, uetr=str(uetr),
                  user="{119:COV}" if cover else None)
    _round_trip(payload, "pacs.009.001.08")
