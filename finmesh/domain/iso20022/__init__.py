"""ISO 20022 messages on the wire: safe parsing, validation against official definitions,
extraction of what the network routes and screens on, and example messages.

Pure domain code: no HTTP, SQL, storage or CLI imports.
"""

from __future__ import annotations

from finmesh.domain.iso20022 import flows
from finmesh.domain.iso20022.example import example_message
from finmesh.domain.iso20022.intake import header_sender, parse_message
from finmesh.domain.iso20022.model import ParsedMessage, Party
from finmesh.domain.iso20022.registry import SchemaRegistry, SchemaSource, inspect_schema

__all__ = [
    "ParsedMessage",
    "Party",
    "SchemaRegistry",
    "SchemaSource",
    "example_message",
    "flows",
    "header_sender",
    "inspect_schema",
    "parse_message",
]
