"""Where prometheus-client's multiprocess mode keeps each worker's metric files.

Kept apart from ``metrics`` because prometheus-client chooses its mode when it is first
imported: ``prepare`` must run before that, in the process that starts the workers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(root: Path) -> Path:
    """Point multiprocess mode at an emptied ``root/run/metrics`` (a restarted node
    starts its counters from zero, as Prometheus expects of a restarted target)."""
    folder = root / "run" / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder.resolve())
    return folder
