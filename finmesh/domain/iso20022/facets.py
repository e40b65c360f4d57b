"""Check an xsdata instance against the XSD facets its generator recorded in field metadata.

xsdata's generator writes each XSD restriction into ``field(metadata=...)``: ``required``,
``min_occurs``/``max_occurs``, ``min_length``/``max_length``, ``pattern``,
``total_digits``/``fraction_digits`` and ``min_inclusive`` (plus the other bounds, which
ISO 20022 does not use today but cost nothing to honour). ISO 20022 names every type
built on ``xs:choice`` "...Choice" and each branch is a single element, so a Choice
instance must have exactly one branch set.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class StructureError(Exception):
    """An instance breaks a rule of its definition; the message names the place."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True, slots=True)
class _Rule:
    attr: str
    xml_name: str
    kind: str  # "Element", "Attribute", "Wildcard" or "" for text content
    is_list: bool
    required: bool
    min_occurs: int
    max_occurs: int | None
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None
    total_digits: int | None
    fraction_digits: int | None
    min_inclusive: Decimal | None
    max_inclusive: Decimal | None
    min_exclusive: Decimal | None
    max_exclusive: Decimal | None


def check_instance(instance: object, path: str) -> None:
    """Raise StructureError at the first rule the instance (recursively) breaks."""
    rules = _rules(type(instance))
    if type(instance).__name__.endswith("Choice"):
        chosen = [r.xml_name for r in rules if r.kind == "Element" and _present(instance, r)]
        if len(chosen) != 1:
            raise StructureError(path, f"choice needs exactly one of its elements, has {chosen}")
    for rule in rules:
        value = getattr(instance, rule.attr)
        where = f"{path}/{rule.xml_name}" if rule.kind == "Element" else path
        if rule.is_list:
            items = list(value)
            if len(items) < rule.min_occurs:
                raise StructureError(where, f"occurs {len(items)} times, minimum {rule.min_occurs}")
            if rule.max_occurs is not None and len(items) > rule.max_occurs:
                raise StructureError(where, f"occurs {len(items)} times, maximum {rule.max_occurs}")
        elif value is None:
            if rule.required:
                raise StructureError(where, "required but missing")
            continue
        else:
            items = [value]
        if rule.kind == "Wildcard":
            continue
        for index, item in enumerate(items):
            place = f"{where}[{index + 1}]" if rule.is_list else where
            _check_value(rule, item, place)


def _check_value(rule: _Rule, value: object, place: str) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        check_instance(value, place)
        return
    label = rule.xml_name if rule.kind == "Attribute" else "value"
    if isinstance(value, str):
        if rule.min_length is not None and len(value) < rule.min_length:
            raise StructureError(place, f"{label} shorter than {rule.min_length}")
        if rule.max_length is not None and len(value) > rule.max_length:
            raise StructureError(place, f"{label} longer than {rule.max_length}")
        if rule.pattern is not None and rule.pattern.fullmatch(value) is None:
            raise StructureError(place, f"{label} {value[:40]!r} breaks {rule.pattern.pattern}")
    elif isinstance(value, Decimal):
        _check_decimal(rule, value, place, label)


def _check_decimal(rule: _Rule, value: Decimal, place: str, label: str) -> None:
    if not value.is_finite():
        raise StructureError(place, f"{label} is not a finite decimal")
    total, fraction = _digits(value)
    if rule.total_digits is not None and total > rule.total_digits:
        raise StructureError(place, f"{label} has {total} digits, maximum {rule.total_digits}")
    if rule.fraction_digits is not None and fraction > rule.fraction_digits:
        raise StructureError(
            place, f"{label} has {fraction} fraction digits, maximum {rule.fraction_digits}"
        )
    low, high = rule.min_inclusive, rule.max_inclusive
    low_open, high_open = rule.min_exclusive, rule.max_exclusive
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (low_open is not None and value <= low_open)
        or (high_open is not None and value >= high_open)
    ):
        raise StructureError(place, f"{label} {value} out of range")


def _digits(value: Decimal) -> tuple[int, int]:
    """XSD totalDigits and fractionDigits of a finite decimal, exact at any length.

    Trailing fractional zeros and leading zeros do not count (1.50 has 2 and 1).
    """
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the caller
    if not any(digits):
        return 1, 0
    significant = list(digits)
    while exponent < 0 and significant[-1] == 0:
        significant.pop()
        exponent += 1
    while significant[0] == 0:
        significant.pop(0)
    if exponent >= 0:
        return len(significant) + exponent, 0
    return len(significant), -exponent


def _present(instance: object, rule: _Rule) -> bool:
    value = getattr(instance, rule.attr)
    return bool(value) if rule.is_list else value is not None


_RULES: dict[type[Any], tuple[_Rule, ...]] = {}


def _rules(cls: type[Any]) -> tuple[_Rule, ...]:
    # Racing threads may both build a class's rules; they build equal tuples.
    rules = _RULES.get(cls)
    if rules is None:
        rules = _RULES[cls] = tuple(_rule(f) for f in dataclasses.fields(cls))
    return rules


def _rule(f: dataclasses.Field[Any]) -> _Rule:
    meta: Mapping[str, Any] = f.metadata
    is_list = f.default_factory in (list, tuple)  # xsdata's factories for repeated fields
    required = bool(meta.get("required", False))
    min_occurs = int(meta.get("min_occurs", 0))
    max_occurs = meta.get("max_occurs")
    pattern = meta.get("pattern")
    return _Rule(
        attr=f.name,
        xml_name=str(meta.get("name", f.name)),
        kind=str(meta.get("type", "")),
        is_list=is_list,
        required=required,
        min_occurs=min_occurs,
        max_occurs=int(max_occurs) if max_occurs is not None else None,
        min_length=_int(meta, "min_length", "length"),
        max_length=_int(meta, "max_length", "length"),
        pattern=re.compile(pattern) if pattern is not None else None,
        total_digits=_int(meta, "total_digits"),
        fraction_digits=_int(meta, "fraction_digits"),
        min_inclusive=_dec(meta, "min_inclusive"),
        max_inclusive=_dec(meta, "max_inclusive"),
        min_exclusive=_dec(meta, "min_exclusive"),
        max_exclusive=_dec(meta, "max_exclusive"),
    )


def _int(meta: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        if meta.get(key) is not None:
            return int(meta[key])
    return None


def _dec(meta: Mapping[str, Any], key: str) -> Decimal | None:
    value = meta.get(key)
    return Decimal(str(value)) if value is not None else None
