"""PNG chart: achieved throughput and latency against offered load (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the suite runs on servers and in CI

import matplotlib.pyplot as plt  # after use("Agg"), which must come first


def latency_chart(rows: list[dict[str, Any]], broker_rate: float | None, path: Path) -> Path:
    """Left: achieved vs offered msgs/s. Right: p50/p99 submit->ACK and ->delivery (log)."""
    offered = [r["offered_msgs_per_s"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    left.plot(offered, [r["acked_msgs_per_s"] for r in rows], "o-", label="finmesh ACKed")
    left.plot(offered, offered, ":", color="grey", label="offered")
    if broker_rate:
        left.axhline(broker_rate, color="tab:red", linestyle="--",
                     label=f"RabbitMQ durable, closed loop ({broker_rate:,.0f}/s)")
    left.set_xlabel("offered load (msgs/s)")
    left.set_ylabel("msgs/s")
    left.set_title("throughput")
    left.legend(fontsize=8)
    for key, style in (("ack", "o-"), ("delivery", "s--")):
        for q, alpha in (("p50", 1.0), ("p99", 0.6)):
            values = [r.get(f"{key}_{q}_ms") for r in rows]
            name = "ACK" if key == "ack" else key
            right.plot(offered, values, style, alpha=alpha, label=f"submit->{name} {q}")
    right.axhline(10, color="tab:green", linestyle=":", label="goal: ACK p99 10 ms")
    right.axhline(50, color="tab:olive", linestyle=":", label="goal: delivery p99 50 ms")
    right.set_yscale("log")
    right.set_xlabel("offered load (msgs/s)")
    right.set_ylabel("ms")
    right.set_title("latency")
    right.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
