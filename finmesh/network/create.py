"""Creating a network folder and onboarding participants.

`init_network` writes the CA, the database (SQLite in the folder, or the PostgreSQL
database given, created if missing) and (with demo=True) the demo directory and ready
participant profiles. Onboarding issues a certificate bound to the BIC and
registers it. A real institution sends a CSR (finmesh.identity.csr) and its private key
never comes here; only the demo's own banks (and an explicit ``--generate-key``) get a
key made by the network, written only into their profile.

The CA key and operator keys are written encrypted with the network passphrase (see
finmesh.identity.keystore); a demo network without one gets a random one in DIR/DEMO-PASSPHRASE.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from finmesh.config import NetworkConfig
from finmesh.domain.bic import Bic
from finmesh.domain.errors import FinmeshError, NotFound, Refused
from finmesh.identity import keystore, pki
from finmesh.identity.ca import CertificateAuthority
from finmesh.identity.profile import (
    issue_participant_profile,
    write_certificate_profile,
    write_profile,
)
from finmesh.node.clock import system_clock
from finmesh.store.factory import open_store, prepare_database
from finmesh.store.sql_store import SqlStore

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


class OperatorExists(Refused):
    """An operator of that name is already registered; identities are never replaced."""

    code = "operator_exists"


def _quiet(step: str, done: int, total: int) -> None:
    return None


def init_network(
    root: Path,
    *,
    demo: bool,
    url: str,
    name: str = "finmesh",
    progress: Progress = _quiet,
    passphrase: bytes | None = None,
    database_url: str | None = None,
) -> NetworkConfig:
    """Create a network in ``root``. ``passphrase`` encrypts the CA and operator keys; a
    network without ``demo`` must have one, a demo network without one gets a random one
    written to DIR/DEMO-PASSPHRASE (a convenience production must not use)."""
    if (root / "network.json").exists():
        raise NetworkExists(f"{root} already holds a network")
    if root.exists() and any(root.iterdir()):
        # an interrupted init, or someone else's files: never mix a network into them
        raise NetworkExists(f"{root} is not empty; give a new or empty folder")
    if passphrase is None and not demo:
        raise pki.KeyLocked(
            f"{pki.KeyLocked.code}: a network's CA key is written encrypted and no"
            f" passphrase was given; {keystore.HINT}"
        )
    if passphrase is not None:
        keystore.check_new_passphrase(passphrase)
    config = NetworkConfig(root=root, name=name, url=url, store_url=database_url)
    _check_new_database(config)
    (root / "ca").mkdir(parents=True, exist_ok=True)
    # the database holds every message in clear: only the node's own user may enter
    os.chmod(root, 0o700)
    if passphrase is None:
        passphrase = keystore.write_demo_passphrase(root)
    ca = CertificateAuthority.create(f"{name} network CA")
    _write_private(config.ca_key, ca.encrypted_key_pem(passphrase))
    config.ca_cert.write_bytes(ca.cert_pem)
    store = open_store(config)
    try:
        if demo:
            _load_demo(config, store, ca, progress, passphrase)
    finally:
        store.close()
    config.save()  # last: a folder without network.json is an unfinished init
    return config


def _check_new_database(config: NetworkConfig) -> None:
    """A PostgreSQL database is created if missing; one that already holds a network is
    refused (its certificates come from another CA)."""
    if config.database_url is None:
        return
    prepare_database(config)
    store = open_store(config)
    try:
        if store.participants() or store.directory_stats()["institutions"]:
            raise NetworkExists(
                f"database {config.database_url} already holds a network; give a new one"
            )
    finally:
        store.close()


def _load_demo(
    config: NetworkConfig,
    store: SqlStore,
    ca: CertificateAuthority,
    progress: Progress,
    passphrase: bytes,
) -> None:
    from finmesh.network.demo_directory import build_demo_directory, demo_participants

    progress("directory", 0, 1)
    institutions, links = build_demo_directory()
    store.load_directory(institutions, links)
    progress("directory", 1, 1)
    chosen = demo_participants(institutions)
    for done, bic11 in enumerate(chosen, 1):
        onboard(config, store, ca, bic11)
        progress("participants", done, len(chosen))
    # the demo works out of the box: every demo participant may send every other one
    # anything (RMA); an institution onboarded later is granted nothing
    store.rma_grant_pairs([bic11[:8] for bic11 in chosen], "network", system_clock())
    for name, roles in DEMO_OPERATORS:
        add_operator(config, store, ca, name, roles, passphrase)
    progress("operators", len(DEMO_OPERATORS), len(DEMO_OPERATORS))


def onboard(
    config: NetworkConfig,
    store: SqlStore,
    ca: CertificateAuthority,
    bic: str,
    public_key_pem: bytes | None = None,
) -> Path:
    """Certify a directory institution; return its profile folder. With
    ``public_key_pem`` (from its CSR) the folder holds no key; without, a key is made.

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
    cert_pem = issue_participant_profile(
        folder, config.url, ca, bic11, institution.name, public_key_pem=public_key_pem
    )
    store.add_participant(
        bic11, cert_pem, pki.certificate_identity(cert_pem).serial, system_clock()
    )
    return folder


def add_operator(
    config: NetworkConfig,
    store: SqlStore,
    ca: CertificateAuthority,
    name: str,
    roles: tuple[str, ...],
    passphrase: bytes | None = None,
    public_key_pem: bytes | None = None,
) -> Path:
    """Issue an operator certificate with roles; return the profile folder.

    With ``public_key_pem`` (from the operator's CSR) the folder holds no key. Otherwise
    a key is made and written encrypted with ``passphrase``, by default the network's
    (see finmesh.identity.keystore); give each operator their own in production."""
    folder = config.operators / name
    if public_key_pem is not None:
        cert_pem = ca.issue(name, public_key_pem, kind="operator", roles=roles)
        write_certificate_profile(
            folder,
            cert_pem=cert_pem,
            ca_pem=ca.cert_pem,
            subject=name,
            kind="operator",
            url=config.url,
            roles=roles,
        )
        store.add_operator(name, cert_pem, roles, system_clock())
        return folder
    if passphrase is None:
        passphrase = keystore.network_passphrase(config.root)
    if passphrase is None:
        raise pki.KeyLocked(
            f"{pki.KeyLocked.code}: an operator key is written encrypted and no passphrase"
            f" was given; {keystore.HINT}"
        )
    keystore.check_new_passphrase(passphrase)
    if store.operator_cert(name) is not None or (config.operators / name).exists():
        raise OperatorExists(
            f"operator {name!r} already exists; choose another name (identities are never "
            "replaced)"
        )
    key = pki.generate_key()
    cert_pem = ca.issue(name, pki.public_key_pem(key), kind="operator", roles=roles)
    store.add_operator(name, cert_pem, roles, system_clock())
    write_profile(
        folder,
        key=key,
        cert_pem=cert_pem,
        ca_pem=ca.cert_pem,
        subject=name,
        kind="operator",
        url=config.url,
        roles=roles,
        passphrase=passphrase,
    )
    return folder


def load_ca(config: NetworkConfig, passphrase: bytes | None = None) -> CertificateAuthority:
    """The network CA, its key decrypted with ``passphrase`` or the one finmesh.identity.keystore
    finds; pki.KeyLocked / pki.WrongPassphrase (coded messages) when that fails."""
    if passphrase is None:
        passphrase = keystore.network_passphrase(config.root)
    key = keystore.unlock(config.ca_key.read_bytes(), config.ca_key, passphrase)
    return CertificateAuthority(key, pki.load_certificate(config.ca_cert.read_bytes()))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
