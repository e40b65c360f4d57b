"""The second part of `finmesh demo`: a payment through two hops (A -> B -> C), its
status reports back along the chain (C -> B -> A), and its tracking as A sees it.

Status reports are pacs.002.001.10, whose official schema no installed package ships:
they are sent when the operator registered it (`finmesh schemas add`, or
`finmesh demo --schemas DIR`); otherwise the network NAKs them T03 and the demo says so.
"""

from __future__ import annotations

from typing import Any

from finmesh.cli.output import stderr
from finmesh.client import Client
from finmesh.domain.iso20022 import example_message, flows


def two_hops(a: Client, b: Client, c: Client) -> dict[str, Any]:
    """Run the story; returns the payment's history as A sees it at the end."""
    bic_a, bic_b, bic_c = (x.profile.subject for x in (a, b, c))
    payment = example_message("pacs.008", bic_a, bic_b)
    original = flows.original_of(payment)
    stderr.print(f"\n[bold]Two hops[/bold]: {bic_a} pays a customer of {bic_c} through {bic_b}")
    _step(a, payment, f"{bic_a} -> {bic_b} pacs.008 (UETR {original.uetr})")
    _drain(b)
    _step(b, flows.next_hop(payment, bic_b, bic_c), f"{bic_b} -> {bic_c} pacs.008, same UETR")
    _drain(c)
    reported = _step(
        c, flows.status_report(original, bic_c, bic_b), f"{bic_c} -> {bic_b} pacs.002 ACCC"
    )
    if reported:
        _drain(b)
        _step(b, flows.status_report(original, bic_b, bic_a), f"{bic_b} -> {bic_a} pacs.002 ACCC")
        _drain(a)
    history = a.track(original.uetr)
    stderr.print(f"[bold]Tracking[/bold] (finmesh track {original.uetr} --profile ...):")
    for event in history["events"]:
        stderr.print(
            f"  {event['at']}  {event['from']} -> {event['to']}  {event['message']}"
            f"  {event['status']}"
        )
    stderr.print(
        f"  status {history['status']}, time to credit {history['time_to_credit_ms']} ms"
    )
    return history


def _step(sender: Client, payload: bytes, what: str) -> bool:
    [result] = sender.send([payload])
    if result["status"] == "ACK":
        stderr.print(f"  {what}: ACK")
        return True
    stderr.print(f"  {what}: NAK {result['reason']} {result['detail']}")
    if result["reason"] == "T03":
        stderr.print(
            "  (register the official pacs.002.001.10 schema to send status reports: "
            "finmesh schemas add DIR pacs.002.001.10.xsd, or finmesh demo --schemas DIR)"
        )
    return False


def _drain(receiver: Client) -> None:
    """The receiver takes what arrived, checks each signature and acknowledges it."""
    for page in receiver.pages(2):
        for message in page:
            assert receiver.verify(message)
        receiver.ack(page[-1]["osn"])
        return
