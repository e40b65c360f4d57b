"""Payment tracking commands: `finmesh track UETR` (an institution in the payment's
chain, or an operator) and `finmesh payments stats` (operators: time to credit)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from finmesh.cli.output import emit, emit_rows, fail
from finmesh.client import Client

EVENT_COLUMNS = ("at", "from", "to", "message", "step", "status", "reason")
_FOLDER = click.Path(file_okay=False, exists=True, path_type=Path)


@click.command()
@click.argument("uetr")
@click.option("--profile", type=_FOLDER, default=None, help="participant profile folder")
@click.option("--operator", type=_FOLDER, default=None, help="operator profile folder")
@click.option("--url", default=None, help="node URL (default: the profile's)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object, even on a terminal")
def track(
    uetr: str, profile: Path | None, operator: Path | None, url: str | None, as_json: bool
) -> None:
    """Show the history of the payment UETR names: every message carrying it, who sent
    it to whom and when, its status (ACSP, ACCC, RJCT, returned, recalled) and reason."""
    if (profile is None) == (operator is None):
        fail("usage", "give exactly one of --profile and --operator")
    folder = profile if profile is not None else operator
    assert folder is not None
    with Client.from_profile(folder, url) as client:
        history = client.track(uetr)
    if as_json or not sys.stdout.isatty():
        emit(history)
        return
    click.echo(
        f"UETR {history['uetr']}: {history['status']} "
        f"(time to credit: {history['time_to_credit_ms']} ms)"
    )
    emit_rows(history["events"], False, EVENT_COLUMNS)


@click.group()
def payments() -> None:
    """The network's payments (operators)."""


@payments.command("stats")
@click.option("--operator", type=_FOLDER, required=True, help="operator profile folder")
@click.option("--url", default=None, help="node URL (default: the profile's)")
@click.option("--days", default=30.0, type=float, show_default=True, help="window in days")
@click.option("--json", "as_json", is_flag=True, help="JSON (the only form; for symmetry)")
def payments_stats(operator: Path, url: str | None, days: float, as_json: bool) -> None:
    """Time to credit: payments seen, credited, median and 90th percentile, and the share
    credited within 5 minutes (the gpi yardstick: about half)."""
    with Client.from_profile(operator, url) as client:
        emit(client.payment_statistics(days))


COMMANDS = (track, payments)
