"""An injected ``http_client=`` is used as given: the SDK changes none of its attributes,
and puts its own headers (User-Agent, Accept, Accept-Encoding, ``headers=``) on each
request it sends instead. ``client.low_level`` gets the injected client as it is.

The requests are recorded at the transport (a wrapper around the real one) on their way
to the local stack, so what is asserted is what went on the wire.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient
from ath._constants import USER_AGENT
from ath._wire import accept_encoding
from ath.testing import LocalStack, follow_consent
from tests._support.shells import settle
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]
THEIRS = {"User-Agent": "theirs/1.0", "X-Theirs": "kept", "Accept": "text/plain"}
COOKIES = {"sid": "theirs"}


class Recording(httpx2.BaseTransport):
    def __init__(self, sent: list[httpx2.Request]) -> None:
        self.sent = sent
        self.inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx2.AsyncBaseTransport):
    def __init__(self, sent: list[httpx2.Request]) -> None:
        self.sent = sent
        self.inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def snapshot(http: httpx2.Client | httpx2.AsyncClient) -> dict[str, Any]:
    """Everything of an httpx2 client the SDK could set or replace."""
    return {
        "headers": list(http.headers.raw),
        "params": str(http.params),
        "cookies": sorted((c.domain, c.name, c.value) for c in http.cookies.jar),
        "timeout": http.timeout,
        "base_url": str(http.base_url),
        "auth": http.auth,
        "follow_redirects": http.follow_redirects,
        "max_redirects": http.max_redirects,
        "event_hooks": {name: list(hooks) for name, hooks in http.event_hooks.items()},
        "trust_env": http.trust_env,
        "transport": http._transport,
        "mounts": dict(http._mounts),
    }


@pytest.mark.parametrize("shell", ["sync", "async"])
async def test_an_injected_client_is_left_as_given(
    shell: str, stack: LocalStack, agent: Agent
) -> None:
    sent: list[httpx2.Request] = []
    http: httpx2.Client | httpx2.AsyncClient
    if shell == "sync":
        http = httpx2.Client(
            base_url=stack.gateway_url,
            headers=THEIRS,
            cookies=COOKIES,
            transport=Recording(sent),
            trust_env=False,
        )
    else:
        http = httpx2.AsyncClient(
            base_url=stack.gateway_url,
            headers=THEIRS,
            cookies=COOKIES,
            transport=AsyncRecording(sent),
            trust_env=False,
        )
    before = snapshot(http)
    cls: Any = ATHGatewayClient if shell == "sync" else AsyncATHGatewayClient
    client = cls(
        stack.gateway_url,
        agent.agent_id,
        agent.pem,
        headers={"X-Tenant": "t-1"},
        http_client=http,
    )
    assert snapshot(http) == before, "construction changed the injected client"

    await settle(client.discover())
    await settle(client.register(DEVELOPER, GITHUB))
    auth = await settle(client.authorize("github", ["read:user"]))
    callback = follow_consent(auth.authorization_url)
    await settle(client.finish_authorization(callback.url))
    await settle(client.proxy("github", "GET", "/user"))
    assert snapshot(http) == before, "the calls changed the injected client"
    assert [r.url.path for r in sent] == [
        "/.well-known/ath.json",
        "/ath/agents/register",
        "/ath/authorize",
        "/ath/token",
        "/ath/proxy/github/user",
    ]
    for request in sent:
        where = f"{request.method} {request.url.path}"
        assert request.headers.get_list("User-Agent") == [USER_AGENT], where
        assert request.headers.get_list("Accept") == ["application/json"], where
        assert request.headers["Accept-Encoding"] == accept_encoding(), where
        assert request.headers["X-Tenant"] == "t-1", where  # the headers= option
        assert request.headers["X-Theirs"] == "kept", where  # the client's own, as before
        assert request.headers.get_list("Cookie") == ["sid=theirs"], where  # and its cookies

    # low_level is handed the injected client as it is: its requests carry its headers
    from ath_sdk_client.api.gateway import get_gateway_discovery

    sent.clear()
    low = client.low_level
    if shell == "sync":
        assert low.get_httpx_client() is http
        get_gateway_discovery.sync(client=low)
    else:
        assert low.get_async_httpx_client() is http
        await get_gateway_discovery.asyncio(client=low)
    assert [r.headers["User-Agent"] for r in sent] == ["theirs/1.0"]
    assert "X-Tenant" not in sent[0].headers
    assert snapshot(http) == before

    await settle(client.close())
    assert not http.is_closed, "an injected client stays open: it is the caller's"
    await settle(http.aclose() if isinstance(http, httpx2.AsyncClient) else http.close())


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_timeout_applies_to_an_injected_client(asynchronous: bool, pem: str) -> None:
    """``timeout=`` with an injected client that has no timeout of its own: the SDK's
    requests carry it, so a server that goes silent ends the call with TIMEOUT (not
    ignored: the injected client alone would wait until the server hangs up, a
    transport error of another code)."""
    from ath import ATHError
    from tests._support.servers import RawServer, stall

    with RawServer(stall) as server:
        if asynchronous:
            async with httpx2.AsyncClient(timeout=None) as ahttp:  # timeout=None on purpose
                client: Any = AsyncATHGatewayClient(
                    server.url,
                    "https://a.example/agent",
                    pem,
                    timeout=0.5,
                    max_retries=0,
                    http_client=ahttp,
                )
                client.set_credentials("client-1", "cs_timeout_secret")
                with pytest.raises(ATHError) as info:
                    await client.registration_status()
            injected: Any = ahttp
        else:
            with httpx2.Client(timeout=None) as http:  # timeout=None on purpose
                client = ATHGatewayClient(
                    server.url,
                    "https://a.example/agent",
                    pem,
                    timeout=0.5,
                    max_retries=0,
                    http_client=http,
                )
                client.set_credentials("client-1", "cs_timeout_secret")
                with pytest.raises(ATHError) as info:
                    client.registration_status()
            injected = http
    assert info.value.code == "TIMEOUT"
    assert injected.timeout == httpx2.Timeout(None)  # the injected client itself is unchanged


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_a_legacy_httpx_client_is_refused_naming_httpx2(shell: str, agent: Agent) -> None:
    """httpx (0.x) is not the SDK's engine: its client and transports would bypass the
    SDK's httpx2 transport and error types, so they are refused, with the way out."""
    httpx = pytest.importorskip("httpx")  # here through langchain-core, never the SDK
    cls: Any = ATHGatewayClient if shell == "sync" else AsyncATHGatewayClient
    legacy = httpx.Client() if shell == "sync" else httpx.AsyncClient()
    transport = httpx.HTTPTransport() if shell == "sync" else httpx.AsyncHTTPTransport()
    try:
        for option, value in (("http_client", legacy), ("transport", transport)):
            with pytest.raises(ATHError) as refused:
                cls("https://gw.example", agent.agent_id, agent.pem, **{option: value})
            assert refused.value.code == "INVALID_ARGUMENT"
            assert refused.value.details == {"option": option}
            message = str(refused.value)
            assert "httpx2" in message and "legacy httpx" in message, message
    finally:
        if shell == "sync":
            legacy.close()
            transport.close()
