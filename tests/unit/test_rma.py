"""The RMA rule (finmesh.domain.policy.rma): one-way authorizations per BIC8 pair, type
scopes, validity periods, and how grants and revocations change a pair's authorizations."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest

from finmesh.domain.errors import BadRequest, NotFound, Refused
from finmesh.domain.policy import rma
from finmesh.domain.policy.rma import Authorization, GrantIndex

A, B, C = "DEUTDEFF", "BNPAFRPP", "INGBNL2A"
NOW = 1_700_000_000_000
HOUR = 3_600_000
PACS008 = "pacs.008.001.08"
PACS009 = "pacs.009.001.08"


def grant(
    receiver: str = B,
    sender: str = A,
    types: tuple[str, ...] = (),
    valid_from_ms: int | None = None,
    valid_until_ms: int | None = None,
    id: str = "G-1",
) -> Authorization:
    return rma.new_authorization(
        id=id,
        receiver=receiver,
        sender=sender,
        types=types,
        valid_from_ms=valid_from_ms,
        valid_until_ms=valid_until_ms,
        granted_by=receiver + "XXX",
        now_ms=NOW,
    )


def ids() -> Iterator[str]:
    return (f"G-{n}" for n in count(1))


def test_no_authorization_refuses() -> None:
    assert rma.authorized([], A, B, PACS008, NOW) is None


def test_authorization_for_every_type_lets_any_type_through() -> None:
    g = grant()
    assert rma.authorized([g], A, B, PACS008, NOW) == g
    assert rma.authorized([g], A, B, "camt.056.001.12", NOW) == g


def test_authorization_is_one_way() -> None:
    g = grant(receiver=B, sender=A)
    assert rma.authorized([g], A, B, PACS008, NOW) == g
    assert rma.authorized([g], B, A, PACS008, NOW) is None  # B -> A needs A's grant
    assert rma.authorized([g], C, B, PACS008, NOW) is None


@pytest.mark.parametrize(
    ("scope", "covered", "not_covered"),
    [
        ("pacs.008", ["pacs.008.001.08", "pacs.008.001.13"], ["pacs.009.001.08", "pacs.0080"]),
        ("pacs.008.001.08", ["pacs.008.001.08"], ["pacs.008.001.13"]),
        ("pacs", ["pacs.002.001.10", "pacs.009.001.08"], ["camt.056.001.12", "pacsx.008"]),
    ],
)
def test_type_scopes_cover_on_dot_boundaries(
    scope: str, covered: list[str], not_covered: list[str]
) -> None:
    g = grant(types=(scope,))
    for kind in covered:
        assert rma.authorized([g], A, B, kind, NOW) == g, kind
    for kind in not_covered:
        assert rma.authorized([g], A, B, kind, NOW) is None, kind


def test_validity_period_is_inclusive_exclusive() -> None:
    g = grant(valid_from_ms=NOW + HOUR, valid_until_ms=NOW + 2 * HOUR)
    assert rma.authorized([g], A, B, PACS008, NOW + HOUR - 1) is None
    assert rma.authorized([g], A, B, PACS008, NOW + HOUR) == g
    assert rma.authorized([g], A, B, PACS008, NOW + 2 * HOUR - 1) == g
    assert rma.authorized([g], A, B, PACS008, NOW + 2 * HOUR) is None


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"sender": B}, "itself"),
        ({"sender": "DEUTDEFF500"}, "BIC8"),
        ({"types": ("pacs.8",)}, "MsgDefIdr"),
        ({"types": ("PACS.008",)}, "MsgDefIdr"),
        ({"valid_until_ms": NOW - 1}, "after"),
        ({"valid_from_ms": NOW + HOUR, "valid_until_ms": NOW + HOUR}, "after"),
        ({"types": tuple(f"pacs.{n:03}" for n in range(rma.TYPES_PER_GRANT_MAX + 1))}, "at most"),
    ],
)
def test_invalid_authorizations_are_refused(kwargs: dict[str, object], says: str) -> None:
    with pytest.raises(BadRequest, match=says):
        grant(**kwargs)  # type: ignore[arg-type]


def test_types_are_sorted_and_distinct() -> None:
    assert grant(types=("pacs.009", "pacs.008", "pacs.009")).types == ("pacs.008", "pacs.009")


def test_granting_the_same_terms_twice_is_one_authorization() -> None:
    first = grant(types=("pacs.008",))
    assert rma.grant([first], grant(types=("pacs.008",), id="G-2")).empty
    other = grant(types=("pacs.009",), id="G-2")
    assert rma.grant([first], other).upsert == (other,)


def test_a_pair_holds_a_bounded_number_of_authorizations() -> None:
    held = [grant(types=(f"pacs.{n:03}",), id=f"G-{n}") for n in range(rma.GRANTS_PER_PAIR_MAX)]
    with pytest.raises(Refused, match="at most"):
        rma.grant(held, grant(types=("camt",), id="G-999"))


def test_revoke_without_types_deletes_every_authorization_of_the_pair() -> None:
    held = [grant(types=("pacs.008",)), grant(types=("pacs.009",), id="G-2")]
    assert rma.revoke(held, []) == rma.RmaEdit(delete=("G-1", "G-2"))


def test_revoke_of_a_scope_narrows_and_deletes() -> None:
    held = [grant(types=("pacs.008", "pacs.009")), grant(types=("pacs.008.001.08",), id="G-2")]
    edit = rma.revoke(held, ["pacs.008"])  # the family takes its versions with it
    assert edit.delete == ("G-2",)
    [narrowed] = edit.upsert
    assert (narrowed.id, narrowed.types) == ("G-1", ("pacs.009",))
    assert rma.authorized([narrowed], A, B, PACS008, NOW) is None
    assert rma.authorized([narrowed], A, B, PACS009, NOW) == narrowed


def test_revoke_refuses_to_narrow_an_every_type_authorization() -> None:
    with pytest.raises(Refused, match="every message type"):
        rma.revoke([grant()], ["pacs.008"])


def test_revoke_of_nothing_is_not_found() -> None:
    with pytest.raises(NotFound):
        rma.revoke([], [])
    with pytest.raises(NotFound, match="camt"):
        rma.revoke([grant(types=("pacs.008",))], ["camt"])


def test_refusal_detail_says_why() -> None:
    assert "has not authorized" in rma.refusal_detail([], A, B, PACS008)
    limited = grant(types=("pacs.009",))
    assert "authorized types: pacs.009" in rma.refusal_detail([limited], A, B, PACS008)
    later = grant(valid_from_ms=NOW + HOUR)
    assert "validity period" in rma.refusal_detail([later], A, B, PACS008)


def test_index_finds_by_pair_and_lists_by_institution() -> None:
    new_id = ids()
    everyone = rma.all_pairs(
        [A, B, C, A], [], granted_by="network", now_ms=NOW, new_id=lambda: next(new_id)
    )
    assert len(everyone) == 6  # ordered pairs of three distinct institutions
    index = GrantIndex.build(7, everyone)
    assert index.version == 7
    assert index.authorized(A, C, PACS008, NOW) is not None
    assert index.authorized(A, A, PACS008, NOW) is None
    assert len(index.involving(A)) == 4 and len(index.involving(None)) == 6
    assert [g.id for g in index.involving(None)] == [f"G-{n}" for n in range(1, 7)]
    again = rma.all_pairs(
        [A, B, C], everyone, granted_by="network", now_ms=NOW, new_id=lambda: next(new_id)
    )
    assert again == ()
