"""Operator commands: measure, licence, holds, audit. Each prints JSON; a refused
action exits 1 with the node's reason and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from finmesh import config
from finmesh.cli.output import emit, emit_rows, fail
from finmesh.client import Client
from finmesh.domain.audit import verify_with_head
from finmesh.domain.errors import FinmeshError
from finmesh.store.factory import read_audit_trail

operator_option = click.option(
    "--operator",
    "operator",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="operator profile folder (DIR/operators/<name>)",
)
url_option = click.option("--url", default=None, help="node URL (default: the profile's)")
AUDIT_PAGE = 1_000
MEASURE_COLUMNS = ("id", "kind", "bic", "status", "effective", "reference", "proposed_by")
LICENCE_COLUMNS = ("id", "measure", "status", "reference", "valid_until")
HOLD_COLUMNS = ("id", "state", "measure", "sender", "receiver", "message", "pending")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(text: str | None) -> int | None:
    """ISO 8601 to epoch milliseconds; a time without zone is UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # integer arithmetic: float seconds * 1000 can land 1 ms early
    return (moment - EPOCH) // timedelta(milliseconds=1)


@contextmanager
def operator_session(profile: Path, url: str | None) -> Iterator[Client]:
    with Client.from_profile(profile, url) as client:
        yield client


def _call(
    operator: Path,
    url: str | None,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
) -> Any:
    with operator_session(operator, url) as client:
        return client.request(method, path, params, body)


@click.group()
def measure() -> None:
    """Disconnections and transaction prohibitions (four-eyes)."""


@measure.command("propose")
@operator_option
@url_option
@click.option("--kind", type=click.Choice(["disconnect", "prohibit"]), required=True)
@click.option("--bic", required=True, help="BIC8 of the institution or entity")
@click.option("--with-subsidiaries", is_flag=True, help="include entities owned > 50 %")
@click.option("--name", default=None, help="entity name, matched where a party has no BIC")
@click.option(
    "--action",
    type=click.Choice(["hold", "reject"]),
    default=None,
    help="prohibitions: hold for review or reject",
)
@click.option("--reference", required=True, help="legal reference, e.g. Reg. (EU) 2022/345")
@click.option("--effective", default=None, help="ISO 8601 instant (default: on approval)")
def measure_propose(
    operator: Path,
    url: str | None,
    kind: str,
    bic: str,
    with_subsidiaries: bool,
    name: str | None,
    action: str | None,
    reference: str,
    effective: str | None,
) -> None:
    """Propose a measure; prints {"id": ...}. Another officer must approve it."""
    if kind == "prohibit" and action is None:
        fail("usage", "--action hold|reject is required for a prohibition")
    body = {
        "kind": kind,
        "bic": bic,
        "with_subsidiaries": with_subsidiaries,
        "name": name,
        "action": action or "reject",
        "reference": reference,
        "effective_ms": instant(effective),
    }
    emit(_call(operator, url, "POST", "/v1/ops/measures", body=body))


@measure.command("approve")
@operator_option
@url_option
@click.argument("measure_id")
def measure_approve(operator: Path, url: str | None, measure_id: str) -> None:
    """Approve a proposed measure, or a proposed lift (never one's own)."""
    emit(_call(operator, url, "POST", f"/v1/ops/measures/{measure_id}/approve"))


@measure.command("refuse")
@operator_option
@url_option
@click.option("--reason", required=True, help="why it is refused (kept in the audit trail)")
@click.argument("measure_id")
def measure_refuse(operator: Path, url: str | None, reason: str, measure_id: str) -> None:
    """Refuse a proposed measure or a proposed lift (never one's own proposal)."""
    emit(_call(operator, url, "POST", f"/v1/ops/measures/{measure_id}/refuse",
               body={"reason": reason}))


@measure.command("lift")
@operator_option
@url_option
@click.option("--effective", default=None, help="ISO 8601 instant (default: on approval)")
@click.argument("measure_id")
def measure_lift(operator: Path, url: str | None, effective: str | None, measure_id: str) -> None:
    """Propose lifting a measure; another officer approves with `measure approve`."""
    body = {"effective_ms": instant(effective)}
    emit(_call(operator, url, "POST", f"/v1/ops/measures/{measure_id}/lift", body=body))


@measure.command("impact")
@operator_option
@url_option
@click.option("--from", "start", required=True, help="ISO 8601 start of the period")
@click.option("--to", "end", required=True, help="ISO 8601 end of the period (exclusive)")
@click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
@click.argument("measure_id")
def measure_impact(
    operator: Path, url: str | None, start: str, end: str, as_json: bool, measure_id: str
) -> None:
    """What the measure would have stopped in a period, and would return now."""
    params = {"from_ms": instant(start), "to_ms": instant(end)}
    emit(_call(operator, url, "GET", f"/v1/ops/measures/{measure_id}/impact", params))


