"""Over HTTP against a real ``finmesh serve`` process on loopback, with the Python client.

The client (this process) and the node (its own process) share the machine's cores,
so per-message CPU is reported for both sides.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    Deadline,
    Probe,
    Result,
    Settings,
    generate_messages,
    median,
    participant_folders,
    percentile,
    process_cpu_seconds,
    project_root,
)
from finmesh.client import Client

BATCH_SIZES = (1, 10, 100)
THREADS = (1, 4)
WARMUP_MESSAGES = 20
SUSTAINED_POOL_FACTOR = 1.5
SUSTAINED_POOL_MAX = 250_000


class BenchmarkInvalid(RuntimeError):
    """The node refused messages it should accept: numbers would be wrong."""


@dataclass
class Config:
    batch: int
    threads: int

    @property
    def label(self) -> str:
        return f"submit batch {self.batch}, {self.threads} thread{'s' if self.threads > 1 else ''}"


class Pool:
    """Unsent messages of one sender; each is taken exactly once (duplicates are cheaper)."""

    def __init__(self, messages: list[bytes]) -> None:
        self.messages = messages
        self.at = 0

    def take(self, n: int) -> list[bytes]:
        part = self.messages[self.at : self.at + n]
        self.at += len(part)
        return part

    def left(self) -> int:
        return len(self.messages) - self.at


def _check(results: list[dict[str, Any]], expected: int) -> None:
    if len(results) != expected:
        raise BenchmarkInvalid(f"{expected} sent, {len(results)} results")
    for r in results:
        if r["status"] != "ACK" or r.get("duplicate"):
            raise BenchmarkInvalid(f"node refused a generated message: {r}")
        if r.get("held"):
            raise BenchmarkInvalid(f"node held a generated message (policy): {r}")


class HttpBench:
    def __init__(self, template: Path, scratch: Path, settings: Settings, probe: Probe) -> None:
        self.settings = settings
        self.probe = probe
        root = scratch / "http-node"
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(template, root)
        self.root = root
        folders = participant_folders(root)
        self.sender_folders = folders[: max(THREADS)]
        self.receiver_folder = folders[-1]
        self.receiver = self.receiver_folder.name
        self.pools: dict[str, Pool] = {}
        self.node: Any = None

    # --- setup ---

    def messages_needed(self) -> dict[str, int]:
        s = self.settings
        need = {f.name: 0 for f in self.sender_folders}
        first = self.sender_folders[0].name
        for batch in BATCH_SIZES:
            per_rep = s.http_messages[batch]
            for threads in THREADS:
                for f in self.sender_folders[:threads]:
                    need[f.name] += s.reps * (per_rep // threads + batch)
        need[first] += s.reps * s.latency_requests + WARMUP_MESSAGES * len(self.sender_folders)
        return need

    def generate(self, need: dict[str, int]) -> float:
        started = time.perf_counter()
        for folder in self.sender_folders:
            count = need.get(folder.name, 0)
            if count:
                made = [p for p, _ in generate_messages(folder, self.receiver, count, sign=False)]
                old = self.pools.get(folder.name)
                left = old.messages[old.at :] if old else []
                self.pools[folder.name] = Pool(left + made)
        return time.perf_counter() - started

    def start(self) -> str:
        if str(project_root()) not in sys.path:
            sys.path.insert(0, str(project_root()))
        from tests.netutil import NodeProcess

        self.node = NodeProcess(self.root)  # assigned first, so stop() can always reach it
        self.node.start()
        url: str = self.node.url
        # Warm up every sender: schemas compiled in the node, certificates cached, pools open.
        for folder in self.sender_folders:
            with self._client(folder) as client:
                batch = self.pools[folder.name].take(WARMUP_MESSAGES)
                _check(client.send(batch), len(batch))
        return url

    def stop(self) -> None:
        if self.node is not None:
            if self.node.process is not None:
                self.node.stop()
            self.node = None

    def _client(self, folder: Path) -> Client:
        return Client.from_profile(folder, url=self.node.url)

    def server_cpu(self) -> float:
        return process_cpu_seconds(self.node.process.pid)

    # --- submit throughput ---

    def _run_threads(
        self, config: Config, clients: list[Client], per_thread: int, seconds: float,
        progress: list[int] | None = None,
    ) -> tuple[int, float, float, float]:
        """Each thread sends ``per_thread`` messages in batches.

        Returns (messages done, wall seconds, client CPU seconds, node CPU seconds).
        """
        done = [0] * config.threads
        errors: list[BaseException] = []
        barrier = threading.Barrier(config.threads + 1)
        deadline_box: list[Deadline] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            client = clients[i]
            pool = self.pools[self.sender_folders[i].name]
            barrier.wait()
            deadline = deadline_box[0]
            try:
                while done[i] < per_thread and not deadline.passed():
                    batch = pool.take(min(config.batch, per_thread - done[i]))
                    if not batch:
                        return
                    _check(client.send(batch), len(batch))
                    done[i] += len(batch)
                    if progress is not None:
                        with lock:
                            progress[0] += len(batch)
            except BaseException as exc:  # reported after join
                errors.append(exc)

        workers = [threading.Thread(target=work, args=(i,)) for i in range(config.threads)]
        for w in workers:
            w.start()
        cpu0, server0 = time.process_time(), self.server_cpu()
        deadline_box.append(Deadline(seconds))
        barrier.wait()
        start = time.perf_counter()
        for w in workers:
            w.join()
        wall = time.perf_counter() - start
        cpu, server = time.process_time() - cpu0, self.server_cpu() - server0
        if errors:
            raise errors[0]
        return sum(done), wall, cpu, server

    def submit(self, config: Config) -> Result:
        s = self.settings
        per_rep = s.http_messages[config.batch]
        per_thread = per_rep // config.threads
        clients = [self._client(f) for f in self.sender_folders[: config.threads]]
        values, client_us, server_us = [], [], []
        probes = []
        try:
            for _ in range(s.reps):
                probes.append(self.probe.run())
                done, wall, cpu, server = self._run_threads(
                    config, clients, per_thread, s.rep_seconds_max
                )
                values.append(done / wall)
                client_us.append(cpu / done * 1e6)
                server_us.append(server / done * 1e6)
        finally:
            for c in clients:
                c.close()
        return Result(
            "http", config.label, "msgs/s", values,
            work=f"≤{per_thread * config.threads} msgs/rep, Client.send (signs each message)",
            extra={
                "batch": config.batch, "threads": config.threads,
                "client_cpu_us_per_msg": round(median(client_us), 1),
                "server_cpu_us_per_msg": round(median(server_us), 1),
                "probes": probes,
            },
        )

    def sustained(self, config: Config, expected_rate: float) -> Result:
        """The best configuration run without pause for ``sustained_seconds``, in windows."""
        s = self.settings
        total = int(min(SUSTAINED_POOL_MAX, expected_rate * s.sustained_seconds
                        * SUSTAINED_POOL_FACTOR))
        per_thread = total // config.threads
        need = {f.name: per_thread + config.batch for f in self.sender_folders[: config.threads]}
        gen_seconds = self.generate(need)
        clients = [self._client(f) for f in self.sender_folders[: config.threads]]
        progress = [0]
        window = s.sustained_seconds / s.sustained_windows
        samples: list[tuple[float, int]] = []
        outcome: list[tuple[int, float, float, float]] = []

        def sample() -> None:
            # Sampled from this thread while the senders run; bounded by the window count.
            end = time.perf_counter() + s.sustained_seconds + 5
            samples.append((time.perf_counter(), progress[0]))
            while not outcome and time.perf_counter() < end:
                time.sleep(window)
                samples.append((time.perf_counter(), progress[0]))

        sampler = threading.Thread(target=sample)
        try:
            sampler.start()
            outcome.append(self._run_threads(
                config, clients, per_thread, s.sustained_seconds, progress
            ))
            sampler.join()
        finally:
            for c in clients:
                c.close()
        done, wall, cpu, server = outcome[0]
        windows = [
            (n1 - n0) / (t1 - t0)
            for (t0, n0), (t1, n1) in itertools.pairwise(samples)
            if t1 - t0 > window * 0.5 and t1 <= samples[0][0] + wall + 0.01
        ]
        return Result(
            "http", f"sustained: {config.label}, {s.sustained_seconds:.0f}s", "msgs/s",
            windows or [done / wall],
            work=f"{done} msgs in {wall:.1f}s, rate per {window:.1f}s window",
            extra={
                "batch": config.batch, "threads": config.threads, "overall_rate": done / wall,
                "messages": done, "seconds": wall, "pool_exhausted": done >= per_thread
                * config.threads and wall < s.sustained_seconds * 0.95,
                "client_cpu_us_per_msg": round(cpu / done * 1e6, 1),
                "server_cpu_us_per_msg": round(server / done * 1e6, 1),
                "generation_seconds_untimed": round(gen_seconds, 1),
            },
        )

    # --- per-request floor ---

    def floor(self, signed: bool) -> Result:
        """Requests/s of a request that does no message work: what every request costs.

        Unsigned: GET /v1/health (HTTP stack, client and node). Signed: GET
        /v1/certificates/{bic}, which adds request signing, verify_request and the nonce
        commit (a write transaction) that every participant request pays.
        """
        s = self.settings
        sender = self.sender_folders[0]
        target = f"/v1/certificates/{self.sender_folders[1].name}"
        client = self._client(sender)
        plain = httpx.Client(base_url=self.node.url, timeout=30)
        values, client_us, server_us = [], [], []
        try:
            for _ in range(s.reps):
                deadline = Deadline(s.rep_seconds_max)
                done = 0
                cpu0, server0 = time.process_time(), self.server_cpu()
                start = time.perf_counter()
                while done < s.floor_requests and not deadline.passed():
                    if signed:
                        client.request("GET", target)
                    elif plain.get("/v1/health").status_code != 200:
                        raise BenchmarkInvalid("health check failed")
                    done += 1
                wall = time.perf_counter() - start
                values.append(done / wall)
                client_us.append((time.process_time() - cpu0) / done * 1e6)
                server_us.append((self.server_cpu() - server0) / done * 1e6)
        finally:
            client.close()
            plain.close()
        name = ("signed GET /v1/certificates (auth + nonce commit)" if signed
                else "unsigned GET /v1/health (HTTP floor)")
        return Result(
            "request floor", name, "req/s", values,
            work=f"≤{s.floor_requests} sequential requests/rep, 1 thread",
            extra={
                "client_cpu_us_per_msg": round(median(client_us), 1),
                "server_cpu_us_per_msg": round(median(server_us), 1),
                "ms_per_request": round(1000 / median(values), 3),
            },
        )

    # --- latency ---

    def latency(self) -> Result:
        s = self.settings
        client = self._client(self.sender_folders[0])
        pool = self.pools[self.sender_folders[0].name]
        p50s, p99s, everything = [], [], []
        try:
            for _ in range(s.reps):
                deadline = Deadline(s.rep_seconds_max)
                samples = []
                for _ in range(s.latency_requests):
                    if deadline.passed():
                        break
                    batch = pool.take(1)
                    if not batch:
                        break
                    start = time.perf_counter()
                    _check(client.send(batch), 1)
                    samples.append((time.perf_counter() - start) * 1000)
                if samples:
                    p50s.append(percentile(samples, 50))
                    p99s.append(percentile(samples, 99))
                    everything.extend(samples)
        finally:
            client.close()
        return Result(
            "latency", "single-message submit->ACK p50", "ms", p50s,
            work=f"≤{s.latency_requests} sequential requests/rep, idle node",
            extra={
                "p99_ms_per_rep": p99s,
                "p99_ms_median_of_reps": median(p99s) if p99s else None,
                "p50_ms_pooled": percentile(everything, 50) if everything else None,
                "p99_ms_pooled": percentile(everything, 99) if everything else None,
                "max_ms_pooled": max(everything) if everything else None,
                "samples": len(everything),
            },
        )

    # --- delivery ---

    def delivery(self, pages: int, verify: bool) -> Result | None:
        """Receiver fetches pages of 1000 (after its last OSN) and acks each page."""
        if pages <= 0:
            return None
        s = self.settings
        client = self._client(self.receiver_folder)
        values, client_us, server_us = [], [], []
        probes = []
        after: int | None = None
        try:
            for _ in range(s.reps):
                probe = self.probe.run()
                deadline = Deadline(s.rep_seconds_max)
                done = 0
                cpu0, server0 = time.process_time(), self.server_cpu()
                start = time.perf_counter()
                for _ in range(pages):
                    if deadline.passed():
                        break
                    page = client.receive(after=after, limit=1000)["messages"]
                    if not page:
                        break
                    if verify and not all(client.verify(m) for m in page):
                        raise BenchmarkInvalid("a delivered message did not verify")
                    after = page[-1]["osn"]
                    client.ack(after)
                    done += len(page)
                wall = time.perf_counter() - start
                if done:
                    probes.append(probe)
                    values.append(done / wall)
                    client_us.append((time.process_time() - cpu0) / done * 1e6)
                    server_us.append((self.server_cpu() - server0) / done * 1e6)
        finally:
            client.close()
        if not values:
            return None
        name = "delivery: fetch 1000 + " + ("verify each + ack" if verify else "ack")
        return Result(
            "delivery", name, "msgs/s", values,
            work=f"≤{pages} pages of 1000/rep, 1 receiver",
            extra={
                "client_cpu_us_per_msg": round(median(client_us), 1),
                "server_cpu_us_per_msg": round(median(server_us), 1),
                "probes": probes,
            },
        )


def matrix() -> list[Config]:
    return [Config(b, t) for b in BATCH_SIZES for t in THREADS]


def run_all(
    template: Path, scratch: Path, settings: Settings, probe: Probe, say: Callable[[str], None]
) -> tuple[list[Result], dict[str, Any]]:
    bench = HttpBench(template, scratch, settings, probe)
    results: list[Result] = []
    info: dict[str, Any] = {}
    need = bench.messages_needed()
    info["generation_seconds_untimed"] = round(bench.generate(need), 1)
    say(f"http: {sum(need.values()):,} messages generated; starting finmesh serve")
    try:
        info["url"] = bench.start()
        say("http: per-request floor (health, signed read)")
        results.append(bench.floor(signed=False))
        results.append(bench.floor(signed=True))
        for config in matrix():
            say(f"http: {config.label}")
            results.append(bench.submit(config))
        say("http: latency")
        results.append(bench.latency())
        best = max((r for r in results if r.group == "http"), key=lambda r: r.median)
        best_config = Config(best.extra["batch"], best.extra["threads"])
        say(f"http: sustained {settings.sustained_seconds:.0f}s on {best_config.label}")
        results.append(bench.sustained(best_config, best.median))
        say("http: delivery")
        for verify, pages in ((False, settings.delivery_pages), (True, settings.verify_pages)):
            found = bench.delivery(pages, verify)
            if found is not None:
                results.append(found)
    finally:
        bench.stop()
    return results, info
