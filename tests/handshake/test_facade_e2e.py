"""The facade end to end over real HTTP against the local stack, in both shells."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath import ATHError, ATHGatewayClient, Token, generate_private_key
from ath.testing import LocalStack, follow_consent
from tests._support.shells import Either, MakeClient
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


async def handshake(
    client: Either,
    provider: str = "github",
    scopes: tuple[str, ...] = ("read:user", "repo"),
    register: bool = True,
) -> Token:
    if register:
        await client.register(developer=DEVELOPER, providers=GITHUB, purpose="tests")
    auth = await client.authorize(provider, list(scopes))
    consent = follow_consent(auth.authorization_url)
    assert consent.error is None
    token: Token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    return token


async def test_gateway_full_flow(make_client: MakeClient, stack: LocalStack) -> None:
    client = make_client()
    doc = await client.discover()
    providers = {p.provider_id: p for p in doc.supported_providers}
    assert "github" in providers and "read:user" in providers["github"].available_scopes

    reg = await client.register(developer=DEVELOPER, providers=GITHUB, purpose="Code review")
    assert reg.agent_status == "approved" and reg.client_id
    assert reg.client_secret not in repr(reg)
    approved = {p.provider_id: p.approved_scopes for p in reg.approved_providers}
    assert set(approved["github"]) == {"read:user", "repo"}

    auth = await client.authorize("github", ["read:user"])
    query = parse_qs(urlsplit(auth.authorization_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert len(auth.state) >= 22
    assert [a.ath_session_id for a in client.pending_authorizations] == [auth.ath_session_id]

    consent = follow_consent(auth.authorization_url)
    token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    assert token.effective_scopes == ["read:user"]
    assert token.provider_id == "github" and token.agent_id == client.agent_id
    assert token.scope_intersection is not None
    assert token.scope_intersection.effective == ["read:user"]
    assert token.access_token not in repr(token) and not token.is_expired()
    assert client.pending_authorizations == []

    user = await client.proxy("github", "GET", "/user")
    assert isinstance(user, dict) and user.get("login")
    # write needs the 'repo' scope, which this token lacks
    with pytest.raises(ATHError) as info:
        await client.proxy("github", "POST", "/user/repos", {"name": "x"})
    assert info.value.status == 403 and info.value.code == "SCOPE_NOT_APPROVED"

    revoked = await client.revoke()
    assert revoked == ["github"]
    with pytest.raises(ATHError) as gone:
        await client.proxy("github", "GET", "/user")
    assert gone.value.code == "NO_TOKEN"
    # the server forgot it too: reuse the old token by hand
    await client.set_token(token.access_token, "github")
    with pytest.raises(ATHError) as revoked_err:
        await client.proxy("github", "GET", "/user")
    assert revoked_err.value.code == "TOKEN_REVOKED"
    assert "github" not in client.tokens  # forgotten after the server said so


async def test_proxy_write_params_headers_text_and_raw(make_client: MakeClient) -> None:
    client = make_client()
    await handshake(client)
    created = await client.proxy("github", "POST", "/user/repos", {"name": "new-repo"})
    assert isinstance(created, dict) and created.get("name") == "new-repo"
    raw = await client.proxy_raw("github", "GET", "/user", params={"fields": "login"})
    assert raw.status_code == 200 and raw.is_json and json.loads(raw.content)
    assert raw.headers["content-type"].startswith("application/json")
    # non-JSON answers come back as text; extra headers travel; reserved ones are refused
    zen = await client.proxy("github", "GET", "/zen", headers={"X-Request-Id": "r-1"})
    assert isinstance(zen, str) and zen
    with pytest.raises(ATHError) as reserved:
        await client.proxy("github", "GET", "/user", headers={"Authorization": "Bearer x"})
    assert reserved.value.code == "INVALID_ARGUMENT"
    # a non-2xx upstream answer raises with its status and a truncated, tag-free body
    with pytest.raises(ATHError) as outage:
        await client.proxy("github", "GET", "/outage")
    assert outage.value.code == "UPSTREAM_ERROR" and outage.value.status == 503
    assert "<" not in outage.value.details["body"]
    assert "github" in client.tokens  # an upstream failure does not cost the token


async def test_native_full_flow(make_client: MakeClient) -> None:
    client = make_client("native")
    with pytest.raises(ATHError) as nd:
        await client.api("GET", "/products")
    assert nd.value.code == "NOT_DISCOVERED"
    doc = await client.discover()
    assert doc.app_id and doc.auth.scopes_supported
    assert client.api_base and client.api_base.startswith("http://127.0.0.1")
    scopes = list(doc.auth.scopes_supported)
    provider = doc.app_id
    await client.register(
        developer=DEVELOPER, providers=[{"provider_id": provider, "scopes": scopes}]
    )
    await handshake(client, provider=provider, scopes=tuple(scopes), register=False)
    products = await client.api("GET", "/products")
    assert products
    await client.revoke()


async def test_finish_authorization_with_redirect(
    make_client: MakeClient, stack: LocalStack
) -> None:
    client = make_client()
    redirect = stack.gateway_url + "/agent-callback-does-not-exist"
    await client.register(
        developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect], purpose="t"
    )
    auth = await client.authorize("github", ["read:user"], redirect_uri=redirect)
    consent = follow_consent(auth.authorization_url)
    assert consent.url.startswith(redirect)
    q = parse_qs(urlsplit(consent.url).query)
    assert q["state"] == [auth.state]
    # a forged state is refused before anything is sent
    forged = consent.url.replace(auth.state, "A" * len(auth.state))
    with pytest.raises(ATHError) as bad:
        await client.finish_authorization(forged)
    assert bad.value.code in ("STATE_MISMATCH", "SESSION_NOT_FOUND")
    token = await client.finish_authorization(consent.url)
    assert token.effective_scopes == ["read:user"]
    with pytest.raises(ATHError) as again:
        await client.finish_authorization(consent.url)
    assert again.value.code == "SESSION_NOT_FOUND"


async def test_user_denied(make_client: MakeClient, stack: LocalStack) -> None:
    client = make_client()
    redirect = stack.gateway_url + "/cb"
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
    stack.consent.deny()
    auth = await client.authorize("github", ["read:user"], redirect_uri=redirect)
    consent = follow_consent(auth.authorization_url)
    with pytest.raises(ATHError) as info:
        await client.finish_authorization(consent.url)
    assert info.value.code == "USER_DENIED"


async def test_partial_consent_narrows_scopes(make_client: MakeClient, stack: LocalStack) -> None:
    client = make_client()
    stack.consent.approve(["read:user"])
    token = await handshake(client)
    assert token.effective_scopes == ["read:user"]
    assert token.scope_intersection is not None
    assert set(token.scope_intersection.agent_approved) == {"read:user", "repo"}


async def test_legacy_redirect_shape() -> None:
    with LocalStack(legacy_redirects=True) as legacy:
        pem = generate_private_key()
        agent_id = legacy.host_agent(pem, name="legacy")
        with ATHGatewayClient(url=legacy.gateway_url, agent_id=agent_id, private_key=pem) as c:
            redirect = legacy.gateway_url + "/cb"
            c.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
            auth = c.authorize("github", ["read:user"], redirect_uri=redirect)
            consent = follow_consent(auth.authorization_url)
            q = parse_qs(urlsplit(consent.url).query)
            assert q.get("success") == ["true"] and "code" not in q
            token = c.finish_authorization(consent.url)
            assert token.effective_scopes == ["read:user"]
            assert c.proxy("github", "GET", "/user")


async def test_tokens_per_provider(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(
        developer=DEVELOPER,
        providers=[*GITHUB, {"provider_id": "mail", "scopes": ["mail:read"]}],
    )
    await handshake(client, "github", ("read:user",), register=False)
    await handshake(client, "mail", ("mail:read",), register=False)
    assert set(client.tokens) == {"github", "mail"}
    assert await client.proxy("github", "GET", "/user")
    assert await client.proxy("mail", "GET", "/messages") is not None
    assert await client.revoke("mail") == ["mail"]
    assert set(client.tokens) == {"github"}


async def test_expired_token_is_not_sent(make_client: MakeClient) -> None:
    sent: list[str] = []
    client = make_client()
    await handshake(client)
    client.client._http.event_hooks["request"] = [_record(sent, client.is_async)]
    await client.set_token("ath_tk_stale", "github", expires_in=0)
    with pytest.raises(ATHError) as info:
        await client.proxy("github", "GET", "/user")
    assert info.value.code == "TOKEN_EXPIRED"
    assert sent == []


def _record(sent: list[str], is_async: bool):  # type: ignore[no-untyped-def]
    if is_async:

        async def hook(request: httpx2.Request) -> None:
            sent.append(str(request.url))

        return hook

    def sync_hook(request: httpx2.Request) -> None:
        sent.append(str(request.url))

    return sync_hook


async def test_server_side_expiry_forgets_token(make_client: MakeClient) -> None:
    client = make_client()
    token = await handshake(client)
    await client.revoke()
    await client.set_token(token.access_token, "github")
    with pytest.raises(ATHError):
        await client.proxy("github", "GET", "/user")
    assert client.tokens == {}


async def test_registration_pending_denied_duplicate(
    make_client: MakeClient, stack: LocalStack
) -> None:
    client = make_client()
    stack.approval.pending()
    reg = await client.register(developer=DEVELOPER, providers=GITHUB)
    assert reg.agent_status == "pending" and reg.pending
    with pytest.raises(ATHError) as unapproved:
        await client.authorize("github", ["read:user"])
    assert unapproved.value.code == "AGENT_UNAPPROVED"
    assert "pending" in unapproved.value.message
    status = await client.registration_status()
    assert status.agent_status == "pending" and status.client_id == reg.client_id

    with pytest.raises(ATHError) as dup:
        await client.register(developer=DEVELOPER, providers=GITHUB)
    assert dup.value.code == "ALREADY_REGISTERED" and dup.value.status == 409
    assert "load_credentials" in dup.value.message
    assert dup.value.details["client_id"] == reg.client_id  # the server's existing client


async def test_registration_denied(
    make_client: MakeClient, stack: LocalStack, tmp_path: Path
) -> None:
    stack.approval.deny()
    client = make_client()
    with pytest.raises(ATHError) as info:
        await client.register(developer=DEVELOPER, providers=GITHUB)
    assert info.value.code == "REGISTRATION_DENIED"
    with pytest.raises(ATHError) as nr:
        await client.authorize("github", ["read:user"])
    assert nr.value.code == "NOT_REGISTERED"


async def test_credentials_round_trip(
    make_client: MakeClient, tmp_path: Path, agent: Agent
) -> None:
    client = make_client()
    await handshake(client)
    path = tmp_path / "creds.json"
    await client.save_credentials(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    restored = make_client()
    await restored.load_credentials(path)
    assert restored.client_id == client.client_id
    assert await restored.proxy("github", "GET", "/user")
    assert await restored.registration_status()

    other = make_client(agent_id=agent.agent_id + "-other")
    with pytest.raises(ATHError) as mismatch:
        await other.load_credentials(path)
    assert mismatch.value.code == "CREDENTIALS_MISMATCH"

    os.chmod(path, 0o644)
    with pytest.raises(ATHError) as insecure:
        await restored.load_credentials(path)
    assert insecure.value.code == "CREDENTIALS_INSECURE"

    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "ath-sdk-credentials", "version": 1, "tok')
    os.chmod(corrupt, 0o600)
    with pytest.raises(ATHError) as bad:
        await restored.load_credentials(corrupt)
    assert bad.value.code == "CREDENTIALS_INVALID"
    with pytest.raises(ATHError) as missing:
        await restored.load_credentials(tmp_path / "nope.json")
    assert missing.value.code == "CREDENTIALS_NOT_FOUND"


async def test_not_registered_and_no_token(make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(ATHError) as nr:
        await client.authorize("github", ["read:user"])
    assert nr.value.code == "NOT_REGISTERED"
    with pytest.raises(ATHError) as nt:
        await client.proxy("github", "GET", "/user")
    assert nt.value.code == "NO_TOKEN"
    with pytest.raises(ATHError) as bad:
        await client.proxy("../etc", "GET", "/user")
    assert bad.value.code == "INVALID_ARGUMENT"


async def test_proxy_to_a_provider_without_token_while_holding_another_is_provider_mismatch(
    new_client: Callable[..., Either],
) -> None:
    """With a token for github only, a call for another provider is PROVIDER_MISMATCH (as
    ath-sdk 0.1.0's users saw it from the gateway, to which 0.1.0 sent its one token), not
    NO_TOKEN; it is decided here and the github token goes nowhere."""
    sent: list[httpx2.Request] = []
    client = new_client(sent)
    await handshake(client, scopes=("read:user",))
    before = len(sent)
    for other in ("slack", "gitlab"):
        with pytest.raises(ATHError) as mismatch:
            await client.proxy(other, "GET", "/user")
        assert (mismatch.value.code, mismatch.value.origin) == ("PROVIDER_MISMATCH", "client")
        assert mismatch.value.status is None
        assert "'github'" in mismatch.value.message and repr(other) in mismatch.value.message
    assert len(sent) == before  # nothing was sent
    assert isinstance(await client.proxy("github", "GET", "/user"), dict)
    await client.revoke()  # nothing held at all: NO_TOKEN again
    with pytest.raises(ATHError) as none_held:
        await client.proxy("slack", "GET", "/user")
    assert none_held.value.code == "NO_TOKEN"


async def test_tenant_header() -> None:
    with LocalStack(user_token="tenant-123") as tenant_stack:
        pem = generate_private_key()
        agent_id = tenant_stack.host_agent(pem, name="tenant")
        url = tenant_stack.gateway_url
        with ATHGatewayClient(url=url, agent_id=agent_id, private_key=pem) as bare:
            with pytest.raises(ATHError) as info:
                bare.register(developer=DEVELOPER, providers=GITHUB)
            assert info.value.status == 401
        with ATHGatewayClient(
            url=url,
            agent_id=agent_id,
            private_key=pem,
            headers={"X-ATH-User-Token": "tenant-123"},
        ) as client:
            reg = client.register(developer=DEVELOPER, providers=GITHUB)
            assert reg.approved


def test_plain_http_refused_outside_loopback(agent: Agent) -> None:
    with pytest.raises(ATHError) as info:
        ATHGatewayClient(url="http://gateway.example.com", agent_id="a", private_key=agent.pem)
    assert info.value.code == "INSECURE_TRANSPORT"
    ok = ATHGatewayClient(
        url="http://gateway.example.com",
        agent_id="a",
        private_key=agent.pem,
        allow_insecure_http=True,
    )
    ok.close()


async def test_low_level_generated_client(make_client: MakeClient, stack: LocalStack) -> None:
    from ath_sdk_client.api.gateway import get_gateway_discovery
    from ath_sdk_client.models import DiscoveryDocument

    client = make_client()
    low = client.client.low_level
    if client.is_async:
        doc = await get_gateway_discovery.asyncio(client=low)
    else:
        doc = get_gateway_discovery.sync(client=low)
    assert isinstance(doc, DiscoveryDocument)
    assert doc.supported_providers


async def test_reprs_hide_secrets(make_client: MakeClient) -> None:
    client = make_client()
    token = await handshake(client)
    secret = client.client._core.state.client_secret
    for text in (repr(client.client), str(client.client), repr(token), str(token)):
        assert token.access_token not in text and secret not in text


async def test_plain_oauth_helper_for_native(make_client: MakeClient, stack: LocalStack) -> None:
    client = make_client("native")
    doc = await client.discover()
    redirect = stack.native_url + "/agent-cb"
    oauth_id, oauth_secret = stack.register_oauth_client(doc.app_id, redirect)
    request = client.client.oauth_start(oauth_id, redirect, ["products:read"])
    query = parse_qs(urlsplit(request.authorization_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [request.state]
    assert request.code_verifier not in repr(request)
    consent = follow_consent(request.authorization_url)
    assert consent.url.startswith(redirect)
    with pytest.raises(ATHError) as forged:
        await client.oauth_finish(request, consent.url.replace(request.state, "x" * 43))
    assert forged.value.code == "STATE_MISMATCH"
    token = await client.oauth_finish(request, consent.url, oauth_secret)
    assert token.access_token and token.access_token not in repr(token)
    assert token.token_type.lower() == "bearer"


async def test_token_response_is_checked(make_client: MakeClient, stack: LocalStack) -> None:
    """A token for another provider than the session asked for is refused, not stored."""
    client = make_client()
    await client.register(
        developer=DEVELOPER,
        providers=[*GITHUB, {"provider_id": "mail", "scopes": ["mail:read"]}],
    )
    github = await client.authorize("github", ["read:user"])
    mail = await client.authorize("mail", ["mail:read"])
    consent = follow_consent(mail.authorization_url)
    # Pretend the mail session was the github one: the client expects provider github.
    client.client._core.state.sessions[mail.ath_session_id] = github
    with pytest.raises(ATHError) as info:
        await client.exchange_token(consent.code or "", mail.ath_session_id)
    assert info.value.code == "TOKEN_MISMATCH" and "provider" in info.value.message
    assert client.tokens == {}
