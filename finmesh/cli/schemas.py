"""``finmesh schemas add|list``: the network's registry of official ISO 20022 schemas.

Offline, on the network folder (like ``participant add``): the operator who holds the
folder registers the XSDs downloaded from iso20022.org; every node of the network
validates against them from its next message of that definition (within
``registry.MISS_SECONDS``). Registration is audited.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from finmesh.cli.network import open_network_store, require_network
from finmesh.cli.output import emit, emit_rows
from finmesh.node.clock import system_clock
from finmesh.node.schemas import Schemas

network_argument = click.argument(
    "directory", type=click.Path(file_okay=False, exists=True, path_type=Path)
)


@click.group()
def schemas() -> None:
    """Official ISO 20022 message schemas the network validates against."""


@schemas.command("add")
@network_argument
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
def schemas_add(directory: Path, files: tuple[Path, ...]) -> None:
    """Register each FILE (an official XSD); all or none. Prints one line per file:
    the definition it adds, and whether it was new."""
    cfg = require_network(directory)
    contents = [(str(f), f.read_bytes()) for f in files]
    store = open_network_store(cfg)
    try:
        added = Schemas(store, system_clock).add(contents, actor=_actor())
    finally:
        store.close()
    for item in added:
        emit(
            {
                "definition": item.definition,
                "file": item.file,
                "sha256": item.sha256,
                "added": item.added,
            }
        )


@schemas.command("list")
@network_argument
@click.option("--json", "as_json", is_flag=True, help="JSON lines (the default off a terminal)")
def schemas_list(directory: Path, as_json: bool) -> None:
    """Every definition the network accepts, and where its official schema comes from
    (registered, or shipped by an installed package)."""
    cfg = require_network(directory)
    store = open_network_store(cfg)
    try:
        rows = Schemas(store, system_clock).list()
    finally:
        store.close()
    emit_rows(rows, as_json, ("definition", "origin", "sha256", "xsd_bytes"))


def _actor() -> str:
    """Who registered, for the audit trail: the local user holding the network folder."""
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator"


COMMANDS = (schemas,)
