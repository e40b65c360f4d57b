"""Pure admission rules applied to a parsed message: who sent it, where it goes, when
it becomes obsolete. Each rule raises Rejected with its reason code or returns a value.
"""

from __future__ import annotations

from finmesh.domain import limits
from finmesh.domain.bic import Bic
from finmesh.domain.errors import InvalidBic, Rejected
from finmesh.domain.reasons import Reason

URGENT_PRIORITIES = frozenset({"HIGH", "URGT"})


def header_bic(text: str, role: str) -> Bic:
    """Parse a BIC from the header, rejecting with H01 when invalid."""
    try:
        return Bic.parse(text)
    except InvalidBic as exc:
        raise Rejected(Reason.INVALID_BIC, f"{role}: {exc}") from exc


def check_sender(header_sender: Bic, authenticated: Bic) -> None:
    """The authenticated institution must be the header's sender (same BIC8)."""
    if header_sender.bic8 != authenticated.bic8:
        raise Rejected(
            Reason.SENDER_MISMATCH,
            f"AppHdr From {header_sender} but authenticated as {authenticated}",
        )


def route(
    receiver: Bic,
    sender: Bic,
    in_directory: bool,
    live_participant: str | None,
    revoked: bool = False,
) -> str:
    """Return the BIC11 of the participant whose queue gets the message. A participant
    whose certificate is revoked cannot receive: NAKed at once (H06), not queued to
    wait for an obsolescence warning the sender would get only after 15 or 100 min."""
    if receiver.bic8 == sender.bic8:
        raise Rejected(Reason.SELF_ADDRESSED, str(receiver))
    if not in_directory:
        raise Rejected(Reason.UNKNOWN_RECEIVER, str(receiver))
    if live_participant is None:
        raise Rejected(Reason.RECEIVER_NOT_LIVE, str(receiver))
    if revoked:
        raise Rejected(Reason.RECEIVER_REVOKED, f"{receiver} ({live_participant})")
    return live_participant


def normalised_priority(priority: str | None) -> str:
    """URGENT or NORMAL, the two FIN delivery priorities."""
    return "URGENT" if (priority or "").upper() in URGENT_PRIORITIES else "NORMAL"


def obsolescence_seconds(priority: str) -> int:
    """How long a message may wait for delivery before its sender is warned."""
    if priority == "URGENT":
        return limits.OBSOLESCENCE_URGENT_SECONDS
    return limits.OBSOLESCENCE_NORMAL_SECONDS
