"""The names the SDK reports under (ath._observe, no I/O): call names, path templates that
keep ids and tokens out, the reported URL, and the audit events of results and errors."""

from __future__ import annotations

import pytest

from ath._models import AgentStatus, ProviderApproval, Registration, ScopeIntersection, Token
from ath._observe import AUDIT_EVENTS, audit_events, call_name, path_template, safe_url


def test_call_names() -> None:
    assert call_name("api_call", "gateway") == "ath.proxy"
    assert call_name("api_call", "native") == "ath.api"
    assert call_name("exchange_token", "gateway") == "ath.token"
    assert call_name("wait_for_token_flow", "native") == "ath.wait_for_token"
    assert call_name("login_flow", "gateway") == "ath.login"
    assert call_name("discover_service", "native") == "ath.discover"


@pytest.mark.parametrize(
    ("call", "path", "base", "template"),
    [
        ("ath.registration_status", "/ath/agents/ath_client_abc123", "", "/ath/agents/{client_id}"),
        ("ath.register", "/ath/agents/register", "", "/ath/agents/register"),
        (
            "ath.proxy",
            "/gw/ath/proxy/github/repos/me/secret-project",
            "/gw",
            "/gw/ath/proxy/{provider}/{path}",
        ),
        ("ath.api", "/api/v1/items/42", "", "{api_base}/{path}"),
        ("ath.token", "/ath/token", "", "/ath/token"),
        ("ath.oauth_finish", "/oauth/token", "", "{token_endpoint}"),
        ("ath.token", "/elsewhere/ath/token", "/gw", "{endpoint}"),
        ("ath.discover", "/.well-known/ath.json", "", "/.well-known/ath.json"),
    ],
)
def test_path_templates_hold_no_id(call: str, path: str, base: str, template: str) -> None:
    assert path_template(call, path, base) == template


def test_the_reported_url_has_no_query_or_user_info() -> None:
    assert safe_url("https", "api.example", None, "/ath/token") == "https://api.example/ath/token"
    assert safe_url("http", "::1", 8080, "/x") == "http://[::1]:8080/x"


def _token(**fields: object) -> Token:
    values: dict[str, object] = {
        "access_token": "ath_tk_" + "s" * 30,
        "token_type": "Bearer",
        "expires_in": 3600,
        "effective_scopes": ["read:user"],
        "provider_id": "github",
        "agent_id": "https://agent.example/a",
        "scope_intersection": None,
        "expires_at": None,
    }
    values.update(fields)
    return Token(**values)  # type: ignore[arg-type]


def test_audit_events_of_results() -> None:
    registration = Registration(
        client_id="ath_client_1",
        client_secret="ath_secret_" + "x" * 30,
        agent_status=AgentStatus.APPROVED,
        approved_providers=[ProviderApproval("github", ["read:user"], ["repo"])],
        approval_expires=None,
    )
    events = audit_events("ath.register", None, registration)
    assert events == [
        ("agent.registered", {"ath.client_id": "ath_client_1", "ath.agent_status": "approved"}),
        ("scope.refused", {"ath.provider": "github", "ath.scopes": ["repo"]}),
    ]
    assert "ath_secret_" not in repr(events)
    narrowed = _token(
        scope_intersection=ScopeIntersection(["read:user", "repo"], ["read:user"], ["read:user"])
    )
    names = [name for name, _ in audit_events("ath.wait_for_token", None, narrowed)]
    assert names == ["consent.completed", "token.issued", "scope.refused"]
    assert "ath_tk_" not in repr(audit_events("ath.token", "github", narrowed))
    assert audit_events("ath.revoke", None, ["github", "mail"]) == [
        ("token.revoked", {"ath.provider": "github"}),
        ("token.revoked", {"ath.provider": "mail"}),
    ]
    assert audit_events("ath.proxy", "github", object()) == []


def test_audit_events_of_errors() -> None:
    for code, event in [
        ("USER_DENIED", "consent.denied"),
        ("TOKEN_EXPIRED", "token.expired"),
        ("TOKEN_REVOKED", "token.revoked"),
        ("SCOPE_NOT_APPROVED", "scope.refused"),
    ]:
        assert audit_events("ath.proxy", "github", error_code=code) == [
            (event, {"ath.error.code": code, "ath.provider": "github"})
        ]
        assert event in AUDIT_EVENTS
    assert audit_events("ath.token", None, error_code="USER_DENIED") == [
        ("consent.denied", {"ath.error.code": "USER_DENIED"})
    ]
    assert audit_events("ath.proxy", "github", error_code="UPSTREAM_ERROR") == []
