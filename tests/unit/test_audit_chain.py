"""The audit hash chain finds any edited, removed, inserted or reordered entry."""

from __future__ import annotations

from dataclasses import replace

from finmesh.domain.audit import AuditEntry, AuditHead, next_entry, verify_chain, verify_with_head


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


def head_of(entries: list[AuditEntry]) -> AuditHead:
    return AuditHead(entries[-1].seq, entries[-1].hash)


def test_entries_cut_off_from_the_end_are_found_against_the_head() -> None:
    entries = chain(6)
    verdict = verify_with_head(entries[:4], head_of(entries))
    assert not verdict.ok and verdict.first_bad_seq == 5
    assert "5..6 are missing from the end" in (verdict.problem or "")


def test_a_chain_rewritten_up_to_its_end_is_found_against_the_head() -> None:
    entries = chain(4)
    forged = [entries[0]]
    for e in entries[1:]:  # every hash recomputed, so the chain itself verifies
        forged.append(
            next_entry(
                forged[-1],
                at_ms=e.at_ms,
                actor="mallory",
                action=e.action,
                subject=e.subject,
                details=dict(e.details),
            )
        )
    assert verify_chain(forged).ok
    verdict = verify_with_head(forged, head_of(entries))
    assert not verdict.ok and verdict.first_bad_seq == 4 and "rewritten" in (verdict.problem or "")


def test_a_head_that_lags_the_chain_is_a_lower_bound() -> None:
    entries = chain(5)
    assert verify_with_head(entries, head_of(entries[:3])).ok


def test_a_missing_head_is_a_problem_unless_the_chain_is_empty() -> None:
    assert verify_with_head([], None).ok
    verdict = verify_with_head(chain(2), None)
    assert not verdict.ok and "head is missing" in (verdict.problem or "")
