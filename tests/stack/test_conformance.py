"""The conformance kit (``ath.testing.conformance``) against the local stack: every
rule passes on the gateway and on the native service (slow rules too, with the
stack's clock moved instead of waiting), and a stack that breaks one rule on purpose
is reported failing that rule and only it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx2
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


#: Rules a server cannot break alone: one that checks no signature cannot reject a key the
#: agent rotated out either.
ALSO_FAILS = {"ATT-SIG": ["KEY-TTL"]}


@pytest.mark.parametrize("rule_id", [r.id for r in RULES if "gateway" in r.modes])
def test_a_stack_breaking_one_rule_fails_that_rule_only(rule_id: str) -> None:
    lifetime = 7200 if rule_id == "TOKEN-TTL" else 3600
    with LocalStack(broken_rules={rule_id}, token_lifetime=lifetime) as stack:
        report = probe(stack)
    expected = [r.id for r in RULES if r.id in {rule_id, *ALSO_FAILS.get(rule_id, [])}]
    assert [(o.rule.id, o.detail) for o in report.failed if o.rule.id not in expected] == []
    assert [o.rule.id for o in report.failed] == expected
    level = next(r.level for r in RULES if r.id == rule_id)
    assert report.ok is (level != "MUST")
    assert report.passed == report.counted - len(expected)
    as_json = json.loads(json.dumps(report.as_json()))
    assert [r["id"] for r in as_json["results"] if r["status"] == "fail"] == expected


def test_strict_error_codes_keep_to_the_protocol_enum() -> None:
    with LocalStack(strict_error_codes=True) as strict:
        report = run(Target(strict.gateway_url, strict_codes=True, **GATEWAY_PROBE))  # type: ignore[arg-type]
        assert report.ok and report.passed == report.counted, render(report)
        malformed = httpx2.post(
            f"{strict.gateway_url}/ath/authorize", content=b"[", trust_env=False
        )
        unknown = httpx2.get(f"{strict.gateway_url}/ath/nowhere", trust_env=False)
    assert malformed.status_code == 400 and malformed.json()["code"] == "INTERNAL_ERROR"
    assert malformed.json()["details"]["extension_code"] == "INVALID_REQUEST"
    assert unknown.status_code == 404 and unknown.json()["code"] == "INTERNAL_ERROR"
    assert unknown.json()["details"]["extension_code"] == "NOT_FOUND"
    with LocalStack() as lenient:
        report = run(Target(lenient.gateway_url, strict_codes=True, **GATEWAY_PROBE))  # type: ignore[arg-type]
    assert [o.rule.id for o in report.failed] == ["ERR-BODY"]
    assert "AGENT_ALREADY_REGISTERED is outside ATHErrorCode" in report.failed[0].detail


def test_token_lifetime_is_capped_at_one_hour() -> None:
    with pytest.raises(ValueError, match="3600"):
        LocalStack(token_lifetime=3601)


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_both_readmes_list_every_rule_with_its_level(readme: str) -> None:
    text = (Path(__file__).resolve().parents[2] / readme).read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([A-Z-]+)` \| (MUST|SHOULD) \|", text, flags=re.MULTILINE)
    assert listed == [(r.id, r.level) for r in RULES]
    assert "ath conformance" in text and "strict_error_codes" in text
