"""finmesh.identity.sf_fast reads the signature headers' usual shapes exactly as the
general parser (http_sf) does, and declines every other shape."""

from __future__ import annotations

from typing import Any

import http_sf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmesh.identity import pki, sf_fast
from finmesh.identity.request_auth import sign_request


def _general(value: str) -> Any:
    return http_sf.parse(value.encode("latin-1"), tltype="dictionary")


SIGNED = sign_request(pki.generate_key(), "BANKDEFFXXX", "POST", "/v1/messages?a=1", b"{}")


@pytest.mark.parametrize(
    "value",
    [
        *SIGNED.values(),
        'sig1=("@method" "@path");created=007;keyid="a b";nonce=""',
        'bank=();created=-5',
        "sha-256=::",
        'x=("a");k="with \' quote"',
    ],
)
def test_usual_shapes_read_as_the_general_parser_does(value: str) -> None:
    fast = sf_fast.parse_dictionary(value)
    assert fast is not None and fast == _general(value)


@pytest.mark.parametrize(
    "value",
    [
        'sig1=("@method"  "@path")',  # two spaces: legal, not canonical
        'sig1=( "@method")',
        'sig1=("a\\"b")',  # an escape
        'sig1=("a");sf',  # a bare (boolean) parameter
        'sig1=("a");k=1;k=2',  # a duplicate key
        'sig1=("a";sf)',  # a parameter on an item
        "a=:AAAA:, b=:AAAA:",  # two members
        "sig1=:AAA:",  # bad padding
        "sha-256=abc",
        "",
    ],
)
def test_other_shapes_are_left_to_the_general_parser(value: str) -> None:
    assert sf_fast.parse_dictionary(value) is None


@settings(max_examples=400, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet='sig1=()"@ab;:created-0123456789AZ+/=.,\\ *', max_size=60))
def test_never_disagrees_with_the_general_parser(value: str) -> None:
    fast = sf_fast.parse_dictionary(value)
    if fast is None:
        return
    assert fast == _general(value)


_KEYS = st.from_regex(r"[a-z*][a-z0-9_.*-]{0,6}", fullmatch=True)
_STRINGS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
_PARAM_VALUES = st.one_of(
    st.integers(-(10**15) + 1, 10**15 - 1).map(str), _STRINGS.map(lambda s: f'"{s}"')
)


@settings(max_examples=400, deadline=None, database=None, derandomize=True)
@given(
    _KEYS,
    st.lists(_STRINGS, max_size=5),
    st.lists(st.tuples(_KEYS, _PARAM_VALUES), max_size=5),
    st.booleans(),
)
def test_built_values_read_the_same_or_are_declined(
    label: str, items: list[str], params: list[tuple[str, str]], as_bytes: bool
) -> None:
    """Values of the usual shapes, with quotes, backslashes and duplicates mixed in."""
    if as_bytes:
        value = f"{label}=:{''.join(items)}:"
    else:
        inner = " ".join(f'"{i}"' for i in items)
        value = f"{label}=({inner})" + "".join(f";{k}={v}" for k, v in params)
    fast = sf_fast.parse_dictionary(value)
    try:
        general = _general(value)
    except ValueError:
        assert fast is None
        return
    assert fast is None or fast == general
