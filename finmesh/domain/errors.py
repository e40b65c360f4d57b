"""One exception root. Each subclass names a condition; rejections carry a Reason."""

from __future__ import annotations

from typing import Protocol


class Coded(Protocol):
    """A refusal's code and text: a network Reason, or the code of a FIN rule (an MT
    message refused by ``finmesh.domain.mt``)."""

    @property
    def code(self) -> str: ...

    @property
    def text(self) -> str: ...


class FinmeshError(Exception):
    """Root of every error finmesh raises on purpose."""


class Rejected(FinmeshError):
    """A message was refused with a coded reason (becomes a NAK)."""

    def __init__(self, reason: Coded, detail: str = "") -> None:
        super().__init__(f"{reason.code} {reason.text}" + (f": {detail}" if detail else ""))
        self.reason = reason
        self.detail = detail


class InvalidBic(FinmeshError):
    """A string is not a valid ISO 9362 BIC."""


class AuthenticationFailed(FinmeshError):
    """A request's signature, certificate or freshness does not hold."""


class NotFound(FinmeshError):
    """A named thing does not exist."""


class Refused(FinmeshError):
    """An action is not allowed in the current state (for example self-approval)."""


class BadRequest(FinmeshError):
    """A request is malformed or out of bounds."""
