"""Many receivers connected at once: one long poll each, held open against the node.

Each crowd process runs its share of receivers on one asyncio loop with raw HTTP/1.1
over keep-alive connections (an HTTP client library per receiver would cost more CPU
than the node under test). Each receiver signs every request with its own key, keeps
a long poll (GET /v1/deliveries?wait=...) outstanding, records when each message
arrives, acknowledges each page, and polls again at once.

The orchestrator talks to each process over a pipe: "report" returns the arrival times
gathered so far (and forgets them), "stop" ends the process.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.stats import die_with_parent
from benchmarks.traffic import BenchmarkInvalid
from finmesh.identity.profile import load_profile
from finmesh.identity.request_auth import sign_request

POLL_WAIT_SECONDS = 20
CONNECT_SPREAD_SECONDS = 2.0
"""Receivers connect over this long, not all in the same millisecond."""
READY_SECONDS_MAX = 120.0
REPLY_SECONDS_MAX = 60.0


@dataclass
class _State:
    seen: dict[str, float] = field(default_factory=dict)
    polling: int = 0
    polls: int = 0
    errors: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


class _Receiver:
    def __init__(self, folder: Path, host: str, port: int, state: _State) -> None:
        profile = load_profile(folder)
        self.key, self.subject = profile.key, profile.subject
        self.host, self.port, self.state = host, port, state

    async def _call(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
        method: str, target: str, body: bytes = b"",
    ) -> Any:
        while True:
            headers = sign_request(self.key, self.subject, method, target, body)
            lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
            writer.write("\r\n".join(lines).encode() + body)
            status, data = await _read_response(reader)
            if status == 429:
                await asyncio.sleep(float(json.loads(data).get("retry_after_s", 0.05)))
                continue
            if status != 200:
                raise BenchmarkInvalid(f"{method} {target}: HTTP {status} {data[:200]!r}")
            return json.loads(data)

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        reader, writer = await asyncio.open_connection(self.host, self.port)
        after: int | None = None
        try:
            while not self.state.stop.is_set():
                target = f"/v1/deliveries?limit=1000&wait={POLL_WAIT_SECONDS}"
                target += "" if after is None else f"&after={after}"
                self.state.polling += 1
                self.state.polls += 1
                try:
                    page = (await self._call(reader, writer, "GET", target))["messages"]
                finally:
                    self.state.polling -= 1
                now = time.time()
                for m in page:
                    self.state.seen.setdefault(m["id"], now)
                if page:
                    after = page[-1]["osn"]
                    ack = b'{"osn": %d}' % after
                    await self._call(reader, writer, "POST", "/v1/deliveries/ack", ack)
        finally:
            writer.close()


async def _crowd(url: str, folders: Sequence[str], control: Connection) -> None:
    parts = urlsplit(url)
    state = _State()
    loop = asyncio.get_running_loop()
    receivers = [
        _Receiver(Path(f), parts.hostname or "127.0.0.1", parts.port or 80, state) for f in folders
    ]
    spread = CONNECT_SPREAD_SECONDS / max(1, len(receivers))
    tasks = [asyncio.create_task(r.run(i * spread)) for i, r in enumerate(receivers)]
    for task in tasks:
        task.add_done_callback(lambda t: _note_failure(t, state))

    async def answer(command: str) -> dict[str, Any]:
        seen, state.seen = state.seen, {}
        if command == "stop":
            state.stop.set()
            for task in tasks:
                task.cancel()
        return {"seen": seen, "polling": state.polling, "polls": state.polls,
                "errors": state.errors[:3]}

    def serve_commands() -> None:
        while True:
            command = control.recv()
            control.send(asyncio.run_coroutine_threadsafe(answer(command), loop).result())
            if command == "stop":
                return

    commands = threading.Thread(target=serve_commands, daemon=True)
    commands.start()
    await asyncio.gather(*tasks, return_exceptions=True)


def _note_failure(task: asyncio.Task[None], state: _State) -> None:
    if not task.cancelled() and task.exception() is not None:
        state.errors.append(f"{type(task.exception()).__name__}: {task.exception()}")


def _crowd_main(url: str, folders: Sequence[str], control: Connection) -> None:
    die_with_parent()
    try:
        asyncio.run(_crowd(url, folders, control))
    except BaseException:
        control.send({"error": traceback.format_exc()})


class Crowd:
    """Receivers spread over ``processes`` processes, all long polling one node."""

    def __init__(self, url: str, folders: Sequence[Path], processes: int = 2) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        shares = [[str(f) for f in folders[i::processes]] for i in range(processes)]
        for share in shares:
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_crowd_main, args=(url, share, theirs), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        self.size = len(folders)

    def ask(self, command: str) -> dict[str, Any]:
        """Arrival times since the last report, and how many polls are outstanding now."""
        seen: dict[str, float] = {}
        polling = polls = 0
        errors: list[str] = []
        for pipe in self.pipes:
            pipe.send(command)
            if not pipe.poll(REPLY_SECONDS_MAX):
                raise BenchmarkInvalid("a crowd process did not answer")
            reply = pipe.recv()
            if "error" in reply:
                raise BenchmarkInvalid(f"a crowd process failed: {reply['error']}")
            seen.update(reply["seen"])
            polling += reply["polling"]
            polls += reply["polls"]
            errors += reply["errors"]
        return {"seen": seen, "polling": polling, "polls": polls, "errors": errors}

    def wait_connected(self) -> dict[str, Any]:
        """Wait until every receiver has a long poll outstanding (or time runs out)."""
        deadline = time.monotonic() + READY_SECONDS_MAX
        while True:
            state = self.ask("report")
            if state["errors"]:
                raise BenchmarkInvalid(f"receivers failed: {state['errors']}")
            if state["polling"] >= self.size or time.monotonic() > deadline:
                return state
            time.sleep(0.5)

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send("stop")
                pipe.poll(REPLY_SECONDS_MAX) and pipe.recv()
            except (OSError, EOFError):
                pass
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


def process_count(receivers: int) -> int:
    return max(1, min(os.cpu_count() or 1, (receivers + 499) // 500))
