"""Participant commands: example, send, receive, notices."""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from finmesh.cli.output import emit, fail, progress_bar
from finmesh.client import Client
from finmesh.domain import limits
from finmesh.domain.errors import Rejected
from finmesh.domain.iso20022 import example_message, flows

profile_option = click.option(
    "--profile",
    "profile",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="participant profile folder (key, certificate, CA certificate, node URL)",
)
url_option = click.option("--url", default=None, help="node URL (default: the profile's)")
EXIT_NAKED = 3
"""`finmesh send`'s exit status when any message was NAKed (1 is a failed command)."""


def _client(profile: Path, url: str | None) -> Client:
    return Client.from_profile(profile, url)


FLOW_KINDS = ("pacs.004", "camt.056", "camt.029", "pacs.009.cov")
"""Kinds written about an original payment (--original); pacs.008 and pacs.002 are too
when --original is given (the payment's next hop; a status report on it)."""


@click.command()
@click.argument("kind", type=click.Choice(["pacs.008", "pacs.009", "pacs.002", *FLOW_KINDS]))
@click.option("--from", "sender", required=True, help="sender BIC (BIC8 or BIC11)")
@click.option("--to", "receiver", required=True, help="receiver BIC (BIC8 or BIC11)")
@click.option("--amount", default="10.00", show_default=True)
@click.option("--currency", default="EUR", show_default=True)
@click.option("--purpose", default=None, help="ISO 20022 purpose code, e.g. GDDS")
@click.option("--category-purpose", default=None, help="category purpose code")
@click.option("--priority", type=click.Choice(["NORM", "HIGH"]), default="NORM")
@click.option(
    "--definition",
    default=None,
    help="message definition to write, e.g. pacs.008.001.08 (default: pacs.008.001.13, "
    "pacs.009.001.08, pacs.002.001.10)",
)
@click.option(
    "--original",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="the pacs.008 the message is about (same UETR and ids): required for pacs.004, "
    "camt.056, camt.029 and pacs.009.cov; with pacs.008 the payment's next hop, with "
    "pacs.002 a status report on it",
)
@click.option("--status", default="ACCC", show_default=True, help="pacs.002: ACSP, ACCC, RJCT...")
@click.option("--reason", default=None, help="reason code (RJCT, return, recall, refusal)")
@click.option("--refuse", is_flag=True, help="camt.029: refuse the recall (RJCR)")
def example(
    kind: str,
    sender: str,
    receiver: str,
    amount: str,
    currency: str,
    purpose: str | None,
    category_purpose: str | None,
    priority: str,
    definition: str | None,
    original: Path | None,
    status: str,
    reason: str | None,
    refuse: bool,
) -> None:
    """Print a valid message with fresh ids (BizMsgIdr, MsgId, ..., UETR), or a message of
    the flow around a payment (--original): next hop, status, return, recall, answer, cover."""
    if original is not None or kind in FLOW_KINDS:
        if original is None:
            fail("usage", f"{kind} is written about a payment: give --original FILE")
        about = original.read_bytes()
        try:
            payload = _flow(kind, about, sender, receiver, status, reason, refuse)
        except ValueError as exc:
            fail("bad_example", f"--original {original}: {exc}")
        click.echo(payload.decode("utf-8"), nl=False)
        return
    try:
        value = Decimal(amount)
    except InvalidOperation:
        fail("bad_amount", f"--amount {amount!r} is not a number")
    try:
        payload = example_message(
            kind,
            sender,
            receiver,
            amount=value,
            currency=currency,
            purpose=purpose,
            category_purpose=category_purpose,
            priority=priority,
            definition=definition,
        )
    except ValueError as exc:
        fail("bad_example", str(exc))
    click.echo(payload.decode("utf-8"), nl=False)


def _flow(
    kind: str, about: bytes, sender: str, receiver: str, status: str, reason: str | None,
    refuse: bool,
) -> bytes:  # fmt: skip
    try:
        original = flows.original_of(about)
    except Rejected as exc:
        raise ValueError(str(exc)) from None
    if kind == "pacs.008":
        return flows.next_hop(about, sender, receiver)
    if kind == "pacs.002":
        return flows.status_report(original, sender, receiver, status, reason)
    if kind == "pacs.004":
        return flows.payment_return(original, sender, receiver, reason or "AC04")
    if kind == "camt.056":
        return flows.recall_request(original, sender, receiver, reason or "DUPL")
    if kind == "camt.029":
        return flows.recall_answer(original, sender, receiver, not refuse, reason)
    if kind == "pacs.009.cov":
        return flows.cover(original, sender, receiver)
    raise ValueError(f"{kind} is not written about a payment")


