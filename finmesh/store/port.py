"""The one I/O port for network state: narrow, batch-oriented, transactional.

Every method is one transaction. The store enforces the invariants a database does
best (unique BizMsgIdr per sender, gapless sequence numbers, atomic batches); it
never decides policy: the pipeline and delivery services do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from finmesh.domain.audit import AuditEntry, AuditHead
from finmesh.domain.directory import Institution, OwnershipLink
from finmesh.domain.errors import FinmeshError, Refused
from finmesh.domain.holds import Hold
from finmesh.domain.policy.evaluate import PolicySnapshot
from finmesh.domain.policy.impact import TrafficRecord
from finmesh.domain.policy.licences import Licence
from finmesh.domain.policy.measures import Measure
from finmesh.domain.policy.rma import Authorization, RmaEdit
from finmesh.domain.screening.goodguys import GoodGuyRecord
from finmesh.domain.screening.model import ListEntry
from finmesh.store.console_tables import MessageLife, MessageRow


class StalePolicy(FinmeshError):
    """An officer's action was based on a policy state that has since changed."""


@dataclass(frozen=True)
class AuditNote:
    """What an audit entry records; the store chains and hashes it."""

    actor: str
    action: str
    subject: str
    details: Mapping[str, Any]


class PolicyChanged(FinmeshError):
    """Policy changed (or reached an instant) after a batch was evaluated."""


STORE_RETRY_AFTER_SECONDS = 1.0
"""What a node tells callers to wait before retrying while its database is unreachable."""


class StoreUnavailable(FinmeshError):
    """The database cannot be reached now; nothing was done (or, if it broke during a
    commit, the outcome is unknown: resubmitting is safe, intake is idempotent)."""

    retry_after_s = STORE_RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class Guard:
    """Commit only if the policy is still ``version`` and the clock is before
    ``valid_until_ms`` (the next instant at which a measure or licence changes)."""

    version: int
    valid_until_ms: int | None
    clock: Callable[[], int]
    licence_used: Mapping[str, Decimal] = field(default_factory=dict)
    """Licences the batch draws on, with the totals it assumed: only a batch that uses
    the same licence concurrently has to be evaluated again."""
    trust_version: int | None = None
    """Commit only if the trust state (RMA authorizations, certificates) is still this
    version: a revoked authorization refuses the next message (None: not checked)."""


@dataclass(frozen=True)
class NewMessage:
    """A message that passed intake, ready to be stored and queued."""

    sender: str
    receiver: str
    biz_msg_id: str
    payload_sha256: str
    payload: bytes
    signature: bytes
    msg_def_id: str
    uetr: str | None
    amount: str | None
    currency: str | None
    priority: str
    notify_delivery: bool
    parties_json: str
    purposes_json: str
    received_ms: int
    obsolete_ms: int
    translation: bytes | None = None
    """The ISO 20022 form of a message submitted as FIN (``payload`` holds the FIN bytes
    as signed); None for a message submitted as ISO 20022."""
    held_by: str | None = None
    """Measure that holds the message for compliance review (not queued until released)."""
    licence_ids: tuple[str, ...] = ()
    """Licences that let the message through prohibitions; their use is counted."""
    screening: ScreeningRecord | None = None
    """What sanctions screening found (None: no list was loaded, nothing screened)."""
    tracking: TrackingRecord | None = None
    """The message's step in its payment's flow (None: not a tracked flow message)."""


@dataclass(frozen=True)
class TrackingRecord:
    """What a message adds to the history of the payment its UETR names."""

    step: str
    status: str
    reason: str | None
    references_json: str
    """JSON list of [element, value] ids tying it to the original payment."""


@dataclass(frozen=True)
class PaymentEvent:
    """One step of a payment's history, as stored."""

    uetr: str
    at_ms: int
    sender: str
    receiver: str
    msg_def_id: str
    biz_msg_id: str
    step: str
    status: str
    reason: str | None
    amount: str | None
    currency: str | None
    references: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ScreeningRecord:
    """A message's screening result as stored beside it (see finmesh.node.screening)."""

    decision: str
    """"clear" or "hold"."""
    versions_json: str
    """JSON list of the list versions screened against: [{"list", "version", "digest"}]."""
    hits_json: str
    """JSON list of the hits (cleared by a good-guy exception ones marked so)."""


