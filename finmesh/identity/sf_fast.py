"""The canonical shapes of the RFC 9421 signature headers, read without the general
structured-field parser: one dictionary member that is an inner list of plain strings
with integer or string parameters (``Signature-Input``), or a byte sequence
(``Signature``, ``Content-Digest``).

Every finmesh signer, and the general libraries, write these shapes; reading them with
two regular expressions costs a tenth of ``http_sf`` (which a request used to spend
three parses on, a third of its verification). Anything else returns None and goes to
``http_sf``, so the result is always what that parser would give: the shapes below admit
no escape, no optional whitespace, no bare (boolean) parameter and no duplicate key,
the cases where a fast reading could differ.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

_KEY = r"[a-z*][a-z0-9_.*-]{0,63}"
_STRING = r'"[\x20\x21\x23-\x5b\x5d-\x7e]*"'
_PARAM = re.compile(rf";({_KEY})=(-?[0-9]{{1,15}}|{_STRING})")
_INNER = re.compile(
    rf"({_KEY})=\(((?:{_STRING})(?: {_STRING})*)?\)((?:;{_KEY}=(?:-?[0-9]{{1,15}}|{_STRING}))*)"
)
_BYTES = re.compile(rf"({_KEY})=:([A-Za-z0-9+/]*={{0,2}}):")
_ITEM = re.compile(_STRING)


def parse_dictionary(value: str) -> dict[str, Any] | None:
    """``{label: (value, params)}`` as ``http_sf.parse(..., tltype="dictionary")`` gives
    it for one member of a canonical shape; None when the value has another shape."""
    inner = _INNER.fullmatch(value)
    if inner is not None:
        label, items, params_text = inner.groups()
        params: dict[str, int | str] = {}
        for key, raw in _PARAM.findall(params_text):
            if key in params:
                return None
            params[key] = raw[1:-1] if raw.startswith('"') else int(raw)
        members: list[tuple[str, dict[str, Any]]] = [
            (m[1:-1], {}) for m in _ITEM.findall(items or "")
        ]
        return {label: (members, params)}
    member = _BYTES.fullmatch(value)
    if member is not None:
        try:
            return {member[1]: (base64.b64decode(member[2], validate=True), {})}
        except (binascii.Error, ValueError):
            return None
    return None