@click.command()
@profile_option
@url_option
@click.option("--notify", is_flag=True, help="ask for delivery notices")
@click.option(
    "--allow-nak",
    is_flag=True,
    help=f"exit 0 even when messages are NAKed (default: exit {EXIT_NAKED})",
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
def send(
    profile: Path, url: str | None, notify: bool, allow_nak: bool, files: tuple[Path, ...]
) -> None:
    """Submit each FILE's bytes unchanged (ISO 20022 XML or a FIN message); print one
    JSON line per message. Exits 3 when any message is NAKed (after printing every
    result), unless --allow-nak."""
    naks = 0
    with _client(profile, url) as client, progress_bar() as bar:
        task = bar.add_task("sending", total=len(files))
        for start in range(0, len(files), limits.BATCH_MESSAGES_MAX):
            chunk = files[start : start + limits.BATCH_MESSAGES_MAX]
            results = client.send([f.read_bytes() for f in chunk], notify_delivery=notify)
            for path, result in zip(chunk, results, strict=True):
                naks += result["status"] != "ACK"
                emit(
                    {
                        "file": str(path),
                        "status": result["status"],
                        "reason": result["reason"],
                        "id": result["id"],
                        "uetr": result["uetr"],
                        "detail": result["detail"],
                        "duplicate": result["duplicate"],
                        "held": result.get("held", False),
                        "hold": result.get("hold"),
                        "licence": result.get("licence"),
                    }
                )
            bar.update(task, advance=len(chunk))
    if naks and not allow_nak:
        fail("naked", f"{naks} of {len(files)} messages NAKed (see their lines)", EXIT_NAKED)


@click.command()
@profile_option
@url_option
@click.option("--ack", is_flag=True, help="acknowledge what was received")
@click.option("--wait", default=0.0, type=float, help="seconds to wait for more")
@click.option(
    "--format",
    "receive_format",
    type=click.Choice(["mx", "mt"]),
    default=None,
    help="receive ISO 20022 (mx) or FIN (mt); default: the profile's receive_format (mx)",
)
def receive(
    profile: Path, url: str | None, ack: bool, wait: float, receive_format: str | None
) -> None:
    """Print every message available, in OSN order, then wait up to --wait seconds."""
    with _client(profile, url) as client:
        _receive(client, ack, wait, receive_format)


def _receive(client: Client, ack: bool, wait: float, receive_format: str | None) -> None:
    for messages in client.pages(wait, receive_format):
        for m in messages:
            emit(_line(client, m))
        if ack:
            client.ack(messages[-1]["osn"])


def _line(client: Client, m: dict[str, Any]) -> dict[str, Any]:
    return {
        "osn": m["osn"],
        "sender": m["sender"],
        "receiver": m["receiver"],
        "type": m["type"],
        "id": m["id"],
        "uetr": m["uetr"],
        "possible_duplicate": m["possible_duplicate"],
        "signature_valid": client.verify(m),
        # the form asked for: the signed bytes, or the network's translation of them
        "payload": base64.b64decode(m.get("translation") or m["payload"]).decode(
            "utf-8", errors="replace"
        ),
        "format": m.get("translation_format") or m.get("payload_format", "mx"),
        "translated": m.get("translation") is not None,
        "translation_refused": m.get("translation_refused"),
    }


@click.command()
@profile_option
@url_option
@click.option("--ack", is_flag=True, help="acknowledge the notices printed")
@click.option("--wait", default=0.0, type=float, help="seconds to wait for a notice")
def notices(profile: Path, url: str | None, ack: bool, wait: float) -> None:
    """Print delivery and non-delivery notices about messages this institution sent."""
    with _client(profile, url) as client:
        last: int | None = None
        for n in client.all_notices(wait):
            emit(n)
            last = n["seq"]
        if ack and last is not None:
            client.ack_notices(last)


COMMANDS = (example, send, receive, notices)
