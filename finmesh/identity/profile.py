"""A participant's or operator's local profile: key, certificate, CA and node URL.

A profile folder holds::

    key.pem       private key, mode 0600, possibly encrypted PKCS#8 (finmesh.identity.keystore);
                  put there by its owner, who made it with the CSR (finmesh.identity.csr),
                  or written by the network for the demo's own banks only
    cert.pem      this subject's certificate
    ca.pem        the network CA certificate
    profile.json  {"subject": ..., "kind": "participant"|"operator", "url": ..., "roles": [...]}

profile.json is written last, so a folder with a profile.json is complete: a crash while
writing leaves no profile rather than a half one. Loading checks that the parts agree
(key matches certificate, certificate names the subject, kind and roles, and the CA
signed it) but not expiry: an expired profile still loads, so tools can say it expired.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from finmesh.domain.errors import FinmeshError
from finmesh.identity import keystore, pki
from finmesh.identity.ca import CertificateAuthority

DEFAULT_URL = "http://127.0.0.1:8470"
KEY_FILE = "key.pem"
CERT_FILE = "cert.pem"
CA_FILE = "ca.pem"
PROFILE_FILE = "profile.json"
RECEIVE_FORMATS = ("mx", "mt")

_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")


class ProfileError(FinmeshError):
    """A profile folder is missing a part, or its parts do not agree."""


@dataclass(frozen=True)
class Profile:
    folder: Path
    subject: str
    kind: pki.Kind
    url: str
    key: ec.EllipticCurvePrivateKey = field(repr=False)
    cert_pem: bytes = field(repr=False)
    ca_pem: bytes = field(repr=False)
    roles: tuple[str, ...] = ()
    receive_format: str = "mx"
    """The form this institution receives messages in: mx (ISO 20022) or mt (FIN);
    profile.json "receive_format", default mx."""


def _check_consistent(
    where: Path,
    key: ec.EllipticCurvePrivateKey | None,
    cert_pem: bytes,
    ca_pem: bytes,
    subject: str,
    kind: str,
    roles: Sequence[str],
) -> None:
    try:
        identity = pki.certificate_identity(cert_pem)
        pki.load_certificate(ca_pem)
        pki.check_issuer(cert_pem, ca_pem)
    except FinmeshError as exc:
        raise ProfileError(f"{where}: {exc}") from None
    if key is not None and not pki.keys_match(key, cert_pem):
        raise ProfileError(f"{where}: {KEY_FILE} does not match the public key in {CERT_FILE}")
    if identity.subject != subject:
        raise ProfileError(
            f"{where}: subject {subject!r} but {CERT_FILE} names {identity.subject!r}"
        )
    if identity.kind != kind:
        raise ProfileError(
            f"{where}: kind {kind!r} but {CERT_FILE} is a {identity.kind} certificate"
        )
    if sorted(identity.roles) != sorted(set(roles)):
        raise ProfileError(
            f"{where}: roles {sorted(set(roles))} but {CERT_FILE} grants {sorted(identity.roles)}"
        )


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    # O_EXCL on a fresh name plus an explicit mode: the key is never readable by others,
    # not even briefly, whatever the umask.
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _fsync_dir(folder: Path) -> None:
    # Makes the renames durable; not every platform can open a directory, which is fine.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_profile(
    folder: Path,
    *,
    key: ec.EllipticCurvePrivateKey,
    cert_pem: bytes,
    ca_pem: bytes,
    subject: str,
    kind: str,
    url: str,
    roles: Sequence[str] = (),
    overwrite: bool = False,
    passphrase: bytes | None = None,
) -> None:
    """Write a profile folder with its key, refusing parts that do not agree.

    Refuses to replace an existing profile unless ``overwrite``: replacing key.pem
    destroys the only copy of a private key. With ``passphrase`` the key is written
    encrypted (PKCS#8). Only the demo and ``--generate-key`` make keys for others; a
    real institution's profile is written by ``write_certificate_profile``.
    """
    folder = Path(folder)
    _check_new(folder, cert_pem, ca_pem, subject, kind, url, roles, key)
    if not overwrite and ((folder / PROFILE_FILE).exists() or (folder / KEY_FILE).exists()):
        raise ProfileError(
            f"{folder}: a profile or key.pem already exists there; refusing to overwrite it"
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_atomic(folder / KEY_FILE, pki.key_to_pem(key, passphrase), 0o600)
    _write_public_parts(folder, cert_pem, ca_pem, subject, kind, url, roles)


def write_certificate_profile(
    folder: Path,
    *,
    cert_pem: bytes,
    ca_pem: bytes,
    subject: str,
    kind: str,
    url: str,
    roles: Sequence[str] = (),
    overwrite: bool = False,
) -> None:
    """Write a profile folder without a key: certificate, CA and profile.json. The
    owner of the key (who made the CSR) puts its own key.pem beside them. Never reads,
    writes or removes a key.pem already there."""
    folder = Path(folder)
    _check_new(folder, cert_pem, ca_pem, subject, kind, url, roles, None)
    if not overwrite and (folder / PROFILE_FILE).exists():
        raise ProfileError(f"{folder}: a profile already exists there; refusing to overwrite it")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_public_parts(folder, cert_pem, ca_pem, subject, kind, url, roles)


def _check_new(
    folder: Path,
    cert_pem: bytes,
    ca_pem: bytes,
    subject: str,
    kind: str,
    url: str,
    roles: Sequence[str],
    key: ec.EllipticCurvePrivateKey | None,
) -> None:
    if kind not in pki.KINDS:
        raise ProfileError(f"{folder}: kind must be one of {list(pki.KINDS)}, not {kind!r}")
    if not _URL.fullmatch(url):
        raise ProfileError(f"{folder}: url must be http(s)://host[:port][/path], not {url!r}")
    _check_consistent(folder, key, cert_pem, ca_pem, subject, kind, roles)


def _write_public_parts(
    folder: Path,
    cert_pem: bytes,
    ca_pem: bytes,
    subject: str,
    kind: str,
    url: str,
    roles: Sequence[str],
) -> None:
    document = {
        "subject": subject,
        "kind": kind,
        "url": url,
        "roles": list(dict.fromkeys(roles)),
    }
    _write_atomic(folder / CERT_FILE, cert_pem, 0o644)
    _write_atomic(folder / CA_FILE, ca_pem, 0o644)
    _write_atomic(
        folder / PROFILE_FILE, (json.dumps(document, indent=2) + "\n").encode("utf-8"), 0o644
    )
    _fsync_dir(folder)


def _read(folder: Path, name: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        raise ProfileError(f"{folder}: missing {name}") from None
    except OSError as exc:
        raise ProfileError(f"{folder}: cannot read {name}: {exc.strerror}") from None


def _field(document: dict[str, Any], folder: Path, name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value:
        raise ProfileError(f"{folder}: {PROFILE_FILE} needs a non-empty string {name!r}")
    return value


def load_profile(folder: Path, passphrase: bytes | None = None) -> Profile:
    """Load and cross-check a profile folder, or raise ProfileError saying what is wrong.

    An encrypted key.pem is decrypted with ``passphrase``, else with the one
    finmesh.identity.keystore finds (environment, or the demo network's file); a missing or wrong
    passphrase raises pki.KeyLocked or pki.WrongPassphrase naming the file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ProfileError(f"{folder}: no such profile folder")
    raw = _read(folder, PROFILE_FILE)
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{folder}: {PROFILE_FILE} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ProfileError(f"{folder}: {PROFILE_FILE} must hold a JSON object")
    subject = _field(document, folder, "subject")
    kind_text = _field(document, folder, "kind")
    if kind_text not in pki.KINDS:
        raise ProfileError(f"{folder}: kind must be one of {list(pki.KINDS)}, not {kind_text!r}")
    kind = pki.as_kind(kind_text)
    url = _field(document, folder, "url")
    if not _URL.fullmatch(url):
        raise ProfileError(f"{folder}: url must be http(s)://host[:port][/path], not {url!r}")
    roles_value = document.get("roles", [])
    if not isinstance(roles_value, list) or not all(isinstance(r, str) for r in roles_value):
        raise ProfileError(f"{folder}: {PROFILE_FILE} 'roles' must be a list of strings")
    roles = tuple(roles_value)
    receive_format = document.get("receive_format", "mx")
    if receive_format not in RECEIVE_FORMATS:
        raise ProfileError(
            f"{folder}: receive_format must be one of {list(RECEIVE_FORMATS)}, not "
            f"{receive_format!r}"
        )

    key_path = folder / KEY_FILE
    if not key_path.exists() and (folder / CERT_FILE).exists():
        raise ProfileError(
            f"{folder}: missing {KEY_FILE}: put there the private key that signed your"
            " certificate signing request (it never went to the network)"
        )
    key_pem = _read(folder, KEY_FILE)
    if os.name == "posix" and key_path.stat().st_mode & 0o077:
        # Same rule as ssh: a key others can read is no longer private; say so loudly.
        raise ProfileError(f"{key_path} is accessible by group or others; run chmod 600 on it")
    if pki.is_encrypted_pem(key_pem) and passphrase is None:
        passphrase = keystore.profile_passphrase(folder)
    try:
        key = keystore.unlock(key_pem, key_path, passphrase)
    except (pki.KeyLocked, pki.WrongPassphrase):
        raise
    except pki.PkiError as exc:
        raise ProfileError(f"{key_path}: {exc}") from None
    cert_pem = _read(folder, CERT_FILE)
    ca_pem = _read(folder, CA_FILE)
    _check_consistent(folder, key, cert_pem, ca_pem, subject, kind, roles)
    return Profile(
        folder=folder,
        subject=subject,
        kind=kind,
        url=url,
        key=key,
        cert_pem=cert_pem,
        ca_pem=ca_pem,
        roles=roles,
        receive_format=receive_format,
    )


def issue_participant_profile(
    folder: Path,
    url: str,
    ca: CertificateAuthority,
    bic11: str,
    display_name: str,
    *,
    overwrite: bool = False,
    public_key_pem: bytes | None = None,
) -> bytes:
    """Certify ``bic11`` and write its profile ``folder`` (replacing an old one only
    when ``overwrite``); returns the certificate, which the caller registers with the
    store after the profile is safely on disk.

    With ``public_key_pem`` (from the institution's CSR) the folder gets no key: the
    institution keeps its own. Without it a key is made here and written into the
    folder: only for the demo's own banks and an explicit ``--generate-key``."""
    if public_key_pem is not None:
        cert_pem = ca.issue(bic11, public_key_pem, kind="participant", display_name=display_name)
        write_certificate_profile(
            folder,
            cert_pem=cert_pem,
            ca_pem=ca.cert_pem,
            subject=bic11,
            kind="participant",
            url=url,
            overwrite=overwrite,
        )
        return cert_pem
    key = pki.generate_key()
    cert_pem = ca.issue(
        bic11, pki.public_key_pem(key), kind="participant", display_name=display_name
    )
    write_profile(
        folder,
        key=key,
        cert_pem=cert_pem,
        ca_pem=ca.cert_pem,
        subject=bic11,
        kind="participant",
        url=url,
        overwrite=overwrite,
    )
    return cert_pem
