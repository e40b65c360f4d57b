"""Scale runs: throughput with millions of messages stored, and a thousand receivers.

History: the same closed-loop intake run on one network, first empty, then after
preloading history in SQL (see history.py) up to each size; the node is restarted
after each preload. The cost of intake must not grow with what is stored.

Receivers: a thousand more participants are onboarded (each its own key and
certificate, each authorized by RMA to receive from the senders) and all keep a long
poll open at once. Measured: that they all are connected, what the idle connections
cost the node, open-loop latency to them (each message to one of them, so one
commit wakes only the receivers it concerns), and closed-loop intake while they wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import scratch
from benchmarks.crowd import Crowd, process_count
from benchmarks.history import preload_postgres, preload_sqlite
from benchmarks.intake import IntakeSettings, bench_network, load_list
from benchmarks.load import run_closed_loop
from benchmarks.openloop import run_open_loop
from benchmarks.screening.listed_names import Composed
from benchmarks.stats import tree_cpu_seconds
from finmesh.node.launcher import serving

IDLE_SECONDS = 5.0
SENDERS = 2

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def run_history(
    settings: IntakeSettings, sizes: Sequence[int], say: Say = _quiet
) -> list[dict[str, Any]]:
    """Closed-loop intake at each history size (ascending), on one growing store."""
    out: list[dict[str, Any]] = []
    with bench_network(settings, settings.clients + 1) as (root, url):
        folders = scratch.participant_folders(root)
        pairs = scratch.pairs(folders, settings.clients)
        scratch.authorize_pairs(root, [(p.name, r) for p, r in pairs])
        everyone = [f.name for f in folders]
        stored = 0
        listed: tuple[Composed, ...] | None = None
        for size in sorted(set(sizes)):
            preload: dict[str, Any] = {}
            if size > stored:
                say(f"history: preloading {size - stored:,} messages in SQL")
                preload = _preload(root, url, everyone, size - stored)
                stored = size
            say(f"history: intake with {size:,} messages stored")
            with serving(root, settings.workers) as server:
                # the list is stored with the network: loaded once, indexed at each start
                listed = listed if size != min(sizes) else load_list(
                    root, server.url, settings.screening_entries
                )
                run = run_closed_loop(server.url, server.pid, pairs, settings.batch,
                                      settings.seconds, settings.warmup, listed)
            out.append({"history_messages": size, "preload": preload,
                        "screening_entries": settings.screening_entries, **run})
    empty = out[0]["msgs_per_s"] if out and out[0]["history_messages"] == 0 else None
    for row in out:
        row["ratio_to_empty"] = round(row["msgs_per_s"] / empty, 3) if empty else None
    return out


def _preload(root: Path, url: str | None, participants: list[str], count: int) -> dict[str, Any]:
    if url is None:
        return preload_sqlite(root / "finmesh.db", participants, count)
    return preload_postgres(url, participants, count)


def run_receivers(
    settings: IntakeSettings, receivers: int, rate: float, say: Say = _quiet
) -> dict[str, Any]:
    """``receivers`` long polls held at once, with open-loop and closed-loop traffic."""
    with bench_network(settings, SENDERS + receivers) as (root, _url):
        folders = scratch.participant_folders(root)
        senders, crowd_folders = folders[:SENDERS], folders[SENDERS : SENDERS + receivers]
        names = tuple(f.name for f in crowd_folders)
        say(f"receivers: authorizing {SENDERS} senders for {len(names)} receivers (RMA)")
        scratch.authorize_pairs(root, [(s.name, r) for s in senders for r in names])
        pairs = [(s, names[i::SENDERS]) for i, s in enumerate(senders)]
        with serving(root, settings.workers) as server:
            listed = load_list(root, server.url, settings.screening_entries)
            say(f"receivers: connecting {len(names)} long polls")
            crowd = Crowd(server.url, crowd_folders, process_count(len(names)))
            try:
                connected = crowd.wait_connected()
                idle = _idle_cost(server.pid, crowd)
                say(f"receivers: {rate:,.0f} msgs/s offered to them, open loop")
                latency = run_open_loop(server.url, pairs, rate, settings.seconds,
                                        settings.warmup, crowd, server.pid)
                say("receivers: closed-loop intake while they wait")
                intake = run_closed_loop(server.url, server.pid, list(pairs), settings.batch,
                                         settings.seconds, settings.warmup, listed)
                still = crowd.ask("report")
            finally:
                crowd.stop()
            alive = server.alive()
    return {
        "receivers": len(names),
        "long_polls_outstanding_at_start": connected["polling"],
        "long_polls_outstanding_at_end": still["polling"],
        "receiver_errors": still["errors"],
        "node_alive_after": alive,
        **idle,
        "open_loop": latency,
        "closed_loop": intake,
    }


def _idle_cost(pid: int, crowd: Crowd) -> dict[str, Any]:
    """Node CPU while every receiver waits and nothing is sent."""
    before, polls_before = tree_cpu_seconds(pid), crowd.ask("report")["polls"]
    time.sleep(IDLE_SECONDS)
    after, polls_after = tree_cpu_seconds(pid), crowd.ask("report")["polls"]
    return {
        "idle_node_cpu_fraction": round((after - before) / IDLE_SECONDS, 3),
        "idle_polls_per_s": round((polls_after - polls_before) / IDLE_SECONDS, 1),
    }