@dataclass(frozen=True)
class NonceClaim:
    """A signed request's nonce, remembered in the transaction of the batch it carried
    (group commit: no transaction of its own); refused there if seen before."""

    subject: str
    nonce: str
    expires_ms: int
    seen_ms: int


class NonceReplayed(FinmeshError):
    """Some nonces of a batch were seen before (or earlier in the same batch): nothing
    of the batch was written; the requests that carried them are replays, the others
    may be stored again without them."""

    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(f"{len(positions)} nonce(s) already used")
        self.positions = tuple(positions)
        """Where the replayed claims are in the batch's ``nonces``."""


@dataclass(frozen=True)
class ScreenedQuery:
    """One screened query's hits, remembered for every node of the network (the
    screening memo, finmesh.node.intake_screening): a name already cleared against the
    same lists by the same matcher is not screened again."""

    scope: str
    """Which lists (versions and digests) and which matcher the hits are valid for."""
    key: str
    """What was screened (name, text, BIC, countries), as canonical JSON."""
    hits_json: str


@dataclass(frozen=True)
class LoadedList:
    """One stored version of a sanctions list (its entries are stored apart)."""

    list_name: str
    number: int
    label: str
    digest: str
    entry_count: int
    format: str
    loaded_ms: int
    loaded_by: str


@dataclass(frozen=True)
class ScreeningState:
    """What screening uses, read at once: ``version`` moves with every list load and
    every good-guy change; ``lists`` are the versions in force (the newest per list)."""

    version: int
    lists: tuple[LoadedList, ...]
    good_guys: tuple[GoodGuyRecord, ...]


@dataclass(frozen=True)
class Stored:
    """The message was stored and queued; its OSN comes when it is first delivered."""

    queue_seq: int


@dataclass(frozen=True)
class AlreadyStored:
    """A message with this sender and BizMsgIdr was stored before."""

    payload_sha256: str
    uetr: str | None
    held_by: str | None = None
    """Measure that held it (its hold id is the message's id), if it was held."""
    hold_id: int | None = None
    licence: str | None = None


@dataclass(frozen=True)
class Held:
    """The message was stored and held for compliance review under this hold id."""

    hold_id: int


StoreOutcome = Stored | Held | AlreadyStored


@dataclass(frozen=True)
class RetiredCertificate:
    """A participant certificate that is no longer simply current: rotated out (still
    verifies older messages until ``usable_until_ms``) or revoked."""

    serial: str
    subject: str
    cert_pem: bytes
    rotated_ms: int | None
    usable_until_ms: int | None
    revoked_ms: int | None
    revoked_by: str | None


RmaChange = Callable[
    [list[Authorization], int, Callable[[], str]], tuple[RmaEdit, AuditNote]
]
"""(one pair's authorizations as stored, now_ms, new id) -> (the edit, its audit note)"""


@dataclass(frozen=True)
class Delivery:
    """One queued message as handed to its receiver."""

    osn: int
    sender: str
    receiver: str
    msg_def_id: str
    biz_msg_id: str
    uetr: str | None
    payload: bytes
    signature: bytes
    sender_cert_pem: bytes
    possible_duplicate: bool
    translation: bytes | None = None
    """The network's ISO 20022 translation of a message its sender submitted as FIN."""
    received_ms: int | None = None
    """When the network accepted it (for the delivery latency metric)."""


@dataclass(frozen=True)
class ArchivedPayload:
    """A delivered, acknowledged message's bytes as retention archives them."""

    message_id: int
    sender: str
    receiver: str
    biz_msg_id: str
    payload_sha256: str
    payload: bytes
    signature: bytes
    received_ms: int
    acked_ms: int
    translation: bytes | None = None


@dataclass(frozen=True)
class QueueStat:
    """Unacknowledged queued messages of one delivery priority."""

    priority: str
    depth: int
    oldest_received_ms: int


@dataclass(frozen=True)
class Notice:
    """A system notice to a sender about one of its messages."""

    seq: int
    kind: str
    biz_msg_id: str
    uetr: str | None
    receiver: str
    reason: str | None
    detail: str | None
    created_ms: int
    measure_id: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a sequence stands: last assigned and last acknowledged."""

    last: int
    acked: int


@dataclass(frozen=True)
class RegisteredSchema:
    """An official XSD the network's operator registered (its bytes stay in the store)."""

    definition: str
    sha256: str
    xsd_bytes: int
    added_ms: int
    added_by: str


class SchemaConflict(Refused):
    """A definition already has a registered schema with other bytes."""

    code = "schema_conflict"