@measure.command("list")
@operator_option
@url_option
@click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
def measure_list(operator: Path, url: str | None, as_json: bool) -> None:
    """Every measure with its status and whether it is in force now."""
    emit_rows(_call(operator, url, "GET", "/v1/ops/measures"), as_json, MEASURE_COLUMNS)


@click.group()
def licence() -> None:
    """Licences (exemptions) under a prohibition (four-eyes)."""


@licence.command("propose")
@operator_option
@url_option
@click.option("--measure", "measure_id", required=True)
@click.option("--reference", required=True)
@click.option("--purpose", "purposes", multiple=True, help="purpose / category purpose code")
@click.option("--counterparty", "counterparties", multiple=True, help="BIC of a counterparty")
@click.option("--currency", "currencies", multiple=True)
@click.option("--amount-max", default=None, help="cap per message")
@click.option("--total-max", default=None, help="cap over all messages let through")
@click.option("--valid-from", default=None, help="ISO 8601 (default: now)")
@click.option("--valid-until", default=None, help="ISO 8601")
def licence_propose(
    operator: Path,
    url: str | None,
    measure_id: str,
    reference: str,
    purposes: tuple[str, ...],
    counterparties: tuple[str, ...],
    currencies: tuple[str, ...],
    amount_max: str | None,
    total_max: str | None,
    valid_from: str | None,
    valid_until: str | None,
) -> None:
    """Propose a licence; prints {"id": ...}. Another officer must approve it."""
    body = {
        "measure": measure_id,
        "reference": reference,
        "purposes": list(purposes),
        "counterparties": list(counterparties),
        "currencies": list(currencies),
        "amount_max": amount_max,
        "total_max": total_max,
        "valid_from_ms": instant(valid_from),
        "valid_until_ms": instant(valid_until),
    }
    emit(_call(operator, url, "POST", "/v1/ops/licences", body=body))


@licence.command("approve")
@operator_option
@url_option
@click.argument("licence_id")
def licence_approve(operator: Path, url: str | None, licence_id: str) -> None:
    emit(_call(operator, url, "POST", f"/v1/ops/licences/{licence_id}/approve"))


@licence.command("list")
@operator_option
@url_option
@click.option("--json", "as_json", is_flag=True)
def licence_list(operator: Path, url: str | None, as_json: bool) -> None:
    emit_rows(_call(operator, url, "GET", "/v1/ops/licences"), as_json, LICENCE_COLUMNS)


@click.command()
@click.argument("action", type=click.Choice(["list", "release", "reject"]))
@operator_option
@url_option
@click.argument("hold_id", required=False, type=int)
@click.option("--reason", default=None, help="why (required for the first officer)")
@click.option("--all", "show_all", is_flag=True, help="list: include decided holds")
@click.option("--json", "as_json", is_flag=True, help="list: JSON (the default off a terminal)")
def holds(
    action: str,
    operator: Path,
    url: str | None,
    hold_id: int | None,
    reason: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """List held messages, or propose/confirm releasing or rejecting one (four-eyes)."""
    if action == "list":
        params = {"state": "" if show_all else "held"}
        emit_rows(_call(operator, url, "GET", "/v1/ops/holds", params), as_json, HOLD_COLUMNS)
        return
    if hold_id is None:
        fail("usage", f"holds {action} needs the hold ID")
    emit(_call(operator, url, "POST", f"/v1/ops/holds/{hold_id}/{action}", body={"reason": reason}))


@click.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
def audit_verify(directory: Path) -> None:
    """Check the hash chain offline; exit 0 if intact, else 1 and the first bad entry.
    The database is opened read-only: verifying never changes what it verifies."""
    if not config.is_network(directory):
        fail("not_a_network", f"{directory} is not a finmesh network folder")
    try:
        entries, head = read_audit_trail(config.NetworkConfig.load(directory))
    except (FinmeshError, ValueError, KeyError) as exc:
        fail("audit_unreadable", f"cannot read the audit trail: {exc}")
    verdict = verify_with_head(entries, head)
    emit(
        {
            "ok": verdict.ok,
            "entries": verdict.checked,
            "head": verdict.head,
            "first_bad_seq": verdict.first_bad_seq,
            "problem": verdict.problem,
        }
    )
    if not verdict.ok:
        raise SystemExit(1)


@audit.command("list")
@operator_option
@url_option
@click.option("--after", default=0, type=int, help="entries after this sequence number")
@click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
def audit_list(operator: Path, url: str | None, after: int, as_json: bool) -> None:
    """Print audit entries, one JSON line each (any operator role may read them)."""
    while True:
        page = _call(operator, url, "GET", "/v1/ops/audit", {"after": after, "limit": AUDIT_PAGE})
        for entry in page:
            emit(entry)
        if len(page) < AUDIT_PAGE:
            return
        after = page[-1]["seq"]


COMMANDS = (measure, licence, holds, audit)
