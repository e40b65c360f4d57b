"""The finmesh command line. Every command prints JSON (one object per line) on stdout;
progress and human notes go to stderr."""

from __future__ import annotations

import click

from finmesh.cli import bench, compliance, demo, messaging, network, screening, translate, trust


@click.group()
@click.version_option(package_name="finmesh")
def main() -> None:
    """finmesh: an open financial messaging network."""


for command in (
    *network.COMMANDS,
    *messaging.COMMANDS,
    *compliance.COMMANDS,
    demo.demo,
    *bench.COMMANDS,
    *trust.COMMANDS,
    *screening.COMMANDS,
    *translate.COMMANDS,
):
    main.add_command(command)
