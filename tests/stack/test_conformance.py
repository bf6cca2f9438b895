"""The conformance kit (``ath.testing.conformance``) against the local stack: every
rule passes on the gateway and on the native service (slow rules too, with the
stack's clock moved instead of waiting), and a stack that breaks one rule on purpose
is reported failing that rule and only it."""

from __future__ import annotations

import json

import pytest

from ath.testing import LocalStack
from ath.testing.conformance import RULES, Report, Target, render, run

GATEWAY_PROBE = {
    "provider_id": "mail",
    "scope": "mail:read",
    "route": ("GET", "/messages"),
    "forbidden_route": ("POST", "/messages"),
}
NATIVE_PROBE = {
    "scope": "products:read",
    "route": ("GET", "/products"),
    "forbidden_route": ("POST", "/orders"),
}


def probe(stack: LocalStack, *, native: bool = False, slow: bool = True) -> Report:
    url = stack.native_url if native else stack.gateway_url
    options = NATIVE_PROBE if native else GATEWAY_PROBE
    return run(
        Target(
            url,
            native=native,
            slow=slow,
            now=stack.clock.now,
            wait=stack.clock.advance,
            **options,  # type: ignore[arg-type]
        )
    )


@pytest.mark.parametrize("native", [False, True], ids=["gateway", "native"])
def test_the_local_stack_passes_every_rule(native: bool) -> None:
    mode = "native" if native else "gateway"
    with LocalStack() as stack:
        report = probe(stack, native=native)
    applicable = [r.id for r in RULES if mode in r.modes]
    assert [o.rule.id for o in report.outcomes] == applicable
    assert [(o.rule.id, o.detail) for o in report.outcomes if o.status != "pass"] == []
    assert report.ok and report.passed == report.counted == len(applicable)
    assert f"{len(applicable)}/{len(applicable)} rules passed: conformant" in render(report)


def test_slow_rules_are_skipped_unless_asked_for() -> None:
    with LocalStack() as stack:
        report = probe(stack, slow=False)
    skipped = {o.rule.id for o in report.outcomes if o.status == "skip"}
    assert skipped == {r.id for r in RULES if r.slow}
    assert report.ok and report.passed == report.counted == len(report.outcomes) - len(skipped)


BROKEN = [
    "ATT-EXP",
    "ATT-JTI",
    "REG-DUP",
    "AUTHZ-SCOPE",
    "CB-BROWSER",
    "TOKEN-SINGLE-USE",
    "TOKEN-TTL",
    "API-PROVIDER",
    "REVOKE-UNAUTH",
    "KEY-TTL",
]


@pytest.mark.parametrize("rule_id", BROKEN)
def test_a_stack_breaking_one_rule_fails_that_rule_only(rule_id: str) -> None:
    lifetime = 7200 if rule_id == "TOKEN-TTL" else 3600
    with LocalStack(broken_rules={rule_id}, token_lifetime=lifetime) as stack:
        report = probe(stack)
    assert [o.rule.id for o in report.failed] == [rule_id]
    level = next(r.level for r in RULES if r.id == rule_id)
    assert report.ok is (level != "MUST")
    assert report.passed == report.counted - 1
    as_json = json.loads(json.dumps(report.as_json()))
    assert [r["id"] for r in as_json["results"] if r["status"] == "fail"] == [rule_id]


def test_token_lifetime_is_capped_at_one_hour() -> None:
    with pytest.raises(ValueError, match="3600"):
        LocalStack(token_lifetime=3601)
