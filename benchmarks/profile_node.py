"""cProfile of a node under closed-loop HTTP load: where the node's time goes per message.

The node runs in this process (one uvicorn worker) with the intake's thread hops made
inline, so one profiler sees the whole request: HTTP, authentication, JSON, intake,
storage. Client processes drive it exactly as ``finmesh bench intake`` does.

    .venv/bin/python -m benchmarks.profile_node [--seconds 8] [--batch 100] [--top 25]
        [--screening-entries 100000] [--cpu] [--dump FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import uvicorn

from benchmarks import scratch
from benchmarks.intake import load_list
from benchmarks.load import run_closed_loop
from finmesh.api.intake_lane import REPLAYED, IntakeLane
from finmesh.domain.errors import AuthenticationFailed
from finmesh.node.intake import IntakeRequest, Replayed, Submission, Verdict
from finmesh.node.launcher import free_port
from finmesh.store.port import NonceClaim


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


async def _inline_lane(
    lane: IntakeLane,
    sender: str,
    cert_pem: bytes,
    items: Sequence[Submission],
    nonce: NonceClaim | None = None,
) -> list[Verdict]:
    answer = lane.intake.submit_group([IntakeRequest(sender, cert_pem, items, nonce)])[0]
    if isinstance(answer, Replayed):
        raise AuthenticationFailed(REPLAYED)
    return answer


def _inline_thread_hops() -> None:
    """Run what the API hands to other threads on the event loop's thread instead."""
    import finmesh.api.auth as auth
    import finmesh.api.participants as participants

    for module in (auth, participants):
        module.run_in_threadpool = _inline  # type: ignore[attr-defined]
    IntakeLane.submit = _inline_lane  # type: ignore[method-assign]


def profile(
    seconds: float, batch: int, clients: int, entries: int = 0, cpu: bool = False
) -> tuple[pstats.Stats, dict[str, Any]]:
    from finmesh.api.app import create_app
    from finmesh.node.root import Node

    folder = Path(tempfile.mkdtemp(prefix="finmesh-profile-"))
    try:
        root = folder / "net"
        scratch.create_network(root)
        pairs = scratch.pairs(scratch.participant_folders(root), clients)
        scratch.authorize_pairs(root, [(p.name, r) for p, r in pairs])
        port = free_port()
        _inline_thread_hops()
        node = Node(root)
        server = uvicorn.Server(
            uvicorn.Config(create_app(node), port=port, log_level="warning", ws="none")
        )
        outcome: dict[str, Any] = {}
        # CPU time leaves out fsync and idle waits (which the wall clock counts)
        profiler = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()

        def drive() -> None:
            while not server.started:
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port}"
            loop = server.servers[0].get_loop()
            # only the measured window (not the list load nor the prior day's traffic),
            # on the server's thread: everything runs there with the hops inlined
            hooks = (lambda: loop.call_soon_threadsafe(profiler.enable),
                     lambda: loop.call_soon_threadsafe(profiler.disable))
            try:
                listed = load_list(root, url, entries)
                outcome.update(
                    run_closed_loop(url, 0, pairs, batch, seconds, 1.0, listed, hooks)
                )
            finally:
                server.should_exit = True

        driver = threading.Thread(target=drive)
        driver.start()
        server.run()
        driver.join()
        node.close()
        return pstats.Stats(profiler), outcome
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--screening-entries", type=int, default=0,
                        help="load a generated list of this many entries first (as bench intake)")
    parser.add_argument("--cpu", action="store_true",
                        help="time functions by process CPU time, not the wall clock")
    parser.add_argument("--dump", type=Path, help="also write the raw stats to this file")
    args = parser.parse_args()
    stats, outcome = profile(
        args.seconds, args.batch, args.clients, args.screening_entries, args.cpu
    )
    if args.dump:
        stats.dump_stats(args.dump)
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    print({k: v for k, v in outcome.items() if k != "records"})


if __name__ == "__main__":
    main()
