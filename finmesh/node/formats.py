"""The form a receiver gets a message in: ISO 20022 (MX) or FIN (MT), each institution's
choice (its profile's ``receive_format``, sent with every fetch).

A message is always delivered with the exact bytes its sender signed (``payload``), so
any receiver can verify the signature. When the receiver asks for the other form, the
network adds its translation (CBPR+ mapping, ``finmesh.domain.mt``): the ISO 20022 form
of a FIN submission was written at intake and stored; the FIN form of an ISO 20022
message is written when it is handed out, for the definitions MT can carry. A message
MT cannot carry (camt.056, pacs.002, ...) comes in ISO 20022 with the reason why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from finmesh.domain.errors import Rejected
from finmesh.domain.mt import MtError, is_fin, mx_to_mt
from finmesh.store.port import Delivery

Format = Literal["mx", "mt"]
FORMATS: tuple[Format, ...] = ("mx", "mt")


@dataclass(frozen=True)
class Forms:
    """What to hand out beside the signed bytes."""

    payload_format: Format
    translation: bytes | None = None
    """The message in the asked form, written by the network (not signed by the sender)."""
    translation_format: Format | None = None
    translation_refused: str | None = None
    """Why the asked form could not be written ("CODE: text"), if it could not."""


def forms(delivery: Delivery, wanted: Format) -> Forms:
    signed: Format = "mt" if is_fin(delivery.payload) else "mx"
    if wanted == signed:
        return Forms(signed)
    if signed == "mt":
        if delivery.translation is None:  # pragma: no cover - intake always stores one
            return Forms(signed, translation_refused="H27: no ISO 20022 form was stored")
        return Forms(signed, delivery.translation, "mx")
    try:
        return Forms(signed, mx_to_mt(delivery.payload).payload, "mt")
    except MtError as exc:
        return Forms(signed, translation_refused=str(exc))
    except Rejected as exc:  # pragma: no cover - stored messages passed the same checks
        return Forms(signed, translation_refused=f"{exc.reason.code}: {exc.detail}")
