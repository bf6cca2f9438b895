"""Full handshakes against the local stack: gateway, native, legacy redirects, the
public 0.1.0 SDK's callback-as-redirect, and automatic consent helpers."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath.testing import LocalStack, afollow_consent, follow_consent
from tests.stack.stack_helpers import error_code, make_agent


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


def test_gateway_happy_path(ath_stack: LocalStack, http: httpx2.Client) -> None:
    catalog = http.get(f"{ath_stack.gateway_url}/.well-known/ath.json").json()
    assert [p["provider_id"] for p in catalog["supported_providers"]] == ath_stack.providers
    assert catalog["agent_registration_endpoint"] == f"{ath_stack.gateway_url}/ath/agents/register"

    agent = make_agent(ath_stack, http)
    reg = agent.register({"github": ["read:user", "repo"]}).json()
    assert reg["agent_status"] == "approved"
    assert reg["approved_providers"] == [
        {"provider_id": "github", "approved_scopes": ["read:user", "repo"], "denied_scopes": []}
    ]

    response = agent.authorize("github", ["read:user", "repo"])
    assert response.status_code == 200
    grant = response.json()
    assert grant["ath_session_id"].startswith("ath_sess_")
    query = parse_qs(urlsplit(grant["authorization_url"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["ath_session_id"] == [grant["ath_session_id"]]

    result = follow_consent(grant["authorization_url"])
    assert result.ok and result.code and result.session_id == grant["ath_session_id"]
    token = agent.exchange(grant["ath_session_id"], result.code).json()
    assert token["token_type"] == "Bearer" and token["access_token"].startswith("ath_tk_")
    assert token["effective_scopes"] == ["read:user", "repo"]
    assert token["agent_id"] == agent.agent_id and token["provider_id"] == "github"
    assert token["scope_intersection"]["effective"] == ["read:user", "repo"]

    proxy = f"{ath_stack.gateway_url}/ath/proxy/github"
    tk = token["access_token"]
    assert agent.call("GET", f"{proxy}/user", tk).json()["login"] == "local-user"
    created = agent.call("POST", f"{proxy}/user/repos", tk, json={"name": "demo"})
    assert created.status_code == 201 and created.json()["full_name"] == "local-user/demo"
    repos = agent.call("GET", f"{proxy}/user/repos", tk).json()
    assert [r["name"] for r in repos] == ["hello-world", "demo"]
    assert agent.revoke(tk).status_code == 200
    assert error_code(agent.call("GET", f"{proxy}/user", tk)) == "TOKEN_REVOKED"


def test_proxy_passes_upstream_answers_through(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "repo"]})
    tk = agent.token("github", ["read:user", "repo"])["access_token"]
    proxy = f"{ath_stack.gateway_url}/ath/proxy/github"

    zen = agent.call("GET", f"{proxy}/zen", tk)
    assert zen.status_code == 200 and zen.headers["content-type"].startswith("text/plain")
    assert zen.text == "Approval and consent, both required."
    outage = agent.call("GET", f"{proxy}/outage", tk)
    assert outage.status_code == 503 and outage.headers["content-type"].startswith("text/html")
    assert "<h1>503" in outage.text
    missing = agent.call("GET", f"{proxy}/repos/local-user/nope", tk)
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    invalid = agent.call("POST", f"{proxy}/user/repos", tk, json={})
    assert invalid.status_code == 422
    found = agent.call("GET", f"{proxy}/repos/local-user/hello-world?x=1", tk)
    assert found.status_code == 200 and found.json()["name"] == "hello-world"
    direct = http.get(
        f"{ath_stack.upstream_url}/github/zen", headers={"Authorization": "Bearer " + tk}
    )
    assert direct.status_code == 401, "an ATH token is not a provider token"


def test_native_happy_path(ath_stack: LocalStack, http: httpx2.Client) -> None:
    doc = http.get(f"{ath_stack.native_url}/.well-known/ath-app.json").json()
    assert doc["app_id"] == ath_stack.native_app_id
    assert doc["api_base"] == f"{ath_stack.native_url}/api"
    assert doc["auth"]["type"] == "oauth2"
    assert doc["auth"]["authorization_endpoint"].startswith(ath_stack.oauth_url)
    assert doc["auth"]["token_endpoint"].startswith(ath_stack.oauth_url)

    agent = make_agent(ath_stack, http, native=True)
    agent.register({"shop": ["products:read", "orders:read", "orders:write"]})
    token = agent.token("shop", ["products:read", "orders:write", "orders:read"])
    tk = token["access_token"]
    api = doc["api_base"]
    products = agent.call("GET", f"{api}/products", tk).json()["products"]
    assert len(products) == 3
    assert agent.call("GET", f"{api}/products/p-2", tk).json()["name"] == "Field Notebook"
    assert agent.call("GET", f"{api}/products/p-9", tk).status_code == 404
    order = agent.call("POST", f"{api}/orders", tk, json={"product_id": "p-1"})
    assert order.status_code == 201 and order.json()["product_id"] == "p-1"
    assert agent.call("GET", f"{api}/orders", tk).json()["orders"] == [order.json()]
    assert error_code(agent.call("GET", f"{api}/orders", tk, agent_id="https://x.test/a")) == (
        "AGENT_IDENTITY_MISMATCH"
    )
    assert agent.revoke(tk).status_code == 200
    assert error_code(agent.call("GET", f"{api}/products", tk)) == "TOKEN_REVOKED"


def test_native_enforces_scope_per_route(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http, native=True)
    agent.register({"shop": ["products:read", "orders:read", "orders:write"]})
    tk = agent.token("shop", ["products:read"])["access_token"]
    api = f"{ath_stack.native_url}/api"
    assert agent.call("GET", f"{api}/products", tk).status_code == 200
    denied = agent.call("POST", f"{api}/orders", tk, json={})
    assert denied.status_code == 403 and error_code(denied) == "SCOPE_NOT_APPROVED"
    assert error_code(agent.call("GET", f"{api}/orders", tk)) == "SCOPE_NOT_APPROVED"


def test_gateway_token_is_not_a_native_token(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]})
    tk = agent.token("github", ["read:user"])["access_token"]
    answer = agent.call("GET", f"{ath_stack.native_url}/api/products", tk)
    assert answer.status_code == 401 and error_code(answer) == "TOKEN_INVALID"


def test_legacy_redirects(http: httpx2.Client) -> None:
    with LocalStack(legacy_redirects=True) as stack:
        agent = make_agent(stack, http)
        redirect = "http://127.0.0.1:9/agent-callback"
        agent.register({"github": ["read:user"]}, redirect_uris=[redirect])
        session_id, result = agent.consent("github", ["read:user"], user_redirect_uri=redirect)
        assert result.url.startswith(redirect + "?")
        query = parse_qs(urlsplit(result.url).query)
        assert query == {"session_id": [session_id], "success": ["true"]}
        assert result.code is None and result.success is True and result.ok
        # The token endpoint ignores the code: none, or anything at all.
        token = agent.exchange(session_id, None)
        assert token.status_code == 200, token.text
        _, again = agent.consent("github", ["read:user"], user_redirect_uri=redirect)
        assert agent.exchange(again.session_id or "", "whatever").status_code == 200

        stack.consent.deny()
        session_id, refused = agent.consent("github", ["read:user"], user_redirect_uri=redirect)
        assert refused.success is False and refused.error == "access_denied" and not refused.ok
        assert error_code(agent.exchange(session_id, None)) == "USER_DENIED"


def test_public_sdk_registers_the_callback_as_redirect(
    ath_stack: LocalStack, http: httpx2.Client
) -> None:
    callback = f"{ath_stack.gateway_url}/ath/callback"
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]}, redirect_uris=[callback])
    response = agent.authorize("github", ["read:user"], user_redirect_uri=callback)
    grant = response.json()
    # A browser following the consent lands on the completion page.
    browser = httpx2.Client(
        trust_env=False, follow_redirects=True, headers={"Accept": "text/html,*/*;q=0.8"}
    )
    with browser:
        page = browser.get(grant["authorization_url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "signed in" in page.text and "close this tab" in page.text
    landed = parse_qs(urlsplit(str(page.url)).query)
    assert landed["session_id"] == [grant["ath_session_id"]]
    # the page is for the person: what the agent picks up stays in the URL (and the JSON)
    assert landed["code"][0] not in page.text and grant["ath_session_id"] not in page.text
    assert agent.exchange(grant["ath_session_id"], landed["code"][0]).status_code == 200


def test_completion_page_without_redirect_uri(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"mail": ["mail:read"]})
    grant = agent.authorize("mail", ["mail:read"], state="s" * 20).json()
    result = follow_consent(grant["authorization_url"])
    assert result.url.startswith(f"{ath_stack.gateway_url}/ath/callback?")
    assert result.state == "s" * 20 and result.session_id == grant["ath_session_id"]
    assert result.page is not None and '"status":"authorized"' in result.page
    token = agent.exchange(grant["ath_session_id"], result.code).json()
    messages = agent.call(
        "GET", f"{ath_stack.gateway_url}/ath/proxy/mail/messages", token["access_token"]
    )
    assert messages.json()["messages"][0]["subject"] == "Welcome"


def test_follow_consent_does_not_fetch_the_agents_redirect(
    ath_stack: LocalStack, http: httpx2.Client
) -> None:
    redirect = "http://127.0.0.1:9/cb?keep=1"  # port 9 (discard): fetching it would fail
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]}, redirect_uris=[redirect])
    state = "agent-state-0123456789"
    session_id, result = agent.consent(
        "github", ["read:user"], user_redirect_uri=redirect, state=state
    )
    assert result.url.startswith("http://127.0.0.1:9/cb?keep=1&")
    assert (result.state, result.session_id, result.error) == (state, session_id, None)
    assert result.code is not None and result.code.startswith("ath_code_")
    assert result.page is None


async def test_afollow_consent(ath_stack: LocalStack) -> None:
    async with httpx2.AsyncClient(trust_env=False) as client:
        agent_http = httpx2.Client(trust_env=False)
        with agent_http:
            agent = make_agent(ath_stack, agent_http)
            agent.register({"github": ["repo"]})
            grant = agent.authorize("github", ["repo"]).json()
            result = await afollow_consent(grant["authorization_url"], client=client)
            assert result.ok and result.code is not None
            assert agent.exchange(grant["ath_session_id"], result.code).status_code == 200
