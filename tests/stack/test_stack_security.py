"""What the stack keeps in memory, tenant authentication, the OAuth server's own
checks, and schema validation of everything the stack sends."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

import ath_sdk_models as models
from ath.testing import LocalStack
from tests.stack.stack_helpers import b64url, error_code, make_agent


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


def reachable_strings(root: object) -> set[str]:
    """Every str and bytes value reachable from ``root`` through the stack's own
    objects (modules ``ath.testing.*``) and plain containers."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.add(obj)
        elif isinstance(obj, bytes | bytearray):
            found.add(bytes(obj).decode("latin-1"))
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif type(obj).__module__.startswith("ath.testing"):
            if hasattr(obj, "__dict__"):
                stack.extend(vars(obj).values())
            for slot in getattr(type(obj), "__slots__", ()):
                stack.append(getattr(obj, slot, None))
    return found


def test_secrets_and_tokens_are_kept_hashed(http: httpx2.Client) -> None:
    with LocalStack(user_token="tenant-secret-value") as stack:
        headers = {"X-ATH-User-Token": "tenant-secret-value"}
        http.headers.update(headers)
        agent = make_agent(stack, http)
        agent.register({"github": ["read:user"]})
        session_id, result = agent.consent("github", ["read:user"])
        assert result.code is not None
        token = agent.exchange(session_id, result.code).json()["access_token"]
        memory = reachable_strings(stack)
        assert len(memory) > 50, "the walk must see the stack's state"
        everything = "\n".join(memory)
        for secret in (agent.client_secret, token, result.code, "tenant-secret-value"):
            assert secret not in everything
        digests = {hashlib.sha256(s.encode()).hexdigest() for s in (agent.client_secret, token)}
        assert digests <= memory, "kept as SHA-256 digests"
        assert agent.client_secret not in repr(stack) and token not in repr(stack)


def test_user_token_guards_the_api_endpoints(http: httpx2.Client) -> None:
    with LocalStack(user_token="tenant-secret-value") as stack:
        agent = make_agent(stack, http)
        denied = http.post(f"{stack.gateway_url}/ath/agents/register", json={})
        assert denied.status_code == 401 and error_code(denied) == "TOKEN_INVALID"
        assert denied.json()["details"]["header"] == "X-ATH-User-Token"
        http.headers["X-ATH-User-Token"] = "wrong"
        assert http.post(f"{stack.gateway_url}/ath/authorize", json={}).status_code == 401
        assert http.post(f"{stack.gateway_url}/ath/token", json={}).status_code == 401
        assert http.post(f"{stack.gateway_url}/ath/revoke", json={}).status_code == 401
        assert http.get(f"{stack.gateway_url}/ath/agents/x").status_code == 401
        assert http.get(f"{stack.gateway_url}/ath/proxy/github/user").status_code == 401
        # Discovery stays public; the browser legs need no header.
        del http.headers["X-ATH-User-Token"]
        assert http.get(f"{stack.gateway_url}/.well-known/ath.json").status_code == 200
        http.headers["X-ATH-User-Token"] = "tenant-secret-value"
        agent.register({"github": ["read:user"]})
        token = agent.token("github", ["read:user"])["access_token"]
        url = f"{stack.gateway_url}/ath/proxy/github/user"
        assert agent.call("GET", url, token).status_code == 200
        del http.headers["X-ATH-User-Token"]
        assert agent.call("GET", url, token).status_code == 401
        # The native service is not a tenant of the gateway: no header there.
        native = make_agent(stack, http, native=True, name="native")
        native.register({"shop": ["products:read"]})


# -- the OAuth server -----------------------------------------------------------------


class OAuthClient:
    def __init__(self, stack: LocalStack, http: httpx2.Client) -> None:
        self.stack, self.http = stack, http
        self.redirect = "http://127.0.0.1:9/oauth-cb"
        self.client_id, self.secret = stack.register_oauth_client("mail", self.redirect)
        self.verifier = secrets.token_urlsafe(48)
        self.challenge = b64url(hashlib.sha256(self.verifier.encode()).digest())

    def authorize(self, **params: str) -> httpx2.Response:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect,
            "scope": "mail:read",
            "state": "oauth-state-0123456789",
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            **params,
        }
        return self.http.get(f"{self.stack.oauth_url}/authorize?{urlencode(query)}")

    def code(self) -> str:
        location = self.authorize().headers["location"]
        return parse_qs(urlsplit(location).query)["code"][0]

    def redeem(self, code: str, **fields: str) -> httpx2.Response:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect,
            "code_verifier": self.verifier,
            **fields,
        }
        return self.http.post(
            f"{self.stack.oauth_url}/token", data=form, auth=(self.client_id, self.secret)
        )


def oauth_error(location: str) -> str | None:
    return parse_qs(urlsplit(location).query).get("error", [None])[0]


