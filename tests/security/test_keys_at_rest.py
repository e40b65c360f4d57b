"""Keys at rest: the network CA key and operator keys are encrypted PKCS#8 on disk, a
missing or wrong passphrase is a coded error (not a traceback), and the CLI finds the
passphrase without prompting: $FINMESH_PASSPHRASE, $FINMESH_PASSPHRASE_FILE or
--passphrase-file, or a demo network's DEMO-PASSPHRASE. Threats T-KEY-* in
docs/threat-model.md."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from finmesh.config import NetworkConfig
from finmesh.identity import keystore, pki
from finmesh.identity.profile import load_profile
from finmesh.network.create import DEMO_OPERATORS, load_ca
from finmesh.node.launcher import NodeProcess
from tests.netutil import non_participant_institution

ENCRYPTED = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
STRONG = "correct horse battery staple, twice"


@pytest.fixture(autouse=True)
def no_passphrase_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says where its passphrase comes from."""
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(keystore.PASSPHRASE_FILE_ENV, raising=False)


def cli(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m finmesh ARGS` with only the passphrase variables given in ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FINMESH_PASSPHRASE")}
    return subprocess.run(
        [sys.executable, "-m", "finmesh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean, "NO_COLOR": "1", "COLUMNS": "300", **env},
    )


def _refused(done: subprocess.CompletedProcess[str], code: str) -> None:
    assert done.returncode == 1, done
    assert code in done.stderr and "Traceback" not in done.stderr, done.stderr


def _private_files(root: Path) -> list[Path]:
    return [root / "ca" / "ca.key.pem"] + [
        root / "operators" / n / "key.pem" for n, _ in DEMO_OPERATORS
    ]


def test_ca_and_operator_keys_are_encrypted_on_disk(network: Path) -> None:
    """T-KEY-1 theft of key files (a backup, a copied folder, a read-only leak of the
    node host's disk): the CA key and every operator key are encrypted PKCS#8, mode
    0600, in a network folder only its owner may enter; without the passphrase they do
    not load, with a wrong one they fail coded."""
    demo_passphrase = network / keystore.DEMO_PASSPHRASE_FILE
    assert stat.S_IMODE(demo_passphrase.stat().st_mode) == 0o600
    assert stat.S_IMODE(network.stat().st_mode) == 0o700  # the database is in clear
    for path in _private_files(network):
        pem = path.read_bytes()
        assert pem.startswith(ENCRYPTED), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        with pytest.raises(pki.KeyLocked):
            pki.load_key(pem)
        with pytest.raises(pki.WrongPassphrase, match="bad_passphrase"):
            keystore.unlock(pem, path, b"not the passphrase at all")
    ca = load_ca(NetworkConfig.load(network))  # the demo file unlocks it
    assert pki.keys_match(pki.load_key(ca.key_pem), ca.certificate)
    # participant keys belong to the institutions: plain PKCS#8, mode 0600 (threat model)
    bank_key = next((network / "participants").iterdir()) / "key.pem"
    assert not bank_key.read_bytes().startswith(ENCRYPTED)
    assert stat.S_IMODE(bank_key.stat().st_mode) == 0o600


def test_missing_or_wrong_passphrase_is_a_coded_error(network: Path, tmp_path: Path) -> None:
    """T-KEY-2 an insider with the files but not the passphrase: onboarding (CA key) and
    operator commands fail with exit 1 and a coded message, never a traceback; a copied
    operator profile does not load outside its network folder without the passphrase."""
    bic = non_participant_institution(network)
    wrong = cli(
        "participant", "add", network, bic, "--generate-key",
        FINMESH_PASSPHRASE="not the passphrase at all",
    )
    _refused(wrong, "bad_passphrase")
    alice = network / "operators" / "alice"
    as_alice = cli("measure", "list", "--operator", alice, FINMESH_PASSPHRASE="a wrong guess here")
    _refused(as_alice, "bad_passphrase")
    copied = shutil.copytree(alice, tmp_path / "alice")
    with pytest.raises(pki.KeyLocked, match="passphrase_required"):
        load_profile(copied)
    (network / keystore.DEMO_PASSPHRASE_FILE).unlink()
    _refused(cli("participant", "add", network, bic, "--generate-key"), "passphrase_required")
    assert not (network / "participants" / bic).exists()


@pytest.fixture
def served_network(network: Path) -> Iterator[NodeProcess]:
    node = NodeProcess(network).start()
    try:
        yield node
    finally:
        node.stop()


def test_demo_cli_runs_without_prompting(served_network: NodeProcess) -> None:
    """T-KEY-3 usability of the protection: on a demo network the acceptance commands
    (onboarding with the CA key, operator commands) run unattended from DEMO-PASSPHRASE,
    and the same commands take $FINMESH_PASSPHRASE when it is set."""
    root = served_network.root
    bic = non_participant_institution(root)
    added = cli("participant", "add", root, bic, "--generate-key")
    assert added.returncode == 0, added.stderr
    assert (root / "participants" / bic / "key.pem").exists()
    passphrase = (root / keystore.DEMO_PASSPHRASE_FILE).read_text().strip()
    listed = cli(
        "measure",
        "list",
        "--operator",
        root / "operators" / "alice",
        "--url",
        served_network.url,
        FINMESH_PASSPHRASE=passphrase,
    )
    assert listed.returncode == 0 and listed.stdout.strip().startswith("["), listed.stderr


def test_production_init_requires_a_passphrase(tmp_path: Path) -> None:
    """T-KEY-4 a production network created with unprotected keys: `finmesh init`
    without --demo refuses to run without a passphrase (and a short one), writes no
    DEMO-PASSPHRASE with one, and its operators then work from $FINMESH_PASSPHRASE_FILE
    or --passphrase-file."""
    root = tmp_path / "prod"
    _refused(cli("init", root), "passphrase_required")
    _refused(cli("init", root, FINMESH_PASSPHRASE="short"), "weak_passphrase")
    assert not root.exists()
    made = cli("init", root, FINMESH_PASSPHRASE=STRONG)
    assert made.returncode == 0, made.stderr
    assert not (root / keystore.DEMO_PASSPHRASE_FILE).exists()
    secret = tmp_path / "passphrase.txt"
    secret.write_text(STRONG + "\n")
    added = cli("operator", "add", root, "dave", "--role", "auditor", "--passphrase-file", secret)
    assert added.returncode == 0, added.stderr
    assert (root / "operators" / "dave" / "key.pem").read_bytes().startswith(ENCRYPTED)
    _refused(cli("operator", "add", root, "erin", "--role", "auditor"), "passphrase_required")
    node = NodeProcess(root).start()
    try:
        dave = root / "operators" / "dave"
        url = ("--url", node.url)
        verified = cli(
            "audit", "list", "--operator", dave, *url, FINMESH_PASSPHRASE_FILE=str(secret)
        )
        assert verified.returncode == 0, verified.stderr
        _refused(cli("audit", "list", "--operator", dave, *url), "passphrase_required")
    finally:
        node.stop()


def test_the_network_never_holds_a_banks_key(network: Path, tmp_path: Path) -> None:
    """T-KEY-5 whoever runs the network signs as a bank: onboarding and rotation by CSR
    certify the bank's own key; nothing in the network folder can sign for it, and a
    request that does not prove its key (altered self-signature) is refused."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from finmesh.identity import csr

    bic = non_participant_institution(network)
    key = pki.generate_key()
    (tmp_path / "request.csr").write_bytes(csr.make_csr(key, bic))
    added = cli("participant", "add", network, bic, "--csr", tmp_path / "request.csr")
    assert added.returncode == 0, added.stderr
    folder = network / "participants" / bic
    assert not (folder / "key.pem").exists()
    issued = (folder / "cert.pem").read_bytes()
    assert pki.keys_match(key, issued)
    for pem in network.rglob("*.pem"):  # no key in the folder matches the bank's certificate
        data = pem.read_bytes()
        if b"PRIVATE KEY" in data and not pki.is_encrypted_pem(data):
            assert not pki.keys_match(pki.load_key(data), issued), pem

    other = pki.generate_key()  # a request carrying the bank's public key, signed by another
    forged = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .sign(other, pki._HASH())
        .public_bytes(serialization.Encoding.DER)
    )
    swapped = forged.replace(
        other.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    assert swapped != forged
    (tmp_path / "forged.csr").write_bytes(swapped)
    _refused(cli("cert", "rotate", network, bic, "--csr", tmp_path / "forged.csr"), "bad_csr")
    assert (folder / "cert.pem").read_bytes() == issued
