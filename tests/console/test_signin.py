"""Console sign-in against a real `finmesh serve`: the sign-in page loads nothing from
outside, a sign-in code works once and only with a good signature, sessions are HttpOnly
SameSite=Strict cookies that end at sign-out or expiry, posts need the CSRF token, and
/docs loads nothing from a CDN."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.console.sessions import COOKIE, Sessions, load_secret
from finmesh.identity import pki, signin_code
from finmesh.node.launcher import NodeProcess
from tests.console.signin import code_for, csrf_of, sign_in

EXTERNAL = re.compile(r"<(script|link)[^>]*(src|href)=\"(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def served(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("console-signin") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield process.url, root
    finally:
        process.stop()


def post_code(url: str, code: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=15) as browser:
        page = browser.get("/console")
        return browser.post("/console/sign-in", data={"csrf": csrf_of(page.text), "code": code})


def test_sign_in_page_is_html_with_nothing_from_outside(served: tuple[str, Path]) -> None:
    url, _ = served
    page = httpx.get(f"{url}/console", timeout=15)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Sign in" in page.text
    assert not EXTERNAL.search(page.text)
    assert "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    css = httpx.get(f"{url}/console/static/console.css", timeout=15)
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_docs_page_loads_nothing_from_a_cdn(served: tuple[str, Path]) -> None:
    url, _ = served
    docs = httpx.get(f"{url}/docs", timeout=15)
    assert docs.status_code == 200
    assert "/v1/messages" in docs.text
    assert "cdn" not in docs.text.lower() and not EXTERNAL.search(docs.text)


def test_a_code_signs_in_once_with_a_strict_cookie(served: tuple[str, Path]) -> None:
    url, root = served
    code = code_for(root, "alice")
    first = post_code(url, code)
    assert first.status_code == 303
    cookie = first.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/console" in cookie
    again = post_code(url, code)
    assert again.status_code == 401
    assert "used already" in again.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c[:-4] + ("AAAA" if not c.endswith("AAAA") else "BBBB"), "bad signature"),
        (lambda c: "mallory" + c[c.index("."):], "no certificate on record"),
        (lambda c: "not a code", "malformed sign-in code"),
    ],
)
def test_forged_or_garbled_codes_are_refused(served: tuple[str, Path], change, expected) -> None:  # type: ignore[no-untyped-def]
    url, root = served
    answer = post_code(url, change(code_for(root, "bob")))
    assert answer.status_code == 401
    assert expected in answer.text
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_expired_code_and_code_signed_by_another_key_are_refused(served: tuple[str, Path]) -> None:
    url, root = served
    from finmesh.identity.profile import load_profile

    key = load_profile(root / "operators" / "bob").key
    old = signin_code.issue_code(key, "bob", time.time_ns() // 1_000_000 - 120_000, 60_000)
    assert "expired" in post_code(url, old).text
    stranger = signin_code.issue_code(pki.generate_key(), "bob", time.time_ns() // 1_000_000)
    assert "bad signature" in post_code(url, stranger).text


def test_sign_in_without_the_csrf_token_is_refused(served: tuple[str, Path]) -> None:
    url, root = served
    answer = httpx.post(
        f"{url}/console/sign-in", data={"code": code_for(root, "alice")}, timeout=15
    )
    assert answer.status_code == 403
    assert "csrf_refused" in answer.text


def test_pages_need_a_session_and_sign_out_ends_it(served: tuple[str, Path]) -> None:
    url, root = served
    anonymous = httpx.get(f"{url}/console/overview", timeout=15)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console"
    with httpx.Client(base_url=url, timeout=15) as browser:
        sign_in(browser, root, "carol")
        overview = browser.get("/console/overview")
        assert overview.status_code == 200 and "carol (auditor)" in overview.text
        cookie = browser.cookies[COOKIE]
        # a sign-out forged without the token changes nothing
        forged = browser.post("/console/sign-out", data={"reason": "forged"})
        assert forged.status_code == 403 and "csrf_refused" in forged.text
        assert browser.get("/console/overview").status_code == 200
        out = browser.post("/console/sign-out", data={"csrf": csrf_of(overview.text)})
        assert out.status_code == 303
    replay = httpx.get(f"{url}/console/overview", cookies={COOKIE: cookie}, timeout=15)
    assert replay.status_code == 303  # the old cookie no longer works


def test_expired_and_forged_sessions_are_refused(served: tuple[str, Path]) -> None:
    url, root = served
    sessions = Sessions(load_secret(root))
    _, stale = sessions.issue("alice", time.time_ns() // 1_000_000 - 3_600_000, 30)
    gone = httpx.get(f"{url}/console/overview", cookies={COOKIE: stale}, timeout=15)
    assert gone.status_code == 303
    _, other = Sessions(b"x" * 32).issue("alice", time.time_ns() // 1_000_000, 30)
    forged = httpx.get(f"{url}/console/overview", cookies={COOKIE: other}, timeout=15)
    assert forged.status_code == 303
