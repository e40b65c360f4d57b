"""Creating a network folder and onboarding participants.

`init_network` writes the CA, the database and (with demo=True) the demo directory
and ready participant profiles. Onboarding issues a certificate bound to the BIC and
registers it; the private key is generated here and written only into the profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from finmesh import pki
from finmesh.config import NetworkConfig
from finmesh.domain.bic import Bic
from finmesh.domain.errors import FinmeshError, NotFound, Refused
from finmesh.node import system_clock
from finmesh.profile import write_profile
from finmesh.store.sqlite import SqliteStore

DEMO_OPERATORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("alice", ("compliance",)),
    ("bob", ("compliance",)),
    ("carol", ("auditor",)),
    ("oscar", ("operator",)),
)
"""Two compliance officers (four-eyes needs two), an auditor and a network operator."""

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called on long work so the CLI can show it."""


class NetworkExists(FinmeshError):
    """The folder already holds a network."""


def _quiet(step: str, done: int, total: int) -> None:
    return None


def init_network(
    root: Path, *, demo: bool, url: str, name: str = "finmesh", progress: Progress = _quiet
) -> NetworkConfig:
    if (root / "network.json").exists():
        raise NetworkExists(f"{root} already holds a network")
    if root.exists() and any(root.iterdir()):
        # an interrupted init, or someone else's files: never mix a network into them
        raise NetworkExists(f"{root} is not empty; give a new or empty folder")
    config = NetworkConfig(root=root, name=name, url=url)
    (root / "ca").mkdir(parents=True, exist_ok=True)
    ca = pki.CertificateAuthority.create(f"{name} network CA")
    _write_private(config.ca_key, ca.key_pem)
    config.ca_cert.write_bytes(ca.cert_pem)
    store = SqliteStore(config.database)
    try:
        if demo:
            _load_demo(config, store, ca, progress)
    finally:
        store.close()
    config.save()  # last: a folder without network.json is an unfinished init
    return config


def _load_demo(
    config: NetworkConfig, store: SqliteStore, ca: pki.CertificateAuthority, progress: Progress
) -> None:
    from finmesh.demo_directory import build_demo_directory, demo_participants

    progress("directory", 0, 1)
    institutions, links = build_demo_directory()
    store.load_directory(institutions, links)
    progress("directory", 1, 1)
    chosen = demo_participants(institutions)
    for done, bic11 in enumerate(chosen, 1):
        onboard(config, store, ca, bic11)
        progress("participants", done, len(chosen))
    for name, roles in DEMO_OPERATORS:
        add_operator(config, store, ca, name, roles)
    progress("operators", len(DEMO_OPERATORS), len(DEMO_OPERATORS))


def onboard(
    config: NetworkConfig, store: SqliteStore, ca: pki.CertificateAuthority, bic: str
) -> Path:
    """Issue a key and certificate to a directory institution; return its profile folder.

    The profile is written before the certificate is registered: a failure leaves no
    registered certificate whose key is lost, and an existing identity is never replaced.
    """
    parsed = Bic.parse(bic)
    bic11 = str(parsed)
    institution = store.institution(bic11)
    if institution is None:
        raise NotFound(f"{bic11} is not in the directory")
    existing = store.participant_for_bic8(parsed.bic8)
    if existing is not None:
        raise Refused(f"{parsed.bic8} is already on the network as {existing}")
    folder = config.participants / bic11
    if folder.exists():
        raise Refused(f"{folder} already exists; refusing to replace an identity")
    key = pki.generate_key()
    cert_pem = ca.issue(
        bic11, pki.public_key_pem(key), kind="participant", display_name=institution.name
    )
    write_profile(
        folder,
        key=key,
        cert_pem=cert_pem,
        ca_pem=ca.cert_pem,
        subject=bic11,
        kind="participant",
        url=config.url,
    )
    store.add_participant(
        bic11, cert_pem, pki.certificate_identity(cert_pem).serial, system_clock()
    )
    return folder


def add_operator(
    config: NetworkConfig,
    store: SqliteStore,
    ca: pki.CertificateAuthority,
    name: str,
    roles: tuple[str, ...],
) -> Path:
    """Issue an operator key and certificate with roles; return the profile folder."""
    key = pki.generate_key()
    cert_pem = ca.issue(name, pki.public_key_pem(key), kind="operator", roles=roles)
    store.add_operator(name, cert_pem, roles, system_clock())
    folder = config.operators / name
    write_profile(
        folder,
        key=key,
        cert_pem=cert_pem,
        ca_pem=ca.cert_pem,
        subject=name,
        kind="operator",
        url=config.url,
        roles=roles,
    )
    return folder


def load_ca(config: NetworkConfig) -> pki.CertificateAuthority:
    return pki.CertificateAuthority.load(config.ca_key.read_bytes(), config.ca_cert.read_bytes())


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
