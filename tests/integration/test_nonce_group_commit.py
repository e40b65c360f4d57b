"""A submit request's nonce is remembered in the commit of its batch (group commit), not
in a transaction of its own: a replay is still refused, nothing of it is written, and
the honest requests of its group are stored as if it had not come.

Real stores (SQLite and PostgreSQL) for the store's part; a real node's intake over a
real SQLite store, real keys and signatures for the group's part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.identity import pki
from finmesh.identity.profile import load_profile
from finmesh.node.intake import IntakeRequest, Replayed, Submission
from finmesh.node.root import Node
from finmesh.store.port import NonceClaim, NonceReplayed, Stored
from tests.integration.stores import A, B, StoreMaker, msg, seed
from tests.netutil import authorize_all, participants


def _claim(nonce: str, seen_ms: int = 1_000) -> NonceClaim:
    return NonceClaim(A, nonce, seen_ms + 240_000, seen_ms)


def test_a_seen_nonce_refuses_its_batch_and_writes_nothing(stores: StoreMaker) -> None:
    store = seed(stores.open())
    assert store.store_batch([msg(A, B, "1")], None, (), [_claim("n1")]) == [Stored(1)]
    with pytest.raises(NonceReplayed) as refused:
        store.store_batch([msg(A, B, "2")], None, (), [_claim("n2"), _claim("n1")])
    assert refused.value.positions == (1,)
    assert store.message_count() == 1
    assert not store.nonce_seen(A, "n2")  # rolled back with the batch
    assert store.store_batch([msg(A, B, "2")], None, (), [_claim("n2")]) == [Stored(2)]


def test_the_same_nonce_twice_in_one_batch_is_a_replay(stores: StoreMaker) -> None:
    store = seed(stores.open())
    with pytest.raises(NonceReplayed) as refused:
        store.store_batch([msg(A, B, "1")], None, (), [_claim("n"), _claim("n")])
    assert refused.value.positions == (1,)
    assert store.message_count() == 0


def test_nonces_are_remembered_without_messages_and_expire(stores: StoreMaker) -> None:
    store = seed(stores.open())
    assert store.store_batch([], None, (), [_claim("n", seen_ms=1_000)]) == []
    assert store.nonce_seen(A, "n")
    with pytest.raises(NonceReplayed):
        store.store_batch([], None, (), [_claim("n", seen_ms=2_000)])
    later = _claim("n", seen_ms=1_000 + 240_001)  # the first one has expired by then
    assert store.store_batch([], None, (), [later]) == []


@pytest.fixture
def served(network: Path) -> Iterator[tuple[Node, Path]]:
    built = Node(network)
    authorize_all(built.store, built.clock())
    try:
        yield built, network
    finally:
        built.close()


def _request(node: Node, folder: Path, to: str, nonce: str) -> IntakeRequest:
    profile = load_profile(folder)
    payload = example_message("pacs.008", profile.subject, to)
    item = Submission(payload, pki.sign(profile.key, payload), False)
    now = node.clock()
    claim = NonceClaim(profile.subject, nonce, now + 240_000, now)
    return IntakeRequest(profile.subject, profile.cert_pem, [item], claim)


def test_a_replay_in_a_group_is_left_out_and_the_rest_is_stored(
    served: tuple[Node, Path],
) -> None:
    node, root = served
    a, b, c = participants(root)[:3]
    to = load_profile(b).subject
    original = _request(node, a, to, "nonce-1")
    replay = IntakeRequest(original.sender, original.sender_cert_pem, original.items,
                           original.nonce)
    other = _request(node, c, to, "nonce-2")
    answers = node.intake.submit_group([original, replay, other])
    assert isinstance(answers[1], Replayed)
    first, third = answers[0], answers[2]
    assert not isinstance(first, Replayed) and not isinstance(third, Replayed)
    assert [v.status for v in first + third] == ["ACK", "ACK"]
    assert not first[0].duplicate and not third[0].duplicate
    assert node.store.message_count() == 2
    [later] = node.intake.submit_group([replay])  # a replay in a later group
    assert isinstance(later, Replayed)
    assert node.store.message_count() == 2
