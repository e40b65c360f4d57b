"""Relationship management (RMA): which correspondents may send an institution what.

An authorization is one-way and per pair of BIC8s (FACTS.md, "Relationship
management"): the *receiver* grants the *sender* the right to send it messages, of
every type or of the listed ones, optionally only within a period. A message for which
no authorization of its pair is in force is refused (reason R01). Only the receiver
grants and revokes; the network never does so on its behalf, except for the demo
network, which is created with every pair of its demo participants authorized.

Type scopes are MsgDefIdr values ("pacs.008.001.08") or prefixes of them on a dot
boundary: a family ("pacs.008") or a business area ("pacs"). An empty scope means
every type.

Revocation narrows by the same scopes. Revoking a scope removes it, and every narrower
scope, from each authorization of the pair; an authorization left with no scope is
deleted. An authorization for every type cannot be narrowed that way (it names nothing
to remove): it is revoked whole, and the types still wanted are granted again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from finmesh.domain.errors import BadRequest, NotFound, Refused
from finmesh.domain.policy.measures import check_bic8, check_instant

TYPES_PER_GRANT_MAX = 50
"""Most type scopes one authorization may list."""

GRANTS_PER_PAIR_MAX = 50
"""Most authorizations one receiver may hold for one sender (each with its own scope
and period); more means the same thing written many times."""

_SCOPE = re.compile(r"[a-z]{4}(\.[0-9]{3}(\.[0-9]{3}\.[0-9]{2})?)?")
"""Business area, family (area.message) or full MsgDefIdr (area.message.variant.version)."""


@dataclass(frozen=True)
class Authorization:
    """``receiver`` (BIC8) lets ``sender`` (BIC8) send it messages of ``types``."""

    id: str
    receiver: str
    sender: str
    types: tuple[str, ...]
    """Sorted, distinct type scopes; empty means every message type."""
    valid_from_ms: int | None
    """First instant in force (inclusive); None: since it was granted."""
    valid_until_ms: int | None
    """First instant no longer in force (exclusive); None: until revoked."""
    granted_by: str
    granted_ms: int

    def covers(self, msg_def_id: str) -> bool:
        return not self.types or any(scope_covers(t, msg_def_id) for t in self.types)

    def in_force(self, now_ms: int) -> bool:
        if self.valid_from_ms is not None and now_ms < self.valid_from_ms:
            return False
        return self.valid_until_ms is None or now_ms < self.valid_until_ms

    def terms(self) -> tuple[object, ...]:
        """Pair, scope and period: what an authorization allows (not who, when, id)."""
        return (self.receiver, self.sender, self.types, self.valid_from_ms, self.valid_until_ms)

    def same_terms(self, other: Authorization) -> bool:
        """Granting the same terms again changes nothing."""
        return self.terms() == other.terms()


def scope_covers(scope: str, msg_def_id: str) -> bool:
    """True when ``msg_def_id`` is ``scope`` or lies under it ("pacs.008" covers
    "pacs.008.001.08", not "pacs.0080")."""
    return msg_def_id == scope or msg_def_id.startswith(scope + ".")


def check_types(types: Iterable[object]) -> tuple[str, ...]:
    """Validated, sorted, distinct type scopes, or BadRequest naming the bad one."""
    found: set[str] = set()
    for value in types:
        if not isinstance(value, str) or not _SCOPE.fullmatch(value):
            raise BadRequest(
                f"message type {str(value)[:40]!r} must be a MsgDefIdr (pacs.008.001.08), a family"
                " (pacs.008) or a business area (pacs)"
            )
        found.add(value)
    if len(found) > TYPES_PER_GRANT_MAX:
        raise BadRequest(f"{len(found)} message types; at most {TYPES_PER_GRANT_MAX} per grant")
    return tuple(sorted(found))


def new_authorization(
    *,
    id: str,
    receiver: str,
    sender: str,
    types: Iterable[object],
    valid_from_ms: int | None,
    valid_until_ms: int | None,
    granted_by: str,
    now_ms: int,
) -> Authorization:
    """A validated authorization, or BadRequest saying what is wrong."""
    receiver8 = check_bic8(receiver, "receiver")
    sender8 = check_bic8(sender, "correspondent")
    if receiver8 == sender8:
        raise BadRequest(f"{receiver8} cannot authorize itself: messages to self are refused")
    start = None if valid_from_ms is None else check_instant(valid_from_ms, "valid_from")
    end = None if valid_until_ms is None else check_instant(valid_until_ms, "valid_until")
    if end is not None and end <= (now_ms if start is None else start):
        raise BadRequest("valid_until must be after valid_from (or after now)")
    return Authorization(
        id=id,
        receiver=receiver8,
        sender=sender8,
        types=check_types(types),
        valid_from_ms=start,
        valid_until_ms=end,
        granted_by=granted_by,
        granted_ms=now_ms,
    )


def authorized(
    grants: Iterable[Authorization],
    sender_bic8: str,
    receiver_bic8: str,
    msg_def_id: str,
    now_ms: int,
) -> Authorization | None:
    """The first authorization in force that lets the sender send this type to the
    receiver, or None (the message is refused)."""
    for grant in grants:
        if (
            grant.receiver == receiver_bic8
            and grant.sender == sender_bic8
            and grant.in_force(now_ms)
            and grant.covers(msg_def_id)
        ):
            return grant
    return None


def refusal_detail(
    pair_grants: Sequence[Authorization], sender_bic8: str, receiver_bic8: str, msg_def_id: str
) -> str:
    """Why ``authorized`` found nothing, for the NAK's detail."""
    base = f"{receiver_bic8} has not authorized {sender_bic8} to send it {msg_def_id}"
    if not pair_grants:
        return base
    if any(g.covers(msg_def_id) for g in pair_grants):
        return f"{base} at this instant (outside the validity period of its authorization)"
    scopes = sorted({t for g in pair_grants for t in g.types})
    return f"{base} (authorized types: {', '.join(scopes)})"


