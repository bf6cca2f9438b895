"""Contract tests: the local stack answers every operation exactly as
``spec/openapi.yaml`` declares (status, content type, body, headers) and rejects what
the spec marks invalid, checked by Schemathesis over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from ath.testing import LocalStack
from tests.spec._contract import CHECKS, OWN_CHECKS, Credentials, prepare, run_contract

from .._report import LINES


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


@pytest.fixture
def stack_and_creds(http: httpx2.Client) -> Iterator[tuple[LocalStack, Credentials]]:
    with LocalStack() as stack:
        yield stack, prepare(stack, http)


def test_stack_honours_the_spec_for_every_operation(
    stack_and_creds: tuple[LocalStack, Credentials],
) -> None:
    stack, creds = stack_and_creds
    run = run_contract(stack, creds)
    LINES.append(run.summary())
    print(run.summary(), sorted((k, sorted(v)) for k, v in run.statuses.items()))
    assert not run.failures, "\n\n".join(run.failures[:5])
    assert len(run.operations) == 15
    assert run.checks == run.cases * (len(CHECKS) + len(OWN_CHECKS))
    # The run reached the answers that matter, not only rejections.
    reached = run.statuses
    assert 201 in reached["register_agent"]
    assert 302 in reached["oauth_callback"] and 200 in reached["oauth_callback"]
    assert 200 in reached["exchange_token"] and 200 in reached["revoke_token"]
    assert {200, 401, 503} <= reached["proxy_get"]
