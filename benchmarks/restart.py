"""How long a restart of ``finmesh serve --workers N`` keeps a node away: stop (with
long polls open), start, until ``/v1/ready`` answers 200.

    python -m benchmarks.restart DIR [--workers 2] [--runs 5]

DIR is a network folder (``finmesh init DIR --demo``). Prints one JSON line per run."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
import time
from pathlib import Path

import httpx

from finmesh.client import Client
from finmesh.node.launcher import NodeProcess

LONG_POLLS = 4


def one_restart(node: NodeProcess, receiver: Path) -> dict[str, float]:
    client = Client.from_profile(receiver, node.url)

    def poll() -> None:
        with contextlib.suppress(Exception):  # cut by the stop: that is the point
            client.request("GET", "/v1/deliveries", {"wait": 30})

    for _ in range(LONG_POLLS):
        threading.Thread(target=poll, daemon=True).start()
    time.sleep(0.5)
    started = time.monotonic()
    node.stop()
    stopped = time.monotonic()
    node.start()
    while httpx.get(f"{node.url}/v1/ready").status_code != 200:
        time.sleep(0.01)
    ready = time.monotonic()
    client.close()
    return {
        "stop_s": round(stopped - started, 3),
        "start_to_ready_s": round(ready - stopped, 3),
        "restart_s": round(ready - started, 3),
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    receiver = sorted((args.directory / "participants").iterdir())[1]
    node = NodeProcess(args.directory, workers=args.workers).start()
    try:
        for _ in range(args.runs):
            print(json.dumps({"workers": args.workers, **one_restart(node, receiver)}))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
