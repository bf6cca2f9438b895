"""The mistakes a new user makes get a clear ATHError: constructor options, keys, paths,
the wrong client class, a gateway's own errors; and the raw view returns any answer."""

from __future__ import annotations

import inspect
import json
import pydoc
import typing
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography.hazmat.primitives import serialization

import ath
from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    generate_private_key,
)
from ath.testing import LocalStack
from tests._support.shells import MakeClient
from tests.conftest import Agent

PEM = generate_private_key()
AGENT = "https://agent.example/.well-known/agent.json"
CLASSES = [ATHGatewayClient, ATHNativeClient, AsyncATHGatewayClient, AsyncATHNativeClient]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", -1),
        ("timeout", 0),
        ("timeout", "30"),
        ("timeout", float("nan")),
        ("timeout", True),
        ("max_retries", -1),
        ("max_retries", "2"),
        ("max_retries", True),
        ("retry", "fast"),
        ("max_response_bytes", 0),
        ("max_response_bytes", "10MB"),
        ("allow_insecure_http", "yes"),
        ("verify", 3),
        ("verify", "/no/such/ca-bundle.pem"),
        ("headers", "X-A: b"),
        ("headers", {"bad name": "x"}),
        ("headers", {"X-A": 1}),
        ("headers", {"X-A": "a\r\nInjected: 1"}),
        ("key_id", ""),
        ("key_id", 7),
        ("agent_id", ""),
        ("http_client", object()),
        ("transport", object()),
        ("private_key_password", 5),
    ],
)
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_constructor_option_is_checked_at_construction(
    cls: Any, option: str, value: Any
) -> None:
    kwargs: dict[str, Any] = {"url": "https://gw.example", "agent_id": AGENT, "private_key": PEM}
    kwargs[option] = value
    with pytest.raises(ATHError) as caught:
        cls(**kwargs)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert option in caught.value.message


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_options_are_visible_to_help_and_an_unknown_one_names_the_class(cls: Any) -> None:
    params = inspect.signature(cls).parameters
    for name in (
        "private_key_password",
        "headers",
        "max_retries",
        "retry",
        "max_response_bytes",
        "allow_insecure_http",
        "verify",
        "sleep",
        "http_client",
        "transport",
    ):
        assert name in params, name
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    assert "max_response_bytes" in pydoc.render_doc(cls)
    with pytest.raises(TypeError) as caught:
        cls("https://gw.example", AGENT, PEM, timout=3)
    assert "timout" in str(caught.value) and "ClientSettings" not in str(caught.value)


def test_sync_and_async_clients_take_the_same_options_in_the_same_order() -> None:
    for sync, asynchronous in (
        (ATHGatewayClient, AsyncATHGatewayClient),
        (ATHNativeClient, AsyncATHNativeClient),
    ):
        sync_params = inspect.signature(sync).parameters
        async_params = inspect.signature(asynchronous).parameters
        assert list(sync_params) == list(async_params)
        assert [p.kind for p in sync_params.values()] == [p.kind for p in async_params.values()]


def test_closed_values_are_typed() -> None:
    upper = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}
    # the methods the client accepts at run time: each upper or lower case
    assert set(typing.get_args(ath.HTTPMethod)) == upper | {m.lower() for m in upper}
    assert [s.value for s in ath.AgentStatus] == ["approved", "pending", "denied"]
    assert ath.AgentStatus("pending") == "pending"


# ------------------------------------------------------------------ private keys


def _encrypted(pem: str, password: bytes) -> bytes:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )


def _kid(private_key: Any, **kwargs: Any) -> str:
    with ATHGatewayClient("https://gw.example", AGENT, private_key, **kwargs) as client:
        return client.key_id


def test_private_key_as_pem_path_or_encrypted_pem(tmp_path: Path) -> None:
    expected = _kid(PEM)
    plain = tmp_path / "agent.pem"
    plain.write_text(PEM)
    locked = tmp_path / "locked.pem"
    locked.write_bytes(_encrypted(PEM, b"s3cret-pass"))
    assert _kid(str(plain)) == expected
    assert _kid(plain) == expected
    assert _kid(str(locked), private_key_password="s3cret-pass") == expected
    assert _kid(locked.read_bytes(), private_key_password=b"s3cret-pass") == expected
    assert _kid(ath.load_private_key(locked, password="s3cret-pass")) == expected
    assert _kid(ath.load_private_key(str(plain))) == expected