class Store(Protocol):
    """What the node needs from storage. Implementations: sqlite.SqliteStore and
    postgres.PostgresStore (both finmesh.store.sql_store.SqlStore)."""

    # directory
    def load_directory(
        self, institutions: Iterable[Institution], links: Iterable[OwnershipLink]
    ) -> int: ...
    def institution(self, bic11: str) -> Institution | None: ...
    def institutions_with_bic8(self, bic8: str) -> list[Institution]: ...
    def ownership_links(self) -> list[OwnershipLink]: ...
    def directory_stats(self) -> dict[str, int]: ...

    # participants and authentication
    def add_participant(self, bic11: str, cert_pem: bytes, serial: str, now_ms: int) -> None: ...
    def participant_cert(self, bic11: str) -> bytes | None: ...
    def participant_for_bic8(self, bic8: str) -> str | None: ...
    def participants(self) -> list[str]: ...
    def remember_nonce(self, subject: str, nonce: str, expires_ms: int, now_ms: int) -> bool: ...

    # intake: one transaction per batch
    def find_stored(self, sender: str, biz_msg_ids: Sequence[str]) -> dict[str, AlreadyStored]: ...
    def store_batch(
        self,
        messages: Sequence[NewMessage],
        guard: Guard | None = None,
        screened: Sequence[ScreenedQuery] = (),
        nonces: Sequence[NonceClaim] = (),
    ) -> list[StoreOutcome]: ...

    # payment tracking (events are written by store_batch)
    def payment_events(self, uetr: str) -> list[PaymentEvent]: ...
    def credit_times(self, since_ms: int) -> list[tuple[str, int, int | None]]: ...

    # delivery
    def fetch_deliveries(
        self,
        receiver: str,
        after_osn: int | None,
        limit: int,
        now_ms: int,
        guard: Guard | None = None,
        ack_up_to: int | None = None,
    ) -> list[Delivery]: ...
    def acknowledge(self, receiver: str, up_to_osn: int, now_ms: int) -> Cursor: ...
    def delivery_cursor(self, receiver: str) -> Cursor: ...
    def queue_stats(self) -> list[QueueStat]: ...

    # retention: archive, then prune, acknowledged payloads
    def prunable(self, acked_before_ms: int, limit: int) -> list[ArchivedPayload]: ...
    def prune_payloads(
        self, archived: Sequence[ArchivedPayload], note: AuditNote, now_ms: int
    ) -> int: ...
    def pruned_count(self) -> int: ...
    def warn_obsolete(self, now_ms: int, limit: int) -> int: ...

    # notices
    def fetch_notices(self, owner: str, after_seq: int | None, limit: int) -> list[Notice]: ...
    def acknowledge_notices(self, owner: str, up_to_seq: int) -> Cursor: ...

    # operators
    def add_operator(
        self, name: str, cert_pem: bytes, roles: tuple[str, ...], now_ms: int
    ) -> None: ...
    def operator_cert(self, name: str) -> bytes | None: ...
    def operator_roles(self, name: str) -> tuple[str, ...]: ...

    # policy: every write bumps the policy version and appends its audit entry atomically
    def policy_version(self) -> int: ...
    def policy_versions(self) -> tuple[int, int]: ...
    def policy_snapshot(self) -> PolicySnapshot: ...
    def next_id(self, kind: str) -> int: ...
    def measure(self, measure_id: str) -> Measure: ...
    def licence(self, licence_id: str) -> tuple[Licence, Decimal]: ...
    def save_measure(self, measure: Measure, note: AuditNote, now_ms: int) -> None: ...
    def update_measure(
        self,
        measure_id: str,
        change: Callable[[Measure, int, list[Measure]], tuple[Measure, AuditNote]],
        clock: Callable[[], int],
    ) -> Measure: ...
    def save_licence(self, licence: Licence, note: AuditNote, now_ms: int) -> None: ...
    def update_licence(
        self,
        licence_id: str,
        change: Callable[[Licence, int], tuple[Licence, AuditNote]],
        clock: Callable[[], int],
    ) -> Licence: ...
    def return_queued(self, measure: Measure, now_ms: int, detail: str) -> int: ...
    def holds(self) -> list[Hold]: ...
    def hold(self, hold_id: int) -> Hold: ...
    def save_hold(
        self,
        before: Hold,
        after: Hold,
        note: AuditNote,
        now_ms: int,
        obsolete_ms: int,
        returned: tuple[str, str] | None = None,
    ) -> None: ...
    def traffic_count(self, from_ms: int, to_ms: int) -> int: ...
    def traffic(self, from_ms: int, to_ms: int) -> Iterator[TrafficRecord]: ...
    def queued_traffic(self) -> list[TrafficRecord]: ...
    def audit_entries(self) -> list[AuditEntry]: ...
    def audit_page(self, after: int, limit: int) -> list[AuditEntry]: ...
    def audit_head(self) -> AuditHead | None: ...

    # trust: every write bumps the trust version and appends its audit entry atomically
    def trust_version(self) -> int: ...
    def rma_grants(self) -> list[Authorization]: ...
    def rma_update(
        self, receiver: str, sender: str, change: RmaChange, clock: Callable[[], int]
    ) -> RmaEdit: ...
    def rma_grant_pairs(self, bic8s: Sequence[str], actor: str, now_ms: int) -> int: ...
    def certificate_revoked(self, bic11: str, serial: str) -> bool: ...
    def retired_certificates(self, now_ms: int) -> list[RetiredCertificate]: ...
    def revoke_certificate(
        self, bic11: str, actor: str, reason: str | None, now_ms: int
    ) -> RetiredCertificate: ...
    def rotate_certificate(
        self, bic11: str, cert_pem: bytes, serial: str, actor: str, now_ms: int, grace_ms: int
    ) -> RetiredCertificate: ...

    # sanctions screening: every load and good-guy change bumps the policy version and
    # the screening version and appends its audit entry atomically
    def screening_version(self) -> int: ...
    def screening_state(self) -> ScreeningState: ...
    def load_list(
        self,
        list_name: str,
        label: str,
        fmt: str,
        entries: Sequence[ListEntry],
        digest: str,
        actor: str,
        now_ms: int,
    ) -> LoadedList: ...
    def list_versions(self) -> list[LoadedList]: ...
    def list_entries(self, list_name: str, number: int) -> tuple[ListEntry, ...]: ...
    def next_good_guy_id(self) -> str: ...
    def save_good_guy(self, record: GoodGuyRecord, note: AuditNote, now_ms: int) -> None: ...
    def update_good_guy(
        self,
        good_guy_id: str,
        change: Callable[[GoodGuyRecord, int], tuple[GoodGuyRecord, AuditNote]],
        clock: Callable[[], int],
    ) -> GoodGuyRecord: ...
    def good_guys(self) -> list[GoodGuyRecord]: ...
    def screening_result(self, sender: str, biz_msg_id: str) -> ScreeningRecord | None: ...
    # the screening memo (rows written by store_batch, at most SCREENING_MEMO_ROWS_MAX)
    def recall_screened(self, scope: str, keys: Sequence[str]) -> dict[str, str]: ...
    def forget_screened(self, keep_scope: str) -> int: ...

    # the schema registry: a registration appends its audit entry atomically
    def schema_xsd(self, definition: str) -> tuple[str, bytes] | None: ...
    def schemas(self) -> list[RegisteredSchema]: ...
    def schema_add(
        self, definition: str, sha256: str, xsd: bytes, actor: str, now_ms: int
    ) -> bool: ...

    # the operator console's reads (finmesh.store.console_tables)
    def nonce_seen(self, subject: str, nonce: str) -> bool: ...
    def find_messages(self, field: str, value: str) -> list[MessageRow]: ...
    def message_by_id(self, message_id: int) -> MessageRow | None: ...
    def message_by_sender(self, sender: str, biz_msg_id: str) -> MessageRow | None: ...
    def message_payload(self, message_id: int) -> tuple[bytes, bytes | None] | None: ...
    def message_life(self, message_id: int) -> MessageLife | None: ...
    def traffic_per_minute(self, since_ms: int) -> dict[str, dict[int, int]]: ...
    def queue_depths(self, limit: int) -> list[tuple[str, int]]: ...
    def oldest_undelivered(self) -> tuple[int, str, str, str, int] | None: ...
    def last_activity(self) -> dict[str, int]: ...
    def search_institutions(
        self, text: str, country: str, limit: int
    ) -> list[tuple[str, str, str, str | None]]: ...
    def recent_traffic(self, bic8: str, limit: int) -> list[MessageRow]: ...

    # housekeeping
    def message_count(self) -> int: ...
    def close(self) -> None: ...
