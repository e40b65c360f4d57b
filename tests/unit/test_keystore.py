"""finmesh.identity.keystore: where the passphrase of encrypted keys comes from, and the coded
errors of encrypted keys (pki.key_to_pem / load_key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh.identity import keystore, pki

STRONG = b"a passphrase long enough"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keystore.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(keystore.PASSPHRASE_FILE_ENV, raising=False)


def _network(root: Path, demo: bytes | None) -> Path:
    (root / "operators" / "alice").mkdir(parents=True)
    (root / keystore.NETWORK_MARKER).write_text("{}")
    if demo is not None:
        (root / keystore.DEMO_PASSPHRASE_FILE).write_bytes(demo + b"\n")
    return root


def test_encrypted_key_roundtrip_and_coded_errors() -> None:
    key = pki.generate_key()
    pem = pki.key_to_pem(key, STRONG)
    assert pki.is_encrypted_pem(pem) and not pki.is_encrypted_pem(pki.key_to_pem(key))
    assert pki.load_key(pem, STRONG).private_numbers() == key.private_numbers()
    with pytest.raises(pki.KeyLocked):
        pki.load_key(pem)
    with pytest.raises(pki.WrongPassphrase):
        pki.load_key(pem, b"wrong")
    # a plain key loads whatever passphrase the environment holds
    assert pki.load_key(pki.key_to_pem(key), STRONG).private_numbers() == key.private_numbers()
    with pytest.raises(pki.PkiError):
        pki.key_to_pem(key, b"")
    with pytest.raises(pki.KeyLocked, match=r"^passphrase_required: .*key\.pem"):
        keystore.unlock(pem, Path("key.pem"), None)


def test_environment_beats_file_beats_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _network(tmp_path / "net", b"demo-passphrase")
    assert keystore.network_passphrase(root) == b"demo-passphrase"
    secret = tmp_path / "secret"
    secret.write_text("from the file\nsecond line ignored\n")
    monkeypatch.setenv(keystore.PASSPHRASE_FILE_ENV, str(secret))
    assert keystore.network_passphrase(root) == b"from the file"
    monkeypatch.setenv(keystore.PASSPHRASE_ENV, "from the env")
    assert keystore.network_passphrase(root) == b"from the env"


def test_profile_falls_back_to_its_networks_demo_file_only(tmp_path: Path) -> None:
    root = _network(tmp_path / "net", b"demo-passphrase")
    assert keystore.profile_passphrase(root / "operators" / "alice") == b"demo-passphrase"
    elsewhere = tmp_path / "copied" / "alice"
    elsewhere.mkdir(parents=True)
    assert keystore.profile_passphrase(elsewhere) is None
    assert keystore.network_passphrase(_network(tmp_path / "prod", None)) is None


def test_unusable_passphrase_files_and_weak_passphrases_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    with pytest.raises(pki.PkiError, match="is empty"):
        keystore.read_passphrase_file(empty)
    with pytest.raises(pki.PkiError, match="cannot read"):
        keystore.read_passphrase_file(tmp_path / "absent")
    with pytest.raises(keystore.WeakPassphrase, match="weak_passphrase"):
        keystore.check_new_passphrase(b"x" * (keystore.PASSPHRASE_CHARS_MIN - 1))
    assert keystore.check_new_passphrase(STRONG) == STRONG


def test_demo_passphrase_is_random_private_and_never_overwritten(tmp_path: Path) -> None:
    first = keystore.write_demo_passphrase(tmp_path)
    path = tmp_path / keystore.DEMO_PASSPHRASE_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(first) >= keystore.PASSPHRASE_CHARS_MIN
    assert keystore.read_passphrase_file(path) == first
    with pytest.raises(FileExistsError):
        keystore.write_demo_passphrase(tmp_path)