def test_private_key_mistakes(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pem"
    locked.write_bytes(_encrypted(PEM, b"s3cret-pass"))
    plain = tmp_path / "agent.pem"
    plain.write_text(PEM)
    cases: list[tuple[Any, dict[str, Any], str, str]] = [
        (str(locked), {}, "INVALID_KEY", "private_key_password"),
        (str(locked), {"private_key_password": "wrong"}, "INVALID_KEY", "password is wrong"),
        (str(plain), {"private_key_password": "x"}, "INVALID_ARGUMENT", "not encrypted"),
        (str(tmp_path / "missing.pem"), {}, "INVALID_KEY", "readable key file"),
        ("not a key at all", {}, "INVALID_KEY", "readable key file"),
    ]
    for key, kwargs, code, needle in cases:
        with pytest.raises(ATHError) as caught:
            _kid(key, **kwargs)
        assert (caught.value.code, needle in caught.value.message) == (code, True), key
        assert "s3cret" not in str(caught.value) and "missing.pem" not in str(caught.value)
    with pytest.raises(ATHError) as caught:
        ath.load_private_key(locked, password="nope")
    assert caught.value.code == "INVALID_KEY"
    with pytest.raises(ATHError) as caught:
        ath.load_private_key(PEM.encode())  # type: ignore[arg-type]
    assert caught.value.code == "INVALID_ARGUMENT"


# ------------------------------------------------------------------ paths and raw answers


def test_full_url_as_path_is_refused_before_sending() -> None:
    sent: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json={})

    with ATHGatewayClient(
        "https://gw.example", AGENT, PEM, transport=httpx2.MockTransport(record)
    ) as client:
        client.set_token("tok", provider="github")
        for path in ("https://evil.example/user", "/http://evil.example/user"):
            with pytest.raises(ATHError) as caught:
                client.proxy("github", "GET", path)
            assert caught.value.code == "INVALID_ARGUMENT"
            assert "full URL" in caught.value.message
    assert sent == []


async def test_raw_view_returns_non_2xx_answers(make_client: MakeClient, stack: LocalStack) -> None:
    from tests.handshake.test_facade_e2e import handshake

    client = make_client()
    await handshake(client)
    raw = await client.proxy_raw("github", "GET", "/repos/nobody/missing")
    assert raw.status_code == 404 and raw.json() == {"message": "Not Found"}
    with pytest.raises(ATHError) as caught:
        await client.proxy("github", "GET", "/repos/nobody/missing")
    assert (caught.value.code, caught.value.status) == ("UPSTREAM_ERROR", 404)
    outage = await client.proxy_raw("github", "GET", "/outage")
    assert outage.status_code == 503 and "Service Unavailable" in outage.text


# ------------------------------------------------------------------ the wrong client class


async def test_discovery_404_names_the_other_client_class(
    make_client: MakeClient, stack: LocalStack
) -> None:
    wrong_gateway = make_client("gateway", url=stack.native_url)
    with pytest.raises(ATHError) as caught:
        await wrong_gateway.discover()
    assert caught.value.status == 404 and "ATHNativeClient" in caught.value.message
    wrong_native = make_client("native", url=stack.gateway_url)
    with pytest.raises(ATHError) as caught:
        await wrong_native.discover()
    assert caught.value.status == 404 and "ATHGatewayClient" in caught.value.message


# ------------------------------------------------------------------ a gateway's own errors


GATEWAY_OWN = {"code": "AUTH_REQUIRED", "message": "missing X-ATH-User-Token", "details": {}}


@pytest.mark.parametrize("own_code", ["AUTH_REQUIRED", "FORBIDDEN"])
def test_gateway_own_error_on_the_proxy_is_the_gateways(own_code: str, agent: Agent) -> None:
    body = {**GATEWAY_OWN, "code": own_code}

    def gateway(request: httpx2.Request) -> httpx2.Response:  # fault injection: a gateway
        return httpx2.Response(401, json=body)

    with ATHGatewayClient(
        "https://gw.example", agent.agent_id, agent.pem, transport=httpx2.MockTransport(gateway)
    ) as client:
        client.set_token("ath_tk_own_error_token", provider="github")
        with pytest.raises(ATHError) as caught:
            client.proxy("github", "GET", "/user")
    error = caught.value
    assert error.code == "GATEWAY_ERROR" and error.status == 401
    assert error.details["gateway_code"] == own_code
    assert "gateway" in error.message and "upstream" in error.message
    assert "ath_tk_own_error_token" not in json.dumps(error.details) + str(error)


def test_native_service_error_body_stays_an_upstream_error(agent: Agent) -> None:
    def service(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/.well-known/ath-app.json":
            return httpx2.Response(
                200,
                json={
                    "ath_version": "0.1",
                    "app_id": "shop",
                    "name": "Shop",
                    "api_base": "https://shop.example/api",
                    "auth": {
                        "type": "oauth2",
                        "authorization_endpoint": "https://shop.example/oauth/authorize",
                        "token_endpoint": "https://shop.example/oauth/token",
                        "scopes_supported": ["read"],
                        "agent_attestation_required": True,
                    },
                },
            )
        return httpx2.Response(403, json={"code": "FORBIDDEN", "message": "no"})

    with ATHNativeClient(
        "https://shop.example", agent.agent_id, agent.pem, transport=httpx2.MockTransport(service)
    ) as client:
        client.discover()
        client.set_token("tok")
        with pytest.raises(ATHError) as caught:
            client.api("GET", "/products")
    assert (caught.value.code, caught.value.status) == ("UPSTREAM_ERROR", 403)


def test_consent_result_gives_a_str_code_or_a_clear_error(stack: LocalStack, agent: Agent) -> None:
    from ath.testing import ConsentError, follow_consent

    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        client.register(
            developer={"name": "A", "id": "a"},
            providers=[{"provider_id": "github", "scopes": ["read:user"]}],
        )
        auth = client.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        code: str = consent.granted_code  # typed str: no narrowing needed
        assert code and code == consent.code
        assert client.exchange_token(code, auth.ath_session_id).effective_scopes == ["read:user"]
        stack.consent.deny()
        refused = follow_consent(client.authorize("github", ["read:user"]).authorization_url)
        with pytest.raises(ConsentError) as caught:
            _ = refused.granted_code
        assert caught.value.error == "access_denied"
