"""A throwaway demo network and a real ``finmesh serve`` process over it.

The network is made by the CLI itself (``finmesh init DIR --demo``), so a benchmark
measures what a user would run. Extra participants (more senders, or 1,000 receivers)
are onboarded in-process: one CLI call per participant would take minutes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from finmesh.config import NetworkConfig

READY_SECONDS_MAX = 60.0
STOP_SECONDS_MAX = 15.0
INIT_SECONDS_MAX = 300.0


class BenchmarkSetupFailed(RuntimeError):
    """The scratch network or its node could not be made ready."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    from finmesh.demo_directory import build_demo_directory, sanctions_demo_entities
    from finmesh.network_init import load_ca, onboard
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
    from finmesh.node import system_clock
    from finmesh.store.factory import open_store

    store = open_store(NetworkConfig.load(root))
    try:
        for sender, receiver in pairs:
            store.rma_grant_pairs([sender[:8], receiver[:8]], "network", system_clock())
    finally:
        store.close()


_SERVE_WHILE_PARENT_LIVES = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit("the benchmark that started this node is gone")
from finmesh.cli import main
sys.argv = ["finmesh", *sys.argv[2:]]
main()
"""
"""``finmesh ARGS`` that gets SIGTERM when the benchmark process dies, however it dies
(Linux), so no node outlives its benchmark on a shared machine."""


@dataclass
class NodeServer:
    """``finmesh serve ROOT --workers N`` in its own process group on a free port."""

    root: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> NodeServer:
        command = [sys.executable, "-c", _SERVE_WHILE_PARENT_LIVES, str(os.getpid())]
        command += ["serve", str(self.root)]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        with (self.root / "serve.log").open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stop() reaches the workers too
                env={**os.environ, **self.env},
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS_MAX
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise BenchmarkSetupFailed((self.root / "serve.log").read_text()[-2000:])
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/v1/health", timeout=0.5).status_code == 200:
                    return
            time.sleep(0.05)
        self.stop()
        raise BenchmarkSetupFailed("the node did not answer /v1/health in time")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_SECONDS_MAX)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextlib.contextmanager
def serving(root: Path, workers: int, env: dict[str, str] | None = None) -> Iterator[NodeServer]:
    server = NodeServer(root, workers=workers, env=env or {}).start()
    try:
        yield server
    finally:
        server.stop()


def pairs(folders: Sequence[Path], count: int) -> list[tuple[Path, str]]:
    """``count`` (sender profile, receiver BIC11) pairs, each sender distinct, each
    sending to the next participant in the list."""
    if len(folders) < 2:
        raise BenchmarkSetupFailed("a network needs two participants to send anything")
    if count > len(folders):
        raise BenchmarkSetupFailed(f"{count} senders need {count} participants")
    return [(folders[i], folders[(i + 1) % len(folders)].name) for i in range(count)]
