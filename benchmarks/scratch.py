"""A throwaway demo network and a real ``finmesh serve`` process over it.

The network is made by the CLI itself (``finmesh init DIR --demo``), so a benchmark
measures what a user would run. Extra participants (more senders, or 1,000 receivers)
are onboarded in-process: one CLI call per participant would take minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from finmesh.config import NetworkConfig
from finmesh.node.launcher import NodeStartFailed

INIT_SECONDS_MAX = 300.0


class BenchmarkSetupFailed(NodeStartFailed):
    """The scratch network or its node could not be made ready."""


def finmesh_cli(*args: str | Path, timeout: float = INIT_SECONDS_MAX) -> str:
    """Run ``python -m finmesh ARGS``; its stdout, or BenchmarkSetupFailed with stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "finmesh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if done.returncode != 0:
        raise BenchmarkSetupFailed(f"finmesh {' '.join(map(str, args))}: {done.stderr[-2000:]}")
    return done.stdout


def create_network(root: Path, database: str | None = None) -> NetworkConfig:
    """``finmesh init ROOT --demo`` (with ``--database URL`` for PostgreSQL)."""
    args: list[str | Path] = ["init", root, "--demo", "--name", "bench"]
    if database:
        args += ["--database", database]
    finmesh_cli(*args)
    return NetworkConfig.load(root)


def participant_folders(root: Path) -> list[Path]:
    return sorted(p for p in (root / "participants").iterdir() if (p / "profile.json").exists())


def add_participants(root: Path, count: int) -> list[Path]:
    """Onboard up to ``count`` more real head offices of the demo directory, each with
    its own BIC8; returns every participant profile folder afterwards."""
    from finmesh.network.create import load_ca, onboard
    from finmesh.network.demo_directory import build_demo_directory, sanctions_demo_entities
    from finmesh.store.factory import open_store

    if count <= 0:
        return participant_folders(root)
    cfg = NetworkConfig.load(root)
    taken = {p.name[:8] for p in participant_folders(root)}
    listed = {bic[:8] for bic in sanctions_demo_entities().values()}
    institutions, _ = build_demo_directory()
    candidates = sorted(
        str(i.bic)
        for i in institutions
        if not i.generated and str(i.bic).endswith("XXX")
        and i.bic.bic8 not in taken and i.bic.bic8 not in listed
    )
    store = open_store(cfg)
    try:
        ca = load_ca(cfg)
        for bic11 in candidates[:count]:
            onboard(cfg, store, ca, bic11)
    finally:
        store.close()
    return participant_folders(root)


def authorize_pairs(root: Path, pairs: Sequence[tuple[str, str]]) -> None:
    """RMA: let each (sender, receiver) pair exchange messages (both directions)."""
    from finmesh.node.clock import system_clock
    from finmesh.store.factory import open_store

    store = open_store(NetworkConfig.load(root))
    try:
        for sender, receiver in pairs:
            store.rma_grant_pairs([sender[:8], receiver[:8]], "network", system_clock())
    finally:
        store.close()


def pairs(folders: Sequence[Path], count: int) -> list[tuple[Path, str]]:
    """``count`` (sender profile, receiver BIC11) pairs, each sender distinct, each
    sending to the next participant in the list."""
    if len(folders) < 2:
        raise BenchmarkSetupFailed("a network needs two participants to send anything")
    if count > len(folders):
        raise BenchmarkSetupFailed(f"{count} senders need {count} participants")
    return [(folders[i], folders[(i + 1) % len(folders)].name) for i in range(count)]
