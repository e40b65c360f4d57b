"""The finmesh command line. Every command prints JSON (one object per line) on stdout,
or a table for listings on a terminal; errors are one ``error: CODE: message`` line on
stderr with a non-zero exit (see ``output``); progress and notes go to stderr."""

from __future__ import annotations

import click

from finmesh.cli import (
    bench,
    compliance,
    demo,
    messaging,
    network,
    onboarding,
    ops,
    output,
    schemas,
    screening,
    tracking,
    translate,
    trust,
)


@click.group()
@click.version_option(package_name="finmesh")
def cli() -> None:
    """finmesh: an open financial messaging network."""


for command in (
    *network.COMMANDS,
    *onboarding.COMMANDS,
    *messaging.COMMANDS,
    *compliance.COMMANDS,
    demo.demo,
    *bench.COMMANDS,
    *trust.COMMANDS,
    *screening.COMMANDS,
    *schemas.COMMANDS,
    *translate.COMMANDS,
    *tracking.COMMANDS,
    *ops.COMMANDS,
):
    cli.add_command(command)


def main() -> None:
    """The ``finmesh`` entry point."""
    output.run(cli)
