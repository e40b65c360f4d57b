"""``finmesh serve`` as a child process on a free loopback port: the one way tests,
benchmarks and scripts start a real node and wait until it answers.

The child runs in its own process group (``stop`` and ``kill9`` reach every worker)
and, on Linux, gets SIGTERM when the process that started it dies, however it dies, so
no node outlives its test or benchmark on a shared machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

READY_SECONDS_MAX = 60.0
STOP_SECONDS_MAX = 15.0
LOG_TAIL_CHARS = 2000
LOG_FILE = "serve.log"

_SERVE_WHILE_PARENT_LIVES = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit("the process that started this node is gone")
from finmesh.cli import main
sys.argv = ["finmesh", *sys.argv[2:]]
main()
"""


class NodeStartFailed(RuntimeError):
    """The node process exited, or did not answer its health check in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class NodeProcess:
    """``finmesh serve ROOT --port P --workers N``; its output goes to ROOT/serve.log."""

    root: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    """Further ``finmesh serve`` options, e.g. ``("--log-level", "debug")``."""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise NodeStartFailed("the node was never started")
        return self.process.pid

    @property
    def log(self) -> Path:
        return self.root / LOG_FILE

    def start(self, ready_seconds: float = READY_SECONDS_MAX) -> NodeProcess:
        command = [sys.executable, "-c", _SERVE_WHILE_PARENT_LIVES, str(os.getpid())]
        command += ["serve", str(self.root), "--port", str(self.port)]
        command += ["--workers", str(self.workers), *self.args]
        # the child keeps its own copy of the log descriptor; ours is closed at once
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
            )
        self.wait_ready(ready_seconds)
        return self

    def wait_ready(self, seconds: float = READY_SECONDS_MAX) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise NodeStartFailed(self._log_tail())
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/v1/health", timeout=0.5).status_code == 200:
                    return
            time.sleep(0.05)
        self.stop()
        raise NodeStartFailed(f"the node did not answer /v1/health within {seconds} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL the whole process group: a crash, with no chance to clean up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_SECONDS_MAX."""
        if not self.alive():
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_SECONDS_MAX)
        except subprocess.TimeoutExpired:
            self.kill9()

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError as exc:
            return f"the node exited; its log is unreadable: {exc}"


@contextlib.contextmanager
def serving(
    root: Path, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[NodeProcess]:
    """A started node for the duration of a ``with`` block."""
    node = NodeProcess(root, workers=workers, env=env or {}).start()
    try:
        yield node
    finally:
        node.stop()