@dataclass(frozen=True)
class GrantIndex:
    """Every authorization of the network at one trust version, indexed by pair."""

    version: int
    by_pair: Mapping[tuple[str, str], tuple[Authorization, ...]]
    """(receiver BIC8, sender BIC8) -> that pair's authorizations."""

    @classmethod
    def build(cls, version: int, grants: Iterable[Authorization]) -> GrantIndex:
        pairs: dict[tuple[str, str], list[Authorization]] = {}
        for grant in grants:
            pairs.setdefault((grant.receiver, grant.sender), []).append(grant)
        frozen = {pair: tuple(found) for pair, found in pairs.items()}
        return cls(version=version, by_pair=MappingProxyType(frozen))

    def pair(self, receiver_bic8: str, sender_bic8: str) -> tuple[Authorization, ...]:
        return self.by_pair.get((receiver_bic8, sender_bic8), ())

    def authorized(
        self, sender_bic8: str, receiver_bic8: str, msg_def_id: str, now_ms: int
    ) -> Authorization | None:
        return authorized(
            self.pair(receiver_bic8, sender_bic8), sender_bic8, receiver_bic8, msg_def_id, now_ms
        )

    def involving(self, bic8: str | None) -> list[Authorization]:
        """Authorizations where ``bic8`` is receiver or sender (all for None), in id order."""
        found = [
            g
            for (receiver, sender), grants in self.by_pair.items()
            if bic8 is None or bic8 in (receiver, sender)
            for g in grants
        ]
        return sorted(found, key=grant_order)


def grant_order(grant: Authorization) -> tuple[int, str]:
    """Ids are "G-<n>": order them by number, then by text for any other shape."""
    _, _, number = grant.id.partition("-")
    return (int(number), grant.id) if number.isdigit() else (0, grant.id)


@dataclass(frozen=True)
class RmaEdit:
    """What one grant or revocation changes in one pair's authorizations."""

    upsert: tuple[Authorization, ...] = ()
    delete: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.upsert and not self.delete


def grant(current: Sequence[Authorization], new: Authorization) -> RmaEdit:
    """Add ``new`` to its pair's ``current`` authorizations; granting the same terms
    again is a no-op (the existing authorization stands)."""
    if any(g.same_terms(new) for g in current):
        return RmaEdit()
    if len(current) >= GRANTS_PER_PAIR_MAX:
        raise Refused(
            f"{new.receiver} already holds {len(current)} authorizations for {new.sender}"
            f" (at most {GRANTS_PER_PAIR_MAX}); revoke some first"
        )
    return RmaEdit(upsert=(new,))


def revoke(current: Sequence[Authorization], types: Iterable[object]) -> RmaEdit:
    """Remove the listed scopes (or, with none listed, everything) from one pair's
    authorizations; NotFound if nothing is authorized there, Refused if an authorization
    for every type would have to be narrowed (see the module docstring)."""
    scopes = check_types(types)
    if not current:
        raise NotFound("no authorization for that correspondent")
    if not scopes:
        return RmaEdit(delete=tuple(g.id for g in current))
    upsert: list[Authorization] = []
    delete: list[str] = []
    for g in current:
        if not g.types:
            raise Refused(
                f"authorization {g.id} covers every message type: revoke it whole"
                " (no --type) and grant the types still wanted"
            )
        kept = tuple(t for t in g.types if not any(scope_covers(s, t) for s in scopes))
        if not kept:
            delete.append(g.id)
        elif kept != g.types:
            upsert.append(replace(g, types=kept))
    if not upsert and not delete:
        raise NotFound(f"no authorization for that correspondent covers {', '.join(scopes)}")
    return RmaEdit(upsert=tuple(upsert), delete=tuple(delete))


def all_pairs(
    bic8s: Iterable[str],
    current: Iterable[Authorization],
    *,
    granted_by: str,
    now_ms: int,
    new_id: Callable[[], str],
) -> tuple[Authorization, ...]:
    """Authorizations for every type between every ordered pair of ``bic8s`` that has
    none yet (the demo network's relationships), each with an id from ``new_id``."""
    have = {(g.receiver, g.sender) for g in current}
    members = sorted(set(bic8s))
    missing = [(r, s) for r in members for s in members if r != s and (r, s) not in have]
    return tuple(
        Authorization(
            id=new_id(),
            receiver=r,
            sender=s,
            types=(),
            valid_from_ms=None,
            valid_until_ms=None,
            granted_by=granted_by,
            granted_ms=now_ms,
        )
        for r, s in missing
    )
