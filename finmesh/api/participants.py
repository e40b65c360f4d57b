"""Participant API: submit batches, receive in OSN order, acknowledge, read notices."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from finmesh.api import events, models
from finmesh.api.auth import Limits, authenticate
from finmesh.api.bodies import documented, parse_body
from finmesh.api.hot_paths import HotRoutes
from finmesh.api.intake_lane import IntakeLane
from finmesh.domain import limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import BadRequest, InvalidBic, NotFound
from finmesh.domain.policy.rma import TYPES_PER_GRANT_MAX
from finmesh.identity import message_signature
from finmesh.node.delivery import NOTICE_WAITERS, long_poll
from finmesh.node.formats import Format, Forms, forms
from finmesh.node.intake import Submission, Verdict
from finmesh.node.root import Node
from finmesh.node.trust import CertStates, Trust, grant_json, signer
from finmesh.store.port import Delivery, Notice

WaitSeconds = Annotated[float, Query(ge=0, le=limits.WAIT_SECONDS_MAX)]
Limit = Annotated[int, Query(ge=1, le=limits.DELIVERY_PAGE_MAX)]
After = Annotated[int | None, Query(ge=0, le=limits.SEQUENCE_MAX)]
ReceiveFormat = Annotated[Literal["mx", "mt"], Query(alias="format")]
Direction = Annotated[Literal["granted", "received", "all"], Query()]
TypeScopes = Annotated[list[str], Query(alias="type", max_length=TYPES_PER_GRANT_MAX)]


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(f"{what} is not valid base64") from exc


def _signature(text: str) -> bytes:
    try:
        return message_signature.from_wire(text)
    except message_signature.BadSignatureForm as exc:
        raise BadRequest(f"signature: {exc}") from exc


def router(node: Node, limits: Limits, hot: HotRoutes | None = None) -> APIRouter:
    """The participant routes; ``hot`` is told the handlers served on the light path
    (finmesh.api.hot_paths): submitting."""
    api = APIRouter(prefix="/v1", tags=["participant"])
    lane = IntakeLane(node.intake)

    @api.post(
        "/messages",
        response_model=models.SubmitResponse,
        openapi_extra=documented(models.SubmitRequest),
    )
    async def submit(request: Request) -> Response:
        """Submit a batch; one ACK/NAK per message, ACK only after a durable commit."""
        started = time.perf_counter()
        # the nonce is remembered in the commit of the batch (group commit)
        caller = await authenticate(request, node, limits, defer_nonce=True)
        batch = parse_body(models.SubmitRequest, caller.body)
        items = [
            Submission(
                payload=_b64(m.payload, "payload"),
                signature=_signature(m.signature) if m.signature else None,
                notify_delivery=m.notify_delivery,
            )
            for m in batch.messages
        ]
        verdicts = await lane.submit(caller.subject, caller.cert_pem, items, caller.nonce)
        node.observe.naks.count(v.reason.code for v in verdicts if v.reason and v.status == "NAK")
        queued = {v.receiver for v in verdicts if v.receiver is not None}
        if queued:
            node.bell.ring(queued)  # wakes only those receivers' long polls
        events.submitted(caller.subject, verdicts, time.perf_counter() - started)
        return _submit_response(verdicts)

    if hot is not None:
        hot[("POST", "/v1/messages")] = submit

    @api.get("/deliveries", response_model=models.DeliveriesResponse)
    async def deliveries(
        request: Request,
        after: After = None,
        limit: Limit = 100,
        wait: WaitSeconds = 0,
        receive_format: ReceiveFormat = "mx",
        ack: After = None,
    ) -> Response:
        """Messages for the caller in OSN order after ``after`` (default: its acked OSN).
        Messages handed out before and not acknowledged come marked possible_duplicate.
        ``format``: mx (ISO 20022, default) or mt (FIN); a message signed in the other
        form comes with the network's translation beside the signed bytes. ``ack``:
        acknowledge up to that OSN first, in the same commit (a delivery then costs one
        request: each fetch acknowledges the page before)."""
        caller = await authenticate(request, node, limits)

        async def fetch() -> list[Delivery]:
            return await run_in_threadpool(
                node.delivery.fetch, caller.subject, after, limit, ack
            )

        found = await long_poll(fetch, node.bell, wait, key=caller.subject)
        events.delivered(caller.subject, found, node.clock())
        # one thread hop for both (each hop costs ~70 µs of CPU: it adds up per request)
        return await run_in_threadpool(
            _deliveries_response, node, caller.subject, found, receive_format
        )

    @api.post(
        "/deliveries/ack",
        response_model=models.CursorResponse,
        openapi_extra=documented(models.AckRequest),
    )
    async def ack(request: Request) -> models.CursorResponse:
        """Acknowledge every delivered message up to an OSN (inclusive)."""
        caller = await authenticate(request, node, limits)
        body = parse_body(models.AckRequest, caller.body)
        cursor = await run_in_threadpool(node.delivery.acknowledge, caller.subject, body.osn)
        return models.CursorResponse(last=cursor.last, acked=cursor.acked)

    @api.get("/notices", response_model=models.NoticesResponse)
    async def notices(
        request: Request, after: After = None, limit: Limit = 100, wait: WaitSeconds = 0
    ) -> models.NoticesResponse:
        """Delivery and non-delivery notices about messages the caller sent."""
        caller = await authenticate(request, node, limits)

        async def fetch() -> list[Notice]:
            return await run_in_threadpool(node.delivery.notices, caller.subject, after, limit)

        found = await long_poll(fetch, node.bell, wait, key=NOTICE_WAITERS)
        return models.NoticesResponse(notices=[_notice(n) for n in found])

    @api.post(
        "/notices/ack",
        response_model=models.CursorResponse,
        openapi_extra=documented(models.NoticeAckRequest),
    )
    async def ack_notices(request: Request) -> models.CursorResponse:
        """Acknowledge notices up to a sequence number (inclusive)."""
        caller = await authenticate(request, node, limits)
        body = parse_body(models.NoticeAckRequest, caller.body)
        cursor = await run_in_threadpool(
            node.delivery.acknowledge_notices, caller.subject, body.seq
        )
        return models.CursorResponse(last=cursor.last, acked=cursor.acked)

    @api.get("/certificates/{bic}", response_model=models.CertificateResponse)
    async def certificate(request: Request, bic: str) -> models.CertificateResponse:
        """The certificate of a participant, to verify its signatures."""
        await authenticate(request, node, limits)
        bic11 = _bic11(bic)
        pem = node.store.participant_cert(bic11)
        if pem is None:
            raise NotFound(f"{bic11} is not a participant")
        return models.CertificateResponse(bic=bic11, certificate=pem.decode())

    @api.get("/directory/{bic}", response_model=list[models.InstitutionModel])
    async def directory(request: Request, bic: str) -> list[models.InstitutionModel]:
        """Directory entries for a BIC8 (all branches) or one BIC11."""
        await authenticate(request, node, limits)
        parsed = _bic(bic)
        found = node.store.institutions_with_bic8(parsed.bic8)
        if len(bic.strip()) > 8:
            found = [i for i in found if i.bic == parsed]
        if not found:
            raise NotFound(f"{bic} is not in the directory")
        live = node.store.participant_for_bic8(parsed.bic8)
        return [
            models.InstitutionModel(
                bic=str(i.bic),
                name=i.name,
                country=i.country,
                city=i.city,
                generated=i.generated,
                participant=live == str(i.bic),
            )
            for i in found
        ]

    @api.get("/rma", response_model=list[models.RmaGrant])
    async def rma_list(request: Request, direction: Direction = "granted") -> list[models.RmaGrant]:
        """The caller's RMA authorizations: those it granted (as receiver; the default),
        those granted to it (as sender), or all."""
        caller = await authenticate(request, node, limits)
        found = await run_in_threadpool(node.trust.listed, caller.subject, direction)
        return [models.RmaGrant(**grant_json(g)) for g in found]

    @api.post(
        "/rma", response_model=models.RmaGrant, openapi_extra=documented(models.RmaGrantRequest)
    )
    async def rma_grant(request: Request) -> models.RmaGrant:
        """Authorize a correspondent to send the caller messages (all types, or the listed
        ones), optionally within a period. The same terms again change nothing."""
        caller = await authenticate(request, node, limits)
        body = parse_body(models.RmaGrantRequest, caller.body)
        granted = await run_in_threadpool(
            node.trust.grant,
            caller.subject,
            body.correspondent,
            body.types,
            body.valid_from_ms,
            body.valid_until_ms,
        )
        return models.RmaGrant(**grant_json(granted))

    @api.delete("/rma", response_model=models.RmaRevokeResponse)
    async def rma_revoke(
        request: Request, correspondent: str, types: TypeScopes = []  # noqa: B006
    ) -> models.RmaRevokeResponse:
        """Revoke the caller's authorizations of a correspondent: the listed types (and
        narrower ones), or all of them. The next message they no longer cover is NAKed R01."""
        caller = await authenticate(request, node, limits)
        edit = await run_in_threadpool(node.trust.revoke, caller.subject, correspondent, types)
        narrowed = [models.RmaGrant(**grant_json(g)) for g in edit.upsert]
        return models.RmaRevokeResponse(deleted=list(edit.delete), narrowed=narrowed)

    return api


def _submit_response(verdicts: Sequence[Verdict]) -> Response:
    """The SubmitResponse, written straight to JSON: the hot path skips validating a
    model the node built itself (``models.SubmitResult`` documents the same fields in
    the same order; tests/integration/test_openapi.py checks answers against it)."""
    results = [
        {
            "index": i,
            "status": v.status,
            "reason": v.reason.code if v.reason else None,
            "reason_text": v.reason.text if v.reason else None,
            "detail": v.detail,
            "id": v.biz_msg_id,
            "uetr": v.uetr,
            "duplicate": v.duplicate,
            "held": v.held,
            "hold": v.hold_id,
            "measure": v.measure_id,
            "licence": v.licence_id,
        }
        for i, v in enumerate(verdicts)
    ]
    body = json.dumps({"results": results}, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), media_type="application/json")


def _deliveries_response(
    node: Node, receiver: str, found: Sequence[Delivery], wanted: Format = "mx"
) -> Response:
    """The page as JSON, serialised here (in the worker thread, by pydantic's own
    serialiser) so the event loop does not validate the model a second time."""
    cursor = node.store.delivery_cursor(receiver)
    delivered = _delivered_page(node.trust, found, node.clock(), wanted)
    page = models.DeliveriesResponse(
        messages=delivered, acked_osn=cursor.acked, last_osn=cursor.last
    )
    return Response(page.model_dump_json().encode(), media_type="application/json")


def _delivered_page(
    trust: Trust, found: Sequence[Delivery], now_ms: int, wanted: Format
) -> list[models.DeliveredMessage]:
    if not found:
        return []
    states = trust.certificates()
    return [_delivered(d, states, now_ms, forms(d, wanted)) for d in found]


def _bic(text: str) -> Bic:
    try:
        return Bic.parse(text)
    except InvalidBic as exc:
        raise BadRequest(str(exc)) from exc


def _bic11(text: str) -> str:
    return str(_bic(text))


def _delivered(
    d: Delivery, states: CertStates, now_ms: int, f: Forms
) -> models.DeliveredMessage:
    cert, status = signer(d, states, now_ms)
    return models.DeliveredMessage(
        osn=d.osn,
        sender=d.sender,
        receiver=d.receiver,
        type=d.msg_def_id,
        id=d.biz_msg_id,
        uetr=d.uetr,
        possible_duplicate=d.possible_duplicate,
        payload=base64.b64encode(d.payload).decode(),
        signature=message_signature.to_wire(d.signature),
        signature_format=message_signature.form_of(d.signature),
        sender_certificate=cert.decode(),
        sender_certificate_status=status,
        payload_format=f.payload_format,
        translation=None if f.translation is None else base64.b64encode(f.translation).decode(),
        translation_format=f.translation_format,
        translation_refused=f.translation_refused,
    )


def _notice(n: Notice) -> models.NoticeModel:
    return models.NoticeModel(
        seq=n.seq,
        kind=n.kind,
        id=n.biz_msg_id,
        uetr=n.uetr,
        receiver=n.receiver,
        reason=n.reason,
        detail=n.detail,
        created_ms=n.created_ms,
        measure=n.measure_id,
    )
