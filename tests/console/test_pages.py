"""Console pages over plain HTTP against a real node, for what the browser tests do not
walk through: a prohibition with a licence (four-eyes on both), refused inputs that
change nothing, a list upload, and every page answering an auditor."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finmesh.client import Client
from finmesh.domain.iso20022 import example_message
from finmesh.network.demo_directory import sanctions_demo_entities
from finmesh.node.launcher import NodeProcess
from tests.console.seed import Seeded, real_participants, seed
from tests.console.signin import csrf_of, sign_in

CBR = sanctions_demo_entities()["cbr"]


@pytest.fixture(scope="module")
def served(
    network_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Seeded]]:
    root = tmp_path_factory.mktemp("console-pages") / "net"
    shutil.copytree(network_template, root)
    process = NodeProcess(root).start()
    try:
        yield process.url, root, seed(root, process.url)
    finally:
        process.stop()


def flash(page: httpx.Response) -> str:
    found = re.search(r'class="flash error"[^>]*><strong>([^<]*)</strong>', page.text)
    return found.group(1) if found else ""


def audit_size(url: str, root: Path) -> int:
    with Client.from_profile(root / "operators" / "carol", url) as carol:
        return len(carol.request("GET", "/v1/ops/audit"))


def post(browser: httpx.Client, path: str, page: str, **form: str) -> httpx.Response:
    return browser.post(path, data={"csrf": csrf_of(browser.get(page).text), **form})


def test_prohibition_and_licence_with_four_eyes(served: tuple[str, Path, Seeded]) -> None:
    url, root, _ = served
    with httpx.Client(base_url=url, timeout=15) as alice, \
            httpx.Client(base_url=url, timeout=15) as bob:  # fmt: skip
        sign_in(alice, root, "alice")
        sign_in(bob, root, "bob")
        made = post(alice, "/console/measures", "/console/measures", kind="prohibit",
                    bic=CBR[:8], action="hold", reference="Reg (EU) 2022/345")  # fmt: skip
        assert made.status_code == 303
        measure = made.headers["location"].rsplit("/", 1)[1]
        page = f"/console/measures/{measure}"
        assert post(bob, f"{page}/approve", page).status_code == 303
        assert "active" in bob.get(page).text
        bad = post(alice, f"{page}/licences", page, reference="gas", amount_max="lots")
        assert bad.status_code == 400 and flash(bad) == "bad_request"
        licensed = post(alice, f"{page}/licences", page, reference="Art. 5 gas",
                        currencies="eur", amount_max="1000")  # fmt: skip
        assert licensed.status_code == 303
        listing = alice.get("/console/measures").text
        [licence] = re.findall(r'action="/console/licences/(L-\d+)/approve"', listing)
        own = post(alice, f"/console/licences/{licence}/approve", "/console/measures")
        assert own.status_code == 409 and "four-eyes" in own.text
        approved = post(bob, f"/console/licences/{licence}/approve", "/console/measures")
        assert approved.status_code == 303
        assert f"{licence}</td>" in bob.get("/console/measures").text
        assert "bob" in bob.get("/console/measures").text.split(licence, 1)[1].split("</tr>")[0]
        # traffic through the prohibition: EUR under the licence passes, USD is held
        a, b = real_participants(root)[3:5]
        with Client.from_profile(root / "participants" / a, url) as bank:
            [passed, held] = bank.send(
                [example_message("pacs.009", a, b, extra_agent_bics=[CBR]),
                 example_message("pacs.009", a, b, extra_agent_bics=[CBR], currency="USD")]
            )  # fmt: skip
        assert passed["licence"] == licence and held["held"], (passed, held)
        life = bob.get(f"/console/messages?field=biz_msg_id&value={passed['id']}",
                       follow_redirects=True).text  # fmt: skip
        assert f"through licence {licence}" in life
        hold_page = bob.get(f"/console/holds/{held['hold']}").text
        link = f'<a href="/console/measures/{measure}">{measure}</a>'
        assert f"Measure {link}: prohibit" in hold_page


def test_a_second_officer_refuses_a_proposal_from_its_page(
    served: tuple[str, Path, Seeded],
) -> None:
    url, root, _ = served
    with httpx.Client(base_url=url, timeout=15) as alice, \
            httpx.Client(base_url=url, timeout=15) as bob:  # fmt: skip
        sign_in(alice, root, "alice")
        sign_in(bob, root, "bob")
        made = post(alice, "/console/measures", "/console/measures", kind="prohibit",
                    bic=CBR[:8], action="hold", reference="draft to refuse",
                    effective="2099-01-01T00:00")  # fmt: skip
        assert made.status_code == 303
        page = made.headers["location"]
        assert 'action="' + page + '/refuse"' in bob.get(page).text
        own = post(alice, f"{page}/refuse", page, reason="mine")
        assert own.status_code == 409 and "four-eyes" in own.text
        unexplained = post(bob, f"{page}/refuse", page, reason="  ")
        assert unexplained.status_code == 400 and flash(unexplained) == "bad_request"
        assert post(bob, f"{page}/refuse", page, reason="wrong entity").status_code == 303
        shown = bob.get(page).text
        assert "refused</span>" in shown and "by bob: wrong entity" in shown
        assert f'action="{page}/approve"' not in shown
        # without the CSRF token nothing is refused
        with httpx.Client(base_url=url, timeout=15) as carol:
            sign_in(carol, root, "alice")
            forged = carol.post(f"{page}/refuse", data={"reason": "forged"})
            assert forged.status_code == 403


def test_refused_inputs_change_nothing(served: tuple[str, Path, Seeded]) -> None:
    url, root, seeded = served
    before = audit_size(url, root)
    with httpx.Client(base_url=url, timeout=15) as alice:
        sign_in(alice, root, "alice")
        cases = [
            ({"kind": "disconnect", "bic": "NOTABIC!", "action": "reject", "reference": "x"},
             "bad_request"),
            ({"kind": "disconnect", "bic": "ZZZZZZZZ", "action": "reject", "reference": "x"},
             "bad_request"),
            ({"kind": "disconnect", "bic": seeded.receiver, "action": "reject", "reference": "x",
              "effective": "yesterday"}, "bad_request"),
        ]  # fmt: skip
        for form, code in cases:
            answer = post(alice, "/console/measures", "/console/measures", **form)
            assert (answer.status_code, flash(answer)) == (400, code), form
        assert alice.get("/console/holds/999999").status_code == 404
        backwards = "/console/audit?start=2026-01-02T00:00&end=2026-01-01T00:00"
        assert alice.get(backwards).status_code == 400
        assert alice.get("/console/audit?format=xml").status_code == 400
        assert alice.get("/console/messages?field=osn&value=-1").status_code == 400
        assert alice.get("/console/institutions?country=FRANCE").status_code == 400
        not_a_form = alice.post("/console/measures", content=b"{}",
                                headers={"content-type": "application/json"})  # fmt: skip
        assert not_a_form.status_code == 400
    assert audit_size(url, root) == before


def test_list_upload_needs_the_token_and_a_good_file(served: tuple[str, Path, Seeded]) -> None:
    url, root, _ = served
    good = b"id,name,aliases,type,countries,bics,program\nU-1,Borealis Shipping SA,,entity,PA,,X\n"
    with httpx.Client(base_url=url, timeout=15) as alice:
        sign_in(alice, root, "alice")
        token = csrf_of(alice.get("/console/lists").text)
        form = {"list": "upload", "format": "csv", "label": "week 12"}
        forged = alice.post("/console/lists/load", data=form, files={"file": ("l.csv", good)})
        assert forged.status_code == 403
        broken = alice.post("/console/lists/load", data={**form, "csrf": token},
                            files={"file": ("l.csv", b"id,name\n1")})  # fmt: skip
        assert broken.status_code == 422 and flash(broken) == "list_format"
        loaded = alice.post("/console/lists/load", data={**form, "csrf": token},
                            files={"file": ("l.csv", good)})  # fmt: skip
        assert loaded.status_code == 303
        page = alice.get("/console/lists?name=Borealis+Shipping").text
        assert "week 12" in page and 'data-test="decision">hold' in page


def test_every_page_answers_an_auditor(served: tuple[str, Path, Seeded]) -> None:
    url, root, seeded = served
    with httpx.Client(base_url=url, timeout=15) as carol:
        sign_in(carol, root, "carol")
        pages = ("/console/overview", "/console/holds", "/console/holds?state=",
                 "/console/measures", "/console/institutions?q=bank",
                 f"/console/institutions/{seeded.receiver}", "/console/lists",
                 "/console/audit?actor=alice&action=measure.", "/console/messages")  # fmt: skip
        for path in pages:
            page = carol.get(path)
            assert page.status_code == 200, path
            assert "<script" not in page.text and "Sign out" in page.text
        held = carol.get(f"/console/messages?field=biz_msg_id&value={seeded.held_id}",
                         follow_redirects=True)  # fmt: skip
        assert "held" in held.text and "Zarya Trading LLC" in held.text
        [hold] = re.findall(r'href="/console/holds/(\d+)"', held.text)
        page = carol.get(f"/console/holds/{hold}").text
        assert "Zarya Trading LLC" in page and "Only a compliance officer" in page
        assert 'action="/console/holds/' not in page
