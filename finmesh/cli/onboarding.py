"""Onboarding commands: `finmesh participant csr` (the bank's side: its own key and a
certificate signing request), `finmesh participant add` and `finmesh operator add` (the
network CA's side: a certificate for the key of a CSR, and a profile without a key).

Making a key for someone else (``--generate-key``) is kept for tests and quick trials
only: whoever made the key can sign as its owner, so a real institution never uses it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from finmesh.cli.network import (
    _passphrase,
    network_dir,
    open_network_store,
    passphrase_file_option,
    require_network,
)
from finmesh.cli.output import emit, fail, guarded, stderr
from finmesh.domain.bic import Bic
from finmesh.domain.errors import InvalidBic
from finmesh.identity import csr, keystore, pki, signin_code
from finmesh.identity.profile import KEY_FILE, load_profile
from finmesh.network.create import add_operator, load_ca, onboard
from finmesh.node.clock import system_clock

REQUEST_FILE = "request.csr"
GENERATED_NOTE = (
    "note: the network made this key (--generate-key), so the network can sign as"
    " {subject}; a real institution sends a CSR (finmesh participant csr) instead"
)

csr_option = click.option(
    "--csr",
    "csr_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="the owner's PKCS#10 request (PEM or DER, ECDSA P-256): certify its key; the"
    " profile gets no key.pem (the owner puts its own there)",
)
generate_key_option = click.option(
    "--generate-key",
    is_flag=True,
    help="instead of --csr, make the key here and write it into the profile (tests and"
    " trials only: the network then holds the owner's private key)",
)


def read_csr(csr_file: Path | None, generate_key: bool) -> csr.CheckedCsr | None:
    """The checked request of --csr, or None with --generate-key; exactly one is needed."""
    if csr_file is not None and generate_key:
        fail("usage", "give --csr FILE or --generate-key, not both")
    if csr_file is None and not generate_key:
        fail(
            "csr_required",
            "give --csr FILE with the owner's certificate signing request (made with"
            " `finmesh participant csr` or openssl), or --generate-key for a trial",
        )
    if csr_file is None:
        return None
    data = guarded(csr_file.read_bytes, "bad_csr", f"cannot read {csr_file}")
    return csr.check_csr(data)


def issued(folder: Path, subject: str, request: csr.CheckedCsr | None) -> dict[str, Any]:
    """What onboarding prints; says whose key it is."""
    if request is None:
        stderr.print(GENERATED_NOTE.format(subject=subject))
        return {"profile": str(folder), "key": "generated_by_network"}
    result: dict[str, Any] = {"profile": str(folder), "key": "owner"}
    if request.requested_subject and request.requested_subject != subject:
        result["requested_subject"] = request.requested_subject
    result["next"] = f"put the key that signed the request into {folder / KEY_FILE} (chmod 600)"
    return result


@click.group()
def participant() -> None:
    """Network identities of institutions."""


@participant.command("csr")
@click.option("--bic", required=True, help="your BIC11 (the CA decides; this is a hint)")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="folder for key.pem (mode 0600) and request.csr; created if missing",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="encrypt key.pem with the first line of this file (at least"
    f" {keystore.PASSPHRASE_CHARS_MIN} characters); load it later with"
    f" ${keystore.PASSPHRASE_ENV} or ${keystore.PASSPHRASE_FILE_ENV}",
)
def participant_csr(bic: str, out: Path, passphrase_file: Path | None) -> None:
    """Make your key pair and a certificate signing request, on your own machine: send
    request.csr to the network, keep key.pem (it never leaves you)."""
    try:
        parsed = Bic.parse(bic)
    except InvalidBic as exc:
        fail("invalid_bic", str(exc))
    if len(bic.strip()) != 11:
        fail("invalid_bic", f"--bic must be a BIC11 (11 characters): {bic!r}")
    passphrase = None
    if passphrase_file is not None:
        passphrase = keystore.check_new_passphrase(keystore.read_passphrase_file(passphrase_file))
    key_path, request_path = out / KEY_FILE, out / REQUEST_FILE
    for path in (key_path, request_path):
        if path.exists():
            fail("exists", f"{path} already exists; refusing to replace a key or request")
    key = pki.generate_key()
    request = csr.make_csr(key, parsed.bic11)
    guarded(
        lambda: out.mkdir(parents=True, exist_ok=True, mode=0o700), "io", f"cannot create {out}"
    )
    _write_new(key_path, pki.key_to_pem(key, passphrase), 0o600)
    _write_new(request_path, request, 0o644)
    emit(
        {
            "key": str(key_path),
            "csr": str(request_path),
            "subject": parsed.bic11,
            "encrypted": passphrase is not None,
        }
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    def write() -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)

    guarded(write, "io", f"cannot write {path}")


@participant.command("add")
@network_dir
@click.argument("bic")
@csr_option
@generate_key_option
@passphrase_file_option
def participant_add(
    directory: Path,
    bic: str,
    csr_file: Path | None,
    generate_key: bool,
    passphrase_file: Path | None,
) -> None:
    """Certify a directory institution's key (from its CSR) and write its profile
    DIRECTORY/participants/<BIC11>/ with cert.pem, ca.pem and profile.json, no key."""
    cfg = require_network(directory)
    request = read_csr(csr_file, generate_key)
    store = open_network_store(cfg)
    try:
        ca = load_ca(cfg, _passphrase(passphrase_file))
        folder = onboard(cfg, store, ca, bic, request.public_key_pem if request else None)
    finally:
        store.close()
    emit(issued(folder, folder.name, request))


@click.group()
def operator() -> None:
    """Operator identities (roles: operator, compliance, auditor)."""


@operator.command("add")
@network_dir
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(list(pki.OPERATOR_ROLES)),
)
@csr_option
@passphrase_file_option
@click.option(
    "--key-passphrase-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="without --csr: file whose first line encrypts the key made for the operator"
    " (default: the CA's passphrase)",
)
def operator_add(
    directory: Path,
    name: str,
    roles: tuple[str, ...],
    csr_file: Path | None,
    passphrase_file: Path | None,
    key_passphrase_file: Path | None,
) -> None:
    """Issue an operator certificate and write its profile: for the key of the
    operator's CSR (no key in the profile), or else a key made here, encrypted."""
    cfg = require_network(directory)
    request = None if csr_file is None else read_csr(csr_file, generate_key=False)
    store = open_network_store(cfg)
    try:
        ca_passphrase = _passphrase(passphrase_file)
        ca = load_ca(cfg, ca_passphrase)
        own = (
            keystore.read_passphrase_file(key_passphrase_file)
            if key_passphrase_file
            else ca_passphrase
        )
        public = request.public_key_pem if request else None
        folder = add_operator(cfg, store, ca, name, roles, own, public)
    finally:
        store.close()
    console = cfg.url.rstrip("/")
    result: dict[str, Any] = {"profile": str(folder), "roles": list(roles)}
    result["key"] = "owner" if request else "generated_by_network"
    result["console"] = f"{console}/console"
    if request is None:  # the key is here: the first console sign-in code can be made now
        code = signin_code.issue_code(load_profile(folder, own).key, name, system_clock())
        result["sign_in_code"] = code
        result["sign_in"] = SIGN_IN_HINT.format(url=console, folder=folder)
    else:
        result["sign_in"] = (
            f"put the key that signed the request into {folder / KEY_FILE}, then:"
            f" finmesh operator sign-in-code --operator {folder}"
        )
    emit(result)


SIGN_IN_HINT = (
    "open {url}/console and paste sign_in_code (valid 24 h, once); for a new code later:"
    " finmesh operator sign-in-code --operator {folder}"
)


@operator.command("sign-in-code")
@click.option(
    "--operator",
    "folder",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="operator profile folder (DIR/operators/<name>); its key signs the code",
)
@click.option(
    "--valid-minutes",
    type=click.IntRange(1, signin_code.CODE_VALID_MS_MAX // 60_000),
    default=10,
    show_default=True,
    help="how long the code may be used (once)",
)
def operator_sign_in_code(folder: Path, valid_minutes: int) -> None:
    """Make a one-time code that signs this operator in to the web console."""
    profile = load_profile(folder)
    if profile.kind != "operator":
        fail("not_operator", f"{folder} is a {profile.kind} profile, not an operator's")
    code = signin_code.issue_code(
        profile.key, profile.subject, system_clock(), valid_minutes * 60_000
    )
    emit(
        {
            "operator": profile.subject,
            "console": f"{profile.url.rstrip('/')}/console",
            "sign_in_code": code,
            "valid_minutes": valid_minutes,
        }
    )


COMMANDS = (participant, operator)
