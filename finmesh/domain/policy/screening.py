"""Where a listed entity appears in a message: by BIC in any role, or by name.

Screening practice (FACTS.md): agent BICs identify institutions exactly, so a party
that carries a BIC is judged by its BIC alone; only parties without one are compared by
name. Names are normalised the way list matching is done in the trade: transliterated
to Latin ("Банк Россия" -> "bank rossiya"), accents stripped, case folded, punctuation
dropped, company legal forms (PAO, PJSC, AO, LLC, ...) removed; then the listed name
must appear as a contiguous run of the candidate's words, or both must hold the same
words in another order ("ROSSIYA, BANK" = "Bank Rossiya"). No fuzzy distance is used:
every hit can be explained word by word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from anyascii import anyascii

from finmesh.domain.iso20022.model import ParsedMessage, Party

SENDER_ROLE = "Fr"
RECEIVER_ROLE = "To"
"""Roles reported for the authenticated sender and the addressed receiver (AppHdr names)."""

LEGAL_FORMS = frozenset(
    {
        # Russian and Belarusian, transliterated
        "pao", "oao", "zao", "ao", "ooo", "nao", "aat", "zat",
        # English
        "pjsc", "ojsc", "cjsc", "jsc", "llc", "ltd", "limited", "plc", "inc", "corp", "co",
        "llp", "lp",
        # Continental European and Nordic
        "ag", "sa", "gmbh", "kg", "nv", "bv", "spa", "srl", "sarl", "sas", "se", "ab", "asa",
        "oy", "oyj", "as", "aps", "kft", "zrt", "doo", "sro", "dd", "ad", "ead",
        # elsewhere: N.A. (US national banks), Tbk/PT (Indonesia), Bhd/Sdn (Malaysia),
        # Pte/Pty (Singapore, Australia), Ltda/SAB/SAA (Latin America), KK (Japan)
        "na", "tbk", "pt", "bhd", "berhad", "sdn", "pte", "pty", "ltda", "sab", "saa", "sae",
        "kk", "sl", "sau", "cv",
    }
)  # fmt: skip
"""Tokens dropped from names: legal forms say nothing about which entity is meant."""

LEGAL_FORM_PHRASES: tuple[tuple[str, ...], ...] = (
    ("public", "joint", "stock", "company"),
    ("open", "joint", "stock", "company"),
    ("closed", "joint", "stock", "company"),
    ("joint", "stock", "company"),
    ("limited", "liability", "company"),
)
"""Spelled-out legal forms, removed before the single tokens (longest first)."""

_APOSTROPHES = re.compile(r"['’`ʹʼ]")
# Transliteration writes the soft and hard signs as apostrophes ("Promsvyaz'bank"); lists
# drop them ("Promsvyazbank"), so they are deleted rather than turned into word breaks.
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_INITIALISM = re.compile(r"\b(?:[a-z0-9]\.)+[a-z0-9]\b\.?")
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")
# "A/S" and "S/A" are one word each too.
# "S.A." and "P.L.C." are one word each, so their dots go before punctuation splits words.


@dataclass(frozen=True)
class MessageFacts:
    """What policy needs from a message; built from a ParsedMessage or from stored rows."""

    sender: str
    """BIC11 of the sending institution."""
    receiver: str
    """BIC11 of the receiving institution."""
    parties: tuple[Party, ...] = ()
    purposes: tuple[str, ...] = ()
    amount: Decimal | None = None
    currency: str | None = None

    @classmethod
    def from_parsed(cls, parsed: ParsedMessage, sender: str, receiver: str) -> MessageFacts:
        return cls(
            sender=sender,
            receiver=receiver,
            parties=parsed.parties,
            purposes=parsed.purposes,
            amount=parsed.amount,
            currency=parsed.currency,
        )

    @property
    def sender_bic8(self) -> str:
        return self.sender[:8]

    @property
    def receiver_bic8(self) -> str:
        return self.receiver[:8]

    def institution_bic8s(self) -> frozenset[str]:
        """BIC8s of the sender, the receiver and every party that carries a BIC."""
        party_bics = {party.bic[:8] for party in self.parties if party.bic}
        return frozenset({self.sender_bic8, self.receiver_bic8, *party_bics})


def _drop_phrases(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for phrase in LEGAL_FORM_PHRASES:
            if tuple(tokens[index : index + len(phrase)]) == phrase:
                index += len(phrase)
                break
        else:
            kept.append(tokens[index])
            index += 1
    return kept


@lru_cache(maxsize=8192)
def normalise_name(name: str) -> tuple[str, ...]:
    """The comparable words of a name: Latin, unaccented, casefolded, no legal forms."""
    latin = _APOSTROPHES.sub("", anyascii(name)).casefold()
    joined = _SLASHED.sub(r"\1\2", _INITIALISM.sub(lambda m: m.group().replace(".", ""), latin))
    tokens = _NOT_ALNUM.sub(" ", joined).split()
    return tuple(token for token in _drop_phrases(tokens) if token not in LEGAL_FORMS)


def _contains_run(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def tokens_match(wanted: tuple[str, ...], found: tuple[str, ...]) -> bool:
    """`wanted` runs contiguously inside `found`, or both hold the same words."""
    # Both tests need every listed word, so a missing first word settles most names fast.
    if not wanted or wanted[0] not in found:
        return False
    if len(wanted) == len(found) and sorted(wanted) == sorted(found):
        return True
    return _contains_run(found, wanted)


def names_match(entity: str, candidate: str) -> bool:
    """True when `candidate` names `entity`: its words in order inside, or the same words."""
    return tokens_match(normalise_name(entity), normalise_name(candidate))


@dataclass(frozen=True)
class Appearance:
    """Where an entity was found in a message, and whether by BIC or by name."""

    role: str
    by: str
    """"bic" or "name"."""
    value: str
    """The BIC or the name as written in the message."""

    def describe(self) -> str:
        return f"{self.role} {self.by} {self.value}"


def locate(facts: MessageFacts, bic8s: frozenset[str], name: str | None) -> Appearance | None:
    """The first place the entity appears: sender, receiver, then parties in order."""
    if facts.sender_bic8 in bic8s:
        return Appearance(SENDER_ROLE, "bic", facts.sender)
    if facts.receiver_bic8 in bic8s:
        return Appearance(RECEIVER_ROLE, "bic", facts.receiver)
    for party in facts.parties:
        if party.bic:
            if party.bic[:8] in bic8s:
                return Appearance(party.role, "bic", party.bic)
        elif name and party.name and names_match(name, party.name):
            return Appearance(party.role, "name", party.name)
    return None


def entity_appears(facts: MessageFacts, bic8s: frozenset[str], name: str | None) -> str | None:
    """The role where the entity appears ("Fr", "To", "Dbtr", "IntrmyAgt1", ...), or None."""
    found = locate(facts, bic8s, name)
    return None if found is None else found.role
