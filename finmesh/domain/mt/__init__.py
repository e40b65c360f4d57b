"""Legacy MT (FIN) messages: parse, validate, and translate to and from ISO 20022.

Pure domain code: bytes in, values or bytes out; no HTTP, SQL or files.

- ``parse_mt(payload)`` -> ``MtMessage``, or ``MtError`` (code, field, line).
- ``mt_to_mx(payload)`` / ``translate_message(message)`` -> ``Translation``: the
  network's envelope (AppHdr head.001.001.02 + Document) and a ``TranslationReport``.
- ``mx_to_mt(payload)`` -> ``Translation`` holding an MT input message.
- ``equivalent(a, b)``: the yardstick of MT -> MX -> MT round trips.
- ``CODES``: every code an MT message is refused with.
"""

from __future__ import annotations

from finmesh.domain.mt.blocks import FIELDS_MAX, MESSAGE_BYTES_MAX, TEXT_LINES_MAX
from finmesh.domain.mt.codes import CODES, Code
from finmesh.domain.mt.equivalence import canonical_fields, differences, equivalent
from finmesh.domain.mt.errors import MtError
from finmesh.domain.mt.message import MESSAGE_TYPES, MtMessage, parse_mt
from finmesh.domain.mt.report import Note, Translation, TranslationReport
from finmesh.domain.mt.translate import TARGETS, mt_to_mx, mx_to_mt, translate_message


def is_fin(payload: bytes) -> bool:
    """Whether submitted bytes are a FIN message (block 1 first) rather than XML."""
    return payload.lstrip(b" \t\r\n")[:3] == b"{1:"


__all__ = [
    "CODES",
    "FIELDS_MAX",
    "MESSAGE_BYTES_MAX",
    "MESSAGE_TYPES",
    "TARGETS",
    "TEXT_LINES_MAX",
    "Code",
    "MtError",
    "MtMessage",
    "Note",
    "Translation",
    "TranslationReport",
    "canonical_fields",
    "differences",
    "equivalent",
    "is_fin",
    "mt_to_mx",
    "mx_to_mt",
    "parse_mt",
    "translate_message",
]
