"""Turn untrusted bytes into an lxml tree, or refuse them with a precise reason.

The checks run in a fixed order so a payload always gets the same code: size, encoding,
forbidden constructs (DTD, entities, processing instructions), well-formedness, depth,
element count. Everything here runs in libxml2 or in C-level byte scans: it is on the
intake path of every message.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from finmesh.domain import limits
from finmesh.domain.errors import Rejected
from finmesh.domain.reasons import Reason

_DECLARED_ENCODING = re.compile(
    rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']"
)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_BOM = b"\xef\xbb\xbf"
_XML_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\?>")

_BYTES_PER_ELEMENT_MIN = 4
"""``<a/>``: no payload shorter than 4 bytes per element can exceed the element limit."""


class _ThreadTools(threading.local):
    """One parser and one set of compiled XPaths per thread.

    libxml2 parsing and lxml XPath release the GIL, but a shared parser or XPath object
    holds a lock for the whole call and turns parallel threads into a queue.
    """

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            encoding="utf-8",  # never let libxml2 guess UTF-16 from the first bytes
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
        )
        # An element at depth limit+1 exists iff this absolute path selects something;
        # each step only visits one level, so the cost stays linear in the tree size.
        self.too_deep = etree.XPath("boolean(/*" + "/*" * limits.XML_DEPTH_MAX + ")")
        self.element_count = etree.XPath("count(//*)")


_tools = _ThreadTools()


def parse_untrusted(payload: object) -> etree._Element:
    """Parse a payload into its root element, or raise Rejected with the first failing check."""
    data = _as_bytes(payload)
    if len(data) > limits.MESSAGE_BYTES_MAX:
        raise Rejected(Reason.OVERSIZE, f"{len(data)} bytes, limit {limits.MESSAGE_BYTES_MAX}")
    _check_encoding(data)
    tools = _tools
    try:
        root = etree.fromstring(data, tools.parser)
    except etree.XMLSyntaxError as exc:
        raise _classify_syntax_error(data, exc) from None
    except (etree.LxmlError, ValueError) as exc:
        raise Rejected(Reason.MALFORMED_XML, _first_line(str(exc))) from None
    if root is None:  # lxml returns None for a document that recovered to nothing
        raise Rejected(Reason.MALFORMED_XML, "no root element")
    _check_forbidden(root)
    if bool(tools.too_deep(root)):
        raise Rejected(Reason.TOO_DEEP, f"nesting exceeds {limits.XML_DEPTH_MAX} levels")
    if len(data) > _BYTES_PER_ELEMENT_MIN * limits.XML_ELEMENTS_MAX:
        count = int(_as_float(tools.element_count(root)))
        if count > limits.XML_ELEMENTS_MAX:
            raise Rejected(
                Reason.TOO_MANY_ELEMENTS, f"{count} elements, limit {limits.XML_ELEMENTS_MAX}"
            )
    return root


def _as_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray | memoryview):
        return bytes(payload)
    raise Rejected(Reason.BAD_ENCODING, f"payload must be bytes, not {type(payload).__name__}")


def _check_encoding(data: bytes) -> None:
    # NUL is never legal in XML 1.0; its presence means UTF-16/32 or binary data.
    if b"\x00" in data:
        raise Rejected(Reason.BAD_ENCODING, "NUL byte (UTF-16/32 or binary data?)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(Reason.BAD_ENCODING, f"invalid UTF-8 at byte {exc.start}") from None
    if data.startswith(_BOM * 2):
        # one byte order mark may open the document; a second would otherwise be read as
        # text before the XML declaration and misreported as a processing instruction
        raise Rejected(Reason.BAD_ENCODING, "byte order mark repeated")
    declared = _DECLARED_ENCODING.match(data)
    if declared is not None:
        name = declared.group(1).decode("ascii", "replace").strip().lower()
        if name not in _UTF8_NAMES:
            raise Rejected(Reason.BAD_ENCODING, f"declares encoding {name!r}")


def _check_forbidden(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise Rejected(Reason.FORBIDDEN_XML, "document type declaration")
    # Comments are stripped by the parser, so any sibling of the root is a PI.
    if root.getprevious() is not None or root.getnext() is not None:
        raise Rejected(Reason.FORBIDDEN_XML, "processing instruction")
    for node in root.iter(etree.PI, etree.Entity):
        kind = "entity reference" if isinstance(node, etree._Entity) else "processing instruction"
        raise Rejected(Reason.FORBIDDEN_XML, kind)


def _classify_syntax_error(data: bytes, exc: etree.XMLSyntaxError) -> Rejected:
    """A payload libxml2 refused may still deserve a more specific code than malformed.

    Billion-laughs payloads and undeclared entities fail inside libxml2 (amplification
    limit, undefined entity), and libxml2 refuses nesting deeper than 256 by itself.
    """
    message = _first_line(str(exc))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return Rejected(Reason.FORBIDDEN_XML, f"document type declaration ({message})")
    if _has_processing_instruction(data):
        return Rejected(Reason.FORBIDDEN_XML, f"processing instruction ({message})")
    if "depth" in message.lower():
        return Rejected(Reason.TOO_DEEP, message)
    return Rejected(Reason.MALFORMED_XML, message)


def _has_processing_instruction(data: bytes) -> bool:
    declaration = _XML_DECLARATION.match(data)
    start = declaration.end() if declaration is not None else 0
    return data.find(b"<?", start) >= 0


def _as_float(value: object) -> float:
    return value if isinstance(value, float) else 0.0


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "parse error"
