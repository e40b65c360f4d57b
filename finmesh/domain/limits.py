"""Every bound the network enforces, with its unit in the name."""

from __future__ import annotations

MESSAGE_BYTES_MAX = 256 * 1024
"""Largest accepted payload (AppHdr + Document), in bytes."""

XML_DEPTH_MAX = 64
"""Deepest accepted element nesting."""

XML_ELEMENTS_MAX = 20_000
"""Most elements in one payload."""

BATCH_MESSAGES_MAX = 1_000
"""Most messages in one submission batch."""

REQUEST_BYTES_MAX = 16 * 1024 * 1024
"""Largest accepted HTTP request body, in bytes. A full batch of 1,000 typical 4 KB
messages is about 5.5 MB as JSON; anything much larger is refused before it is read
(docs/threat-model.md: a 50 MB body is answered 413 at once)."""

DELIVERY_PAGE_MAX = 1_000
"""Most messages returned by one delivery fetch."""

WAIT_SECONDS_MAX = 60.0
"""Longest a long-poll may wait, in seconds."""

REQUEST_HEADERS_SECONDS_MAX = 10.0
"""Longest a connection may take to deliver a request's headers (from connecting, or from
the end of the previous response); a slower one is closed (slowloris)."""

REQUEST_BODY_SECONDS_MAX = 30.0
"""Longest an authenticated request may take to deliver its body (16 MB in 30 s needs
about 4.5 Mbit/s); a slower one is answered 408 and closed."""

REQUEST_CLOCK_SKEW_SECONDS = 120
"""How far a signed request's timestamp may differ from the node's clock."""

OBSOLESCENCE_URGENT_SECONDS = 15 * 60
OBSOLESCENCE_NORMAL_SECONDS = 100 * 60
"""Undelivered messages older than this produce a non-delivery notice (FIN: 15/100 min)."""

DIRECTORY_ROWS_MAX = 200_000
"""Most data rows accepted in one directory CSV import."""

DIRECTORY_FIELD_CHARS_MAX = 140
"""Longest accepted directory CSV field, in characters (ISO 20022 names are Max140Text)."""

REASON_CHARS_MAX = 500
"""Longest free-text reason or legal reference an officer may give."""

POLICY_RETRIES_MAX = 5
"""How often a batch is re-evaluated when the policy changed under it."""

IMPACT_MESSAGES_MAX = 2_000_000
"""Most stored messages one impact analysis examines (it holds them in memory)."""

SEQUENCE_MAX = 2**62
"""Largest sequence number or id accepted from a client (SQLite integers are 64-bit)."""

INSTANT_MS_MAX = 253_402_300_799_999
"""Latest instant accepted, in epoch milliseconds (9999-12-31T23:59:59.999Z)."""

CERT_ROTATION_GRACE_SECONDS = 7 * 24 * 3600
"""How long a rotated participant certificate still verifies messages signed before
the rotation (receivers accept the current or a recently rotated certificate)."""

LIST_REQUEST_BYTES_MAX = 64 * 1024 * 1024
"""Largest sanctions list file accepted in one upload (POST /v1/ops/lists/{name}), in
bytes: the only route allowed more than REQUEST_BYTES_MAX (OFAC's SDN XML is ~30 MB)."""

REQUEST_HEAD_BYTES_MAX = 16 * 1024
"""Largest request line plus headers of one HTTP request, in bytes (a signed request
needs under 1 KB); a larger head is answered 431 before it is buffered (an 8 MB header
once held other requests for seconds)."""

REQUEST_HEADERS_MAX = 64
"""Most header lines in one HTTP request (a signed request sends about ten)."""
