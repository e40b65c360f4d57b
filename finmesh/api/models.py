"""Wire shapes of the participant API (JSON), which also document the OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field

from finmesh.domain import limits


class SubmitItem(BaseModel):
    payload: str = Field(description="base64 of the exact message bytes (BizMsg envelope)")
    signature: str | None = Field(
        default=None, description="base64 DER ECDSA P-256/SHA-256 signature over the bytes"
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
    signature: str = Field(description="base64 of the sender's signature")
    sender_certificate: str = Field(description="PEM certificate of the sender")


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
