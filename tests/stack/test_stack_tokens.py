"""Scope intersection, token binding, the proxy's checks, expiry and revocation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from ath.testing import LocalStack
from tests.stack.stack_helpers import Agent, error_code, make_agent


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


@pytest.fixture
def agent(ath_stack: LocalStack, http: httpx2.Client) -> Agent:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "repo"], "mail": ["mail:read", "mail:send"]})
    return agent


def proxy(stack: LocalStack, provider: str, path: str) -> str:
    return f"{stack.gateway_url}/ath/proxy/{provider}/{path}"


# -- scope intersection ---------------------------------------------------------------


def test_effective_is_approved_and_consented_and_requested(
    ath_stack: LocalStack, http: httpx2.Client
) -> None:
    ath_stack.approval.approve_subset({"github": ["read:user", "repo"], "mail": ["mail:read"]})
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "repo"], "mail": ["mail:read", "mail:send"]})
    ath_stack.consent.approve(["repo", "mail:read"])
    token = agent.token("github", ["read:user", "repo"])
    assert token["effective_scopes"] == ["repo"]
    assert token["scope_intersection"] == {
        "agent_approved": ["read:user", "repo"],
        "user_consented": ["repo"],
        "effective": ["repo"],
    }
    tk = token["access_token"]
    assert agent.call("GET", proxy(ath_stack, "github", "user/repos"), tk).status_code == 200
    denied = agent.call("GET", proxy(ath_stack, "github", "user"), tk)
    assert denied.status_code == 403 and error_code(denied) == "SCOPE_NOT_APPROVED"


def test_no_token_when_the_intersection_is_empty(ath_stack: LocalStack, agent: Agent) -> None:
    ath_stack.consent.approve(["mail:send"])  # the user grants nothing that was asked
    session_id, result = agent.consent("github", ["read:user"])
    assert result.ok
    response = agent.exchange(session_id, result.code)
    assert response.status_code == 403 and "access_token" not in response.text
    assert error_code(response) == "USER_DENIED"
    assert response.json()["details"]["scope_intersection"]["effective"] == []


def test_user_denial(ath_stack: LocalStack, agent: Agent) -> None:
    ath_stack.consent.deny()
    session_id, result = agent.consent("github", ["read:user"])
    assert result.error == "access_denied" and result.code is None
    response = agent.exchange(session_id, "ath_code_none")
    assert response.status_code == 403 and error_code(response) == "USER_DENIED"


def test_approval_withdrawn_before_exchange(ath_stack: LocalStack, agent: Agent) -> None:
    session_id, result = agent.consent("github", ["read:user"])
    ath_stack.resolve_registration(agent.client_id, approve=False)
    response = agent.exchange(session_id, result.code)
    assert response.status_code == 403 and error_code(response) == "AGENT_UNAPPROVED"


# -- binding ----------------------------------------------------------------------------


def test_agent_id_header_must_match(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("github", ["read:user"])["access_token"]
    url = proxy(ath_stack, "github", "user")
    other = make_agent(ath_stack, agent.http, name="other")
    for claimed in (other.agent_id, agent.agent_id + "x", agent.agent_id.upper()):
        response = agent.call("GET", url, tk, agent_id=claimed)
        assert response.status_code == 403 and error_code(response) == "AGENT_IDENTITY_MISMATCH"
    missing = agent.http.get(url, headers={"Authorization": f"Bearer {tk}"})
    assert error_code(missing) == "AGENT_IDENTITY_MISMATCH"
    empty = agent.http.get(url, headers={"Authorization": f"Bearer {tk}", "X-ATH-Agent-ID": ""})
    assert error_code(empty) == "AGENT_IDENTITY_MISMATCH"
    # Another agent holding the token gets nowhere either.
    assert error_code(other.call("GET", url, tk)) == "AGENT_IDENTITY_MISMATCH"


def test_provider_mismatch(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("github", ["read:user"])["access_token"]
    response = agent.call("GET", proxy(ath_stack, "mail", "messages"), tk)
    assert response.status_code == 403 and error_code(response) == "PROVIDER_MISMATCH"
    unknown = agent.call("GET", proxy(ath_stack, "nowhere", "x"), tk)
    # server/proxy.mdx step 3: a provider the token is not bound to, known or not
    assert unknown.status_code == 403 and error_code(unknown) == "PROVIDER_MISMATCH"


def test_token_is_bound_to_its_user(ath_stack: LocalStack, agent: Agent) -> None:
    ath_stack.consent.as_user("alice")
    alice = agent.token("github", ["read:user"])["access_token"]
    ath_stack.consent.as_user("bob")
    bob = agent.token("github", ["read:user"])["access_token"]
    url = proxy(ath_stack, "github", "user")
    assert agent.call("GET", url, alice).json()["login"] == "alice"
    assert agent.call("GET", url, bob).json()["login"] == "bob"


def test_scope_to_route_enforcement(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("mail", ["mail:read"])["access_token"]
    assert agent.call("GET", proxy(ath_stack, "mail", "messages"), tk).status_code == 200
    send = agent.call("POST", proxy(ath_stack, "mail", "messages"), tk, json={"to": "x@y.z"})
    assert send.status_code == 403 and error_code(send) == "SCOPE_NOT_APPROVED"
    assert send.json()["details"]["required_scopes"] == ["mail:send"]
    unmapped = agent.call("DELETE", proxy(ath_stack, "mail", "messages"), tk)
    assert unmapped.status_code == 403 and error_code(unmapped) == "SCOPE_NOT_APPROVED"
    head = agent.call("HEAD", proxy(ath_stack, "mail", "messages"), tk)
    assert head.status_code == 200
    sender = agent.token("mail", ["mail:send"])["access_token"]
    sent = agent.call("POST", proxy(ath_stack, "mail", "messages"), sender, json={"to": "x@y.z"})
    assert sent.status_code == 201 and sent.json()["status"] == "sent"


@pytest.mark.parametrize(
    "path", ["user/%2E%2E/user/repos", "%2E/user/repos", "user//repos", "user/repos/%2E%2E"]
)
def test_proxy_refuses_path_tricks(ath_stack: LocalStack, agent: Agent, path: str) -> None:
    # Percent-encoded dots reach the gateway as "." / ".." segments once decoded.
    tk = agent.token("github", ["read:user"])["access_token"]
    url = f"{ath_stack.gateway_url}/ath/proxy/github/{path}"
    response = agent.call("GET", url, tk)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "INVALID_REQUEST"


# -- token states -----------------------------------------------------------------------


def test_unknown_or_missing_token(ath_stack: LocalStack, agent: Agent) -> None:
    url = proxy(ath_stack, "github", "user")
    unknown = agent.call("GET", url, "ath_tk_made_up")
    assert unknown.status_code == 401 and error_code(unknown) == "TOKEN_INVALID"
    assert "invalid_token" in unknown.headers["www-authenticate"]
    anonymous = agent.http.get(url, headers={"X-ATH-Agent-ID": agent.agent_id})
    assert anonymous.status_code == 401 and error_code(anonymous) == "TOKEN_INVALID"


def test_token_expiry(ath_stack: LocalStack, agent: Agent) -> None:
    token = agent.token("github", ["read:user"])
    assert token["expires_in"] == 3600
    url = proxy(ath_stack, "github", "user")
    ath_stack.clock.advance(3599)
    assert agent.call("GET", url, token["access_token"]).status_code == 200
    ath_stack.clock.advance(2)
    expired = agent.call("GET", url, token["access_token"])
    assert expired.status_code == 401 and error_code(expired) == "TOKEN_EXPIRED"


def test_configurable_token_lifetime(http: httpx2.Client) -> None:
    with LocalStack(token_lifetime=5) as stack:
        agent = make_agent(stack, http)
        agent.register({"github": ["read:user"]})
        token = agent.token("github", ["read:user"])
        assert token["expires_in"] == 5
        stack.clock.advance(6)
        answer = agent.call("GET", proxy(stack, "github", "user"), token["access_token"])
        assert error_code(answer) == "TOKEN_EXPIRED"


# -- revocation -------------------------------------------------------------------------


def test_revocation(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("github", ["read:user"])["access_token"]
    url = proxy(ath_stack, "github", "user")
    assert agent.call("GET", url, tk).status_code == 200
    assert agent.revoke(tk).status_code == 200
    revoked = agent.call("GET", url, tk)
    assert revoked.status_code == 401 and error_code(revoked) == "TOKEN_REVOKED"
    assert agent.revoke(tk).status_code == 200  # again: still 200


def test_revoking_an_unknown_token_is_200(agent: Agent) -> None:
    assert agent.revoke("ath_tk_never_issued").status_code == 200


def test_revocation_needs_the_client_secret(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("github", ["read:user"])["access_token"]
    wrong = agent.revoke(tk, client_secret="ath_secret_guess")
    assert wrong.status_code == 401 and error_code(wrong) == "AGENT_NOT_REGISTERED"
    missing = agent.http.post(
        f"{agent.base}/ath/revoke", json={"client_id": agent.client_id, "token": tk}
    )
    assert missing.status_code in (400, 401)
    assert agent.call("GET", proxy(ath_stack, "github", "user"), tk).status_code == 200


def test_agents_revoke_only_their_own_tokens(ath_stack: LocalStack, agent: Agent) -> None:
    tk = agent.token("github", ["read:user"])["access_token"]
    other = make_agent(ath_stack, agent.http, name="other")
    other.register({"github": ["read:user"]})
    response = other.revoke(tk)
    assert response.status_code == 403 and error_code(response) == "AGENT_IDENTITY_MISMATCH"
    assert agent.call("GET", proxy(ath_stack, "github", "user"), tk).status_code == 200
