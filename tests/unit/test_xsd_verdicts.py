"""Issue 13, "done when": messages written by others get the official XSD's verdict for
every definition the network has a schema of (benchmarks/xsd_verdicts.py over the
shared corpus of published samples)."""

from __future__ import annotations

from benchmarks.xsd_verdicts import measure
from tests.shareddata import shared


def test_the_network_gives_every_published_sample_the_official_xsd_verdict() -> None:
    found = measure(shared("iso20022", "samples"), shared("iso20022", "xsd"))
    assert found["judged"] >= 200
    assert found["network_agrees"] == found["judged"], {
        d: t["disagreements"] for d, t in found["by_definition"].items() if t["disagreements"]
    }
    assert found["valid"] > 0 and found["invalid"] > 0  # both verdicts occur
    assert len(found["by_definition"]) >= 30
