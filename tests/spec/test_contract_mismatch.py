"""The contract check can fail: a stack changed in a fixture to break the spec in one
way each is caught by the matching Schemathesis check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping

import httpx2
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

import ath.testing._gateway as gateway_module
from ath.testing import LocalStack
from ath.testing._errors import ATHHTTPError
from ath.testing._service import ATHService
from ath.testing._wire import completion_page
from tests.spec._contract import ContractRun, prepare, run_contract


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


def _run(http: httpx2.Client, only: Callable[[str], bool], max_examples: int = 5) -> ContractRun:
    with LocalStack() as stack:
        return run_contract(
            stack, prepare(stack, http), only=only, scenarios=False, max_examples=max_examples
        )


def test_the_unchanged_stack_passes_the_same_run(http: httpx2.Client) -> None:
    run = _run(http, lambda op: op in ("get_gateway_discovery", "oauth_callback"))
    assert run.operations == {"get_gateway_discovery", "oauth_callback"}
    assert run.checks > 0 and not run.failures


def test_an_undeclared_content_type_fails(
    http: httpx2.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def as_text(schema: str | None, body: Mapping[str, object], status: int = 200) -> Response:
        return PlainTextResponse(json.dumps(dict(body)), status_code=status)

    monkeypatch.setattr(gateway_module, "reply", as_text)
    run = _run(http, lambda op: op == "get_gateway_discovery")
    assert run.failures and all("Undocumented Content-Type" in f for f in run.failures)


def test_a_body_outside_the_schema_fails(
    http: httpx2.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def without_gateway_id(
        schema: str | None, body: Mapping[str, object], status: int = 200
    ) -> Response:
        return JSONResponse({k: v for k, v in body.items() if k != "gateway_id"}, status)

    monkeypatch.setattr(gateway_module, "reply", without_gateway_id)
    run = _run(http, lambda op: op == "get_gateway_discovery")
    assert run.failures and all("Response violates schema" in f for f in run.failures)
    assert any("gateway_id" in f for f in run.failures)


def test_accepting_what_the_spec_marks_invalid_fails(
    http: httpx2.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = ATHService.callback

    async def lenient(self: ATHService, request: Request) -> Response:
        if "session_id" in request.query_params:
            return completion_page(request)  # a bad `success` accepted
        return await strict(self, request)

    monkeypatch.setattr(ATHService, "callback", lenient)
    run = _run(http, lambda op: op == "oauth_callback", max_examples=20)
    rejected = [f for f in run.failures if "Schema-violating request accepted" in f]
    assert rejected and all("`success`" in f for f in rejected)


def test_internal_error_for_a_client_mistake_fails(
    http: httpx2.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    honest = ATHHTTPError.body

    def catch_all(self: ATHHTTPError) -> dict[str, object]:
        return {**honest(self), "code": "INTERNAL_ERROR"}  # the stack before spec 0.3.0

    monkeypatch.setattr(ATHHTTPError, "body", catch_all)
    run = _run(http, lambda op: op == "revoke_token")
    misnamed = [f for f in run.failures if "INTERNAL_ERROR for a client mistake" in f]
    assert misnamed and all("HTTP 4" in f for f in misnamed)
