"""Test helpers: sign an operator in to a node's console over plain HTTP (httpx), the
way a browser does: fetch the sign-in page, post the code with its CSRF token."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from finmesh.identity import signin_code
from finmesh.identity.profile import load_profile

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def code_for(root: Path, name: str, valid_ms: int = 60_000) -> str:
    profile = load_profile(root / "operators" / name)
    return signin_code.issue_code(profile.key, name, time.time_ns() // 1_000_000, valid_ms)


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def sign_in(browser: httpx.Client, root: Path, name: str) -> None:
    """Sign ``browser`` (base_url: the node) in as operator ``name``."""
    page = browser.get("/console")
    answer = browser.post(
        "/console/sign-in", data={"csrf": csrf_of(page.text), "code": code_for(root, name)}
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/overview"
