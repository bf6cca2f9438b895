"""Every operation of the generated client (``ath_sdk_client``), sync and asyncio,
against the local stack, with typed results."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath.testing import LocalStack, follow_consent
from ath_sdk_client import AuthenticatedClient, Client
from ath_sdk_client.api.gateway import (
    get_gateway_discovery,
    proxy_delete,
    proxy_get,
    proxy_head,
    proxy_options,
    proxy_patch,
    proxy_post,
    proxy_put,
)
from ath_sdk_client.api.native import get_service_discovery
from ath_sdk_client.api.shared import (
    authorize,
    exchange_token,
    get_agent_status,
    oauth_callback,
    register_agent,
    revoke_token,
)
from ath_sdk_client.models import (
    AgentRegistrationRequest,
    AgentRegistrationResponse,
    AgentStatus,
    AgentStatusResponse,
    ATHError,
    ATHErrorCode,
    ATHExtensionErrorCode,
    AuthorizationRequest,
    AuthorizationResponse,
    DeveloperInfo,
    DiscoveryDocument,
    ProviderScopeRequest,
    ProxyErrorBody,
    RevocationResponse,
    ServiceDiscoveryDocument,
    TokenExchangeRequest,
    TokenResponse,
    TokenRevocationRequest,
)
from ath_sdk_client.types import Unset
from tests.stack.stack_helpers import Agent, make_agent, new_state


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


def anonymous(base: str) -> Client:
    return Client(base_url=base, httpx_args={"trust_env": False})


def basic(agent: Agent) -> AuthenticatedClient:
    raw = base64.b64encode(f"{agent.client_id}:{agent.client_secret}".encode()).decode()
    return AuthenticatedClient(
        base_url=agent.base, token=raw, prefix="Basic", httpx_args={"trust_env": False}
    )


def bearer(agent: Agent, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=agent.base,
        token=token,
        httpx_args={"trust_env": False},
    )


def registration(agent: Agent, provider: str, scopes: list[str]) -> AgentRegistrationRequest:
    return AgentRegistrationRequest(
        agent_id=agent.agent_id,
        agent_attestation=agent.attest(),
        developer=DeveloperInfo(name="Dev", id="dev"),
        requested_providers=[ProviderScopeRequest(provider_id=provider, scopes=scopes)],
        redirect_uris=[],
    )


def authorization(agent: Agent, provider: str, scopes: list[str]) -> AuthorizationRequest:
    return AuthorizationRequest(
        client_id=agent.client_id,
        agent_attestation=agent.attest(),
        provider_id=provider,
        scopes=scopes,
        state=new_state(),
    )


def exchange(agent: Agent, session_id: str, code: str) -> TokenExchangeRequest:
    return TokenExchangeRequest(
        grant_type="authorization_code",
        client_id=agent.client_id,
        client_secret=agent.client_secret,
        agent_attestation=agent.attest(f"{agent.base}/ath/token"),
        code=code,
        ath_session_id=session_id,
    )


def to_callback(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Walk a browser to the provider's redirect back to the callback; return the
    browser's cookies (the session binding) and the callback's query."""
    with httpx2.Client(trust_env=False) as browser:
        start = browser.get(url)
        provider = browser.get(start.headers["location"])
        cookies = dict(browser.cookies)
    query = parse_qs(urlsplit(provider.headers["location"]).query)
    return cookies, {k: v[0] for k, v in query.items()}


