"""Wire shapes of the participant API (JSON), which also document the OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from finmesh.domain import limits
from finmesh.domain.policy.rma import TYPES_PER_GRANT_MAX


class SubmitItem(BaseModel):
    payload: str = Field(description="base64 of the exact message bytes (BizMsg envelope)")
    signature: str | None = Field(
        default=None,
        description="detached ECDSA P-256/SHA-256 (ES256) signature over the exact bytes:"
        " base64 of DER (as openssl dgst -sha256 -sign writes it), or a compact JWS with"
        " detached unencoded payload, <b64url header>..<b64url r||s> (RFC 7515/7797)",
    )
    notify_delivery: bool = Field(default=False, description="ask for a delivery notice")


class SubmitRequest(BaseModel):
    messages: list[SubmitItem] = Field(max_length=limits.BATCH_MESSAGES_MAX)


class SubmitResult(BaseModel):
    index: int
    status: str = Field(description="ACK or NAK")
    reason: str | None = Field(description="reason code of a NAK (see /v1/reasons)")
    reason_text: str | None
    detail: str
    id: str | None = Field(description="BizMsgIdr when the message could be read")
    uetr: str | None
    duplicate: bool = Field(description="true when this repeats an already ACKed message")
    held: bool = Field(default=False, description="ACKed but held for compliance review")
    hold: int | None = Field(default=None, description="hold id when held")
    measure: str | None = Field(default=None, description="measure that holds the message")
    licence: str | None = Field(
        default=None, description="licence(s) that let the message through a prohibition"
    )


class SubmitResponse(BaseModel):
    results: list[SubmitResult]


class DeliveredMessage(BaseModel):
    osn: int
    sender: str
    receiver: str
    type: str
    id: str
    uetr: str | None
    possible_duplicate: bool
    payload: str = Field(description="base64 of the exact bytes the sender signed")
    signature: str = Field(description="the sender's signature, as it was submitted")
    signature_format: str = Field(
        default="der", description="der (base64 of DER ECDSA) | jws (detached, unencoded)"
    )
    sender_certificate: str = Field(
        description="PEM certificate of the sender that verifies this message: its current"
        " one, or one rotated out recently if the message was signed before the rotation"
    )
    sender_certificate_status: str = Field(
        default="current",
        description="current | rotated (replaced by a newer key; still valid for messages"
        " signed before) | revoked (the message was accepted before the revocation)",
    )
    payload_format: str = Field(
        default="mx", description="mx (ISO 20022) | mt (FIN): the form the sender signed"
    )
    translation: str | None = Field(
        default=None,
        description="base64 of the message in the form asked for with ?format=, when it"
        " differs from payload_format: written by the network (CBPR+ mapping), not signed",
    )
    translation_format: str | None = Field(default=None, description="mx | mt")
    translation_refused: str | None = Field(
        default=None, description="why the asked form could not be written (CODE: text)"
    )


class DeliveriesResponse(BaseModel):
    messages: list[DeliveredMessage]
    acked_osn: int
    last_osn: int


class AckRequest(BaseModel):
    osn: int = Field(ge=0, le=limits.SEQUENCE_MAX)


class NoticeAckRequest(BaseModel):
    seq: int = Field(ge=0, le=limits.SEQUENCE_MAX)


class CursorResponse(BaseModel):
    last: int
    acked: int


class NoticeModel(BaseModel):
    seq: int
    kind: str = Field(description="delivered | non-delivery | returned | released | rejected")
    id: str = Field(description="BizMsgIdr of the original message")
    uetr: str | None
    receiver: str
    reason: str | None
    detail: str | None
    created_ms: int
    measure: str | None = Field(
        default=None, description="the measure a returned / released / rejected notice is about"
    )


class NoticesResponse(BaseModel):
    notices: list[NoticeModel]


class CertificateResponse(BaseModel):
    bic: str
    certificate: str


class InstitutionModel(BaseModel):
    bic: str
    name: str
    country: str
    city: str | None
    generated: bool
    participant: bool


class RmaGrantRequest(BaseModel):
    """An authorization the caller (the receiver) gives a correspondent (the sender)."""

    model_config = ConfigDict(extra="forbid")  # no "receiver": it is always the caller

    correspondent: str = Field(description="BIC8 (or BIC11) of the institution authorized")
    types: list[str] = Field(
        default_factory=list,
        max_length=TYPES_PER_GRANT_MAX,
        description="MsgDefIdr (pacs.008.001.08), family (pacs.008) or area (pacs); none = all",
    )
    valid_from_ms: int | None = Field(
        default=None, ge=0, le=limits.INSTANT_MS_MAX, description="default: at once"
    )
    valid_until_ms: int | None = Field(
        default=None, ge=0, le=limits.INSTANT_MS_MAX, description="exclusive end"
    )


class RmaGrant(BaseModel):
    id: str
    receiver: str = Field(description="BIC8 that granted the authorization")
    sender: str = Field(description="BIC8 authorized to send to the receiver")
    types: list[str] = Field(description="type scopes; empty = every message type")
    valid_from: str | None = Field(description="ISO 8601 instant, inclusive")
    valid_until: str | None = Field(description="ISO 8601 instant, exclusive")
    valid_from_ms: int | None
    valid_until_ms: int | None
    granted_by: str
    granted_ms: int


class RmaRevokeResponse(BaseModel):
    deleted: list[str] = Field(description="ids of the authorizations revoked whole")
    narrowed: list[RmaGrant] = Field(description="authorizations left with fewer types")


class ScreenRequest(BaseModel):
    """A name (and optional evidence) an operator screens against the lists in force."""

    name: str = Field(default="", max_length=limits.DIRECTORY_FIELD_CHARS_MAX)
    country: str | None = Field(default=None, pattern="^[A-Za-z]{2}$", description="ISO 3166")
    bic: str | None = Field(default=None, pattern="^[A-Za-z0-9]{8}([A-Za-z0-9]{3})?$")


class GoodGuyProposal(BaseModel):
    """A known false positive to clear for one counterparty (needs a second officer)."""

    list: str = Field(min_length=1, max_length=200, description="list name, e.g. ofac")
    entry: str = Field(min_length=1, max_length=200, description="the listed entry's id")
    cleared_for: str = Field(
        min_length=1, max_length=140, description="counterparty BIC (8 or 11) or exact name"
    )
    reason: str = Field(min_length=1, max_length=limits.REASON_CHARS_MAX)
    expires_ms: int | None = Field(default=None, ge=0, le=limits.INSTANT_MS_MAX)


class PaymentEventModel(BaseModel):
    at: str = Field(description="ISO 8601 instant the network stored the message")
    from_: str = Field(alias="from", description="BIC11 that sent the message")
    to: str = Field(description="BIC11 it was sent to")
    message: str = Field(description="MsgDefIdr")
    biz_msg_id: str
    step: str = Field(description="payment, cover, status, return, recall_request, recall_answer")
    status: str = Field(description="ACSP, ACCC, RJCT, ..., returned, recall_requested, recalled")
    reason: str | None = Field(description="reason code the message gives")
    amount: str | None
    currency: str | None
    references: dict[str, str] = Field(description="ids tying it to the original payment")


class PaymentHistory(BaseModel):
    uetr: str
    status: str | None = Field(description="status of the latest step (ACCC stays unless undone)")
    institutions: list[str] = Field(description="BIC11s of the chain, in order of appearance")
    credited_at: str | None
    time_to_credit_ms: int | None = Field(description="first payment message to first ACCC")
    events: list[PaymentEventModel]


class CreditStatisticsModel(BaseModel):
    since: str
    payments: int
    credited: int
    median_time_to_credit_ms: int | None
    p90_time_to_credit_ms: int | None
    credited_within_5_minutes: int
    share_credited_within_5_minutes: float | None
