"""The UN Security Council consolidated list XML: ``CONSOLIDATED_LIST``.

``INDIVIDUALS/INDIVIDUAL`` are persons, ``ENTITIES/ENTITY`` entities. The id is
``REFERENCE_NUMBER`` (the permanent reference, "KPi.066"), or ``DATAID`` when absent.
The name is ``FIRST_NAME`` to ``FOURTH_NAME`` joined; ``NAME_ORIGINAL_SCRIPT`` is a
strong alias; ``INDIVIDUAL_ALIAS``/``ENTITY_ALIAS`` with ``QUALITY`` "Low" are weak
aliases, any other quality ("Good", "a.k.a.") strong. Countries come from
``NATIONALITY/VALUE`` and the ``COUNTRY`` of addresses; the programme is
``UN_LIST_TYPE``. The UN list carries no BICs.
"""

from __future__ import annotations

from lxml import etree

from finmesh.domain.screening.model import ListEntry
from finmesh.sanctions import xmlfiles as x
from finmesh.sanctions.entries import RawEntry, finish

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})


def _entry(element: etree._Element) -> RawEntry:
    kind = x.local(element.tag)
    identifier = x.text(element, "REFERENCE_NUMBER") or x.text(element, "DATAID")
    raw = RawEntry(x.where(element), id=identifier)
    raw.type = "person" if kind == "INDIVIDUAL" else "entity"
    raw.names.append(" ".join(filter(None, (x.text(element, part) for part in _NAME_PARTS))))
    original = x.text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        raw.names.append(original)
    for alias in x.children(element, f"{kind}_ALIAS"):
        name = x.text(alias, "ALIAS_NAME")
        weak = x.text(alias, "QUALITY").casefold() == "low"
        (raw.weak_aliases if weak else raw.names).append(name)
    for nationality in x.children(element, "NATIONALITY"):
        raw.countries.extend(x.texts(nationality, "VALUE"))
    for address in x.children(element, f"{kind}_ADDRESS"):
        raw.countries.append(x.text(address, "COUNTRY"))
    raw.programmes.append(x.text(element, "UN_LIST_TYPE"))
    return raw


def parse_consolidated_xml(data: bytes) -> tuple[ListEntry, ...]:
    """The entries of the UN consolidated list XML."""
    return finish(_entry(element) for element in x.records(data, _RECORDS))