def test_every_operation_sync(ath_stack: LocalStack, http: httpx2.Client) -> None:
    gateway = anonymous(ath_stack.gateway_url)
    with gateway:
        doc = get_gateway_discovery.sync(client=gateway)
        assert isinstance(doc, DiscoveryDocument)
        assert [p.provider_id for p in doc.supported_providers] == ath_stack.providers

        agent = make_agent(ath_stack, http)
        reg = register_agent.sync(
            client=gateway, body=registration(agent, "github", ["read:user", "repo"])
        )
        assert isinstance(reg, AgentRegistrationResponse)
        assert reg.agent_status == AgentStatus.APPROVED
        agent.client_id, agent.client_secret = reg.client_id, reg.client_secret
        dup = register_agent.sync(client=gateway, body=registration(agent, "github", ["repo"]))
        assert (
            isinstance(dup, ATHError) and dup.code == ATHExtensionErrorCode.AGENT_ALREADY_REGISTERED
        )
        assert not isinstance(dup.details, Unset)
        assert dup.details["client_id"] == agent.client_id

        with basic(agent) as authed:
            status = get_agent_status.sync(agent.client_id, client=authed)
        assert isinstance(status, AgentStatusResponse) and status.agent_id == agent.agent_id
        with bearer(agent, "not-basic") as wrong_scheme:
            refused = get_agent_status.sync_detailed(agent.client_id, client=wrong_scheme)
        assert refused.status_code == 401 and isinstance(refused.parsed, ATHError)

        grant = authorize.sync(
            client=gateway, body=authorization(agent, "github", ["read:user", "repo"])
        )
        assert isinstance(grant, AuthorizationResponse)
        cookies, query = to_callback(grant.authorization_url)
        with Client(
            base_url=agent.base, cookies=cookies, httpx_args={"trust_env": False}
        ) as with_cookie:
            done = oauth_callback.sync_detailed(
                client=with_cookie, state=query["state"], code=query["code"]
            )
        assert done.status_code == 302
        landing = parse_qs(urlsplit(done.headers["location"]).query)
        forged = oauth_callback.sync(client=gateway, state="f" * 20, code="x")
        assert isinstance(forged, ATHError) and forged.code == ATHErrorCode.STATE_MISMATCH

        token = exchange_token.sync(
            client=gateway, body=exchange(agent, grant.ath_session_id, landing["code"][0])
        )
        assert isinstance(token, TokenResponse)
        assert token.effective_scopes == ["read:user", "repo"]
        assert token.scope_intersection.effective == ["read:user", "repo"]

        me = agent.agent_id
        with bearer(agent, token.access_token) as api:
            # The agent header is a required parameter now, not a credential left to chance.
            user = proxy_get.sync_detailed("github", "user", client=api, x_ath_agent_id=me)
            assert user.status_code == 200 and json.loads(user.content)["login"] == "local-user"
            # The generator encodes a multi-segment path whole: the stack routes on the raw
            # path, sees ONE segment "user/repos" and refuses it, as a strict gateway does ...
            whole = proxy_get.sync("github", "user/repos", client=api, x_ath_agent_id=me)
            assert isinstance(whole, ProxyErrorBody)
            assert whole.code == ATHErrorCode.SCOPE_NOT_APPROVED
            # ... so multi-segment paths go through the client's httpx2 client (spec notes).
            raw = api.get_httpx_client()
            repos = raw.get("/ath/proxy/github/user/repos", headers={"X-ATH-Agent-ID": me})
            assert repos.status_code == 200 and repos.json()[0]["name"] == "hello-world"
            created = raw.post(
                "/ath/proxy/github/user/repos", json={"name": "x"}, headers={"X-ATH-Agent-ID": me}
            )
            assert created.status_code == 201 and created.json()["name"] == "x"
            missing = raw.get("/ath/proxy/github/repos/local-user/none")
            assert missing.status_code == 403  # no X-ATH-Agent-ID: AGENT_IDENTITY_MISMATCH
            missing = raw.get(
                "/ath/proxy/github/repos/local-user/none", headers={"X-ATH-Agent-ID": me}
            )
            assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
            head = proxy_head.sync_detailed("github", "user", client=api, x_ath_agent_id=me)
            assert head.status_code == 200 and head.content == b""
            for call in (proxy_put.sync, proxy_patch.sync):
                refused_scope = call("github", "user", client=api, body={}, x_ath_agent_id=me)
                assert isinstance(refused_scope, ProxyErrorBody)
                assert refused_scope.code == ATHErrorCode.SCOPE_NOT_APPROVED
            for bare in (proxy_delete.sync, proxy_options.sync):
                refused_scope = bare("github", "user", client=api, x_ath_agent_id=me)
                assert isinstance(refused_scope, ProxyErrorBody)
            mismatch = proxy_get.sync("mail", "messages", client=api, x_ath_agent_id=me)
            assert isinstance(mismatch, ProxyErrorBody)
            assert mismatch.code == ATHErrorCode.PROVIDER_MISMATCH

            revoked = revoke_token.sync_detailed(
                client=gateway,
                body=TokenRevocationRequest(
                    client_id=agent.client_id,
                    client_secret=agent.client_secret,
                    token=token.access_token,
                ),
            )
            assert revoked.status_code == 200
            assert isinstance(revoked.parsed, RevocationResponse)
            # The gateway's own 401 is typed exactly (ATHError), not a union to narrow.
            gone = proxy_get.sync("github", "user", client=api, x_ath_agent_id=me)
            assert isinstance(gone, ATHError) and gone.code == ATHErrorCode.TOKEN_REVOKED


