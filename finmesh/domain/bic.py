"""ISO 9362 Business Identifier Codes, the names banks are addressed by on the network."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pycountry

from finmesh.domain.errors import InvalidBic

PRIMARY_OFFICE_BRANCH = "XXX"
"""Branch code that designates the institution's primary office."""

USER_ASSIGNED_COUNTRIES = frozenset({"XK"})
"""Codes outside ISO 3166-1 that BICs use anyway (Kosovo has banks but no ISO code)."""

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@cache
def _country_codes() -> frozenset[str]:
    # Loaded lazily: pycountry reads its JSON database on first access.
    codes = {str(country.alpha_2) for country in pycountry.countries}
    return frozenset(codes | USER_ASSIGNED_COUNTRIES)


def is_country_code(code: str) -> bool:
    """True when `code` is an ISO 3166-1 alpha-2 code or a BIC user-assigned one (XK)."""
    return code in _country_codes()


def _normalise(text: object) -> str:
    """Validate `text` as a BIC8 or BIC11 and return the BIC11, or raise InvalidBic."""
    if not isinstance(text, str):
        raise InvalidBic(f"a BIC must be text, got {type(text).__name__}")
    value = text.strip()
    if not value:
        raise InvalidBic("a BIC must not be empty")
    if len(value) not in (8, 11):
        raise InvalidBic(f"a BIC has 8 or 11 characters, {value!r} has {len(value)}")
    # Lowercase is refused rather than folded: the network identifies banks by the exact
    # code, and silently accepting variants would hide mistakes in upstream systems.
    for position, char in enumerate(value, start=1):
        if char not in _ALNUM:
            kind = "lowercase letter" if char.islower() else "character"
            raise InvalidBic(
                f"{value!r} has {kind} {char!r} at position {position};"
                " a BIC uses only uppercase A-Z and digits 0-9"
            )
    country = value[4:6]
    if not set(country) <= _LETTERS:
        raise InvalidBic(f"{value!r}: country code {country!r} (positions 5-6) must be letters")
    if not is_country_code(country):
        raise InvalidBic(f"{value!r}: {country!r} is not an ISO 3166-1 alpha-2 country code")
    return value if len(value) == 11 else value + PRIMARY_OFFICE_BRANCH


@dataclass(frozen=True, order=True)
class Bic:
    """A valid BIC, stored as its BIC11 form so BIC8 and BIC8+XXX compare equal.

    Layout: institution (4 alphanumeric; letters only before ISO 9362:2014), country
    (2 letters), location (2 alphanumeric), optional branch (3 alphanumeric).
    """

    value: str

    def __post_init__(self) -> None:
        # Normalising here too means Bic("DEUTDEFF") cannot create a second spelling
        # of the same identifier that would compare unequal.
        object.__setattr__(self, "value", _normalise(self.value))

    @classmethod
    def parse(cls, text: str) -> Bic:
        """Validate and normalise `text`; raise InvalidBic with the reason otherwise."""
        return cls(text)

    @property
    def bic11(self) -> str:
        return self.value

    @property
    def bic8(self) -> str:
        """The code of the institution's legal entity at one location, without branch."""
        return self.value[:8]

    @property
    def institution(self) -> str:
        return self.value[:4]

    @property
    def country(self) -> str:
        return self.value[4:6]

    @property
    def location(self) -> str:
        return self.value[6:8]

    @property
    def branch(self) -> str | None:
        """The branch code, or None for the primary office (XXX)."""
        code = self.value[8:]
        return None if code == PRIMARY_OFFICE_BRANCH else code

    @property
    def is_test(self) -> bool:
        """Test-and-training BICs carry "0" as the second location character."""
        return self.value[7] == "0"

    def __str__(self) -> str:
        return self.value


def is_valid_bic(text: str) -> bool:
    """True when `text` parses as a BIC (see Bic.parse)."""
    try:
        _normalise(text)
    except InvalidBic:
        return False
    return True
