"""The official XSD's verdict over a corpus of ISO 20022 messages written by others,
and whether the network gives the same verdict (issue 13, "done when").

For each XML file of the corpus (default: the shared samples, ../shared/iso20022/
samples): its Document (the root, or under any wrapper) and definition (its
namespace). Where the network has the definition's official schema (registered from
the shared XSDs, or shipped by a package), two verdicts are compared:

* reference: lxml validating the Document against the XSD file directly;
* network: the Document put in an envelope with a valid generated AppHdr and passed
  through intake's parser (``parse_message``, no network rules), ACK or T02.

Run: ``.venv/bin/python -m benchmarks.xsd_verdicts [CORPUS] [--xsd DIR]``; prints one
JSON object (counts per definition, agreement, unregistered definitions).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import SchemaRegistry, inspect_schema, parse_message
from finmesh.domain.iso20022.model import ENVELOPE_TAG, HEADER_NS, definition_of
from finmesh.node.schemas import packaged_loader, packaged_path

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_SENDER, _RECEIVER = "DEUTDEFFXXX", "BNPAFRPPXXX"


@dataclass
class Tally:
    files: int = 0
    valid: int = 0
    invalid: int = 0
    agree: int = 0
    disagreements: list[str] = field(default_factory=list)


def registry(xsd_dir: Path | None) -> SchemaRegistry:
    def shared(definition: str) -> Any:
        path = None if xsd_dir is None else xsd_dir / f"{definition}.xsd"
        return inspect_schema(path.read_bytes(), "registered") if path and path.is_file() else None

    return SchemaRegistry([shared, packaged_loader])


def schema_file(definition: str, xsd_dir: Path | None) -> Path | None:
    if xsd_dir is not None and (xsd_dir / f"{definition}.xsd").is_file():
        return xsd_dir / f"{definition}.xsd"
    return packaged_path(definition)


def document_of(root: etree._Element) -> etree._Element | None:
    if etree.QName(root).localname == "Document":
        return root
    for element in root.iter(etree.Element):
        if etree.QName(element).localname == "Document" and definition_of(
            etree.QName(element).namespace
        ):
            return element
    return None


def enveloped(document: etree._Element, definition: str) -> bytes:
    """The Document in an envelope with a valid head.001.001.02 header."""
    h = f"{{{HEADER_NS}}}"
    envelope = etree.Element(ENVELOPE_TAG)
    header = etree.SubElement(envelope, h + "AppHdr", nsmap={None: HEADER_NS})  # type: ignore[dict-item]
    for side, bic in (("Fr", _SENDER), ("To", _RECEIVER)):
        institution = etree.SubElement(etree.SubElement(header, h + side), h + "FIId")
        etree.SubElement(etree.SubElement(institution, h + "FinInstnId"), h + "BICFI").text = bic
    etree.SubElement(header, h + "BizMsgIdr").text = "CORPUS"
    etree.SubElement(header, h + "MsgDefIdr").text = definition
    etree.SubElement(header, h + "CreDt").text = "2026-01-01T00:00:00Z"
    envelope.append(copy.deepcopy(document))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def measure(corpus: Path, xsd_dir: Path | None) -> dict[str, Any]:
    schemas = registry(xsd_dir)
    compiled: dict[str, etree.XMLSchema] = {}
    tallies: dict[str, Tally] = defaultdict(Tally)
    unregistered: Counter[str] = Counter()
    unreadable = no_document = 0
    files = sorted(corpus.rglob("*.xml"))
    for path in files:
        try:
            root = etree.fromstring(path.read_bytes(), _PARSER)
        except etree.XMLSyntaxError:
            unreadable += 1
            continue
        document = document_of(root)
        definition = None if document is None else definition_of(etree.QName(document).namespace)
        if document is None or definition is None:
            no_document += 1
            continue
        reference_file = schema_file(definition, xsd_dir)
        if schemas.validator_for(definition) is None or reference_file is None:
            unregistered[definition] += 1
            continue
        if definition not in compiled:
            compiled[definition] = etree.XMLSchema(etree.parse(str(reference_file)))
        reference = compiled[definition].validate(copy.deepcopy(document))
        network = _network_verdict(enveloped(document, definition), schemas)
        tally = tallies[definition]
        tally.files += 1
        tally.valid += reference
        tally.invalid += not reference
        if network == reference:
            tally.agree += 1
        else:
            tally.disagreements.append(path.name)
    judged = sum(t.files for t in tallies.values())
    return {
        "corpus": str(corpus),
        "files": len(files),
        "unreadable": unreadable,
        "without_iso_document": no_document,
        "judged": judged,
        "valid": sum(t.valid for t in tallies.values()),
        "invalid": sum(t.invalid for t in tallies.values()),
        "network_agrees": sum(t.agree for t in tallies.values()),
        "by_definition": {d: t.__dict__ for d, t in sorted(tallies.items())},
        "unregistered": dict(sorted(unregistered.items())),
    }


def _network_verdict(payload: bytes, schemas: SchemaRegistry) -> bool | str:
    try:
        parse_message(payload, schemas)
    except Rejected as exc:
        return False if exc.reason.code == "T02" else exc.reason.code
    return True


def main(argv: list[str] | None = None) -> int:
    shared = Path(__file__).resolve().parents[2] / "shared" / "iso20022"
    if not shared.is_dir():
        shared = Path("/work/shared/iso20022")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=shared / "samples")
    parser.add_argument("--xsd", type=Path, default=shared / "xsd", help="official XSDs")
    args = parser.parse_args(argv)
    xsd_dir = args.xsd if args.xsd.is_dir() else None
    print(json.dumps(measure(args.corpus, xsd_dir), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
