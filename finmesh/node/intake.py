"""Intake: a batch of signed submissions in, one verdict per message out.

Stages run in order for each message (size, signature presence, parse and schema,
signature, sender, route); the survivors of a batch are stored in one transaction,
and only then are they ACKed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from finmesh.domain import admission, limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import Coded, Rejected
from finmesh.domain.iso20022 import ParsedMessage, SchemaRegistry, parse_message
from finmesh.domain.mt import CODES, MtError, is_fin, parse_mt, translate_message
from finmesh.domain.policy.evaluate import PolicySnapshot, add_usage, evaluate
from finmesh.domain.policy.rma import GrantIndex, refusal_detail
from finmesh.domain.policy.screening import MessageFacts
from finmesh.domain.reasons import Reason
from finmesh.domain.rules import RuleBook
from finmesh.identity import message_signature
from finmesh.node.clock import Clock
from finmesh.node.intake_screening import SCREENING_HOLD, ActiveScreening, screen_messages
from finmesh.node.members import Members, MembersAt
from finmesh.store.port import (
    AlreadyStored,
    Guard,
    Held,
    NewMessage,
    NonceClaim,
    NonceReplayed,
    PolicyChanged,
    ScreenedQuery,
    Store,
    TrackingRecord,
)


@dataclass(frozen=True)
class Submission:
    payload: bytes
    signature: bytes | None
    notify_delivery: bool = False


@dataclass(frozen=True)
class IntakeRequest:
    """One authenticated request's batch, as a member of a group (Intake.submit_group)."""

    sender: str
    sender_cert_pem: bytes
    items: Sequence[Submission]
    nonce: NonceClaim | None = None
    """The request's nonce, remembered in the group's transaction (None: already
    remembered by the caller, or no signed request)."""


@dataclass(frozen=True)
class Replayed:
    """A request of a group whose nonce was seen before: nothing of it was processed."""


@dataclass(frozen=True)
class Verdict:
    status: Literal["ACK", "NAK"]
    reason: Coded | None = None
    detail: str = ""
    biz_msg_id: str | None = None
    uetr: str | None = None
    duplicate: bool = False
    held: bool = False
    hold_id: int | None = None
    measure_id: str | None = None
    licence_id: str | None = None
    receiver: str | None = None
    """The receiver (BIC11) whose queue a fresh, unheld ACK put the message in."""

    @classmethod
    def nak(cls, exc: Rejected, parsed: ParsedMessage | None = None) -> Verdict:
        return cls(
            "NAK",
            exc.reason,
            exc.detail,
            parsed.biz_msg_id if parsed else None,
            parsed.uetr if parsed else None,
        )


Route = tuple[str | None, bool, bool]
"""What routing learns of a receiver BIC8: its participant (BIC11, or None), whether
the directory knows it, and whether the participant's current certificate is revoked."""


