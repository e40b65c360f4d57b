"""Sanctions screening inside intake, against a real `finmesh serve` process: a list
loaded over the operator API, creditor names in other scripts, reordered and misspelt
held with the hit recorded, clean ones delivered, four-eyes release and rejection with
the sender told, good-guy exceptions, malformed lists refused with the line at fault,
the audit trail, and (in-process, deterministic) a list loaded between a batch's
evaluation and its commit."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from finmesh.client import ApiError, Client
from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import load_profile
from finmesh.network.demo_directory import sanctions_demo_entities, sanctions_demo_subsidiaries
from finmesh.node.intake import Submission
from finmesh.node.launcher import NodeProcess
from finmesh.node.root import Node

LIST = b"""id,name,aliases,type,countries,bics,program
T-1,"SECHIN, Igor Ivanovich",,person,RU,,TEST-RUS
T-2,Zarya Trading LLC,,entity,RU,ZARYRUMM,TEST-RUS
T-3,"KARIMOV, Rustam Alievich",Rustam Karimov,person,UZ,,TEST-UZ
"""
MALFORMED = b"""id,name,aliases,type,countries,bics,program
T-1,"SECHIN, Igor Ivanovich",,person,RU,,TEST-RUS
T-2,Zarya Trading LLC,,spaceship,RU,,TEST-RUS
"""
COMPLIANCE = ("compliance",)


@dataclass
class Served:
    root: Path
    url: str

    def operator(self, name: str) -> Client:
        return Client.from_profile(self.root / "operators" / name, self.url)

    def bank(self, index: int) -> Client:
        listed = set(sanctions_demo_entities().values()) | set(
            sanctions_demo_subsidiaries().values())
        names = sorted(p.name for p in (self.root / "participants").iterdir()
                       if p.name not in listed)
        return Client.from_profile(self.root / "participants" / names[index], self.url)


@pytest.fixture(scope="module")
def served(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("screening") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        net = Served(root, process.url)
        with net.operator("alice") as alice:
            alice.request("POST", "/v1/ops/lists/test", {"format": "csv", "label": "t"},
                          raw=LIST)
        yield net
    finally:
        process.stop()


def send(sender: Client, receiver: Client, creditor: str) -> dict[str, Any]:
    payload = example_message("pacs.008", sender.profile.subject, receiver.profile.subject,
                              creditor_name=creditor)
    [result] = sender.send([payload])
    assert result["status"] == "ACK", result
    return result


def hold_of(officer: Client, hold_id: int) -> dict[str, Any]:
    [found] = [h for h in officer.request("GET", "/v1/ops/holds", {"state": ""})
               if h["id"] == hold_id]
    return found


def drain(client: Client) -> list[dict[str, Any]]:
    page = client.receive(wait=0)
    if page["messages"]:
        client.ack(page["messages"][-1]["osn"])
    return list(page["messages"])


@pytest.mark.parametrize("creditor", ["Игорь Сечин", "SECHIN Igor", "Igor Ivanovich Sehcin"])
def test_a_variant_of_a_listed_name_is_held_with_its_hit(served: Served, creditor: str) -> None:
    with served.bank(0) as a, served.bank(1) as b, served.operator("carol") as carol:
        result = send(a, b, creditor)
        assert result["held"] is True and result["measure"] == "screening"
        assert "sanctions screening" in result["detail"]
        hold = hold_of(carol, result["hold"])  # an auditor may read holds
        assert hold["state"] == "held" and hold["measure"] == "screening"
        screening = hold["screening"]
        assert screening["decision"] == "hold"
        assert screening["versions"][0]["list"] == "test"
        [hit] = [h for h in screening["hits"] if h["entry"] == "T-1"]
        assert hit["score"] >= 0.8 and hit["field"] == "Cdtr" and hit["screened"] == creditor
        assert "sechin" in hit["why"]


def test_a_clean_message_passes_with_its_result_recorded(served: Served) -> None:
    with served.bank(2) as a, served.bank(3) as b:
        drain(b)
        result = send(a, b, "Maria Gonzalez Fernandez")
        assert result["held"] is False
        assert [m["id"] for m in drain(b)] == [result["id"]]
    node = Node(served.root)
    try:
        record = node.store.screening_result(a.profile.subject, result["id"])
    finally:
        node.close()
    assert record is not None and record.decision == "clear"


def test_release_and_reject_take_two_officers_and_tell_the_sender(served: Served) -> None:
    with served.bank(4) as a, served.bank(5) as b, served.operator("alice") as alice, \
            served.operator("bob") as bob:
        drain(b)
        released = send(a, b, "Zarya Trading OOO")
        rejected = send(a, b, "Rustam KARIMOV")
        assert released["held"] and rejected["held"]
        paths = [f"/v1/ops/holds/{released['hold']}/release",
                 f"/v1/ops/holds/{rejected['hold']}/reject"]
        for path in paths:
            alice.request("POST", path, body={"reason": "checked the file"})
            with pytest.raises(ApiError) as same_officer:
                alice.request("POST", path, body={"reason": "again"})
            assert same_officer.value.status == 409
        assert drain(b) == []  # nothing moves on one officer's word
        for path in paths:
            decided = bob.request("POST", path, body={"reason": "agreed"})
            assert decided["screening"]["decision"] == "hold"
        assert [m["id"] for m in drain(b)] == [released["id"]]
        notices = {n["id"]: n for n in a.notices(wait=1)}
        assert notices[released["id"]]["kind"] == "released"
        assert notices[rejected["id"]]["kind"] == "rejected"
        assert notices[rejected["id"]]["reason"] == "P03"


def test_a_good_guy_exception_approved_by_two_officers_clears_the_next_message(
    served: Served,
) -> None:
    with served.bank(6) as a, served.bank(7) as b, served.operator("alice") as alice, \
            served.operator("bob") as bob:
        assert send(a, b, "Igor Sechin")["held"]
        body = {"list": "test", "entry": "T-1", "cleared_for": "Igor Sechin",
                "reason": "namesake: a Lyon baker, KYC file 7"}
        proposed = alice.request("POST", "/v1/ops/goodguys", body=body)
        assert proposed["status"] == "proposed"
        assert send(a, b, "Igor Sechin")["held"]  # not in force on one officer's word
        with pytest.raises(ApiError) as own:
            alice.request("POST", f"/v1/ops/goodguys/{proposed['id']}/approve")
        assert own.value.status == 409 and "four-eyes" in own.value.body["message"]
        approved = bob.request("POST", f"/v1/ops/goodguys/{proposed['id']}/approve")
        assert approved["status"] == "active" and approved["approved_by"] == "bob"
        cleared = send(a, b, "Igor Sechin")
        assert cleared["held"] is False
        assert send(a, b, "Игорь Иванович Сечин")["held"]  # another name: not covered
        bob.request("POST", f"/v1/ops/goodguys/{proposed['id']}/withdraw")
        assert send(a, b, "Igor Sechin")["held"]
        actions = [e["action"] for e in alice.request("GET", "/v1/ops/audit")]
        assert actions.count("goodguy.propose") == 1 and actions.count("goodguy.approve") == 1
        assert actions.count("goodguy.withdraw") == 1 and actions.count("list.load") >= 1


def test_a_malformed_list_is_refused_with_the_line_and_changes_nothing(served: Served) -> None:
    with served.operator("alice") as alice, served.operator("carol") as carol:
        before = alice.request("GET", "/v1/ops/lists")
        with pytest.raises(ApiError) as refused:
            alice.request("POST", "/v1/ops/lists/test", {"format": "csv"}, raw=MALFORMED)
        assert refused.value.status == 422
        body = refused.value.body
        assert body["error"] == "list_format" and body["code"] == "L07"
        assert "line 3" in body["where"]
        with pytest.raises(ApiError) as auditor:  # loading needs the compliance role
            carol.request("POST", "/v1/ops/lists/test", {"format": "csv"}, raw=LIST)
        assert auditor.value.status == 403
        assert alice.request("GET", "/v1/ops/lists") == before
        screened = alice.request("POST", "/v1/ops/screen", body={"name": "Igor SECHIN"})
        assert screened["decision"] == "hold" and screened["hits"][0]["entry"] == "T-1"


def test_a_list_loaded_between_evaluation_and_commit_is_honoured(network: Path) -> None:
    node = Node(network)
    try:
        sender, receiver = sorted(p.name for p in (network / "participants").iterdir())[:2]
        profile = load_profile(network / "participants" / sender)
        payload = example_message("pacs.008", sender, receiver, creditor_name="Igor Sechin")
        original = node.store.store_batch
        sneaked: list[int] = []

        def load_first(*args: Any, **kwargs: Any) -> Any:
            if not sneaked:  # the batch was screened against no list at all
                loaded = node.screening.load_list("alice", COMPLIANCE, "late", "csv", LIST, None)
                sneaked.append(loaded.number)
            return original(*args, **kwargs)

        node.store.store_batch = load_first  # type: ignore[method-assign]
        try:
            [verdict] = node.intake.submit(
                sender, profile.cert_pem, [Submission(payload, pki.sign(profile.key, payload))]
            )
        finally:
            del node.store.store_batch
        assert sneaked == [1], "the interleaving did not happen"
        assert verdict.status == "ACK" and verdict.held and verdict.measure_id == "screening"
        record = node.store.screening_result(sender, verdict.biz_msg_id or "")
        assert record is not None and '"late"' in record.versions_json
    finally:
        node.close()
