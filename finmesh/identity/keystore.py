"""Private keys at rest: the passphrase that unlocks the network CA and operator keys.

The CA key (``DIR/ca/ca.key.pem``) and every operator key (``DIR/operators/<name>/key.pem``)
are written as encrypted PKCS#8. The passphrase comes from, first found wins:

1. ``FINMESH_PASSPHRASE``        the passphrase itself (an explicit argument beats it);
2. ``FINMESH_PASSPHRASE_FILE``   a file whose first line is the passphrase (the CLI's
                                 ``--passphrase-file`` sets the same thing);
3. ``DIR/DEMO-PASSPHRASE``       written by ``finmesh init DIR --demo`` when neither of the
                                 above was given: a random passphrase, mode 0600, so the demo
                                 and the acceptance commands run without prompting. It sits
                                 beside the keys it unlocks, so it protects nothing against
                                 someone who can read DIR: a production network is created
                                 without ``--demo`` (which refuses to run without a passphrase)
                                 and must never carry this file.

Participant keys are not encrypted by finmesh (see docs/threat-model.md): an institution
keeps its key in its own systems; ``load_profile`` still accepts an encrypted one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from finmesh.identity import pki

PASSPHRASE_ENV = "FINMESH_PASSPHRASE"
PASSPHRASE_FILE_ENV = "FINMESH_PASSPHRASE_FILE"
DEMO_PASSPHRASE_FILE = "DEMO-PASSPHRASE"
NETWORK_MARKER = "network.json"

PASSPHRASE_CHARS_MIN = 16
"""Shortest passphrase accepted for a new key, in characters. cryptography's PKCS#8
encryption derives the key with PBKDF2-HMAC-SHA256 at 2,048 rounds (read from a key it
wrote, with `openssl asn1parse`): cheap to guess against, so the passphrase itself must
carry the strength."""

DEMO_PASSPHRASE_BYTES = 32
"""Random bytes behind a generated demo passphrase (43 URL-safe characters)."""

HINT = f"set {PASSPHRASE_ENV}, or {PASSPHRASE_FILE_ENV} (--passphrase-file) to a file holding it"


class WeakPassphrase(pki.PkiError):
    """A passphrase for a new key is too short."""

    code = "weak_passphrase"


def read_passphrase_file(path: Path) -> bytes:
    """The first line of ``path`` (without its line ending), as UTF-8 bytes."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise pki.PkiError(f"cannot read the passphrase file {path}: {exc}") from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise pki.PkiError(f"the passphrase file {path} is empty")
    return line.encode("utf-8")


def configured_passphrase() -> bytes | None:
    """The passphrase the environment gives (sources 1 and 2), or None."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value.encode("utf-8")
    file_name = os.environ.get(PASSPHRASE_FILE_ENV)
    if file_name:
        return read_passphrase_file(Path(file_name))
    return None


def network_passphrase(root: Path) -> bytes | None:
    """The passphrase for keys of the network in ``root``: environment, else its demo file."""
    configured = configured_passphrase()
    if configured is not None:
        return configured
    demo = root / DEMO_PASSPHRASE_FILE
    return read_passphrase_file(demo) if demo.is_file() else None


def profile_passphrase(folder: Path) -> bytes | None:
    """The passphrase for the key in a profile folder. A profile inside a network folder
    (``DIR/operators/<name>``) falls back to that network's demo passphrase."""
    configured = configured_passphrase()
    if configured is not None:
        return configured
    root = folder.resolve().parent.parent
    if (root / NETWORK_MARKER).is_file():
        return network_passphrase(root)
    return None


def check_new_passphrase(passphrase: bytes) -> bytes:
    """Refuse a passphrase too short to protect a new key."""
    if len(passphrase.decode("utf-8", "replace")) < PASSPHRASE_CHARS_MIN:
        raise WeakPassphrase(
            f"{WeakPassphrase.code}: a passphrase protecting a new key needs at least"
            f" {PASSPHRASE_CHARS_MIN} characters"
        )
    return passphrase


def write_demo_passphrase(root: Path) -> bytes:
    """Generate a random passphrase and write it to ``root/DEMO-PASSPHRASE`` (0600)."""
    passphrase = secrets.token_urlsafe(DEMO_PASSPHRASE_BYTES)
    fd = os.open(root / DEMO_PASSPHRASE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(passphrase + "\n")
    return passphrase.encode("utf-8")


def unlock(pem: bytes, where: Path, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    """Load the key read from ``where``; a locked or wrongly unlocked key raises the
    same error class with a message that starts with its code and says what to do."""
    try:
        return pki.load_key(pem, passphrase)
    except pki.KeyLocked:
        raise pki.KeyLocked(
            f"{pki.KeyLocked.code}: {where} is encrypted and no passphrase was given; {HINT}"
        ) from None
    except pki.WrongPassphrase:
        raise pki.WrongPassphrase(
            f"{pki.WrongPassphrase.code}: the passphrase given does not decrypt {where}"
        ) from None
