"""The one way every ``finmesh`` command speaks.

- Results: JSON on stdout, one value per line (``emit``): an object for one result,
  an array for a listing (``emit_rows``). Listing commands print a readable table
  instead when stdout is a terminal and ``--json`` was not given; scripts and pipes
  always get JSON.
- Errors: exactly one line ``error: CODE: message`` on stderr and a non-zero exit
  (``fail``, or any FinmeshError / ApiError / OSError reaching ``run``). Never a Python
  repr, never a traceback: an unexpected exception is reported as ``internal_error``
  with its type, and ``FINMESH_DEBUG=1`` re-raises it for a developer.
- Progress and human notes: stderr (``stderr``, ``progress_bar``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from finmesh.client import ApiError
from finmesh.domain.errors import FinmeshError

stderr = Console(stderr=True, highlight=False)
EXIT_FAILED = 1
EXIT_USAGE = 2
CELL_CHARS_MAX = 60


class CliFailure(Exception):
    """A command's refusal: printed as ``error: CODE: message``, exit ``exit_code``."""

    def __init__(self, code: str, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code


INSTANT_KEYS = frozenset(
    {
        "at_ms", "created_ms", "effective_ms", "lift_effective_ms", "valid_from_ms",
        "valid_until_ms", "granted_ms", "rotated_ms", "usable_until_ms", "revoked_ms",
        "expires_ms", "loaded_ms", "proposed_ms", "approved_ms", "withdrawn_ms",
        "from_ms", "to_ms",
    }
)  # fmt: skip
"""Fields holding an instant in epoch milliseconds (never a duration): each printed with
an ISO 8601 sibling without the suffix (``effective_ms`` -> ``effective``)."""


def iso_instant(ms: int) -> str:
    """Epoch milliseconds as an ISO 8601 UTC instant ("2026-11-25T17:00:00.000Z")."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def with_iso_times(obj: Any) -> Any:
    """``obj`` with an ISO 8601 sibling beside every instant in milliseconds (nested
    too); an existing sibling is left as it is, a null instant gets a null sibling."""
    if isinstance(obj, list):
        return [with_iso_times(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        out[key] = with_iso_times(value)
        if key in INSTANT_KEYS and key[:-3] not in obj:
            stamp = value if isinstance(value, int) and not isinstance(value, bool) else None
            out[key[:-3]] = None if stamp is None else iso_instant(stamp)
    return out


def emit(obj: Any) -> None:
    click.echo(json.dumps(with_iso_times(obj), ensure_ascii=False))
    sys.stdout.flush()


def emit_rows(
    rows: Iterable[Mapping[str, Any]], as_json: bool, columns: Sequence[str] | None = None
) -> None:
    """One JSON array, or a table of ``columns`` (default: the first row's keys) on a
    terminal without ``--json``."""
    materialised = with_iso_times(list(rows))
    if as_json or not sys.stdout.isatty():
        emit(materialised)
        return
    names = list(columns or (materialised[0].keys() if materialised else ()))
    table = Table(*names, show_lines=False)
    for row in materialised:
        table.add_row(*(_cell(row.get(name)) for name in names))
    Console().print(table)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= CELL_CHARS_MAX else text[: CELL_CHARS_MAX - 1] + "…"


def fail(code: str, message: str, exit_code: int = EXIT_FAILED) -> NoReturn:
    raise CliFailure(code, message, exit_code)


def error_of(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) for an error a command let through."""
    if isinstance(exc, CliFailure):
        return exc.code, exc.message
    if isinstance(exc, ApiError):
        return _api_error(exc)
    if isinstance(exc, FinmeshError):
        return _code_of(exc), str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return "os_error", f"{exc.strerror or exc}{where}"
    return "internal_error", f"{type(exc).__name__}: {exc}"


def _api_error(exc: ApiError) -> tuple[str, str]:
    body = exc.body if isinstance(exc.body, dict) else {"message": str(exc.body)}
    code = str(body.get("error") or "http_error")
    message = str(body.get("message") or "")
    if body.get("reason"):
        message = f"{body['reason']} {message}".strip()
    return code, f"{message} (HTTP {exc.status})".strip()


def _code_of(exc: FinmeshError) -> str:
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return code
    # CamelCase class name to snake_case: NotFound -> not_found
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run(command: click.Command, args: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI; every refusal becomes one ``error:`` line and an exit status."""
    try:
        command.main(args=args, standalone_mode=False)
    except click.exceptions.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click.exceptions.Abort:
        _print_error("aborted", "interrupted")
        raise SystemExit(130) from None
    except click.UsageError as exc:
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        _print_error("usage", exc.format_message() + hint)
        raise SystemExit(EXIT_USAGE) from None
    except click.ClickException as exc:
        _print_error("usage", exc.format_message())
        raise SystemExit(exc.exit_code) from None
    except CliFailure as exc:
        _print_error(exc.code, exc.message)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        _print_error("aborted", "interrupted")
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except BaseException as exc:
        if os.environ.get("FINMESH_DEBUG") == "1":
            raise
        code, message = error_of(exc)
        _print_error(code, message)
        raise SystemExit(EXIT_FAILED) from None
    raise SystemExit(0)


def _print_error(code: str, message: str) -> None:
    sys.stdout.flush()
    click.echo(f"error: {code}: {_one_line(message)}", err=True)


def guarded(action: Callable[[], Any], code: str, context: str) -> Any:
    """``action()``, with an OSError or FinmeshError reported as ``code: context: ...``."""
    try:
        return action()
    except (OSError, FinmeshError) as exc:
        fail(code, f"{context}: {error_of(exc)[1]}")


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
