"""Network commands: init, serve, directory, openapi (onboarding is in ``onboarding``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from finmesh import config
from finmesh.cli.output import emit, fail, progress_bar, stderr
from finmesh.domain.directory import parse_directory_csv
from finmesh.identity import keystore
from finmesh.network.create import init_network
from finmesh.store.factory import open_store
from finmesh.store.port import StoreUnavailable
from finmesh.store.sql_store import SqlStore

network_dir = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="file whose first line is the passphrase of the CA key"
    f" (default: ${keystore.PASSPHRASE_ENV}, ${keystore.PASSPHRASE_FILE_ENV},"
    f" or DIR/{keystore.DEMO_PASSPHRASE_FILE} of a demo network)",
)


def _passphrase(file: Path | None) -> bytes | None:
    """The passphrase from --passphrase-file, else from the environment (or None)."""
    if file is not None:
        return keystore.read_passphrase_file(file)
    return keystore.configured_passphrase()


def open_network_store(cfg: config.NetworkConfig) -> SqlStore:
    """The network's store; a clear message and exit 1 if it cannot be used."""
    try:
        return open_store(cfg)
    except StoreUnavailable as exc:
        fail("store_unavailable", f"{exc} (is the disk full, or the database down?)")


def require_network(root: Path) -> config.NetworkConfig:
    if not config.is_network(root):
        fail(
            "not_a_network",
            f"{root} is not a finmesh network folder (run: finmesh init {root} --demo)",
        )
    return config.NetworkConfig.load(root)


@click.command()
@network_dir
@click.option("--demo", is_flag=True, help="load the demo directory and participant profiles")
@click.option("--url", default=None, help="node URL written into profiles")
@click.option("--name", default="finmesh", show_default=True, help="network name")
@click.option(
    "--database",
    envvar="FINMESH_DATABASE_URL",
    default=None,
    help="PostgreSQL database for the network, postgresql://host[:port]/dbname (created "
    "if missing; default $FINMESH_DATABASE_URL, else SQLite in DIRECTORY)",
)
@passphrase_file_option
def init(
    directory: Path,
    demo: bool,
    url: str | None,
    name: str,
    database: str | None,
    passphrase_file: Path | None,
) -> None:
    """Create a network in DIRECTORY: CA, store (SQLite in DIRECTORY, or the PostgreSQL
    database of --database), and with --demo a directory of 11,000+ institutions and
    ready participant profiles.

    The CA and operator keys are encrypted with the passphrase from --passphrase-file or
    $FINMESH_PASSPHRASE(_FILE); without --demo one is required. A demo network without
    one gets a random passphrase in DIRECTORY/DEMO-PASSPHRASE (never use that in
    production: it lies beside the keys it unlocks)."""
    with progress_bar() as bar:
        tasks: dict[str, object] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        cfg = init_network(
            directory,
            demo=demo,
            url=url or config.default_url(),
            name=name,
            progress=progress,
            passphrase=_passphrase(passphrase_file),
            database_url=database or None,
        )
    if demo:
        stderr.print(
            "note: the demo made the keys of its own demo banks (they sit in"
            f" {directory / 'participants'}); a real institution makes its own key and sends"
            " a CSR: finmesh participant csr, then finmesh participant add DIR BIC --csr FILE"
        )
    store = open_network_store(cfg)
    try:
        emit({"network": str(directory), "url": cfg.url, **store.directory_stats()})
    finally:
        store.close()


