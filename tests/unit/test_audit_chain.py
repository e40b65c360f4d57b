"""The audit hash chain finds any edited, removed, inserted or reordered entry."""

from __future__ import annotations

from dataclasses import replace

from finmesh.domain.audit import AuditEntry, next_entry, verify_chain


def chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        entries.append(
            next_entry(
                entries[-1] if entries else None,
                at_ms=1_000 + i,
                actor=f"officer{i % 2}",
                action="measure.propose",
                subject=f"M{i}",
                details={"reference": f"ref {i}"},
            )
        )
    return entries


def test_an_intact_chain_verifies() -> None:
    verdict = verify_chain(chain(5))
    assert verdict.ok and verdict.checked == 5 and verdict.first_bad_seq is None
    assert verdict.head == chain(5)[-1].hash


def test_an_edited_entry_is_found() -> None:
    entries = chain(5)
    entries[2] = replace(entries[2], details={"reference": "forged"})
    verdict = verify_chain(entries)
    assert not verdict.ok and verdict.first_bad_seq == 3 and "edited" in (verdict.problem or "")


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(5)
    forged = next_entry(entries[1], at_ms=1, actor="mallory", action="x", subject="y", details={})
    entries[2] = forged
    verdict = verify_chain(entries)
    assert not verdict.ok and verdict.first_bad_seq == 4


def test_a_removed_entry_is_found() -> None:
    entries = chain(5)
    del entries[1]
    verdict = verify_chain(entries)
    assert not verdict.ok and verdict.first_bad_seq == 3 and "missing" in (verdict.problem or "")


def test_reordered_entries_are_found() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    verdict = verify_chain(entries)
    assert not verdict.ok and verdict.first_bad_seq == 3


def test_a_removed_entry_renumbered_is_found() -> None:
    entries = chain(4)
    del entries[1]
    entries[1] = replace(entries[1], seq=2)
    verdict = verify_chain(entries)
    assert not verdict.ok and verdict.first_bad_seq == 2
