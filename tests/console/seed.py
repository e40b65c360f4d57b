"""Traffic for the console tests, made through the real API: a sanctions list, a
payment that screening holds, and ordinary payments between two real participants."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries

LIST = b"""id,name,aliases,type,countries,bics,program
T-1,Zarya Trading LLC,,entity,RU,,TEST-RUS
"""
LISTED_NAME = "Zarya Trading LLC"


@dataclass(frozen=True)
class Seeded:
    sender: str
    receiver: str
    held_id: str
    """BizMsgIdr of the message screening held."""
    clear_ids: tuple[str, ...]
    clear_uetr: str
    cut_off: str
    """A third participant that was sent two payments nobody fetched (to disconnect)."""


def real_participants(root: Path) -> list[str]:
    listed = set(sanctions_demo_entities().values()) | set(sanctions_demo_subsidiaries().values())
    return sorted(p.name for p in (root / "participants").iterdir() if p.name not in listed)


def seed(root: Path, url: str) -> Seeded:
    a, b, c = real_participants(root)[:3]
    with Client.from_profile(root / "operators" / "alice", url) as alice:
        alice.request("POST", "/v1/ops/lists/test", {"format": "csv", "label": "t"}, raw=LIST)
    with Client.from_profile(root / "participants" / a, url) as bank:
        clear = [
            example_message("pacs.008", a, b, amount=Decimal(f"{100 + i}.00"), currency="EUR")
            for i in range(3)
        ]
        sent = bank.send(clear)
        [held] = bank.send(
            [example_message("pacs.008", a, b, amount=Decimal("2500.00"), debtor_name=LISTED_NAME)]
        )
        to_c = bank.send(
            [example_message("pacs.008", a, c, amount=Decimal("900.00"), currency="USD")
             for _ in range(2)]
        )  # fmt: skip
        [nak] = bank.send([b"<not-xml"])
    assert nak["status"] == "NAK", nak
    assert all(r["status"] == "ACK" for r in [*sent, *to_c]), (sent, to_c)
    assert held["status"] == "ACK" and held.get("held"), held
    uetr = _uetr(clear[0])
    return Seeded(a, b, held["id"], tuple(r["id"] for r in sent), uetr, c)


def _uetr(payload: bytes) -> str:
    start = payload.index(b"<UETR>") + len(b"<UETR>")
    return payload[start : payload.index(b"</UETR>", start)].decode()