@click.command()
@network_dir
@click.option("--host", default=None, help="address to bind (default $FINMESH_HOST, 127.0.0.1)")
@click.option(
    "--port",
    default=None,
    type=click.IntRange(1, 65535),
    help="port to bind (default: $FINMESH_PORT, else the port of the network's URL, the"
    " one written into its profiles)",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="node processes sharing the store (one per core is a good start)",
)
@click.option(
    "--log-level",
    type=click.Choice(config.LOG_LEVELS, case_sensitive=False),
    default=None,
    help="debug, info, warning or error (default $FINMESH_LOG_LEVEL, info); the format "
    "is $FINMESH_LOG_FORMAT: json (default) or text",
)
def serve(
    directory: Path, host: str | None, port: int | None, workers: int, log_level: str | None
) -> None:
    """Run the network node over DIRECTORY's store."""
    import uvicorn

    from finmesh.api.logs import log_config
    from finmesh.api.server import PROTOCOL, SHUTDOWN_SECONDS

    cfg = require_network(directory)
    open_network_store(cfg).close()  # schema known and database reachable
    bind_host = config.default_host() if host is None else host
    bind_port = _bind_port(cfg, port)
    logging = log_config((log_level or config.log_level()).lower(), config.log_format())
    _prepare_metrics(directory)  # before anything imports prometheus_client
    stderr.print(f"finmesh node for {directory} listening on http://{bind_host}:{bind_port}")
    profiles = urlsplit(cfg.url)
    if (profiles.hostname, profiles.port) != (bind_host, bind_port):
        stderr.print(
            f"note: the profiles in {directory} point at {cfg.url}; clients of this node"
            f" need --url http://{bind_host}:{bind_port}"
        )
    common: dict[str, Any] = {
        "host": bind_host,
        "port": bind_port,
        "log_config": logging,
        "access_log": False,  # the node writes its own http.request lines
        "ws": "none",
        "http": PROTOCOL,
        "timeout_graceful_shutdown": SHUTDOWN_SECONDS,
    }
    if workers > 1:
        from finmesh.api.workers import serve_forked

        os.environ["FINMESH_NETWORK"] = str(directory.resolve())
        serve_forked(workers, common)
        return
    from finmesh.api.app import create_app
    from finmesh.node.root import Node

    node = Node(directory)
    try:
        uvicorn.run(create_app(node), **common)
    finally:
        node.close()


def _prepare_metrics(directory: Path) -> None:
    from finmesh.api import metrics_dir

    metrics_dir.prepare(directory)


def _bind_port(cfg: config.NetworkConfig, port: int | None) -> int:
    """--port, else $FINMESH_PORT (a bad value is a coded bad_setting), else the port of
    the URL the profiles name, so a node started without options serves where its
    participants' profiles send."""
    if port is not None:
        return port
    if os.environ.get("FINMESH_PORT"):
        return config.default_port()
    try:
        return urlsplit(cfg.url).port or config.default_port()
    except ValueError:
        return config.default_port()


@click.group()
def directory() -> None:
    """The institution directory."""


@directory.command("stats")
@network_dir
@click.option("--json", "as_json", is_flag=True, help="print JSON (the default)")
def directory_stats(directory: Path, as_json: bool) -> None:
    """Counts of institutions, countries, real and generated entries, participants."""
    cfg = require_network(directory)
    store = open_network_store(cfg)
    try:
        emit(store.directory_stats())
    finally:
        store.close()


@directory.command("import")
@network_dir
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def directory_import(directory: Path, csv_file: Path) -> None:
    """Import institutions from CSV (columns bic,name[,city,parent_bic,share]).
    Nothing is imported if any line is invalid."""
    cfg = require_network(directory)
    try:
        result = parse_directory_csv(csv_file.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        fail("bad_encoding", f"{csv_file} is not UTF-8 text: {exc}")
    if result.errors:
        for error in result.errors:
            emit({"line": error.line, "error": error.message})
        fail("directory_invalid", f"{len(result.errors)} invalid line(s); nothing imported")
    store = open_network_store(cfg)
    try:
        count = store.load_directory(result.institutions, result.links)
        emit({"imported": count, "links": len(result.links)})
    finally:
        store.close()


@click.command()
@network_dir
def openapi(directory: Path) -> None:
    """Print the node's OpenAPI document."""
    from finmesh.api.app import create_app
    from finmesh.node.root import Node

    require_network(directory)
    node = Node(directory)
    try:
        click.echo(json.dumps(create_app(node).openapi(), indent=2))
    finally:
        node.close()


COMMANDS = (init, serve, directory, openapi)
