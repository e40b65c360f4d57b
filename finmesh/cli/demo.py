"""`finmesh demo`: a network on the embedded default, and a first message travelling."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import click

from finmesh import config
from finmesh.cli.demo_flows import two_hops
from finmesh.cli.output import stderr
from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.create import init_network

READY_SECONDS_MAX = 30.0


@click.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("finmesh-demo")
)
@click.option("--port", default=None, type=int, help="port to serve on (default 8470)")
@click.option("--once", is_flag=True, help="stop after the story has been told")
@click.option(
    "--schemas",
    "schema_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="folder of official ISO 20022 XSDs to register first (e.g. pacs.002.001.10.xsd "
    "for the status reports)",
)
def demo(directory: Path, port: int | None, once: bool, schema_dir: Path | None) -> None:
    """Bring up a demo network in DIRECTORY (default ./finmesh-demo) and show a first
    message travelling from one demo institution to another, then a payment through two
    hops with its status reports and its tracking; then keep serving."""
    import uvicorn

    from finmesh.api.app import create_app
    from finmesh.api.server import PROTOCOL
    from finmesh.node.root import Node

    bind_port = port or config.default_port()
    url = f"http://127.0.0.1:{bind_port}"
    if not config.is_network(directory):
        stderr.print(
            f"creating a demo network in {directory} (directory, CA, participants; the demo"
            " makes its own banks' keys, a real bank sends a CSR: docs/integrate.md)..."
        )
        init_network(directory, demo=True, url=url, name="finmesh demo")
    node = Node(directory)
    if schema_dir is not None:
        files = [(p.name, p.read_bytes()) for p in sorted(schema_dir.glob("*.xsd"))]
        added = node.schemas.add(files, actor="demo")
        stderr.print(f"registered {len(added)} official schemas from {schema_dir}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(node),
            host="127.0.0.1",
            port=bind_port,
            log_level="warning",
            ws="none",
            http=PROTOCOL,
        )
    )
    story = threading.Thread(
        target=_first_message, args=(directory, url, server, once), daemon=True
    )
    story.start()
    try:
        server.run()
    finally:
        node.close()


def _first_message(directory: Path, url: str, server: object, once: bool) -> None:
    try:
        _wait_ready(url)
        _tell(directory, url)
    except Exception as exc:  # the story is a demonstration: report, keep serving
        stderr.print(f"[red]demo message failed:[/red] {exc}")
    if once:
        server.should_exit = True  # type: ignore[attr-defined]
    else:
        stderr.print(f"\nnode running at {url}; profiles in {directory}/participants; Ctrl-C stops")


def _tell(directory: Path, url: str) -> None:
    profiles = sorted((directory / "participants").iterdir())
    sender_dir, receiver_dir = profiles[0], profiles[1]
    sender, receiver = Client.from_profile(sender_dir, url), Client.from_profile(receiver_dir, url)
    a, b = sender.profile.subject, receiver.profile.subject
    payload = example_message("pacs.008", a, b)
    names = {bic: sender.request("GET", f"/v1/directory/{bic}")[0]["name"] for bic in (a, b)}
    stderr.print(f"\n{a} is {names[a]}; {b} is {names[b]}")
    stderr.print(f"[bold]1.[/bold] {a} signs a pacs.008 ({len(payload)} bytes) for {b}")
    result = sender.send([payload], notify_delivery=True)[0]
    stderr.print(
        f"[bold]2.[/bold] the network stores it durably and answers "
        f"{result['status']} for BizMsgIdr {result['id']} (UETR {result['uetr']})"
    )
    page = receiver.receive(wait=5)
    for message in page["messages"]:
        valid = receiver.verify(message)
        stderr.print(
            f"[bold]3.[/bold] {b} receives OSN {message['osn']} from "
            f"{message['sender']}: signature valid = {valid}"
        )
        receiver.ack(message["osn"])
        stderr.print(f"[bold]4.[/bold] {b} acknowledges OSN {message['osn']}")
    for notice in sender.notices(wait=5):
        stderr.print(f"[bold]5.[/bold] {a} gets a '{notice['kind']}' notice for {notice['id']}")
        sender.ack_notices(notice["seq"])
    with Client.from_profile(profiles[2], url) as third:
        two_hops(sender, receiver, third)
    sender.close()
    receiver.close()


def _wait_ready(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + READY_SECONDS_MAX
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"node at {url} did not start")
