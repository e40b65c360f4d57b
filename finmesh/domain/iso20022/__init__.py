"""ISO 20022 messages on the wire: safe parsing, validation against official definitions,
extraction of what the network routes and screens on, and example messages.

Pure domain code: no HTTP, SQL, storage or CLI imports.
"""

from __future__ import annotations

from finmesh.domain.iso20022.example import example_message
from finmesh.domain.iso20022.intake import parse_message
from finmesh.domain.iso20022.model import ParsedMessage, Party
from finmesh.domain.iso20022.schemas import supported_definitions

__all__ = [
    "ParsedMessage",
    "Party",
    "example_message",
    "parse_message",
    "supported_definitions",
]
