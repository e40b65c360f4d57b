"""The store's trust tables (finmesh.store.trust_tables) on SQLite and PostgreSQL alike:
authorizations, the trust version a batch commits against, and retired certificates.
Every change is one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from finmesh.domain.errors import NotFound, Refused
from finmesh.domain.policy import rma
from finmesh.domain.policy.rma import Authorization, RmaEdit
from finmesh.store.port import AuditNote, Guard, PolicyChanged, Stored
from finmesh.store.sql_store import SqlStore
from tests.integration.stores import KINDS, A, B, C, maker, msg, seed

A8, B8, C8 = A[:8], B[:8], C[:8]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with maker(request.param, tmp_path) as made:
        yield seed(made.open())


Change = tuple[RmaEdit, AuditNote]


def revoke_all(current: list[Authorization], now: int, new_id: Callable[[], str]) -> Change:
    edit = rma.revoke(current, [])
    return edit, AuditNote(B, "rma.revoke", A8, {"deleted": list(edit.delete)})


def test_all_pairs_are_granted_once_with_one_audit_entry(store: SqlStore) -> None:
    assert store.trust_version() == 0 and store.rma_grants() == []
    assert store.rma_grant_pairs([A8, B8, C8], "network", 5) == 6
    assert store.rma_grant_pairs([A8, B8, C8], "network", 6) == 0  # nothing new: no entry
    grants = store.rma_grants()
    assert {(g.receiver, g.sender) for g in grants} == {
        (r, s) for r in (A8, B8, C8) for s in (A8, B8, C8) if r != s
    }
    assert sorted(g.id for g in grants) == sorted(f"G-{n}" for n in range(1, 7))
    assert store.trust_version() == 1
    [entry] = store.audit_entries()
    assert (entry.actor, entry.action) == ("network", "rma.grant.all_pairs")
    assert entry.details["pairs"] == 6


def test_update_edits_one_pair_inside_the_transaction(store: SqlStore) -> None:
    store.rma_grant_pairs([A8, B8], "network", 5)
    seen: list[list[str]] = []

    def grant_pacs009(current: list[Authorization], now: int, new_id: Callable[[], str]) -> Change:
        seen.append([g.id for g in current])
        new = rma.new_authorization(
            id=new_id(), receiver=B8, sender=A8, types=["pacs.009"], valid_from_ms=None,
            valid_until_ms=None, granted_by=B, now_ms=now,
        )
        return rma.grant(current, new), AuditNote(B, "rma.grant", new.id, {})

    edit = store.rma_update(B8, A8, grant_pacs009, lambda: 7)
    [new] = edit.upsert
    assert seen == [["G-2"]] and new.id == "G-3" and new.granted_ms == 7
    assert store.trust_version() == 2
    removed = store.rma_update(B8, A8, revoke_all, lambda: 8)
    assert sorted(removed.delete) == ["G-2", "G-3"]
    assert [(g.receiver, g.sender) for g in store.rma_grants()] == [(A8, B8)]
    assert [e.action for e in store.audit_entries()][-2:] == ["rma.grant", "rma.revoke"]
    with pytest.raises(NotFound):  # nothing left to revoke: no change, no entry
        store.rma_update(B8, A8, revoke_all, lambda: 9)
    assert store.trust_version() == 3 and len(store.audit_entries()) == 3


def test_batch_commits_only_at_the_trust_version_it_was_evaluated_at(store: SqlStore) -> None:
    store.rma_grant_pairs([A8, B8], "network", 5)
    evaluated_at = store.trust_version()
    store.rma_update(B8, A8, revoke_all, lambda: 6)  # commits while the batch is evaluated
    stale = Guard(store.policy_version(), None, lambda: 7, trust_version=evaluated_at)
    with pytest.raises(PolicyChanged, match="RMA"):
        store.store_batch([msg(A, B, "m1")], stale)
    assert store.message_count() == 0
    fresh = Guard(store.policy_version(), None, lambda: 7, trust_version=store.trust_version())
    [outcome] = store.store_batch([msg(A, B, "m1")], fresh)
    assert isinstance(outcome, Stored)


def test_revoked_and_rotated_certificates(store: SqlStore) -> None:
    revoked = store.revoke_certificate(A, "oscar", "stolen", 10)
    assert (revoked.serial, revoked.revoked_ms, revoked.revoked_by) == ("01", 10, "oscar")
    assert store.certificate_revoked(A, "01")
    assert not store.certificate_revoked(B, "01")  # serials are per subject here
    assert not store.certificate_revoked(A, "02")
    with pytest.raises(Refused, match="already revoked"):
        store.revoke_certificate(A, "oscar", None, 11)
    rotated = store.rotate_certificate(A, b"CERT NEW", "0a", "ca:x", 20, 1_000)
    assert (rotated.serial, rotated.rotated_ms, rotated.usable_until_ms) == ("01", 20, 1_020)
    assert rotated.revoked_ms == 10  # rotating does not un-revoke
    assert store.participant_cert(A) == b"CERT NEW"
    store.rotate_certificate(B, b"CERT B2", "0b", "ca:x", 20, 1_000)
    within = {c.subject: c for c in store.retired_certificates(1_019)}
    assert set(within) == {A, B} and within[B].cert_pem == f"CERT {B}".encode()
    assert {c.subject for c in store.retired_certificates(1_020)} == {A}  # only the revoked
    with pytest.raises(Refused, match="already the current"):
        store.rotate_certificate(B, b"CERT B2", "0b", "ca:x", 30, 1_000)
    with pytest.raises(NotFound):
        store.revoke_certificate("QXQXDEFFXXX", "oscar", None, 40)
    assert store.trust_version() == 3
    actions = [e.action for e in store.audit_entries()]
    assert actions == ["cert.revoke", "cert.rotate", "cert.rotate"]
