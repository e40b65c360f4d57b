"""One settings surface: the network folder's network.json, overridable by FINMESH_* env.

FINMESH_URL            base URL written into new profiles (default http://127.0.0.1:8470)
FINMESH_HOST           address `finmesh serve` binds (default 127.0.0.1)
FINMESH_PORT           port `finmesh serve` binds (default 8470)
FINMESH_SWEEP_SECONDS  how often the node looks for obsolete undelivered messages (default 5)
FINMESH_SUBJECT_RPS    requests per second one institution or operator may make (default 500;
                       bursts of twice that; 0 switches the limit off)
FINMESH_PEER_RPS       requests per second one peer address may make (default 2000, bursts x2)
FINMESH_HEADER_SECONDS seconds a connection may take to send a request's headers (default 10)
FINMESH_BODY_SECONDS   seconds a signed request may take to send its body (default 30)
FINMESH_DATABASE_URL   PostgreSQL database of the network (postgresql://host[:port]/dbname);
                       overrides the one `finmesh init --database` wrote into network.json.
                       Without either, the network uses SQLite in its folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from finmesh.domain import limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
CONFIG_FILE = "network.json"


@dataclass(frozen=True)
class NetworkConfig:
    """Where a network's files are and how its node is reached."""

    root: Path
    name: str
    url: str
    store_url: str | None = None
    """The PostgreSQL database recorded at init (None: SQLite in the folder)."""
    rule_sets: tuple[str, ...] | None = None
    """The network rules it enforces beyond the schema (finmesh.domain.rules): a list of
    set names, ``iso20022`` and BizSvc values such as ``swift.cbprplus.02``, kept in
    network.json as ``rule_sets``; None (the key absent): every known set."""

    @property
    def database(self) -> Path:
        return self.root / "finmesh.db"

    @property
    def database_url(self) -> str | None:
        """The PostgreSQL database to use: FINMESH_DATABASE_URL, else the recorded one."""
        return os.environ.get("FINMESH_DATABASE_URL") or self.store_url

    @property
    def ca_key(self) -> Path:
        return self.root / "ca" / "ca.key.pem"

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca" / "ca.cert.pem"

    @property
    def participants(self) -> Path:
        return self.root / "participants"

    @property
    def operators(self) -> Path:
        return self.root / "operators"

    def save(self) -> None:
        data: dict[str, object] = {"name": self.name, "url": self.url}
        if self.store_url is not None:
            data["database"] = self.store_url
        if self.rule_sets is not None:
            data["rule_sets"] = list(self.rule_sets)
        (self.root / CONFIG_FILE).write_text(json.dumps(data))

    @classmethod
    def load(cls, root: Path) -> NetworkConfig:
        data = json.loads((root / CONFIG_FILE).read_text())
        database = data.get("database")
        rule_sets = data.get("rule_sets")
        return cls(
            root=root,
            name=str(data["name"]),
            url=str(data["url"]),
            store_url=None if database is None else str(database),
            rule_sets=None if rule_sets is None else tuple(str(r) for r in rule_sets),
        )


def default_url() -> str:
    return os.environ.get("FINMESH_URL", f"http://{DEFAULT_HOST}:{default_port()}")


def default_host() -> str:
    return os.environ.get("FINMESH_HOST", DEFAULT_HOST)


def default_port() -> int:
    return int(os.environ.get("FINMESH_PORT", str(DEFAULT_PORT)))


def sweep_seconds() -> float:
    return float(os.environ.get("FINMESH_SWEEP_SECONDS", "5"))


def subject_requests_per_second() -> float:
    return float(os.environ.get("FINMESH_SUBJECT_RPS", "500"))


def peer_requests_per_second() -> float:
    return float(os.environ.get("FINMESH_PEER_RPS", "2000"))


def header_seconds() -> float:
    return float(os.environ.get("FINMESH_HEADER_SECONDS", str(limits.REQUEST_HEADERS_SECONDS_MAX)))


def body_seconds() -> float:
    return float(os.environ.get("FINMESH_BODY_SECONDS", str(limits.REQUEST_BODY_SECONDS_MAX)))


def is_network(root: Path) -> bool:
    return (root / CONFIG_FILE).is_file()
