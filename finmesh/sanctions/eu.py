"""The EU Financial Sanctions Files (FSF) XML export: ``export/sanctionEntity``.

Each ``sanctionEntity`` gives ``logicalId`` (the entry id), ``subjectType@code``
("person"; "enterprise" and others are entities), ``nameAlias`` elements (the first is
the primary name; ``wholeName``, or first, middle and last names joined; ``strong=
"false"`` marks a weak alias), countries from ``citizenship``, ``address`` and
``birthdate`` (``countryIso2Code``), the ``regulation@programme``, and BICs from
``identification`` elements whose type code or description names SWIFT or BIC.
"""

from __future__ import annotations

from lxml import etree

from finmesh.domain.screening.model import ListEntry
from finmesh.sanctions import xmlfiles as x
from finmesh.sanctions.entries import RawEntry, finish

_NO_COUNTRY = frozenset({"", "00"})


def _name(alias: etree._Element) -> str:
    whole = (alias.get("wholeName") or "").strip()
    if whole:
        return whole
    parts = (alias.get(key) or "" for key in ("firstName", "middleName", "lastName"))
    return " ".join(part.strip() for part in parts if part.strip())


def _is_bic(identification: etree._Element) -> bool:
    kind = " ".join(
        identification.get(key) or ""
        for key in ("identificationTypeCode", "identificationTypeDescription")
    ).casefold()
    return "swift" in kind or "bic" in kind


def _entry(element: etree._Element) -> RawEntry:
    raw = RawEntry(x.where(element), id=(element.get("logicalId") or "").strip())
    subject = next(x.children(element, "subjectType"), None)
    code = (subject.get("code") or "") if subject is not None else ""
    raw.type = "person" if code.casefold() == "person" else "entity"
    for alias in x.children(element, "nameAlias"):
        strong = (alias.get("strong") or "true").casefold() != "false"
        (raw.names if strong or not raw.names else raw.weak_aliases).append(_name(alias))
    for kind in ("citizenship", "address", "birthdate"):
        for place in x.children(element, kind):
            country = (place.get("countryIso2Code") or "").strip()
            if country not in _NO_COUNTRY:
                raw.countries.append(country)
    for regulation in x.children(element, "regulation"):
        raw.programmes.append((regulation.get("programme") or "").strip())
    for identification in x.children(element, "identification"):
        if _is_bic(identification):
            raw.bics.append((identification.get("number") or "").strip())
    return raw


def parse_fsf_xml(data: bytes) -> tuple[ListEntry, ...]:
    """The entries of an EU Financial Sanctions Files XML export."""
    return finish(_entry(element) for element in x.records(data, frozenset({"sanctionEntity"})))
