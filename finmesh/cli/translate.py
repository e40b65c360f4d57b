"""``finmesh translate``: an MT (FIN) message as ISO 20022, or the reverse.

The translated message goes to stdout as it is; the translation report (JSON) goes to
stderr when it has notes, or always to ``--report FILE``. A refused input prints one
line ``error: CODE: message`` on stderr and exits 1.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import click

from finmesh.domain import limits, mt
from finmesh.domain.errors import FinmeshError, Rejected
from finmesh.node.schemas import packaged_registry


def _read(source: BinaryIO, bytes_max: int) -> bytes:
    data = source.read(bytes_max + 1)
    if len(data) > bytes_max:
        _refuse("M60" if bytes_max == mt.MESSAGE_BYTES_MAX else "M01",
                f"input exceeds {bytes_max} bytes")
    return data


def _refuse(code: str, message: str) -> None:
    click.echo(f"error: {code}: {message}", err=True)
    raise SystemExit(1)


def _error_line(exc: FinmeshError) -> tuple[str, str]:
    if isinstance(exc, mt.MtError):
        return exc.code, str(exc).split(": ", 1)[1] if ": " in str(exc) else exc.detail
    if isinstance(exc, Rejected):
        return exc.reason.code, exc.reason.text + (f": {exc.detail}" if exc.detail else "")
    return "error", str(exc)


@click.command()
@click.option("--to", "target", type=click.Choice(["mx", "mt"]), required=True,
              help="mx: FIN message in, ISO 20022 out; mt: the reverse")
@click.argument("file", type=click.File("rb"))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="write the translation report (JSON) to this file")
@click.option("--allow-missing-uetr", is_flag=True,
              help="accept MT103/202 without field 121, as FIN did before November 2018")
@click.option("--created", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z"]), default=None,
              help="creation time to write in AppHdr/GrpHdr (default: now)")
def translate(target: str, file: BinaryIO, report_path: Path | None,
              allow_missing_uetr: bool, created: datetime | None) -> None:
    """Translate FILE ('-' for stdin) between MT (FIN) and ISO 20022 (CBPR+)."""
    try:
        if target == "mx":
            payload = _read(file, mt.MESSAGE_BYTES_MAX)
            result = mt.mt_to_mx(payload, now=created, require_uetr=not allow_missing_uetr)
        else:
            payload = _read(file, limits.MESSAGE_BYTES_MAX)
            result = mt.mx_to_mt(payload, packaged_registry())
    except FinmeshError as exc:
        code, message = _error_line(exc)
        _refuse(code, " ".join(message.split()))
        return
    sys.stdout.buffer.write(result.payload + b"\n")
    sys.stdout.flush()
    document = json.dumps(result.report.as_dict(), ensure_ascii=False)
    if report_path is not None:
        report_path.write_text(document + "\n", encoding="utf-8")
    elif result.report.notes:
        click.echo(document, err=True)


COMMANDS = (translate,)
