"""Test helpers: a demo network template built once per run, copied per test, and a
real node process on a free loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from finmesh.network_init import init_network

READY_SECONDS_MAX = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_template(root: Path) -> Path:
    template = root / "template"
    init_network(template, demo=True, url="http://127.0.0.1:1", name="test")
    return template


def copy_network(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@dataclass
class NodeProcess:
    """`finmesh serve` in its own process group, so kill -9 takes all of it."""

    root: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NodeProcess:
        log = (self.root / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "finmesh", "serve", str(self.root), "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **self.env},
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS_MAX
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError((self.root / "serve.log").read_text())
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise TimeoutError("node did not become ready")

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()


def participants(root: Path) -> list[Path]:
    return sorted((root / "participants").iterdir())
