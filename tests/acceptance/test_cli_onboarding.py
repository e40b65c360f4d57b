"""Onboarding without the network ever holding a bank's key, as a bank and a network
operator run it: `finmesh participant csr` (or `openssl req`) on the bank's side,
`finmesh participant add DIR BIC --csr FILE`, `cert rotate --csr`, `operator add --csr`
on the CA's side, against a served demo network."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finmesh.domain.iso20022 import example_message
from finmesh.node.launcher import NodeProcess
from tests.netutil import copy_network, non_participant_institution, participants, run_cli

OPENSSL = shutil.which("openssl")


def ok(*args: str | Path) -> dict[str, Any]:
    done = run_cli(*args)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    [line] = [json.loads(x) for x in done.stdout.splitlines() if x.strip()]
    assert isinstance(line, dict)
    return line


def refused(code: str, *args: str | Path) -> str:
    done = run_cli(*args)
    assert done.returncode == 1, f"{args} exit {done.returncode}:\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"error: {code}:"), done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def served(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = copy_network(network_template, tmp_path_factory.mktemp("onboarding") / "net")
    node = NodeProcess(root).start()
    try:
        yield node
    finally:
        node.stop()


def _grant_and_send(
    node: NodeProcess, sender: Path, tmp_path: Path, grant: bool = True
) -> dict[str, Any]:
    receiver = next(p for p in participants(node.root) if p.name[:8] != sender.name[:8])
    if grant:
        ok("rma", "grant", "--profile", receiver, "--url", node.url,
           "--correspondent", sender.name[:8])
    message = tmp_path / f"m-{len(list(tmp_path.glob('m-*.xml')))}.xml"
    message.write_bytes(example_message("pacs.008", sender.name, receiver.name))
    return ok("send", "--profile", sender, "--url", node.url, message)


def test_bank_key_never_reaches_the_network(served: NodeProcess, tmp_path: Path) -> None:
    bic = non_participant_institution(served.root)
    bank = tmp_path / "bank"
    made = ok("participant", "csr", "--bic", bic, "--out", bank)
    assert made == {
        "key": str(bank / "key.pem"), "csr": str(bank / "request.csr"),
        "subject": bic, "encrypted": False,
    }
    assert stat.S_IMODE((bank / "key.pem").stat().st_mode) == 0o600
    assert (bank / "request.csr").read_bytes().startswith(b"-----BEGIN CERTIFICATE REQUEST")
    refused("exists", "participant", "csr", "--bic", bic, "--out", bank)

    added = ok("participant", "add", served.root, bic, "--csr", bank / "request.csr")
    folder = served.root / "participants" / bic
    assert added["profile"] == str(folder) and added["key"] == "owner"
    assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "cert.pem", "profile.json"]
    missing = refused("profile_error", "receive", "--profile", folder, "--url", served.url)
    assert "missing key.pem: put there the private key" in missing
    shutil.copy2(bank / "key.pem", folder / "key.pem")  # the bank installs its own key
    assert _grant_and_send(served, folder, tmp_path)["status"] == "ACK"

    # rotation the same way: a new key on the bank's side, a certificate from the CA
    new = tmp_path / "bank-2026"
    ok("participant", "csr", "--bic", bic, "--out", new)
    rotated = ok("cert", "rotate", served.root, bic, "--csr", new / "request.csr")
    assert rotated["key"] == "owner" and rotated["previous_serial"] != rotated["serial"]
    assert (folder / "key.pem").read_bytes() == (bank / "key.pem").read_bytes()  # untouched
    refused("profile_error", "send", "--profile", folder, "--url", served.url, tmp_path / "m-0.xml")
    shutil.copy2(new / "key.pem", folder / "key.pem")
    assert _grant_and_send(served, folder, tmp_path, grant=False)["status"] == "ACK"


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_openssl_made_request_is_certified_for_the_ca_chosen_bic(
    served: NodeProcess, tmp_path: Path
) -> None:
    bic = non_participant_institution(served.root)
    key, request = tmp_path / "key.pem", tmp_path / "req.csr"
    subprocess.run(
        [str(OPENSSL), "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=SOMEONEELSE"],
        check=True, capture_output=True,
    )
    added = ok("participant", "add", served.root, bic, "--csr", request)
    assert added["requested_subject"] == "SOMEONEELSE"  # reported, not certified
    folder = Path(added["profile"])
    subject = subprocess.run(
        [str(OPENSSL), "x509", "-in", folder / "cert.pem", "-noout", "-subject"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert f"CN = {bic}" in subject and "SOMEONEELSE" not in subject
    shutil.copy2(key, folder / "key.pem")
    (folder / "key.pem").chmod(0o600)
    assert _grant_and_send(served, folder, tmp_path)["status"] == "ACK"


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_bad_requests_are_refused_with_bad_csr(served: NodeProcess, tmp_path: Path) -> None:
    bic = non_participant_institution(served.root)
    rsa = tmp_path / "rsa.csr"
    subprocess.run(
        [str(OPENSSL), "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
         tmp_path / "rsa.key", "-out", rsa, "-subj", f"/CN={bic}"],
        check=True, capture_output=True,
    )
    assert "RSA 2048" in refused("bad_csr", "participant", "add", served.root, bic, "--csr", rsa)
    ok("participant", "csr", "--bic", bic, "--out", tmp_path / "bank")
    good = (tmp_path / "bank" / "request.csr").read_bytes()
    der = subprocess.run(
        [str(OPENSSL), "req", "-in", "/dev/stdin", "-outform", "DER"],
        input=good, check=True, capture_output=True,
    ).stdout
    forged = bytearray(der)
    forged[-5] ^= 0x01  # inside the signature: the request no longer proves its key
    (tmp_path / "forged.csr").write_bytes(bytes(forged))
    refused("bad_csr", "participant", "add", served.root, bic, "--csr", tmp_path / "forged.csr")
    (tmp_path / "junk.csr").write_bytes(b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n")
    refused("bad_csr", "participant", "add", served.root, bic, "--csr", tmp_path / "junk.csr")
    refused("csr_required", "participant", "add", served.root, bic)
    refused("usage", "participant", "add", served.root, bic, "--csr", rsa, "--generate-key")
    refused("csr_required", "cert", "rotate", served.root, participants(served.root)[0].name)
    assert not (served.root / "participants" / bic).exists()
    refused("invalid_bic", "participant", "csr", "--bic", bic[:8], "--out", tmp_path / "x")


def test_encrypted_bank_key_and_generated_key_note(served: NodeProcess, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("correct horse battery staple\n")
    bic = non_participant_institution(served.root)
    made = ok("participant", "csr", "--bic", bic, "--out", tmp_path / "b",
              "--passphrase-file", secret)
    assert made["encrypted"] is True
    assert (tmp_path / "b" / "key.pem").read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    (tmp_path / "short").write_text("short\n")
    refused("weak_passphrase", "participant", "csr", "--bic", bic, "--out", tmp_path / "c",
            "--passphrase-file", tmp_path / "short")

    done = run_cli("participant", "add", served.root, bic, "--generate-key")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["key"] == "generated_by_network"
    assert "the network can sign as" in done.stderr


def test_operator_with_its_own_key(served: NodeProcess, tmp_path: Path) -> None:
    subprocess.run(
        [str(OPENSSL), "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "op.csr", "-subj", "/CN=x"],
        check=True, capture_output=True,
    )
    added = ok("operator", "add", served.root, "erin", "--role", "auditor",
               "--csr", tmp_path / "op.csr")
    folder = served.root / "operators" / "erin"
    assert added["key"] == "owner" and not (folder / "key.pem").exists()
    shutil.copy2(tmp_path / "key.pem", folder / "key.pem")
    (folder / "key.pem").chmod(0o600)
    done = run_cli("audit", "list", "--operator", folder, "--url", served.url)
    assert done.returncode == 0, done.stderr
