"""Sanctions screening commands: ``finmesh lists load|show``, ``finmesh screen`` and
``finmesh goodguy propose|approve|withdraw|list``. Each talks to a node as an operator
(signed requests, see finmesh.cli.compliance); a refused action exits 1 with the node's
reason (for a malformed list: the code and the line or element at fault)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from finmesh.cli.compliance import instant, operator_option, operator_session, url_option
from finmesh.cli.output import emit, emit_rows, fail, stderr
from finmesh.domain import limits
from finmesh.sanctions import FORMATS

LOAD_TIMEOUT_SECONDS = 600.0
"""How long ``lists load`` waits for the node: parsing, storing and indexing a list of
100,000 entries takes seconds to tens of seconds on a busy node."""
json_option = click.option("--json", "as_json", is_flag=True, help="print JSON")


def _call(operator: Path, url: str | None, method: str, path: str, **kwargs: Any) -> Any:
    with operator_session(operator, url) as client:
        return client.request(method, path, **kwargs)


@click.group()
def lists() -> None:
    """Sanctions lists: load a new version, show what is loaded."""


@lists.command("load")
@operator_option
@url_option
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("--list", "list_name", required=True, help="list name, e.g. ofac, eu, un")
@click.option("--label", default=None, help="label of this version (default: the file name)")
def lists_load(
    operator: Path, url: str | None, file: Path, fmt: str, list_name: str, label: str | None
) -> None:
    """Load FILE as the next version of list NAME; prints the version as JSON. A
    malformed file is refused whole and the version in force stays."""
    size = file.stat().st_size
    if size > limits.LIST_REQUEST_BYTES_MAX:
        fail(
            "payload_too_large",
            f"{file} is {size} bytes; the node accepts at most {limits.LIST_REQUEST_BYTES_MAX}",
        )
    loaded = _call(
        operator,
        url,
        "POST",
        f"/v1/ops/lists/{list_name}",
        params={"format": fmt, "label": label or file.name},
        raw=file.read_bytes(),
        timeout=LOAD_TIMEOUT_SECONDS,
    )
    stderr.print(
        f"list {loaded['list']} version {loaded['version']}: {loaded['entries']} entries "
        f"({loaded['format']}, sha256 {loaded['digest'][:16]}...) now in force"
    )
    emit(loaded)


@lists.command("show")
@operator_option
@url_option
@json_option
def lists_show(operator: Path, url: str | None, as_json: bool) -> None:
    """Every loaded version of every list, and which one is in force."""
    shown = _call(operator, url, "GET", "/v1/ops/lists")
    if as_json or not sys.stdout.isatty():
        emit(shown)
        return
    if not shown["lists"]:
        click.echo("no sanctions list loaded: messages are not screened")
    for x in shown["lists"]:
        state = "in force" if x["active"] else "superseded"
        click.echo(
            f"{x['list']:<16} v{x['version']:<4} {x['entries']:>8} entries  {x['format']:<13}"
            f" {state:<10} by {x['loaded_by']}  {x['label']}"
        )


@click.command()
@operator_option
@url_option
@click.option("--name", default="", help="the name to screen")
@click.option("--country", default=None, help="ISO 3166 country known for the party")
@click.option("--bic", default=None, help="BIC known for the party")
@json_option
def screen(
    operator: Path,
    url: str | None,
    name: str,
    country: str | None,
    bic: str | None,
    as_json: bool,
) -> None:
    """Screen a name against the lists in force, as intake screens message parties."""
    body = {"name": name, "country": country, "bic": bic}
    result = _call(operator, url, "POST", "/v1/ops/screen", body=body)
    if as_json:
        emit(result)
        return
    versions = ", ".join(f"{v['list']} v{v['version']}" for v in result["versions"]) or "none"
    click.echo(f"{result['decision'].upper()}  (lists: {versions})")
    for hit in result["hits"]:
        click.echo(
            f"  {hit['score']:.2f}  {hit['list']}/{hit['entry']} {hit['name']}: {hit['why']}"
        )
    for hit in result["cleared"]:
        click.echo(f"  cleared by a good-guy exception: {hit['list']}/{hit['entry']}")


@click.group()
def goodguy() -> None:
    """Good-guy exceptions: a known false positive cleared for one counterparty (four-eyes)."""


@goodguy.command("propose")
@operator_option
@url_option
@click.option("--list", "list_name", required=True, help="list name")
@click.option("--entry", required=True, help="id of the listed entry")
@click.option(
    "--for",
    "cleared_for",
    required=True,
    help="the counterparty's BIC (8 or 11) or its name as it appears in messages",
)
@click.option("--reason", required=True, help="why this is a false positive")
@click.option("--expires", default=None, help="ISO 8601 instant (default: no expiry)")
def goodguy_propose(
    operator: Path,
    url: str | None,
    list_name: str,
    entry: str,
    cleared_for: str,
    reason: str,
    expires: str | None,
) -> None:
    """Propose an exception; prints it with its id. Another officer must approve it."""
    body = {
        "list": list_name,
        "entry": entry,
        "cleared_for": cleared_for,
        "reason": reason,
        "expires_ms": instant(expires),
    }
    emit(_call(operator, url, "POST", "/v1/ops/goodguys", body=body))


@goodguy.command("approve")
@operator_option
@url_option
@click.argument("good_guy_id")
def goodguy_approve(operator: Path, url: str | None, good_guy_id: str) -> None:
    """Approve another officer's proposed exception: it clears hits from now on."""
    emit(_call(operator, url, "POST", f"/v1/ops/goodguys/{good_guy_id}/approve"))


@goodguy.command("withdraw")
@operator_option
@url_option
@click.argument("good_guy_id")
def goodguy_withdraw(operator: Path, url: str | None, good_guy_id: str) -> None:
    """Withdraw an exception (one officer suffices)."""
    emit(_call(operator, url, "POST", f"/v1/ops/goodguys/{good_guy_id}/withdraw"))


@goodguy.command("list")
@operator_option
@url_option
@json_option
def goodguy_list(operator: Path, url: str | None, as_json: bool) -> None:
    """Every exception with its status (proposed, active, withdrawn, expired)."""
    found = _call(operator, url, "GET", "/v1/ops/goodguys")
    columns = ("id", "status", "list", "entry", "cleared_for", "proposed_by", "approved_by")
    emit_rows(found, as_json, (*columns, "reason"))


COMMANDS = (lists, screen, goodguy)
