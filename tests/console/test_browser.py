"""The console in a real browser: Debian's chromium driven by Playwright, against one
real `finmesh serve` for the module. Two compliance officers disconnect an institution
(the impact drawn before approval), release a screened hold with four-eyes, filter the
audit trail and find a message by UETR; the auditor can change nothing; a forged post
without the CSRF token changes nothing. Screenshots of each page go to
$FINMESH_CONSOLE_SCREENSHOTS (docs/console/ for the README), else to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from finmesh.client import Client
from finmesh.node.launcher import NodeProcess
from tests.console.seed import LISTED_NAME, Seeded, seed
from tests.console.signin import code_for

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path(os.environ.get("FINMESH_CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no browser at {CHROMIUM} (apt-get install chromium)",
)
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Site:
    root: Path
    url: str
    seeded: Seeded
    shots: Path
    browser: object

    def sign_in(self, name: str):  # type: ignore[no-untyped-def]
        context = self.browser.new_context(viewport=VIEWPORT, base_url=self.url)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto("/console")
        page.fill("#code", code_for(self.root, name))
        page.click("button[type=submit]")
        page.wait_for_url("**/console/overview")
        return page

    def shot(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=False)

    def api(self, name: str) -> Client:
        return Client.from_profile(self.root / "operators" / name, self.url)


@pytest.fixture(scope="module")
def site(network_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("console-browser") / "net"
    shutil.copytree(network_template, root)
    shots = Path(os.environ.get("FINMESH_CONSOLE_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    process = NodeProcess(root).start()
    try:
        seeded = seed(root, process.url)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                yield Site(root, process.url, seeded, shots, browser)
            finally:
                browser.close()
    finally:
        process.stop()


def audit_count(site: Site) -> int:
    with site.api("carol") as carol:
        return len(carol.request("GET", "/v1/ops/audit"))


def test_sign_in_page_and_overview(site: Site) -> None:
    context = site.browser.new_context(viewport=VIEWPORT, base_url=site.url)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto("/console")
    assert page.title().startswith("Sign in")
    site.shot(page, "signin")
    context.close()
    page = site.sign_in("alice")
    assert page.locator("svg").count() == 2  # the rates and the NAKs by reason
    assert "NAK " in page.text_content("main svg >> nth=1")
    assert "alice (compliance)" in page.inner_text("header")
    site.shot(page, "overview")


def test_two_officers_disconnect_seeing_the_impact_first(site: Site) -> None:
    target = site.seeded.cut_off
    alice = site.sign_in("alice")
    alice.click("text=Measures")
    alice.select_option("#kind", "disconnect")
    alice.fill("#bic", target[:8])
    alice.fill("#reference", "Council Decision (CFSP) test")
    alice.click("form[action='/console/measures'] button[type=submit]")
    alice.wait_for_url("**/console/measures/M-*")
    measure_id = alice.url.rsplit("/", 1)[1]
    assert "proposed" in alice.inner_text("h1")
    # the proposer cannot approve her own measure: four-eyes, as the API enforces it
    alice.click("text=Approve measure")
    assert "refused" in alice.inner_text(".flash.error")
    bob = site.sign_in("bob")
    bob.goto(f"/console/measures/{measure_id}")
    assert bob.inner_text("[data-test=stopped]") == "2"  # the two payments to it
    assert "USD" in bob.inner_html("#impact svg >> nth=0")
    site.shot(bob, "measure-impact")
    bob.click("text=Approve measure")
    bob.wait_for_url(f"**/console/measures/{measure_id}")
    assert "active" in bob.inner_text("h1")
    bob.goto(f"/console/institutions/{target}")
    assert f"disconnected by {measure_id}" in bob.inner_text("h1")
    site.shot(bob, "institution")


def test_release_a_screened_hold_with_four_eyes(site: Site) -> None:
    alice = site.sign_in("alice")
    alice.click("text=Holds")
    alice.click(f"tr:has-text('{site.seeded.held_id}') a")
    text = alice.inner_text("main")
    assert LISTED_NAME in text and "2500.00 EUR" in text and "screening" in text
    assert "<Document" in alice.text_content("pre.raw")  # the raw XML, shown as text
    site.shot(alice, "hold")
    alice.click("button:has-text('Release')")  # without a reason: refused
    assert "reason is required" in alice.inner_text(".flash.error")
    alice.go_back()
    alice.fill("#reason", "checked: not the listed entity")
    alice.click("button:has-text('Release')")
    assert "alice proposed to release" in alice.inner_text("main")
    alice.click("button:has-text('Confirm release')")  # her own proposal
    assert "four-eyes" in alice.inner_text(".flash.error")
    bob = site.sign_in("bob")
    bob.goto("/console/holds")
    bob.click(f"tr:has-text('{site.seeded.held_id}') a")
    bob.click("button:has-text('Confirm release')")
    assert "released" in bob.inner_text("h1")


def test_filter_the_audit_trail_and_export_it(site: Site) -> None:
    carol = site.sign_in("carol")
    carol.click("text=Audit")
    assert carol.inner_text("[data-test=verdict]") == "chain verified"
    carol.fill("#actor", "bob")
    carol.fill("#action", "hold.")
    carol.click("button:has-text('Filter')")
    rows = carol.locator("table tr").all_inner_texts()[1:]
    assert rows and all("bob" in r and "hold." in r for r in rows)
    site.shot(carol, "audit")
    link = carol.get_attribute("a:has-text('CSV')", "href")
    csv = carol.context.request.get(link)
    assert csv.ok and csv.text().startswith("seq,at_ms,at,actor,action")
    assert "hold.release.confirm" in csv.text() and "measure.propose" not in csv.text()
    jsonl = carol.context.request.get(carol.get_attribute("a:has-text('JSON lines')", "href"))
    assert jsonl.ok and all('"actor": "bob"' in line for line in jsonl.text().splitlines())


def test_find_a_message_by_uetr(site: Site) -> None:
    carol = site.sign_in("carol")
    carol.click("text=Messages")
    carol.select_option("select[name=field]", "uetr")
    carol.fill("input[name=value]", site.seeded.clear_uetr)
    carol.click("button:has-text('Find')")
    carol.wait_for_url("**/console/messages/*")
    life = carol.inner_text("main")
    assert "received" in life and site.seeded.clear_uetr in life and "100.00 EUR" in life
    site.shot(carol, "message")
    carol.click("text=Lists")
    carol.fill("#name", LISTED_NAME)
    carol.click("button:has-text('Screen')")
    assert carol.inner_text("[data-test=decision]") == "hold"
    site.shot(carol, "lists")


def test_the_auditor_cannot_change_anything(site: Site) -> None:
    before = audit_count(site)
    carol = site.sign_in("carol")
    carol.click("text=Measures")
    assert carol.locator("form[action='/console/measures']").count() == 0
    csrf = carol.get_attribute("input[name=csrf]", "value")
    # even a well-formed post with her own token is refused by the service's role check
    for path, form in [
        ("/console/measures", {"kind": "disconnect", "bic": site.seeded.receiver[:8],
                               "action": "reject", "reference": "x"}),
        ("/console/holds/1/release", {"reason": "x"}),
        ("/console/measures/M-1/lift", {}),
    ]:  # fmt: skip
        answer = carol.context.request.post(path, form={"csrf": csrf, **form}, max_redirects=0)
        assert answer.status in (403, 404), (path, answer.status)
    assert audit_count(site) == before


def test_a_forged_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    before = audit_count(site)
    alice = site.sign_in("alice")
    form = {"kind": "disconnect", "bic": site.seeded.receiver[:8], "action": "reject",
            "reference": "forged"}  # fmt: skip
    answer = alice.context.request.post("/console/measures", form=form, max_redirects=0)
    assert answer.status == 403 and "csrf_refused" in answer.text()
    # a page from elsewhere posting to the node: the SameSite=Strict cookie stays home
    fields = "".join(f'<input name="{k}" value="{v}">' for k, v in form.items())
    alice.set_content(
        f'<form method="post" action="{site.url}/console/measures">{fields}'
        '<button id="go">go</button></form>'
    )
    alice.click("#go")
    assert alice.locator(".flash.error").count() == 1
    assert audit_count(site) == before
    with httpx.Client(base_url=site.url, timeout=15) as plain:
        assert plain.post("/console/measures", data=form).status_code == 401
