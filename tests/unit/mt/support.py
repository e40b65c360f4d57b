"""Shared material for the MT tests: the published samples and XSDs beside the repo, and
a builder for FIN messages written by the tests themselves."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from tests.shareddata import REPO, shared_root

SHARED = shared_root() or REPO.parent / "shared"
SAMPLES = SHARED / "mt" / "samples"
XSDS = SHARED / "iso20022" / "xsd"
ISO_SAMPLES = SHARED / "iso20022" / "samples"

SENDER = "BANKDEFFXXX"
RECEIVER = "BANKGB2LXXX"
UETR = "eb6305c9-1f7f-49de-aed0-16487c27b42d"


def sample_files() -> list[Path]:
    """The 203 published FIN messages, or [] when ../shared is not there."""
    return sorted(SAMPLES.rglob("*.fin")) if SAMPLES.is_dir() else []


def need_samples() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"published MT samples not found at {SAMPLES}")


@cache
def _schema(definition: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(XSDS / f"{definition}.xsd"), parser))


def official_schema(definition: str) -> etree.XMLSchema:
    """The official XSD of ``definition`` from ../shared, or skip."""
    if not (XSDS / f"{definition}.xsd").is_file():
        pytest.skip(f"official XSD {definition} not found in {XSDS}")
    return _schema(definition)


def xsd_problems(envelope_bytes: bytes, definition: str) -> list[str]:
    """What the official XSDs find wrong with the AppHdr and Document of an envelope."""
    envelope = etree.fromstring(envelope_bytes)
    header, document = list(envelope)
    problems = []
    for element, name in ((header, "head.001.001.02"), (document, definition)):
        schema = official_schema(name)
        if not schema.validate(element):
            problems.append(f"{name}: {schema.error_log.last_error}")
    return problems


def fin(text_block: str, *, mt: str = "103", user: str | None = None,
        sender: str = SENDER, receiver: str = RECEIVER, uetr: str | None = UETR) -> bytes:
    """An input FIN message around ``text_block`` (fields separated by newlines)."""
    blocks = [f"{{{tag}:{value}}}" for tag, value in (("121", uetr),) if value]
    if user is not None:
        blocks.insert(0, user)
    block3 = "{3:" + "".join(blocks) + "}" if blocks else ""
    lt_sender = sender[:8] + "A" + (sender[8:] or "XXX")
    lt_receiver = receiver[:8] + "X" + (receiver[8:] or "XXX")
    body = text_block.strip("\n").replace("\n", "\r\n")
    return (f"{{1:F01{lt_sender}0000000000}}{{2:I{mt}{lt_receiver}N}}{block3}"
            f"{{4:\r\n{body}\r\n-}}").encode("ascii")


MT103 = """
:20:REF-103-0001
:23B:CRED
:32A:260115EUR1234,56
:50K:/DE89370400440532013000
JOHANN MUSTERMANN
HAUPTSTRASSE 1
10115 BERLIN
:59:/GB29NWBK60161331926819
JANE DOE
1 HIGH STREET
LONDON
:70:/ROC/E2E-123/INVOICE 42
:71A:SHA
"""

MT202 = """
:20:REF-202-0001
:21:RELATED-0001
:32A:260115USD1000000,
:52A:BANKDEFFXXX
:57A:CHASUS33XXX
:58A:BANKUS33XXX
"""
