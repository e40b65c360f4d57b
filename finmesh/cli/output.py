"""Shared CLI output helpers: JSON lines out, progress and errors to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

stderr = Console(stderr=True)


def emit(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> None:
    stderr.print(f"[red]error:[/red] {message}")
    raise SystemExit(code)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
        disable=not stderr.is_terminal,
    )
    with bar:
        yield bar