async def test_every_operation_asyncio(ath_stack: LocalStack, http: httpx2.Client) -> None:
    native = anonymous(ath_stack.native_url)
    async with native:
        doc = await get_service_discovery.asyncio(client=native)
        assert isinstance(doc, ServiceDiscoveryDocument) and doc.app_id == ath_stack.native_app_id
        async with anonymous(ath_stack.gateway_url) as gateway:
            gateway_doc = await get_gateway_discovery.asyncio(client=gateway)
        assert isinstance(gateway_doc, DiscoveryDocument)

        agent = make_agent(ath_stack, http, native=True)
        reg = await register_agent.asyncio(
            client=native, body=registration(agent, "shop", ["products:read", "orders:write"])
        )
        assert isinstance(reg, AgentRegistrationResponse)
        agent.client_id, agent.client_secret = reg.client_id, reg.client_secret
        async with basic(agent) as authed:
            status = await get_agent_status.asyncio(agent.client_id, client=authed)
        assert isinstance(status, AgentStatusResponse)

        grant = await authorize.asyncio(
            client=native, body=authorization(agent, "shop", ["products:read", "orders:write"])
        )
        assert isinstance(grant, AuthorizationResponse)
        cookies, query = to_callback(grant.authorization_url)
        async with Client(
            base_url=agent.base, cookies=cookies, httpx_args={"trust_env": False}
        ) as with_cookie:
            done = await oauth_callback.asyncio_detailed(
                client=with_cookie, state=query["state"], code=query["code"]
            )
        assert done.status_code == 302
        code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
        token = await exchange_token.asyncio(
            client=native, body=exchange(agent, grant.ath_session_id, code)
        )
        assert isinstance(token, TokenResponse) and token.provider_id == "shop"
        revoked = await revoke_token.asyncio_detailed(
            client=native,
            body=TokenRevocationRequest(
                client_id=agent.client_id, client_secret=agent.client_secret, token="unknown"
            ),
        )
        assert revoked.status_code == 200


async def test_proxy_operations_asyncio(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"mail": ["mail:read", "mail:send"]})
    grant = agent.authorize("mail", ["mail:read", "mail:send"]).json()
    result = follow_consent(grant["authorization_url"])
    assert result.code is not None
    token: dict[str, Any] = agent.exchange(grant["ath_session_id"], result.code).json()
    async with bearer(agent, token["access_token"]) as api:
        me = agent.agent_id
        listed = await proxy_get.asyncio_detailed("mail", "messages", client=api, x_ath_agent_id=me)
        assert listed.status_code == 200
        assert json.loads(listed.content)["messages"][0]["subject"] == "Welcome"
        sent = await proxy_post.asyncio_detailed(
            "mail", "messages", client=api, body={"to": "a@b.c"}, x_ath_agent_id=me
        )
        assert sent.status_code == 201
        head = await proxy_head.asyncio_detailed("mail", "messages", client=api, x_ath_agent_id=me)
        assert head.status_code == 200
        for call in (proxy_put.asyncio, proxy_patch.asyncio):
            refused = await call("mail", "messages", client=api, body={}, x_ath_agent_id=me)
            assert isinstance(refused, ProxyErrorBody)
        for bare in (proxy_delete.asyncio, proxy_options.asyncio):
            refused = await bare("mail", "messages", client=api, x_ath_agent_id=me)
            assert isinstance(refused, ProxyErrorBody)
            assert refused.code == ATHErrorCode.SCOPE_NOT_APPROVED
