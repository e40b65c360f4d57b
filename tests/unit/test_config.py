"""The settings surface: each FINMESH_* variable parsed once, refused precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmesh import config


def test_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in config.SETTINGS:
        monkeypatch.delenv(s.name, raising=False)
    assert config.default_port() == config.DEFAULT_PORT
    assert config.sweep_seconds() == 5
    assert (config.log_level(), config.log_format()) == ("info", "json")
    assert config.retention_days() == 0


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("FINMESH_SWEEP_SECONDS", "soon", "is not a number (seconds)"),
        ("FINMESH_SUBJECT_RPS", "-1", "must be at least 0 (requests/s)"),
        ("FINMESH_PORT", "70000", "is not a TCP port"),
        ("FINMESH_LOG_LEVEL", "loud", "choose one of debug, info, warning, error"),
        ("FINMESH_RETENTION_DAYS", "nan", "must be at least 0 (days)"),
    ],
)
def test_bad_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(name, value)
    read = {
        "FINMESH_SWEEP_SECONDS": config.sweep_seconds,
        "FINMESH_SUBJECT_RPS": config.subject_requests_per_second,
        "FINMESH_PORT": config.default_port,
        "FINMESH_LOG_LEVEL": config.log_level,
        "FINMESH_RETENTION_DAYS": config.retention_days,
    }[name]
    with pytest.raises(config.BadSetting) as caught:
        read()
    assert caught.value.code == "bad_setting"
    assert name in str(caught.value) and problem in str(caught.value)


def test_in_force_masks_secrets_and_passwords(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINMESH_PASSPHRASE", "hunter2")
    monkeypatch.setenv("FINMESH_DATABASE_URL", "postgresql://bank:s3cret@db:5432/fm")
    rows = {r["name"]: r for r in config.in_force(None)}
    assert rows["FINMESH_PASSPHRASE"]["value"] == "(set)"
    assert rows["FINMESH_DATABASE_URL"]["value"] == "postgresql://bank:***@db:5432/fm"
    assert rows["FINMESH_DATABASE_URL"]["source"] == "environment"
