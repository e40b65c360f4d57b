"""The MT parser and the MX -> MT translator under random input: no exception escapes but
a coded one (MtError for FIN, Rejected or MtError for XML)."""

from __future__ import annotations

import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from finmesh.domain.errors import FinmeshError, Rejected
from finmesh.domain.mt import CODES, MtError, mt_to_mx, mx_to_mt, parse_mt
from tests.shareddata import SCHEMAS
from tests.unit.mt.support import MT103, MT202, fin, sample_files

_SEEDS = [fin(MT103), fin(MT202, mt="202")] + [p.read_bytes() for p in sample_files()[::7]]
_PIECES = [b"{", b"}", b":", b"\r\n", b"\n", b"-}", b"{4:", b":20:", b":32A:", b"/", b"//",
           b",", b"\x00", b"\xff", b"{3:{121:", b":61:", b"9" * 20, b"A" * 40]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(data) + 1)
        operation = rng.randrange(4)
        if operation == 0:
            data = data[:position] + rng.choice(_PIECES) + data[position:]
        elif operation == 1:
            data = data[:position] + data[position + rng.randint(1, 12):]
        elif operation == 2 and data:
            data = data[:position] + bytes([rng.randrange(256)]) + data[position + 1:]
        else:
            cut = rng.randrange(len(data) + 1)
            data = data[:cut] + data[position:]
    return data


def _only_coded(payload: bytes) -> None:
    try:
        message = parse_mt(payload, require_uetr=False)
    except MtError as exc:
        assert exc.code in CODES
        return
    mx_to_mt(mt_to_mx(payload, require_uetr=False).payload, SCHEMAS)  # accepted: translates too
    assert message.fields


def test_mutated_messages_get_coded_refusals() -> None:
    rng = random.Random(20261202)
    for _ in range(3000):
        _only_coded(_mutate(rng, rng.choice(_SEEDS)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_get_coded_refusals(payload: bytes) -> None:
    _only_coded(b"{1:F01BANKDEFFAXXX0000000000}" + payload)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="{}:4-\r\n/ABC0123,", max_size=300))
def test_framing_noise_gets_coded_refusals(text: str) -> None:
    _only_coded(text.encode())


_STATEMENT = (":20:S1\n:25:DE89370400440532013000\n:28C:5/1\n:60F:C260114EUR100,00\n"
              ":61:2601150115D25,50NTRFREF1//BANK1\n:86:INFO\n:62F:C260115EUR74,50")
_CONFIRMATION = ":20:C1\n:21:R1\n:25P:ACC1\nBANKDEFFXXX\n:32A:260115EUR1,00\n:52A:BANKFRPPXXX"
_FREE = ":20:F1\n:21:R1\n:79:LINE ONE\nLINE TWO"


def _mx_seeds() -> list[bytes]:
    sources = [fin(MT103), fin(MT202, mt="202"), fin(_STATEMENT, mt="940", uetr=None),
               fin(_CONFIRMATION, mt="910", uetr=None), fin(_FREE, mt="199", uetr=None)]
    return [mt_to_mx(source).payload for source in sources]


def _mutate_tree(rng: random.Random, payload: bytes) -> bytes:
    """One structural edit of the Document: drop, duplicate, move or retext an element."""
    envelope = etree.fromstring(payload)
    elements = [e for e in envelope[1].iter() if e.getparent() is not None]
    element = rng.choice(elements)
    parent = element.getparent()
    assert parent is not None
    operation = rng.randrange(4)
    if operation == 0:
        parent.remove(element)
    elif operation == 1:
        element.addnext(copy.deepcopy(element))
    elif operation == 2 and len(element) == 0:
        element.text = rng.choice(["", "X" * 200, "2026-13-40", "-1", "1e9", "ÄÖÜ&", "/"])
    elif element.getnext() is not None:
        element.addprevious(element.getnext())  # type: ignore[arg-type]
    return bytes(etree.tostring(envelope))


def test_mutated_mx_gets_coded_refusals() -> None:
    rng = random.Random(17)
    seeds = _mx_seeds()
    for round_number in range(1500):
        seed = rng.choice(seeds)
        payload = _mutate(rng, seed) if round_number % 3 == 0 else _mutate_tree(rng, seed)
        try:
            mx_to_mt(payload, SCHEMAS)
        except (MtError, Rejected):
            continue
        except FinmeshError as exc:  # pragma: no cover - a new error kind would show here
            raise AssertionError(f"uncoded {type(exc).__name__}: {exc}") from exc
