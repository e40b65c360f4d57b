"""The network rules at intake, on a real network folder: a message breaking a rule is
NAKed with the rule's code and stored nowhere; the rule sets a network lists in its
network.json are the ones enforced (an unknown set stops the node from opening)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from finmesh.domain.iso20022 import example_message
from finmesh.domain.rules.book import UnknownRuleSet
from finmesh.identity import pki
from finmesh.identity.profile import Profile, load_profile
from finmesh.node.intake import Submission
from finmesh.node.root import Node
from tests.netutil import db_counts, participants


def gold(sender: Profile, receiver: Profile) -> Submission:
    root = etree.fromstring(example_message("pacs.008", sender.subject, receiver.subject))
    ns = "{urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13}"
    found = root.find(f".//{ns}CdtTrfTxInf/{ns}IntrBkSttlmAmt")
    assert found is not None
    found.set("Ccy", "XAU")
    payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Submission(payload, pki.sign(sender.key, payload))


def set_rule_sets(root: Path, sets: list[str]) -> None:
    config = json.loads((root / "network.json").read_text())
    config["rule_sets"] = sets
    (root / "network.json").write_text(json.dumps(config))


def submit(root: Path, item: Submission, sender: Profile) -> tuple[str, str | None]:
    node = Node(root)
    try:
        [verdict] = node.intake.submit(sender.subject, sender.cert_pem, [item])
    finally:
        node.close()
    return verdict.status, verdict.reason.code if verdict.reason else None


def test_every_set_by_default_and_only_the_listed_ones(network: Path) -> None:
    a, b = (load_profile(p) for p in participants(network)[:2])
    before = db_counts(network)
    assert submit(network, gold(a, b), a) == ("NAK", "V03")  # CBPR+: no commodities
    assert db_counts(network) == before
    set_rule_sets(network, ["iso20022"])  # the CBPR+ rules switched off
    assert submit(network, gold(a, b), a) == ("ACK", None)


def test_an_unknown_rule_set_stops_the_node(network: Path) -> None:
    set_rule_sets(network, ["iso20022", "swift.cbprplus.77"])
    with pytest.raises(UnknownRuleSet, match=r"swift\.cbprplus\.77"):
        Node(network)
