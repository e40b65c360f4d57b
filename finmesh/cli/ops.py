"""Operations commands: what is configured, backups and restores, retention."""

from __future__ import annotations

from pathlib import Path

import click

from finmesh import config
from finmesh.cli.network import network_dir, open_network_store, require_network
from finmesh.cli.output import emit, emit_rows, fail
from finmesh.node.clock import system_clock


@click.group("config")
def config_group() -> None:
    """The settings in force."""


@config_group.command("show")
@network_dir
@click.option("--json", "as_json", is_flag=True, help="one JSON array instead of a table")
def config_show(directory: Path, as_json: bool) -> None:
    """Every FINMESH_* setting with the value in force for DIRECTORY, its unit and where
    it comes from (environment, network.json or default); secrets show only as set."""
    cfg = require_network(directory)
    rows = [{"name": "network", "value": cfg.name, "unit": "", "source": config.CONFIG_FILE}]
    rows.append({"name": "url", "value": cfg.url, "unit": "URL", "source": config.CONFIG_FILE})
    rows += config.in_force(directory)
    emit_rows(rows, as_json, ["name", "value", "unit", "source"])


@click.command()
@network_dir
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path, out: Path) -> None:
    """Copy the network in DIRECTORY to the new folder OUT while its node runs (SQLite's
    online backup, or pg_dump), with a manifest of digests; the copy's audit trail is
    verified against the recorded head before this succeeds."""
    from finmesh.network.backup import backup as run_backup

    require_network(directory)
    emit(run_backup(directory, out))


@click.command()
@click.argument("out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@network_dir
@click.option(
    "--database",
    default=None,
    help="PostgreSQL backups: restore into this database (default: the one backed up)",
)
def restore(out: Path, directory: Path, database: str | None) -> None:
    """Recreate the network of backup OUT in the new folder DIRECTORY: every digest is
    checked first, and the restored audit trail verified. Serve it with `finmesh serve`."""
    from finmesh.network.backup import restore as run_restore

    emit(run_restore(out, directory, database))


@click.command()
@network_dir
@click.option(
    "--days",
    type=float,
    default=None,
    help="archive and prune payloads acknowledged longer ago than this (default "
    "$FINMESH_RETENTION_DAYS)",
)
@click.option("--verify", is_flag=True, help="only check every archived payload's SHA-256")
def retention(directory: Path, days: float | None, verify: bool) -> None:
    """Archive delivered payloads to DIRECTORY/archive/, then prune them from the
    database (message records and the audit trail stay, and still verify)."""
    from finmesh.node.retention import run_retention, verify_archives

    cfg = require_network(directory)
    if verify:
        found = verify_archives(directory)
        emit(found)
        if not found["ok"]:
            bad = found["bad"]
            fail("archive_corrupt", f"{len(bad)} archived payloads fail their hash: {bad[0]}")
        return
    period = config.retention_days() if days is None else days
    store = open_network_store(cfg)
    try:
        emit(run_retention(store, directory, period, system_clock))
    finally:
        store.close()


COMMANDS = (config_group, backup, restore, retention)
