"""Legacy MT on the network, against a real `finmesh serve`: a bank submits FIN, the
node checks the FIN rules and translates it (CBPR+), stores the signed bytes unchanged
with the translation beside them; receivers get ISO 20022 or FIN as they choose, always
with the signed bytes to verify; RMA, measures and screening see the translation."""

from __future__ import annotations

import base64
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.mt import parse_mt
from finmesh.node.launcher import NodeProcess
from tests.netutil import participants
from tests.shareddata import SCHEMAS
from tests.unit.mt.support import MT103, fin

LIST = b"""id,name,aliases,type,countries,bics,program
T-1,"DOE, Jane",,person,GB,,TEST
"""


@dataclass
class Served:
    root: Path
    url: str

    def bank(self, index: int) -> Client:
        return Client.from_profile(participants(self.root)[index], self.url)


@pytest.fixture(scope="module")
def served(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("mt") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield Served(root, process.url)
    finally:
        process.stop()


def mt103(sender: str, receiver: str, reference: str, creditor: str = "JANE ROE") -> bytes:
    text = MT103.replace("REF-103-0001", reference).replace("JANE DOE", creditor)
    return fin(text, sender=sender, receiver=receiver, uetr=str(uuid.uuid4()))


def drain(client: Client, receive_format: str) -> list[dict[str, object]]:
    page = client.receive(wait=2, receive_format=receive_format)["messages"]
    if page:
        client.ack(int(page[-1]["osn"]))
    return list(page)


def test_a_fin_message_is_acked_and_delivered_as_iso20022_with_its_signed_bytes(
    served: Served,
) -> None:
    with served.bank(0) as a, served.bank(1) as b:
        drain(b, "mx")
        payload = mt103(a.profile.subject, b.profile.subject, "MTNET-0001")
        [result] = a.send([payload])
        assert result["status"] == "ACK" and result["id"] == "MTNET-0001", result
        [again] = a.send([payload])  # the same FIN bytes again: the original ACK
        assert again["status"] == "ACK" and again["duplicate"] is True
        [got] = drain(b, "mx")
        assert got["type"] == "pacs.008.001.08" and got["payload_format"] == "mt"
        assert base64.b64decode(str(got["payload"])) == payload  # exactly as signed
        assert b.verify(got)
        mx = base64.b64decode(str(got["translation"]))
        parsed = parse_message(mx, SCHEMAS)  # the official XSDs accept the translation
        assert parsed.uetr == result["uetr"] and parsed.msg_def_id == "pacs.008.001.08"
        assert got["translation_format"] == "mx"


def test_a_receiver_that_chose_fin_gets_fin_for_what_was_sent_as_iso20022(
    served: Served,
) -> None:
    with served.bank(2) as a, served.bank(3) as b:
        drain(b, "mt")
        sent = example_message(
            "pacs.008", a.profile.subject, b.profile.subject, definition="pacs.008.001.08",
            creditor_name="Jane Roe",
        )  # fmt: skip
        [result] = a.send([sent])
        assert result["status"] == "ACK", result
        [got] = drain(b, "mt")
        assert got["payload_format"] == "mx" and got["translation_format"] == "mt"
        assert base64.b64decode(str(got["payload"])) == sent and b.verify(got)
        message = parse_mt(base64.b64decode(str(got["translation"])))
        assert message.message_type.startswith("103") and message.uetr == result["uetr"]


def test_fin_refusals_are_naked_with_their_fin_code_and_store_nothing(served: Served) -> None:
    with served.bank(4) as a, served.bank(5) as b:
        good = mt103(a.profile.subject, b.profile.subject, "MTNET-0003")
        bad_date = good.replace(b":32A:260115", b":32A:261315")
        no_uetr = fin(MT103, sender=a.profile.subject, receiver=b.profile.subject, uetr=None)
        results = a.send([bad_date, no_uetr])
        assert [(r["status"], r["reason"]) for r in results] == [("NAK", "T50"), ("NAK", "H82")]
        assert "32A" in str(results[0]["detail"])
        assert drain(b, "mx") == []


def test_screening_sees_the_names_of_field_59(served: Served) -> None:
    with Client.from_profile(served.root / "operators" / "alice", served.url) as alice:
        alice.request("POST", "/v1/ops/lists/mt", {"format": "csv", "label": "t"}, raw=LIST)
    with served.bank(6) as a, served.bank(7) as b:
        [result] = a.send([mt103(a.profile.subject, b.profile.subject, "MTNET-0004", "JANE DOE")])
        assert result["status"] == "ACK" and result["held"] is True, result
        assert result["measure"] == "screening"


def test_fin_is_told_apart_from_xml_by_its_first_block_after_blank_lines(served: Served) -> None:
    with served.bank(8) as a, served.bank(9) as b:
        payload = mt103(a.profile.subject, b.profile.subject, "MTNET-0005")
        [result] = a.send([b"\r\n" + payload])
        assert result["status"] == "ACK", result
