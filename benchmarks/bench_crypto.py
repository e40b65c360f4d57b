"""Throughput of the PKI primitives on this machine. Prints; asserts nothing.

Run from the project root: PYTHONPATH=. .venv/bin/python benchmarks/bench_crypto.py
(or without PYTHONPATH once finmesh is installed, e.g. pip install -e .)
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from finmesh import pki
from finmesh.request_auth import sign_request, verify_request

PAYLOAD_BYTES = 4096
ROUNDS = 5
SECONDS_PER_ROUND = 0.5


def per_second(action: Callable[[], object]) -> float:
    """Median over ROUNDS of operations per second, each round running ~SECONDS_PER_ROUND."""
    rates = []
    for _ in range(ROUNDS):
        count = 0
        start = time.perf_counter()
        deadline = start + SECONDS_PER_ROUND
        while True:
            for _ in range(50):
                action()
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    return statistics.median(rates)


def main() -> None:
    now = datetime.now(UTC)
    ca = pki.CertificateAuthority.create("bench CA", now=now)
    key = pki.generate_key()
    bic = "BANKDEFFXXX"
    cert = ca.issue(bic, pki.public_key_pem(key), kind="participant", now=now)
    payload = os.urandom(PAYLOAD_BYTES)
    signature = pki.sign(key, payload)

    now_ms = int(now.timestamp() * 1000)
    headers = sign_request(key, bic, "POST", "/v1/messages", payload, now_ms=now_ms)
    directory = {bic: cert}

    def check_request() -> None:
        # Same headers every time: the nonce check belongs to the caller, not measured here.
        verify_request(
            headers, "POST", "/v1/messages", payload,
            certificate_for=directory.get, ca_cert_pem=ca.cert_pem,
            now_ms=now_ms, expected_kind="participant",
        )

    if not pki.verify_signature(cert, payload, signature):
        raise SystemExit("signature does not verify: nothing worth measuring")
    check_request()
    print(f"ECDSA P-256/SHA-256, {PAYLOAD_BYTES} B payloads, median of {ROUNDS} rounds")
    print(f"  sign            {per_second(lambda: pki.sign(key, payload)):>10,.0f} /s")
    print(f"  verify          "
          f"{per_second(lambda: pki.verify_signature(cert, payload, signature)):>10,.0f} /s")
    signing = per_second(lambda: sign_request(key, bic, "POST", "/v1/messages", payload))
    print(f"  sign_request    {signing:>10,.0f} /s")
    print(f"  verify_request  {per_second(check_request):>10,.0f} /s")


if __name__ == "__main__":
    main()
