"""One settings surface: the network folder's network.json, overridable by FINMESH_* env.

FINMESH_URL            base URL written into new profiles (default http://127.0.0.1:8470)
FINMESH_HOST           address `finmesh serve` binds (default 127.0.0.1)
FINMESH_PORT           port `finmesh serve` binds (default 8470)
FINMESH_SWEEP_SECONDS  how often the node looks for obsolete undelivered messages (default 5)
FINMESH_SUBJECT_RPS    requests per second one institution or operator may make (default 500;
                       bursts of twice that; 0 switches the limit off)
FINMESH_PEER_RPS       requests per second one peer address may make (default 2000, bursts x2)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
CONFIG_FILE = "network.json"


@dataclass(frozen=True)
class NetworkConfig:
    """Where a network's files are and how its node is reached."""

    root: Path
    name: str
    url: str

    @property
    def database(self) -> Path:
        return self.root / "finmesh.db"

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
        (self.root / CONFIG_FILE).write_text(json.dumps({"name": self.name, "url": self.url}))

    @classmethod
    def load(cls, root: Path) -> NetworkConfig:
        data = json.loads((root / CONFIG_FILE).read_text())
        return cls(root=root, name=str(data["name"]), url=str(data["url"]))


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


def is_network(root: Path) -> bool:
    return (root / CONFIG_FILE).is_file()
