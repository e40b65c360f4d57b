"""One settings surface: the network folder's network.json, overridable by FINMESH_* env.

Every variable is declared once in ``SETTINGS`` (name, default, unit, what it does);
the accessors below read them through it, ``finmesh config show DIR`` prints what is in
force and where it came from, and the README's table is checked against it by a test.
A value that does not parse is refused with a coded ``bad_setting`` error naming it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from finmesh.domain import limits
from finmesh.domain.errors import BadRequest

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
CONFIG_FILE = "network.json"
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("json", "text")


class BadSetting(BadRequest):
    """A FINMESH_* variable holds a value finmesh cannot use."""

    code = "bad_setting"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    """As text, as it would be written in the environment ("" = unset)."""
    unit: str
    help: str
    secret: bool = False
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("FINMESH_URL", f"http://{DEFAULT_HOST}:{DEFAULT_PORT}", "URL",
            "base URL written into new profiles (`finmesh init`)"),
    Setting("FINMESH_HOST", DEFAULT_HOST, "address", "address `finmesh serve` binds"),
    Setting("FINMESH_PORT", str(DEFAULT_PORT), "TCP port",
            "port `finmesh serve` binds when set (unset: the port of the network's URL)"),
    Setting("FINMESH_DATABASE_URL", "", "URL",
            "PostgreSQL database (postgresql://host[:port]/dbname); overrides the one "
            "`init --database` recorded; unset: SQLite in the network folder", secret=True),
    Setting("FINMESH_LOG_LEVEL", "info", "level",
            "log level of `finmesh serve` (`--log-level` overrides)", choices=LOG_LEVELS),
    Setting("FINMESH_LOG_FORMAT", "json", "format",
            "node logs as JSON lines, or text for a terminal", choices=LOG_FORMATS),
    Setting("FINMESH_SWEEP_SECONDS", "5", "seconds",
            "how often the node looks for obsolete undelivered messages"),
    Setting("FINMESH_SUBJECT_RPS", "500", "requests/s",
            "requests one institution or operator may make (bursts of twice that; 0: off)"),
    Setting("FINMESH_PEER_RPS", "2000", "requests/s",
            "requests one peer address may make (bursts of twice that; 0: off)"),
    Setting("FINMESH_HEADER_SECONDS", str(limits.REQUEST_HEADERS_SECONDS_MAX), "seconds",
            "time a connection may take to send a request's headers"),
    Setting("FINMESH_BODY_SECONDS", str(limits.REQUEST_BODY_SECONDS_MAX), "seconds",
            "time a signed request may take to send its body"),
    Setting("FINMESH_RETENTION_DAYS", "0", "days",
            "`finmesh retention` archives and prunes payloads delivered and acknowledged "
            "longer ago than this (0: keep every payload)"),
    Setting("FINMESH_PASSPHRASE", "", "text",
            "passphrase of the CA and operator keys", secret=True),
    Setting("FINMESH_PASSPHRASE_FILE", "", "path",
            "file whose first line is that passphrase"),
    Setting("FINMESH_URLS", "", "URLs",
            "SDK and CLI: further node URLs to fail over to, comma-separated"),
    Setting("FINMESH_CONSOLE_SESSION_MINUTES", "30", "minutes",
            "how long an operator's console session lasts (1 to 1440)"),
    Setting("FINMESH_SQLITE_CACHE_MB", "64", "MiB",
            "page cache of each SQLite connection that stores incoming messages (one per "
            "worker; the others keep SQLite's 2): the message indexes' pages stay in memory"),
)
BY_NAME = {s.name: s for s in SETTINGS}


def raw(name: str) -> str:
    """The setting's text in force: the environment's, else its default."""
    setting = BY_NAME[name]
    value = os.environ.get(name)
    return setting.default if value is None or value == "" else value


def _number(name: str, minimum: float = 0) -> float:
    text = raw(name)
    try:
        value = float(text)
    except ValueError:
        raise BadSetting(f"{name}={text!r} is not a number ({BY_NAME[name].unit})") from None
    if value < minimum or value != value:
        raise BadSetting(f"{name}={text!r} must be at least {minimum} ({BY_NAME[name].unit})")
    return value


def _choice(name: str) -> str:
    text = raw(name).lower()
    if text not in BY_NAME[name].choices:
        raise BadSetting(f"{name}={text!r}: choose one of {', '.join(BY_NAME[name].choices)}")
    return text


def in_force(root: Path | None = None) -> list[dict[str, str]]:
    """Every setting with the value in force and where it comes from (secrets masked)."""
    recorded = NetworkConfig.load(root) if root is not None and is_network(root) else None
    rows = []
    for s in SETTINGS:
        value, source = os.environ.get(s.name) or "", "environment"
        if not value and s.name == "FINMESH_DATABASE_URL" and recorded and recorded.store_url:
            value, source = recorded.store_url, CONFIG_FILE
        if not value:
            value, source = s.default, "default"
        shown = ("(set)" if value else "") if s.secret and source != CONFIG_FILE else value
        if s.name == "FINMESH_DATABASE_URL" and value:
            shown = _without_password(value)
        rows.append({"name": s.name, "value": shown, "unit": s.unit, "source": source})
    return rows


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':')[0]}:***@{host}"


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
    if os.environ.get("FINMESH_URL"):
        return raw("FINMESH_URL")
    return f"http://{DEFAULT_HOST}:{default_port()}"


def default_host() -> str:
    return raw("FINMESH_HOST")


def default_port() -> int:
    number = _number("FINMESH_PORT")
    if not 1 <= number <= 65535 or number != int(number):
        raise BadSetting(f"FINMESH_PORT={raw('FINMESH_PORT')!r} is not a TCP port (1 to 65535)")
    return int(number)


def sweep_seconds() -> float:
    return _number("FINMESH_SWEEP_SECONDS")


def subject_requests_per_second() -> float:
    return _number("FINMESH_SUBJECT_RPS")


def peer_requests_per_second() -> float:
    return _number("FINMESH_PEER_RPS")


def header_seconds() -> float:
    return _number("FINMESH_HEADER_SECONDS")


def body_seconds() -> float:
    return _number("FINMESH_BODY_SECONDS")


def log_level() -> str:
    return _choice("FINMESH_LOG_LEVEL")


def log_format() -> str:
    return _choice("FINMESH_LOG_FORMAT")


def console_session_minutes() -> int:
    minutes = _number("FINMESH_CONSOLE_SESSION_MINUTES", 1)
    if minutes > 24 * 60 or minutes != int(minutes):
        raise BadSetting(
            f"FINMESH_CONSOLE_SESSION_MINUTES={raw('FINMESH_CONSOLE_SESSION_MINUTES')!r} "
            "must be a whole number of minutes from 1 to 1440"
        )
    return int(minutes)


def sqlite_cache_mb() -> float:
    return _number("FINMESH_SQLITE_CACHE_MB")


def retention_days() -> float:
    return _number("FINMESH_RETENTION_DAYS")


def is_network(root: Path) -> bool:
    return (root / CONFIG_FILE).is_file()
