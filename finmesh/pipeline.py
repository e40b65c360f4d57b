"""Intake: a batch of signed submissions in, one verdict per message out.

Stages run in order for each message (size, signature presence, parse and schema,
signature, sender, route); the survivors of a batch are stored in one transaction,
and only then are they ACKed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from finmesh import pki
from finmesh.domain import admission, limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import ParsedMessage, parse_message
from finmesh.domain.policy.evaluate import PolicySnapshot, add_usage, evaluate
from finmesh.domain.policy.screening import MessageFacts
from finmesh.domain.reasons import Reason
from finmesh.store.port import AlreadyStored, Guard, Held, NewMessage, PolicyChanged, Store

Clock = Callable[[], int]
"""Milliseconds since the epoch; injected so tests can run on a simulated clock."""


@dataclass(frozen=True)
class Submission:
    payload: bytes
    signature: bytes | None
    notify_delivery: bool = False


@dataclass(frozen=True)
class Verdict:
    status: Literal["ACK", "NAK"]
    reason: Reason | None = None
    detail: str = ""
    biz_msg_id: str | None = None
    uetr: str | None = None
    duplicate: bool = False
    held: bool = False
    hold_id: int | None = None
    measure_id: str | None = None
    licence_id: str | None = None

    @classmethod
    def nak(cls, exc: Rejected, parsed: ParsedMessage | None = None) -> Verdict:
        return cls(
            "NAK",
            exc.reason,
            exc.detail,
            parsed.biz_msg_id if parsed else None,
            parsed.uetr if parsed else None,
        )


class Intake:
    """Admits batches of messages from one authenticated sender."""

    def __init__(self, store: Store, clock: Clock, policy: Callable[[], PolicySnapshot]) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy

    def submit(
        self, sender: str, sender_cert_pem: bytes, items: Sequence[Submission]
    ) -> list[Verdict]:
        if len(items) > limits.BATCH_MESSAGES_MAX:
            exc = Rejected(Reason.BATCH_TOO_LARGE, f"{len(items)} > {limits.BATCH_MESSAGES_MAX}")
            return [Verdict.nak(exc)] * len(items)
        authenticated = Bic.parse(sender)
        checked = self._repeats(
            sender, [self._admit(authenticated, sender_cert_pem, item) for item in items]
        )
        for _ in range(limits.POLICY_RETRIES_MAX):
            # the clock first: a measure approved after this read starts after it
            now = self.clock()
            snapshot = self.policy()
            decided = screen(checked, snapshot, now)
            accepted = [d for d in decided if isinstance(d, tuple)]
            drawn = {lid for new, _ in accepted for lid in new.licence_ids}
            guard = Guard(
                snapshot.version,
                snapshot.next_change_after(now),
                self.clock,
                {lid: snapshot.licence_used.get(lid, Decimal(0)) for lid in drawn},
            )
            try:
                outcomes = iter(self.store.store_batch([new for new, _ in accepted], guard))
            except PolicyChanged:
                continue  # a measure or licence changed under us: evaluate again
            return [d if isinstance(d, Verdict) else _verdict(*d, next(outcomes)) for d in decided]
        exc = Rejected(Reason.TRY_AGAIN, "policy kept changing during intake")
        return [c if isinstance(c, Verdict) else Verdict.nak(exc, c.parsed) for c in checked]

    def _repeats(self, sender: str, checked: list[Verdict | Admitted]) -> list[Verdict | Admitted]:
        """A message stored before gets its original verdict (or D01 for other bytes)
        whatever the policy says now: policy decided when it was first accepted."""
        admitted = [c.parsed.biz_msg_id for c in checked if isinstance(c, Admitted)]
        stored = self.store.find_stored(sender, admitted) if admitted else {}
        if not stored:
            return checked
        return [
            _repeat(c, stored[c.parsed.biz_msg_id])
            if isinstance(c, Admitted) and c.parsed.biz_msg_id in stored
            else c
            for c in checked
        ]

    def _admit(self, sender: Bic, cert_pem: bytes, item: Submission) -> Verdict | Admitted:
        parsed: ParsedMessage | None = None
        try:
            if len(item.payload) > limits.MESSAGE_BYTES_MAX:
                raise Rejected(Reason.OVERSIZE, f"{len(item.payload)} bytes")
            if not item.signature:
                raise Rejected(Reason.MISSING_SIGNATURE)
            parsed = parse_message(item.payload)
            if not pki.verify_signature(cert_pem, item.payload, item.signature):
                raise Rejected(Reason.BAD_SIGNATURE)
            admission.check_sender(admission.header_bic(parsed.sender_bic, "From"), sender)
            receiver = self._route(sender, admission.header_bic(parsed.receiver_bic, "To"))
        except Rejected as exc:
            return Verdict.nak(exc, parsed)
        return Admitted(str(sender), receiver, item, parsed)

    def _route(self, sender: Bic, receiver: Bic) -> str:
        # participants are onboarded from the directory: the directory is asked only
        # to tell an unknown receiver (H02) from one that is not connected (H03)
        live = self.store.participant_for_bic8(receiver.bic8)
        in_directory = live is not None or bool(self.store.institutions_with_bic8(receiver.bic8))
        return admission.route(receiver, sender, in_directory, live)


@dataclass(frozen=True)
class Admitted:
    """A message that passed every check that does not depend on policy."""

    sender: str
    receiver: str
    item: Submission
    parsed: ParsedMessage


def screen(
    checked: Sequence[Verdict | Admitted], snapshot: PolicySnapshot, now_ms: int
) -> list[Verdict | tuple[NewMessage, ParsedMessage]]:
    """Apply the measures in force at ``now_ms`` to each admitted message, in order
    (licence use earlier in the batch counts toward a licence's total)."""
    used: dict[str, Decimal] = {}
    out: list[Verdict | tuple[NewMessage, ParsedMessage]] = []
    for c in checked:
        if isinstance(c, Verdict):
            out.append(c)
            continue
        facts = MessageFacts.from_parsed(c.parsed, c.sender, c.receiver)
        decision = evaluate(facts, snapshot, now_ms, used)
        if decision.outcome == "reject":
            assert decision.reason is not None
            out.append(Verdict.nak(Rejected(decision.reason, decision.detail), c.parsed))
            continue
        used = add_usage(used, decision, facts)
        held = decision.measure_id if decision.outcome == "hold" else None
        out.append((_new_message(c, now_ms, held, decision.licence_ids), c.parsed))
    return out


def _new_message(
    admitted: Admitted, now_ms: int, held_by: str | None, licence_ids: tuple[str, ...]
) -> NewMessage:
    sender, receiver, item, parsed = (
        admitted.sender,
        admitted.receiver,
        admitted.item,
        admitted.parsed,
    )
    priority = admission.normalised_priority(parsed.priority)
    return NewMessage(
        held_by=held_by,
        licence_ids=licence_ids,
        sender=sender,
        receiver=receiver,
        biz_msg_id=parsed.biz_msg_id,
        payload_sha256=hashlib.sha256(item.payload).hexdigest(),
        payload=item.payload,
        signature=item.signature or b"",
        msg_def_id=parsed.msg_def_id,
        uetr=parsed.uetr,
        amount=None if parsed.amount is None else str(parsed.amount),
        currency=parsed.currency,
        priority=priority,
        notify_delivery=item.notify_delivery,
        parties_json=json.dumps(
            [
                {"role": p.role, "bic": p.bic, "name": p.name, "country": p.country}
                for p in parsed.parties
            ]
        ),
        purposes_json=json.dumps(list(parsed.purposes)),
        received_ms=now_ms,
        obsolete_ms=now_ms + 1000 * admission.obsolescence_seconds(priority),
    )


def _repeat(admitted: Admitted, stored: AlreadyStored) -> Verdict:
    sha256 = hashlib.sha256(admitted.item.payload).hexdigest()
    return _duplicate(admitted.parsed, sha256, stored)


def _duplicate(parsed: ParsedMessage, sha256: str, stored: AlreadyStored) -> Verdict:
    if stored.payload_sha256 != sha256:
        return Verdict.nak(Rejected(Reason.DUPLICATE_CONFLICT, parsed.biz_msg_id), parsed)
    return Verdict(
        "ACK",
        None,
        "",
        parsed.biz_msg_id,
        stored.uetr,
        duplicate=True,
        held=stored.held_by is not None,
        hold_id=stored.hold_id,
        measure_id=stored.held_by,
        licence_id=stored.licence,
    )


def _verdict(new: NewMessage, parsed: ParsedMessage, outcome: object) -> Verdict:
    if isinstance(outcome, AlreadyStored):
        return _duplicate(parsed, new.payload_sha256, outcome)
    if isinstance(outcome, Held):
        return Verdict(
            "ACK",
            None,
            f"held for compliance review under measure {new.held_by}",
            parsed.biz_msg_id,
            parsed.uetr,
            held=True,
            hold_id=outcome.hold_id,
            measure_id=new.held_by,
        )
    return Verdict(
        "ACK",
        None,
        "",
        parsed.biz_msg_id,
        parsed.uetr,
        licence_id=",".join(new.licence_ids) or None,
    )
