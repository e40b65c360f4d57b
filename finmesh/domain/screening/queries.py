"""What a message gives screening: one query per party and one per piece of free text.

Screening practice (FACTS.md) screens, on every payment, the names and addresses of all
parties (debtor, creditor, ultimate parties, initiating party), all agents by BIC and
name, the countries known from BICs, addresses and IBANs, and free text (remittance
information, instructions to agents). So for a ``ParsedMessage``:

- each party or agent with a name or BIC gives a name query (``Query.name`` and
  ``Query.bic``; the BIC also matches listed BICs exactly), carrying as evidence every
  country known for that party: its BIC's (characters 5-6), its postal address's, its
  IBANs' (first two letters);
- each party's postal address lines give a text query (a listed name may hide in
  "c/o ..." lines);
- each free text (``RmtInf/Ustrd``, ``InstrForCdtrAgt/InstrInf``, ...) gives a text query.

Queries with the same content from several roles (the sender is AppHdr "Fr", "InstgAgt"
and "DbtrAgt" at once) are screened once; their ``field`` lists every role.
"""

from __future__ import annotations

from finmesh.domain.iso20022.model import ParsedMessage, Party
from finmesh.domain.screening.model import Query

_COUNTRY_CHARS = 2
_BIC_COUNTRY = slice(4, 6)


def _is_country(code: str) -> bool:
    return len(code) == _COUNTRY_CHARS and code.isascii() and code.isalpha()


def party_countries(party: Party) -> tuple[str, ...]:
    """Countries known for a party: address, BIC, IBANs (upper case, deduplicated)."""
    found = [party.country or ""]
    if party.bic:
        found.append(party.bic[_BIC_COUNTRY])
    found.extend(iban[:_COUNTRY_CHARS] for iban in party.ibans)
    return tuple(dict.fromkeys(c.upper() for c in found if _is_country(c)))


def message_countries(parsed: ParsedMessage) -> frozenset[str]:
    """Every country the message names through a party, BIC, address or IBAN."""
    return frozenset(c for party in parsed.parties for c in party_countries(party))


def _party_queries(party: Party) -> list[Query]:
    countries = party_countries(party)
    queries = []
    if party.name or party.bic:
        queries.append(Query(party.role, name=party.name, bic=party.bic, countries=countries))
    if party.address:
        address = " ".join(party.address)
        queries.append(Query(f"{party.role}/PstlAdr", text=address, countries=countries))
    return queries


_Content = tuple[str | None, str | None, str | None, tuple[str, ...]]


def screening_queries(parsed: ParsedMessage) -> list[Query]:
    """The queries that screen ``parsed`` (see the module docstring), in document order."""
    queries = [query for party in parsed.parties for query in _party_queries(party)]
    queries.extend(Query(free.field, text=free.text) for free in parsed.free_text)
    fields: dict[_Content, list[str]] = {}
    for query in queries:
        content: _Content = (query.name, query.text, query.bic, query.countries)
        fields.setdefault(content, []).append(query.field)
    return [
        Query(",".join(dict.fromkeys(roles)), name=name, text=text, bic=bic, countries=countries)
        for (name, text, bic, countries), roles in fields.items()
    ]
