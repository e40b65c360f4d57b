"""Validate a Document against pyiso20022's xsdata classes where no official XSD is installed.

pyiso20022 generates its dataclasses from the official ISO 20022 definitions and records
the XSD facets in each field's metadata, but xsdata's parser only converts values: it
never checks facets, occurrences or element order. So validation is three passes:

1. a walk over the lxml tree with xsdata's binding metadata: every element known to its
   parent type and in sequence order, no undeclared attributes, no stray text;
2. xsdata's parser in its strictest configuration: unknown elements and attributes and
   every value that fails to convert (enumerations, dates, decimals, booleans) fail;
3. a walk over the resulting instance (rules in ``facets.py``): required elements,
   occurrences, lengths, patterns, digits, bounds, and one branch per choice.
"""

from __future__ import annotations

import copy
import importlib
import re
import threading
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.elements import XmlMeta
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig

from finmesh.domain.iso20022.facets import StructureError, check_instance

_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_ALLOWED = frozenset(
    {f"{{{_XSI_NS}}}schemaLocation", f"{{{_XSI_NS}}}noNamespaceSchemaLocation"}
)
"""XSD validity permits these on any element; xsi:type and xsi:nil would change parsing."""

_XSD_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

_STRICT = ParserConfig(
    fail_on_unknown_properties=True,
    fail_on_unknown_attributes=True,
    fail_on_converter_warnings=True,
)

_context = XmlContext()
"""Shared binding metadata; each class is built once under ``_load_lock`` before use."""
_load_lock = threading.Lock()


def pyiso20022_module(msg_def_id: str) -> str:
    """The pyiso20022 module holding the classes of a message definition."""
    area = msg_def_id.split(".", 1)[0]
    return f"pyiso20022.{area}.{area}_{msg_def_id.replace('.', '_')[len(area) + 1 :]}"


class StructuralValidator:
    """Validates one message definition with the pyiso20022 classes generated for it."""

    how = "structural:pyiso20022"

    def __init__(self, msg_def_id: str) -> None:
        self.msg_def_id = msg_def_id
        self._module = pyiso20022_module(msg_def_id)
        # Business application headers are rooted at AppHdr, messages at Document.
        self._root_name = "AppHdr" if msg_def_id.startswith("head.") else "Document"
        self._root: type[Any] | None = None

    def validate(self, element: etree._Element) -> str | None:
        """None if the element conforms, else a one-line reason."""
        root_cls = self._root_class()
        try:
            meta = _context.build(root_cls)
            if element.tag != meta.qname:
                raise StructureError(_local(element.tag), f"expected {meta.qname}")
            _check_tree(element, meta, _local(element.tag))
            # xsdata's lxml handler clears each element once bound: give it a copy so the
            # caller's tree survives for extraction.
            instance = XmlParser(config=_STRICT, context=_context).parse(
                copy.deepcopy(element), root_cls
            )
            check_instance(instance, _local(element.tag))
        except StructureError as exc:
            return str(exc)
        except Exception as exc:  # xsdata reports bad input with many exception types
            return f"{type(exc).__name__}: {_one_line(str(exc))}"
        return None

    def _root_class(self) -> type[Any]:
        if self._root is None:
            with _load_lock:
                if self._root is None:
                    module = importlib.import_module(self._module)
                    root_cls: type[Any] = getattr(module, self._root_name)
                    _context.build_recursive(root_cls)
                    self._root = root_cls
        return self._root


def _check_tree(element: etree._Element, meta: XmlMeta, path: str) -> None:
    """Element order, known children and attributes, no text where none is allowed."""
    for key in element.attrib:
        name = str(key)
        if meta.find_attribute(name) is None and name not in _XSI_ALLOWED:
            raise StructureError(path, f"undeclared attribute {_local(name)}")
    if meta.text is None:
        if _has_text(element.text):
            raise StructureError(path, "text not allowed in element-only content")
    else:
        _check_lexical(meta.text.types, element.text, path)
    for name in _required(meta)[1]:
        if name not in element.attrib:
            raise StructureError(path, f"required attribute {_local(name)} missing")
    last_index = -1
    present: set[int] = set()
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # comments are stripped and PIs refused earlier
            continue
        child_path = f"{path}/{_local(tag)}"
        var = next(meta.find_children(tag), None)
        if var is None:
            raise StructureError(child_path, "element not allowed here")
        if var.index < last_index:
            raise StructureError(child_path, "element out of sequence order")
        if var.index in present and not var.list_element:
            raise StructureError(child_path, "element repeated but allowed once")
        last_index = var.index
        present.add(var.index)
        if _has_text(child.tail):
            raise StructureError(path, "text not allowed between elements")
        if var.is_wildcard:
            continue  # xs:any with lax processing: content is not ours to judge
        if var.clazz is not None:
            _check_tree(child, _context.build(var.clazz), child_path)
            continue
        if len(child):
            raise StructureError(child_path, "simple element has child elements")
        if any(str(name) not in _XSI_ALLOWED for name in child.attrib):
            raise StructureError(child_path, "simple element has attributes")
        _check_lexical(var.types, child.text, child_path)
    for index, name in _required(meta)[0]:
        if index not in present:
            raise StructureError(f"{path}/{name}", "required but missing")


_Required = tuple[tuple[tuple[int, str], ...], tuple[str, ...]]
_REQUIRED: dict[type, _Required] = {}


def _required(meta: XmlMeta) -> _Required:
    """Required child elements (index, local name) and attributes (Clark name) of a type.

    Checked here rather than on the instance: xsdata cannot even build an instance
    without them and would only say which keyword argument was missing.
    """
    required = _REQUIRED.get(meta.clazz)
    if required is None:
        elements = tuple(
            (var.index, var.local_name)
            for var in meta.get_element_vars()
            if var.required and not var.is_text and not var.list_element
        )
        attributes = tuple(name for name, var in meta.attributes.items() if var.required)
        required = _REQUIRED[meta.clazz] = (elements, attributes)
    return required


def _check_lexical(types: Sequence[type], text: str | None, path: str) -> None:
    """What xsdata's converters let through but XSD does not.

    They strip whitespace before matching enumerations (XSD compares the exact string)
    and dates (libxml2 refuses it), accept exponents in decimals, and turn an empty
    element of any type into "".
    """
    kind = types[0] if types else str
    if kind is str:
        return  # lengths and patterns are checked on the instance
    if not text:
        raise StructureError(path, "empty value")
    if kind is Decimal:
        if _XSD_DECIMAL.fullmatch(text.strip()) is None:
            raise StructureError(path, f"{text[:40]!r} is not an xs:decimal")
    elif kind is not bool and text != text.strip():
        # libxml2, which judges the XSD-backed definitions, refuses these too.
        raise StructureError(path, "surrounding whitespace in a coded or date value")
    elif isinstance(kind, type) and issubclass(kind, Enum) and text not in _enum_values(kind):
        raise StructureError(path, f"{text[:40]!r} is not a {kind.__name__}")


@cache
def _enum_values(kind: type[Enum]) -> frozenset[str]:
    return frozenset(str(member.value) for member in kind)


def _has_text(text: str | None) -> bool:
    return bool(text and not text.isspace())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