class Intake:
    """Admits batches of messages from one authenticated sender."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        policy: Callable[[], PolicySnapshot],
        grants: Callable[[], GrantIndex],
        sanctions: Callable[[int], ActiveScreening | None] | None = None,
        *,
        schemas: SchemaRegistry,
        rules: RuleBook | None = None,
        members: Callable[[], MembersAt] | None = None,
    ) -> None:
        self.store = store
        self.members = Members(store).now if members is None else members
        """The participants at the current trust version (routing: receivers)."""
        self.schemas = schemas
        self.rules = RuleBook() if rules is None else rules
        """The network rules beyond the schema this network enforces."""
        self.clock = clock
        self.policy = policy
        self.grants = grants
        self.sanctions = sanctions
        """Policy version -> what to screen names against (None: no list loaded)."""
        self.on_screened: Callable[[float], None] | None = None
        """Told the seconds each batch's screening took (the HTTP edge's metrics)."""

    def submit(
        self, sender: str, sender_cert_pem: bytes, items: Sequence[Submission]
    ) -> list[Verdict]:
        answer = self.submit_group([IntakeRequest(sender, sender_cert_pem, items)])[0]
        assert not isinstance(answer, Replayed)  # no nonce to claim
        return answer

    def submit_group(
        self, requests: Sequence[IntakeRequest]
    ) -> list[list[Verdict] | Replayed]:
        """Several requests admitted together and stored in one transaction (group
        commit: one durable commit for all, the requests' nonces in it); one list of
        verdicts per request, in order, or ``Replayed`` for a request whose nonce was
        seen before (the group is then admitted again without it: a rare path).

        Each request is judged as if it came alone, right after the ones before it: a
        licence drawn on earlier in the group counts toward its total, and a message
        stored earlier in the group makes a later copy a duplicate."""
        replayed: set[int] = set()
        while True:
            live = [i for i in range(len(requests)) if i not in replayed]
            try:
                answers = dict(zip(live, self._group([requests[i] for i in live]), strict=True))
            except NonceReplayed as exc:
                claiming = [i for i in live if requests[i].nonce is not None]
                replayed |= {claiming[at] for at in exc.positions}
                continue
            return [answers[i] if i in answers else Replayed() for i in range(len(requests))]

    def _group(self, requests: Sequence[IntakeRequest]) -> list[list[Verdict]]:
        routes = Routes(self.members())
        parts = [self._check(r, routes) for r in requests]
        nonces = [r.nonce for r in requests if r.nonce is not None]
        decided = iter(self._decide([c for part in parts for c in part], nonces))
        return [[next(decided) for _ in part] for part in parts]

    def _check(
        self, request: IntakeRequest, routes: Routes
    ) -> list[Verdict | Admitted]:
        items = request.items
        if len(items) > limits.BATCH_MESSAGES_MAX:
            exc = Rejected(Reason.BATCH_TOO_LARGE, f"{len(items)} > {limits.BATCH_MESSAGES_MAX}")
            return [Verdict.nak(exc)] * len(items)
        authenticated = Bic.parse(request.sender)
        cert_pem = request.sender_cert_pem
        return self._repeats(
            request.sender, [self._admit(authenticated, cert_pem, item, routes) for item in items]
        )

    def _decide(
        self, checked: list[Verdict | Admitted], nonces: Sequence[NonceClaim] = ()
    ) -> list[Verdict]:
        screened: list[ScreenedQuery] = []  # kept across retries: the memo's new rows
        for _ in range(limits.POLICY_RETRIES_MAX):
            # the clock first: a measure approved after this read starts after it
            now = self.clock()
            snapshot = self.policy()
            rma = self.grants()  # its version is checked again at commit, like the policy's
            decided = screen(authorize(checked, rma, now), snapshot, now)
            lists = self.sanctions(snapshot.version) if self.sanctions else None
            if lists is not None:  # after measures: sanctions screening of what passed
                started = time.perf_counter()
                decided = screen_messages(
                    decided, lists, now, self.store.recall_screened, screened
                )
                if self.on_screened is not None:
                    self.on_screened(time.perf_counter() - started)
            accepted = [d for d in decided if isinstance(d, tuple)]
            drawn = {lid for new, _ in accepted for lid in new.licence_ids}
            guard = Guard(
                snapshot.version,
                snapshot.next_change_after(now),
                self.clock,
                {lid: snapshot.licence_used.get(lid, Decimal(0)) for lid in drawn},
                trust_version=rma.version,
            )
            try:
                stored = self.store.store_batch(
                    [new for new, _ in accepted], guard, screened, nonces
                )
                outcomes = iter(stored)
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

    def _admit(
        self,
        sender: Bic,
        cert_pem: bytes,
        item: Submission,
        routes: Routes,
    ) -> Verdict | Admitted:
        parsed: ParsedMessage | None = None
        try:
            if len(item.payload) > limits.MESSAGE_BYTES_MAX:
                raise Rejected(Reason.OVERSIZE, f"{len(item.payload)} bytes")
            if not item.signature:
                raise Rejected(Reason.MISSING_SIGNATURE)
            parsed, translation = self._parse(item.payload)
            if not message_signature.verify(cert_pem, item.payload, item.signature):
                raise Rejected(Reason.BAD_SIGNATURE)
            admission.check_sender(admission.header_bic(parsed.sender_bic, "From"), sender)
            to = admission.header_bic(parsed.receiver_bic, "To")
            receiver = self._route(sender, to, routes)
        except Rejected as exc:
            return Verdict.nak(exc, parsed)
        return Admitted(str(sender), receiver, item, parsed, translation)

    def _parse(self, payload: bytes) -> tuple[ParsedMessage, bytes | None]:
        """An ISO 20022 message as it is; a FIN message checked by the FIN rules and
        translated (CBPR+), so routing, RMA, measures and screening see its ISO 20022
        form. The signed bytes are stored unchanged, the translation beside them."""
        if not is_fin(payload):
            return parse_message(
                payload, self.schemas, rules=self.rules, now=_utc(self.clock())
            ), None
        try:
            translated = translate_message(parse_mt(payload), now=_utc(self.clock()))
        except MtError as exc:
            raise Rejected(CODES[exc.code], str(exc)) from None
        return parse_message(translated.payload, self.schemas, translated=True), translated.payload

    def _route(self, sender: Bic, receiver: Bic, routes: Routes) -> str:
        # participants are onboarded from the directory: the directory is asked only
        # to tell an unknown receiver (H02) from one that is not connected (H03);
        # ``routes`` keeps the answers for the rest of the group (one lookup per receiver)
        found = routes.seen.get(receiver.bic8)
        if found is None:
            live = routes.members.for_bic8(receiver.bic8)
            known = live is not None or bool(self.store.institutions_with_bic8(receiver.bic8))
            member = None if live is None else routes.members.member(live)
            # revoked: it cannot fetch until the network issues it a new certificate
            revoked = member is not None and member.revoked
            found = routes.seen[receiver.bic8] = (live, known, revoked)
        live, in_directory, revoked = found
        return admission.route(receiver, sender, in_directory, live, revoked)


@dataclass
class Routes:
    """What one group learns of its receivers: the participants at the group's trust
    version, and each receiver BIC8's route once looked up."""

    members: MembersAt
    seen: dict[str, Route] = field(default_factory=dict)


@dataclass(frozen=True)
class Admitted:
    """A message that passed every check that does not depend on policy."""

    sender: str
    receiver: str
    item: Submission
    parsed: ParsedMessage
    translation: bytes | None = None
    """The ISO 20022 translation of a message submitted as FIN."""


def _utc(now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, UTC)


def authorize(
    checked: Sequence[Verdict | Admitted], grants: GrantIndex, now_ms: int
) -> list[Verdict | Admitted]:
    """NAK R01 each admitted message its receiver has not authorized its sender (BIC8
    pair) to send at ``now_ms`` (RMA; system notices never pass through intake)."""
    return [_authorized(c, grants, now_ms) if isinstance(c, Admitted) else c for c in checked]


def _authorized(c: Admitted, grants: GrantIndex, now_ms: int) -> Verdict | Admitted:
    sender8, receiver8, kind = c.sender[:8], c.receiver[:8], c.parsed.msg_def_id
    if grants.authorized(sender8, receiver8, kind, now_ms) is not None:
        return c
    detail = refusal_detail(grants.pair(receiver8, sender8), sender8, receiver8, kind)
    return Verdict.nak(Rejected(Reason.NOT_AUTHORIZED, detail), c.parsed)


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
        translation=admitted.translation,
        tracking=_tracking(parsed),
        received_ms=now_ms,
        obsolete_ms=now_ms + 1000 * admission.obsolescence_seconds(priority),
    )


def _tracking(parsed: ParsedMessage) -> TrackingRecord | None:
    flow = parsed.flow
    if flow is None or not parsed.uetr:
        return None
    refs = json.dumps([list(pair) for pair in flow.references])
    return TrackingRecord(flow.step, flow.status, flow.reason, refs)


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
            "held for compliance review: sanctions screening hit"
            if new.held_by == SCREENING_HOLD
            else f"held for compliance review under measure {new.held_by}",
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
        receiver=new.receiver,
    )
