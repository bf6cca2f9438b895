"""RetryPolicy's decisions on their own (the retries the clients make are in
``test_retries.py``): what is retried, backoff bounds, Retry-After, TLS failures."""

from __future__ import annotations

import httpx2
import pytest

from ath import RetryPolicy
from ath._retry import parse_retry_after


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=0.1, backoff_max=1.0, max_retry_after=5)
    req = httpx2.Request("GET", "http://127.0.0.1/x")
    r503 = httpx2.Response(503, request=req)
    assert policy.delay_for(0, r503, idempotent=True) is not None
    assert policy.delay_for(2, r503, idempotent=True) is None  # exhausted
    assert policy.delay_for(0, r503, idempotent=False) is None
    assert policy.delay_for(0, httpx2.Response(500, request=req), idempotent=True) is None
    after = httpx2.Response(429, headers={"Retry-After": "3"}, request=req)
    assert policy.delay_for(0, after, idempotent=True) == 3.0
    too_long = httpx2.Response(429, headers={"Retry-After": "600"}, request=req)
    assert policy.delay_for(0, too_long, idempotent=True) is None
    connect = httpx2.ConnectError("refused", request=req)
    read = httpx2.ReadError("reset", request=req)
    assert policy.delay_for(0, connect, idempotent=False) is not None
    assert policy.delay_for(0, read, idempotent=False) is None
    assert policy.delay_for(0, read, idempotent=True) is not None
    assert RetryPolicy(max_retries=0).delay_for(0, connect, idempotent=True) is None
    for attempt in range(10):
        assert 0 <= policy.backoff(attempt) <= 1.0


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    value = "Tue, 14 Nov 2023 22:13:30 GMT"  # now + 10 s
    assert parse_retry_after(value, now=now) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None


def test_tls_failures_are_not_retried() -> None:
    req = httpx2.Request("GET", "https://127.0.0.1/x")
    bad_cert = httpx2.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert RetryPolicy().delay_for(0, bad_cert, idempotent=True) is None
    assert RetryPolicy().delay_for(0, httpx2.ConnectError("refused", request=req), idempotent=True)
