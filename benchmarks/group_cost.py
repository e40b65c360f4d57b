"""Intake's fixed cost per group, without HTTP: CPU per message of ``Intake.submit_group``
with one message per group against many, in one process, alternating, on a scratch
demo network (SQLite, durable commits, no list loaded unless asked).

The difference is what a group costs whatever its size (the durable commit, the
policy, trust and repeat lookups, the screening state): the part of a one-message
request's cost that batching or group commit spreads. Alternating the sizes in one run
keeps the comparison fair on a shared machine.

    .venv/bin/python -m benchmarks.group_cost [--messages 2000] [--rounds 3] [--big 100]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import scratch
from benchmarks.stats import machine, median
from benchmarks.traffic import SignedMessage, signed_messages
from finmesh.identity.profile import load_profile
from finmesh.node.intake import IntakeRequest, Submission
from finmesh.node.root import Node
from finmesh.store.port import NonceClaim


def _cpu_per_message(
    node: Node, subject: str, cert_pem: bytes, messages: list[SignedMessage], size: int
) -> float:
    started = time.process_time()
    for at in range(0, len(messages), size):
        now = node.clock()
        items = [Submission(m.payload, m.signature) for m in messages[at : at + size]]
        nonce = NonceClaim(subject, uuid.uuid4().hex, now + 600_000, now)
        [answer] = node.intake.submit_group([IntakeRequest(subject, cert_pem, items, nonce)])
        if isinstance(answer, list) and any(v.status != "ACK" for v in answer):
            raise RuntimeError(f"a benchmark message was refused: {answer[0]}")
    return (time.process_time() - started) / len(messages) * 1e6


def measure(messages: int, rounds: int, big: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="finmesh-group-"))
    try:
        root = folder / "net"
        scratch.create_network(root)
        sender, receiver = scratch.pairs(scratch.participant_folders(root), 1)[0]
        scratch.authorize_pairs(root, [(sender.name, receiver)])
        profile = load_profile(sender)
        node = Node(root)
        try:
            fresh = signed_messages(profile, receiver, messages * 2 * rounds + big)
            _cpu_per_message(node, profile.subject, profile.cert_pem, fresh[:big], big)  # warm
            runs: dict[int, list[float]] = {1: [], big: []}
            at = big
            for _ in range(rounds):
                for size in (1, big):
                    chunk = fresh[at : at + messages]
                    at += messages
                    runs[size].append(
                        _cpu_per_message(node, profile.subject, profile.cert_pem, chunk, size)
                    )
        finally:
            node.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    one, many = median(runs[1]), median(runs[big])
    return {
        "cpu_us_per_msg_groups_of_1": round(one, 1),
        f"cpu_us_per_msg_groups_of_{big}": round(many, 1),
        "fixed_cpu_us_per_group": round((one - many) * big / (big - 1), 1),
        "runs": {str(k): [round(v, 1) for v in vs] for k, vs in runs.items()},
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big", type=int, default=100)
    args = parser.parse_args()
    print(measure(args.messages, args.rounds, args.big))


if __name__ == "__main__":
    main()
