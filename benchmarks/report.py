"""The suite's table, and where the run stands against each goal of finmesh issue 16
("Performance, measured honestly"). Every rate is printed beside the node's CPU time
per message, the figure that survives a noisy shared machine."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

SWIFT_FIN_AVG_PER_S = 490.0
"""FACTS.md: 42 million FIN messages a day on average in 2021."""
SWIFT_FIN_RECORD_PER_S = 50_200_000 / 86_400
"""FACTS.md: record day 50.2 million (30 Nov 2021)."""


def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float | int):
        return f"{value:,.{digits}f}"
    return str(value)


def table(results: dict[str, Any]) -> Table:
    t = Table(title="finmesh benchmarks", header_style="bold", show_lines=False)
    for column in ("section", "configuration", "msgs/s", "node CPU µs/msg", "ratios",
                   "latency ms p50/p99/max"):
        t.add_column(column, justify="right" if column in ("msgs/s", "node CPU µs/msg") else "left")
    for key, c in results.get("intake", {}).get("configs", {}).items():
        ratios = (f"{c['ratio_to_bound']:.2f}x bound ({_n(c['bound_msgs_per_s'])}/s), CPU "
                  f"{_n(c.get('cpu_ratio_to_bound'), 2)}x; "
                  f"{c['msgs_per_s'] / SWIFT_FIN_AVG_PER_S:.1f}x SWIFT FIN avg")
        latency = f"ACK {_n(c.get('ack_p50_ms'), 1)}/{_n(c.get('ack_p99_ms'), 1)}/" \
                  f"{_n(c.get('ack_max_ms'), 1)}"
        t.add_row("intake", f"{key} (median of {c['reps']})", _n(c["msgs_per_s"]),
                  _n(c.get("node_cpu_us_per_msg")), ratios, latency)
    broker = results.get("broker", {})
    if "msgs_per_s" in broker:
        t.add_row("broker", "RabbitMQ durable + confirms, 100 in flight", _n(broker["msgs_per_s"]),
                  f"broker {_n(broker.get('broker_cpu_us_per_msg'))}",
                  f"each publish waits: {_n(broker['wait_each_msgs_per_s'])}/s", "")
    for row in results.get("latency", []) if isinstance(results.get("latency"), list) else []:
        t.add_row("latency", f"{_n(row['offered_msgs_per_s'])}/s offered, open loop, "
                  f"{row.get('senders')} clients, batch ≤ {row.get('batch_max')}",
                  _n(row["acked_msgs_per_s"]), _n(row.get("node_cpu_us_per_msg")),
                  f"delivered {_n(row['delivered_fraction'], 3)}, held {row.get('held_share')}",
                  f"ACK {_n(row['ack_p50_ms'], 1)}/{_n(row['ack_p99_ms'], 1)}/"
                  f"{_n(row['ack_max_ms'], 1)}; delivery {_n(row['delivery_p50_ms'], 1)}/"
                  f"{_n(row['delivery_p99_ms'], 1)}/{_n(row['delivery_max_ms'], 1)}")
    for row in results.get("history", []) if isinstance(results.get("history"), list) else []:
        t.add_row("history", f"{row['history_messages']:,} stored, batch 100",
                  _n(row["msgs_per_s"]), _n(row.get("server_cpu_us_per_msg")),
                  f"{_n(row['ratio_to_empty'], 3)}x empty",
                  f"ACK {_n(row['ack_p50_ms'], 1)}/{_n(row['ack_p99_ms'], 1)}")
    rec = results.get("receivers", {})
    if "receivers" in rec:
        ol, cl = rec["open_loop"], rec["closed_loop"]
        held = f"{rec['receivers']} receivers: {rec['long_polls_outstanding_at_start']} polls open"
        idle = f"idle node CPU {rec['idle_node_cpu_fraction']:.2f} core"
        t.add_row("receivers", f"{held}; {idle}", "", "", "", "")
        t.add_row("receivers", f"{_n(ol['offered_msgs_per_s'])}/s to them, open loop",
                  _n(ol["acked_msgs_per_s"]), _n(ol.get("node_cpu_us_per_msg")),
                  f"delivered {_n(ol['delivered_fraction'], 3)}",
                  f"ACK {_n(ol['ack_p50_ms'], 1)}/{_n(ol['ack_p99_ms'], 1)}; delivery "
                  f"{_n(ol['delivery_p50_ms'], 1)}/{_n(ol['delivery_p99_ms'], 1)}")
        t.add_row("receivers", "closed-loop intake to them, batch 100", _n(cl["msgs_per_s"]),
                  _n(cl.get("server_cpu_us_per_msg")), "",
                  f"ACK {_n(cl['ack_p50_ms'], 1)}/{_n(cl['ack_p99_ms'], 1)}")
    bl = results.get("backlog", {})
    if "fetch_cpu_us_per_msg" in bl:
        cost = bl["fetch_cpu_us_per_msg"]
        t.add_row("backlog", f"draining {bl['messages']:,} queued, pages of {bl['page']}",
                  _n(bl["drain_msgs_per_s"]), f"{_n(cost['start'])} → {_n(cost['end'])}",
                  f"end/start {_n(bl.get('end_over_start'), 2)}", "")
    return t


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of issue 16 with the measured value (None when not measured)."""
    configs = results.get("intake", {}).get("configs", {})
    batched = configs.get("sqlite, batch 100", {})
    single = configs.get("sqlite, batch 1", {})
    broker = results.get("broker", {}).get("msgs_per_s")
    at_1000 = next((r for r in results.get("latency", []) or []
                    if isinstance(r, dict) and r.get("offered_msgs_per_s") == 1000), {})
    history = [r for r in results.get("history", []) or [] if isinstance(r, dict)]
    largest = max(history, key=lambda r: r["history_messages"], default={})
    backlog = results.get("backlog", {})
    rate = batched.get("msgs_per_s")
    return [
        _goal("full intake, SQLite, batch 100, screening on (msgs/s)", rate, ">=", 8_000),
        _goal("full intake, SQLite, 1 message per request (msgs/s)",
              single.get("msgs_per_s"), ">=", 3_000),
        _goal("node CPU per message, batch 100 (µs)",
              batched.get("node_cpu_us_per_msg"), "<=", 250),
        _goal("node CPU per message, 1 per request (µs)",
              single.get("node_cpu_us_per_msg"), "<=", 600),
        _goal("CPU bound / node CPU per message, batch 100",
              batched.get("cpu_ratio_to_bound"), ">=", 0.85),
        _goal("ratio to RabbitMQ's durable confirmed rate",
              rate / broker if rate and broker else None, ">=", 0.75),
        _goal("p99 submit->ACK at 1,000/s offered, 1 per request (ms)",
              at_1000.get("ack_p99_ms"), "<=", 10),
        _goal("p99 submit->delivery at 1,000/s offered, 1 per request (ms)",
              at_1000.get("delivery_p99_ms"), "<=", 50),
        _goal(f"fetch CPU end/start of a {backlog.get('messages', 0):,} backlog",
              backlog.get("end_over_start"), "<=", 1.25),
        _goal(f"throughput at {largest.get('history_messages', 0):,} stored / empty",
              largest.get("ratio_to_empty"), ">=", 0.9),
    ]


def _goal(name: str, value: float | None, op: str, target: float) -> dict[str, Any]:
    met = None if value is None else (value >= target if op == ">=" else value <= target)
    return {"goal": name, "value": value, "target": f"{op} {target:,}", "met": met}


def print_report(results: dict[str, Any], console: Console) -> None:
    console.print(table(results))
    g = Table(title="goals (finmesh issue 16)", header_style="bold")
    for column in ("goal", "measured", "target", "met"):
        g.add_column(column)
    for row in results.get("goals", []):
        value = row["value"]
        shown = "–" if value is None else (f"{value:,.3f}" if value < 10 else f"{value:,.1f}")
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "not measured"}
        g.add_row(row["goal"], shown, row["target"], met[row["met"]])
    console.print(g)
    machine = results.get("machine", {})
    console.print(f"[dim]{machine.get('nproc')} cores, {machine.get('cpu_model')}, Python "
                  f"{machine.get('python')}, SQLite {machine.get('sqlite')}, load average at "
                  f"start {machine.get('loadavg')} and end {results.get('loadavg_end')}[/dim]")
