"""The two directions of translation, chosen by message type: MT -> MX and MX -> MT."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from lxml import etree

from finmesh.domain.mt.message import MtMessage, parse_mt
from finmesh.domain.mt.mx_tree import serialise
from finmesh.domain.mt.report import Translation, TranslationReport
from finmesh.domain.mt.to_camt import (
    confirmation_to_camt054,
    n99_to_camt029,
    statement_to_camt053,
)
from finmesh.domain.mt.to_pacs import mt103_to_pacs008, mt202_to_pacs009

_Writer = Callable[[MtMessage, datetime, TranslationReport], etree._Element]

TARGETS: dict[str, tuple[str, _Writer]] = {
    "103": ("pacs.008.001.08", mt103_to_pacs008),
    "103STP": ("pacs.008.001.08", mt103_to_pacs008),
    "202": ("pacs.009.001.08", mt202_to_pacs009),
    "202COV": ("pacs.009.001.08", mt202_to_pacs009),
    "199": ("camt.029.001.09", n99_to_camt029),
    "299": ("camt.029.001.09", n99_to_camt029),
    "900": ("camt.054.001.08", confirmation_to_camt054),
    "910": ("camt.054.001.08", confirmation_to_camt054),
    "940": ("camt.053.001.08", statement_to_camt053),
    "950": ("camt.053.001.08", statement_to_camt053),
}
"""MT type -> the ISO 20022 definition it is translated to, and the writer."""


def translate_message(message: MtMessage, *, now: datetime | None = None) -> Translation:
    """An already validated MT message as the network's envelope (AppHdr + Document)."""
    msg_def, writer = TARGETS[message.message_type]
    report = TranslationReport("MT" + message.message_type, msg_def)
    moment = now or datetime.now(UTC)
    return Translation(serialise(writer(message, moment, report)), report)


def mt_to_mx(payload: bytes, *, now: datetime | None = None,
             require_uetr: bool = True) -> Translation:
    """Parse, validate and translate one FIN message; MtError if it is refused."""
    return translate_message(parse_mt(payload, require_uetr=require_uetr), now=now)