def test_oauth_token_endpoint_checks(ath_stack: LocalStack, http: httpx2.Client) -> None:
    client = OAuthClient(ath_stack, http)
    wrong_verifier = client.redeem(client.code(), code_verifier=secrets.token_urlsafe(48))
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    wrong_redirect = client.redeem(client.code(), redirect_uri="http://127.0.0.1:9/other")
    assert wrong_redirect.json()["error"] == "invalid_grant"
    code = client.code()
    as_json = http.post(
        f"{ath_stack.oauth_url}/token",
        json={"grant_type": "authorization_code", "code": code},
        auth=(client.client_id, client.secret),
    )
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    bad_auth = http.post(
        f"{ath_stack.oauth_url}/token",
        data={"grant_type": "authorization_code", "code": code},
        auth=(client.client_id, "nope"),
    )
    assert bad_auth.status_code == 401 and bad_auth.json()["error"] == "invalid_client"
    good = client.redeem(code)
    assert good.status_code == 200, good.text
    grant = good.json()
    assert grant["token_type"] == "Bearer" and grant["scope"] == "mail:read"
    assert good.headers["cache-control"] == "no-store"
    assert client.redeem(code).json()["error"] == "invalid_grant", "codes are single use"
    who = http.get(
        f"{ath_stack.oauth_url}/userinfo",
        headers={"Authorization": f"Bearer {grant['access_token']}"},
    )
    assert who.json() == {"sub": "local-user"}
    upstream = http.get(
        f"{ath_stack.upstream_url}/mail/messages",
        headers={"Authorization": f"Bearer {grant['access_token']}"},
    )
    assert upstream.status_code == 200, "provider tokens are what the upstream accepts"


def test_oauth_client_secret_post(ath_stack: LocalStack, http: httpx2.Client) -> None:
    client = OAuthClient(ath_stack, http)
    basic_less = http.post(
        f"{ath_stack.oauth_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": client.code(),
            "redirect_uri": client.redirect,
            "code_verifier": client.verifier,
            "client_id": client.client_id,
            "client_secret": client.secret,
        },
    )
    assert basic_less.status_code == 200


def test_oauth_authorization_endpoint_checks(ath_stack: LocalStack, http: httpx2.Client) -> None:
    client = OAuthClient(ath_stack, http)
    unknown_redirect = client.authorize(redirect_uri="http://127.0.0.1:9/evil")
    assert unknown_redirect.status_code == 400, "never redirected to an unregistered URI"
    unknown_client = client.authorize(client_id="nobody")
    assert unknown_client.status_code == 400
    no_pkce = client.authorize(code_challenge_method="plain")
    assert oauth_error(no_pkce.headers["location"]) == "invalid_request"
    no_challenge = client.authorize(code_challenge="")
    assert oauth_error(no_challenge.headers["location"]) == "invalid_request"
    bad_scope = client.authorize(scope="repo")
    assert oauth_error(bad_scope.headers["location"]) == "invalid_scope"
    ath_stack.consent.deny()
    denied = client.authorize()
    query = parse_qs(urlsplit(denied.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["oauth-state-0123456789"]
    meta = http.get(f"{ath_stack.oauth_url}/.well-known/oauth-authorization-server").json()
    assert meta["code_challenge_methods_supported"] == ["S256"]


# -- schema validation ------------------------------------------------------------------


def test_everything_sent_validates(ath_stack: LocalStack, http: httpx2.Client) -> None:
    models.DiscoveryDocument.model_validate(
        http.get(f"{ath_stack.gateway_url}/.well-known/ath.json").json()
    )
    models.ServiceDiscoveryDocument.model_validate(
        http.get(f"{ath_stack.native_url}/.well-known/ath-app.json").json()
    )
    agent = make_agent(ath_stack, http)
    models.AgentIdentityDocument.model_validate(http.get(agent.agent_id).json())
    models.AgentRegistrationResponse.model_validate(
        agent.register({"github": ["read:user"]}).json()
    )
    status = http.get(
        f"{ath_stack.gateway_url}/ath/agents/{agent.client_id}",
        auth=(agent.client_id, agent.client_secret),
    )
    models.AgentStatusResponse.model_validate(status.json())
    grant = agent.authorize("github", ["read:user"])
    models.AuthorizationResponse.model_validate(grant.json())
    token = agent.token("github", ["read:user"])
    models.TokenResponse.model_validate(token)
    errors: list[Any] = [
        agent.authorize("github", ["repo"]).json(),
        agent.exchange("ath_sess_x", "c").json(),
        http.post(f"{ath_stack.gateway_url}/ath/agents/register", content=b"[]").json(),
        http.get(f"{ath_stack.gateway_url}/ath/proxy/github/user").json(),
    ]
    for body in errors:
        models.ATHError.model_validate(body)


def test_model_validation_rejects_what_the_schema_forbids(
    ath_stack: LocalStack, http: httpx2.Client
) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]})
    # grant_type is a const in the schema; a wrong value never reaches the handler.
    response = agent.exchange("ath_sess_x", "c", grant_type="client_credentials")
    assert response.status_code == 400
    details = response.json()["details"]
    assert details["schema"] == "TokenExchangeRequest"
    assert details["errors"][0]["loc"] == ["grant_type"]


def test_basic_scheme_is_case_insensitive(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]})
    raw = base64.b64encode(f"{agent.client_id}:{agent.client_secret}".encode()).decode()
    response = http.get(
        f"{ath_stack.gateway_url}/ath/agents/{agent.client_id}",
        headers={"Authorization": f"basic {raw}"},
    )
    assert response.status_code == 200
