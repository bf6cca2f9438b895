"""``ath conformance URL``: the conformance kit from the command line, against the
local stack (exit 0, every rule passed) and against a stack breaking one rule (exit 7,
that rule named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ath.testing import LocalStack
from tests.cli._run import Sandbox


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


GATEWAY = ["--provider", "mail", "--scope", "mail:read"]
ROUTES = ["--route", "GET /messages", "--forbidden-route", "POST /messages"]


def test_conformance_passes_the_local_gateway_and_native_service(sb: Sandbox) -> None:
    with LocalStack() as stack:
        done = sb("--json", "conformance", stack.gateway_url, *GATEWAY, *ROUTES)
        native = sb(
            "conformance",
            stack.native_url,
            "--native",
            "--route",
            "GET /products",
            "--forbidden-route",
            "POST /orders",
            "--consent-param",
            "auto_approve=true",  # how some test providers are told to approve; ours ignores it
        )
    doc = done.json()
    assert doc["ok"] is True and doc["passed"] == doc["counted"] > 30
    assert {r["status"] for r in doc["results"]} == {"pass", "skip"}  # skip: the slow rules
    last = native.out.strip().splitlines()[-1]
    assert last.endswith("rules passed, 4 skipped: conformant"), last
    assert "API-PROVIDER" not in native.out  # a gateway-only rule


def test_conformance_names_the_rule_a_broken_stack_fails(sb: Sandbox) -> None:
    with LocalStack(broken_rules={"API-PROVIDER"}) as stack:
        done = sb("conformance", stack.gateway_url, *GATEWAY, *ROUTES, expect=7)
    failing = [line for line in done.out.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1 and "API-PROVIDER" in failing[0]
    assert "NOT conformant" in done.out.splitlines()[-1]


def test_conformance_rejects_a_malformed_route(sb: Sandbox) -> None:
    done = sb("--json", "conformance", "http://127.0.0.1:9", "--route", "messages", expect=2)
    assert done.error()["code"] == "INVALID_ARGUMENT"
