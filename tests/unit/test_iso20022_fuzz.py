"""finmesh.domain.iso20022 under random input: mutated documents get the official XSD's
verdict, fuzzed payloads only ever raise Rejected, parallel threads keep their own."""

from __future__ import annotations

import copy
import random
import threading

import pytest
from lxml import etree

from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import example_message, parse_message
from finmesh.domain.reasons import Reason
from tests.shareddata import SCHEMAS
from tests.unit.iso20022_helpers import KINDS, RECEIVER, SENDER, drop, edit


def _mutations(rng: random.Random, document: etree._Element) -> None:
    """One random edit of the kinds a broken or hostile client would produce."""
    elements = [e for e in document.iter() if e is not document and e.getparent() is not None]
    if not elements:
        return
    element = rng.choice(elements)
    parent = element.getparent()
    assert parent is not None
    operation = rng.randrange(10)
    if operation == 0:
        parent.remove(element)
    elif operation == 1:
        element.addnext(copy.deepcopy(element))
    elif operation == 2 and len(element) == 0:
        element.text = rng.choice(
            ["X" * 36, "X" * 141, "abc", "-1", "2020-13-01", "1.123456", "de", "", " 1 ", "1e3"]
        )
    elif operation == 3 and element.getnext() is not None:
        element.addprevious(element.getnext())  # type: ignore[arg-type]
    elif operation == 4:
        element.set(rng.choice(["foo", "Ccy"]), "EUR")
    elif operation == 5:
        element.clear()
    elif operation == 6:
        namespace = etree.QName(document).namespace
        element.append(
            etree.Element(f"{{{namespace}}}" + rng.choice(["Bogus", "Nm", "Cd", "BICFI"]))
        )
    elif operation == 7:
        element.tail = "junk"
    elif operation == 8 and element.text:
        element.text = f" {element.text} "
    elif operation == 9 and parent.getparent() is not None:
        parent.addnext(element)


# --- robustness --------------------------------------------------------------------------


def test_fuzzed_inputs_only_ever_raise_rejected() -> None:
    rng = random.Random(1)
    seeds = [example_message(kind, SENDER, RECEIVER, purpose="GDDS") for kind in KINDS]
    snippets = [
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"<!DOCTYPE x>",
        b"<?x?>",
        b"</Document>",
        b"<Document>",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"]]>",
        b"<![CDATA[x]]>",
        b"<!--",
        b'"',
        b"xmlns:a='b'",
    ]
    outcomes: dict[str, int] = {}
    for index in range(1500):
        payload = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            if not payload:
                break
            position = rng.randrange(len(payload))
            choice = rng.randrange(4)
            if choice == 0:
                payload[position] = rng.randrange(256)
            elif choice == 1:
                payload[position:position] = rng.choice(snippets)
            elif choice == 2:
                del payload[position : position + rng.randint(1, 40)]
            else:
                payload = payload[:position]
        if index % 10 == 0:
            payload = bytearray(rng.randbytes(rng.randint(0, 300)))
        try:
            parse_message(bytes(payload), SCHEMAS)
            outcomes["ok"] = outcomes.get("ok", 0) + 1
        except Rejected as exc:
            outcomes[exc.reason.code] = outcomes.get(exc.reason.code, 0) + 1
    assert len(outcomes) >= 5, outcomes


def test_mutated_documents_only_ever_raise_rejected() -> None:
    rng = random.Random(2)
    for index in range(300):
        kind = KINDS[index % 3]
        root = etree.fromstring(
            example_message(kind, SENDER, RECEIVER, purpose="GDDS", debtor_name="D")
        )
        for _ in range(rng.randint(1, 3)):
            _mutations(rng, root[1])
        payload = bytes(etree.tostring(root))
        try:
            parse_message(payload, SCHEMAS)
        except Rejected as exc:
            assert exc.reason in (
                Reason.SCHEMA_INVALID,
                Reason.UNSUPPORTED_MESSAGE,
                Reason.BAD_ENVELOPE,
            )


def test_parallel_threads_get_their_own_verdicts_and_details() -> None:
    good = [example_message(kind, SENDER, RECEIVER) for kind in KINDS for _ in range(20)]
    bad = edit(example_message("pacs.008", SENDER, RECEIVER), drop("pacs.008", "ChrgBr"))
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for payload in good:
                assert parse_message(payload, SCHEMAS).sender_bic == SENDER
                with pytest.raises(Rejected) as caught:
                    parse_message(bad, SCHEMAS)
                assert caught.value.reason is Reason.SCHEMA_INVALID
                assert "ChrgBr" in caught.value.detail or "Dbtr" in caught.value.detail
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]
