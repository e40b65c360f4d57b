"""The one error an MT message is refused with: a FIN-family code, the field and line."""

from __future__ import annotations

from finmesh.domain.errors import FinmeshError
from finmesh.domain.mt.codes import CODES


class MtError(FinmeshError):
    """An MT message was refused.

    ``code`` is a key of ``CODES``; ``field`` the tag it concerns ("32A", "block2", ...)
    or None; ``line`` the 1-based line of the message it was found on, or None.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 line: int | None = None) -> None:
        if code not in CODES:  # a programming error, not a property of the input
            raise ValueError(f"unknown MT error code {code!r}")
        where = "".join(
            (f" field {field}" if field else "", f" line {line}" if line else "")
        )
        super().__init__(f"{code}:{where} {message}" if where else f"{code}: {message}")
        self.code = code
        self.field = field
        self.line = line
        self.detail = message

    @property
    def name(self) -> str:
        """The short name of the code ("bad_date", ...)."""
        return CODES[self.code].name
