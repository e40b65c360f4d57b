"""Trust commands: `finmesh rma` (an institution's authorizations of its correspondents)
and `finmesh cert` (revocation by an operator, key rotation with the network CA). Each
prints JSON; a refused action exits 1 with the node's reason and changes nothing."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from finmesh import config
from finmesh.cli.compliance import instant, operator_option, url_option
from finmesh.cli.compliance import operator_session as session
from finmesh.cli.onboarding import csr_option, generate_key_option, issued, read_csr
from finmesh.cli.output import emit, emit_rows, fail
from finmesh.identity import keystore
from finmesh.network.create import load_ca
from finmesh.node.clock import system_clock
from finmesh.node.trust import iso, rotate_participant
from finmesh.store.factory import open_store

profile_option = click.option(
    "--profile",
    "profile",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="participant profile folder (DIR/participants/<BIC11>): the receiver",
)
correspondent_option = click.option(
    "--correspondent", required=True, help="BIC8 of the institution that sends to you"
)
types_option = click.option(
    "--type",
    "types",
    multiple=True,
    help="message type: MsgDefIdr (pacs.008.001.08), family (pacs.008) or area (pacs);"
    " repeatable; none = every type",
)


@click.group()
def rma() -> None:
    """Relationship management: which correspondents may send you which message types."""


@rma.command("grant")
@profile_option
@url_option
@correspondent_option
@types_option
@click.option("--from", "start", default=None, help="ISO 8601 instant (default: now)")
@click.option("--until", "end", default=None, help="ISO 8601 instant, exclusive (default: none)")
def rma_grant(
    profile: Path,
    url: str | None,
    correspondent: str,
    types: tuple[str, ...],
    start: str | None,
    end: str | None,
) -> None:
    """Authorize a correspondent to send you messages; prints the authorization."""
    valid_from, valid_until = instant(start), instant(end)
    with session(profile, url) as client:
        emit(client.rma_grant(correspondent, types, valid_from, valid_until))


@rma.command("revoke")
@profile_option
@url_option
@correspondent_option
@types_option
def rma_revoke(profile: Path, url: str | None, correspondent: str, types: tuple[str, ...]) -> None:
    """Revoke your authorizations of a correspondent (the listed types, or all); the
    next message they no longer cover is NAKed R01."""
    with session(profile, url) as client:
        emit(client.rma_revoke(correspondent, types))


@rma.command("list")
@click.option(
    "--profile",
    "profile",
    default=None,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="participant profile folder (DIR/participants/<BIC11>): its own authorizations",
)
@click.option(
    "--operator",
    "operator",
    default=None,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="or an operator profile folder (DIR/operators/<name>): the network's",
)
@url_option
@click.option(
    "--direction",
    type=click.Choice(["granted", "received", "all"]),
    default="granted",
    show_default=True,
    help="with --profile; granted: by you (you receive); received: to you (you send); all",
)
@click.option("--bic", default=None, help="with --operator: only where this BIC8 takes part")
@click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
def rma_list(
    profile: Path | None,
    operator: Path | None,
    url: str | None,
    direction: str,
    bic: str | None,
    as_json: bool,
) -> None:
    """Print authorizations as one JSON list (receiver, sender, types, valid_from,
    valid_until, id, ...): an institution's own, or (operators) the network's."""
    if profile is not None and operator is None:
        with session(profile, url) as client:
            emit_rows(client.rma_list(direction), as_json, RMA_COLUMNS)
    elif operator is not None and profile is None:
        with session(operator, url) as client:
            emit_rows(client.request("GET", "/v1/ops/rma", {"bic": bic}), as_json, RMA_COLUMNS)
    else:
        fail("usage", "give either --profile (an institution) or --operator")


@click.group()
def cert() -> None:
    """Participant certificates: revocation (operator) and key rotation (network CA)."""


@cert.command("revoke")
@operator_option
@url_option
@click.option("--reason", default=None, help="why (recorded in the audit trail)")
@click.argument("bic11")
def cert_revoke(operator: Path, url: str | None, reason: str | None, bic11: str) -> None:
    """Revoke an institution's current certificate: its next request is refused."""
    with session(operator, url) as client:
        emit(client.cert_revoke(bic11, reason))


@cert.command("rotate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("bic11")
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help=f"file whose first line is the CA key's passphrase (default: ${keystore.PASSPHRASE_ENV},"
    f" ${keystore.PASSPHRASE_FILE_ENV}, or DIR/{keystore.DEMO_PASSPHRASE_FILE} of a demo network)",
)
@csr_option
@generate_key_option
def cert_rotate(
    directory: Path,
    bic11: str,
    passphrase_file: Path | None,
    csr_file: Path | None,
    generate_key: bool,
) -> None:
    """Certify a participant's new key (from its CSR) with the network CA in DIRECTORY,
    write the certificate into its profile and make it current; the participant puts
    its new key.pem there. Requests signed with the old key are refused from then on;
    messages signed with it still verify for a grace period."""
    if not config.is_network(directory):
        fail("not_a_network", f"{directory} is not a finmesh network folder")
    request = read_csr(csr_file, generate_key)
    cfg = config.NetworkConfig.load(directory)
    store = open_store(cfg)
    try:
        passphrase = (
            keystore.read_passphrase_file(passphrase_file)
            if passphrase_file
            else keystore.configured_passphrase()
        )
        folder, old, serial = rotate_participant(
            cfg,
            store,
            load_ca(cfg, passphrase),
            bic11,
            _actor(),
            system_clock(),
            request.public_key_pem if request else None,
        )
    finally:
        store.close()
    emit(
        {
            **_rotated(folder, old.serial, old.usable_until_ms, serial),
            **issued(folder, folder.name, request),
        }
    )


def _rotated(folder: Path, old: str, until: int | None, new: str) -> dict[str, Any]:
    return {
        "profile": str(folder),
        "serial": new,
        "previous_serial": old,
        "previous_usable_until": iso(until),
    }


RMA_COLUMNS = ("id", "receiver", "sender", "types", "valid_from", "valid_until")


def _actor() -> str:
    """Who rotated, for the audit trail: the local user holding the network CA."""
    try:
        return f"ca:{getpass.getuser()}"
    except (KeyError, OSError):
        return "ca"


COMMANDS = (rma, cert)
