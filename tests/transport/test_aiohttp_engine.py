"""The aiohttp engine (``http="aiohttp"``): how it is chosen, what it is never combined
with, that a program not choosing it never imports aiohttp, and that it keeps the httpx2
engine's TLS context, retries and error chains. The wire attacks, bombs, deadlines,
proxies, redirects and real-socket faults run on it in their own suites
(``TRANSPORT_SHELLS``)."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import certifi
import httpx2
import pytest

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    RetryPolicy,
)
from ath._aiohttp import AiohttpTransport
from ath._tls import shared_verify
from ath._wire import AsyncTransport
from tests._support.faults import AGENT_ID
from tests._support.servers import NO_CONTENT, RawServer, read_request, recording

ROOT = Path(__file__).resolve().parents[2]
URL = "https://gateway.example.com"


def _context(client: AsyncATHGatewayClient) -> ssl.SSLContext:
    transport = client._http._transport
    assert isinstance(transport, AiohttpTransport | AsyncTransport)
    return transport.ssl_context


# --------------------------------------------------------------------------- choosing it


@pytest.mark.parametrize("cls", [AsyncATHGatewayClient, AsyncATHNativeClient])
async def test_http_aiohttp_puts_the_aiohttp_transport_under_the_same_client(
    cls: Any, pem: str
) -> None:
    async with cls(URL, AGENT_ID, pem, http="aiohttp") as client:
        assert isinstance(client._http, httpx2.AsyncClient)  # the same client, flows, driver
        assert isinstance(client._http._transport, AiohttpTransport)
        assert client._driver.fetcher is client._http._transport
    async with cls(URL, AGENT_ID, pem) as default:
        assert isinstance(default._http._transport, AsyncTransport)
        assert default._driver.fetcher is None


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"http": "requests"}, "http must be"),
        ({"http": None}, "http must be"),
        ({"http": "aiohttp", "transport": httpx2.AsyncHTTPTransport()}, "not both"),
        ({"http": "aiohttp", "http_client": httpx2.AsyncClient()}, "not both"),
    ],
)
def test_bad_http_choices_are_refused_naming_the_option(
    options: dict[str, Any], says: str, pem: str
) -> None:
    with pytest.raises(ATHError) as info:
        AsyncATHGatewayClient(URL, AGENT_ID, pem, **options)
    assert info.value.code == "INVALID_ARGUMENT"
    assert info.value.details["option"] == "http"
    assert says in info.value.message


@pytest.mark.parametrize("cls", [ATHGatewayClient, ATHNativeClient])
def test_the_sync_clients_refuse_the_aiohttp_engine(cls: Any, pem: str) -> None:
    """Both shells take the same options; aiohttp is asyncio's, so only the async ones."""
    with pytest.raises(ATHError) as info:
        cls(URL, AGENT_ID, pem, http="aiohttp")
    assert info.value.code == "INVALID_ARGUMENT"
    assert "async clients" in info.value.message
    cls(URL, AGENT_ID, pem, http="httpx2").close()


def test_without_aiohttp_installed_the_error_names_the_extra(
    pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "aiohttp" or m.startswith("aiohttp.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "ath._aiohttp")
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # what an absent package imports as
    with pytest.raises(ATHError) as info:
        AsyncATHGatewayClient(URL, AGENT_ID, pem, http="aiohttp")
    assert info.value.code == "INVALID_ARGUMENT"
    assert "ath-sdk[aiohttp]" in info.value.message


IMPORTS = textwrap.dedent(
    """
    import asyncio, sys
    from ath import AsyncATHGatewayClient, ATHGatewayClient, generate_private_key
    from ath.testing import LocalStack

    async def main(url, agent, pem, http):
        async with AsyncATHGatewayClient(url, agent, pem, http=http) as client:
            await client.discover()

    with LocalStack() as stack:
        pem = generate_private_key()
        agent = stack.host_agent(pem, name="imports")
        with ATHGatewayClient(stack.gateway_url, agent, pem) as client:
            client.discover()
        asyncio.run(main(stack.gateway_url, agent, pem, "httpx2"))
        before = "aiohttp" in sys.modules
        asyncio.run(main(stack.gateway_url, agent, pem, "aiohttp"))
        print(before, "aiohttp" in sys.modules)
    """
)


def test_a_program_that_does_not_choose_aiohttp_never_imports_it() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", IMPORTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # sync and async clients on httpx2: no aiohttp; then one on aiohttp: imported
    assert done.stdout.split() == ["False", "True"]


# --------------------------------------------------------------------------- TLS


async def test_the_tls_context_is_the_httpx2_engines(
    pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = ssl.create_default_context(cafile=certifi.where())
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    for options in ({}, {"verify": False}, {"verify": mine}):
        async with (
            AsyncATHGatewayClient(URL, AGENT_ID, pem, **options) as on_httpx2,
            AsyncATHGatewayClient(URL, AGENT_ID, pem, http="aiohttp", **options) as on_aiohttp,
        ):
            assert _context(on_aiohttp) is _context(on_httpx2)
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())  # read with trust_env, as httpx2
    async with AsyncATHGatewayClient(URL, AGENT_ID, pem, http="aiohttp") as from_env:
        assert _context(from_env) is shared_verify(True)
        assert _context(from_env) is not shared_verify(False)
    async with AsyncATHGatewayClient(
        URL, AGENT_ID, pem, http="aiohttp", trust_env=False
    ) as ignoring:
        assert _context(ignoring) is not shared_verify(True)
        assert _context(ignoring).verify_mode == ssl.CERT_REQUIRED


# --------------------------------------------------------------------------- retries


class HangUp:
    """A server that reads each request and closes the connection without answering."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        raw = read_request(conn)
        with self.lock:
            self.requests.append(raw)


@pytest.mark.parametrize("http", ["httpx2", "aiohttp"])
async def test_retries_and_error_chains_are_the_same_on_both_engines(http: str, pem: str) -> None:
    """A dropped connection: a GET is sent max_retries + 1 times (aiohttp's own resend is
    off), a POST once; the error is CONNECTION_ERROR with no exception under it."""
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    seen: dict[str, int] = {}
    for method in ("GET", "POST"):
        server_behaviour = HangUp()
        with RawServer(server_behaviour) as server:
            async with AsyncATHGatewayClient(
                server.url,
                AGENT_ID,
                pem,
                http=http,  # type: ignore[arg-type]
                retry=RetryPolicy(max_retries=2),
                sleep=sleep,
            ) as client:
                client.set_token("ath_tk_hang_up_secret_value", "github")
                with pytest.raises(ATHError) as info:
                    await client.proxy("github", method, "/user", {"a": 1} if method else None)
        seen[method] = len(server_behaviour.requests)
        assert info.value.code == "CONNECTION_ERROR"
        assert info.value.__cause__ is None and info.value.__context__ is None
        assert "ath_tk_hang_up_secret_value" not in repr(info.value)
    assert seen == {"GET": 3, "POST": 1}
    assert len(pauses) == 2


# --------------------------------------------------------------------------- other paths


async def test_event_hooks_on_the_sdks_client_go_through_the_aiohttp_transport(
    pem: str,
) -> None:
    """With event hooks the driver sends through httpx2's Client.send, which hands the
    request to the aiohttp transport: the same answer, the hooks called."""
    body = json.dumps({"login": "octo"}).encode()

    def answer(conn: socket.socket) -> None:
        while read_request(conn, timeout=5):
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )

    called: list[str] = []

    async def hook(response: httpx2.Response) -> None:
        called.append(str(response.status_code))

    with RawServer(answer) as server:
        async with AsyncATHGatewayClient(server.url, AGENT_ID, pem, http="aiohttp") as client:
            client.set_token("ath_tk_hooked", "github")
            client._http.event_hooks["response"].append(hook)
            assert await client.proxy("github", "GET", "/user") == {"login": "octo"}
            await client.aclose()
            with pytest.raises(ATHError) as closed:
                await client.proxy("github", "GET", "/user")
    assert called == ["200"]
    assert closed.value.code == "CLIENT_CLOSED"


async def test_each_request_carries_its_own_headers_when_they_change(pem: str) -> None:
    """The transport reuses the last request's decoded headers only when they are the
    same: a new token (and a caller's header) reach the server on the very next call."""
    seen: list[bytes] = []

    with RawServer(recording(seen)) as server:
        async with AsyncATHGatewayClient(server.url, AGENT_ID, pem, http="aiohttp") as client:
            client.set_token("ath_tk_first", "github")
            await client.proxy("github", "GET", "/user")
            await client.proxy("github", "GET", "/user")
            client.set_token("ath_tk_second", "github")
            await client.proxy("github", "GET", "/user")
            await client.proxy("github", "GET", "/user", headers={"X-Trace": "t1"})
    auth = [next(line for line in r.split(b"\r\n") if line.lower().startswith(b"authorization"))
            for r in seen]  # fmt: skip
    assert (
        auth
        == [b"Authorization: Bearer ath_tk_first"] * 2
        + [b"Authorization: Bearer ath_tk_second"] * 2
    )
    assert [b"X-Trace: t1" in r for r in seen] == [False, False, False, True]


async def test_each_answer_carries_its_own_headers(pem: str) -> None:
    """The transport reuses the last answer's headers only when they are the same, and
    a caller changing one answer's headers changes no other answer's."""
    answers = iter([b"X-N: 1", b"X-N: 1", b"X-N: 2"])

    def answer(conn: socket.socket) -> None:
        while read_request(conn, timeout=5):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         + next(answers) + b"\r\nContent-Length: 2\r\n\r\n{}")  # fmt: skip

    with RawServer(answer) as server:
        async with AsyncATHGatewayClient(server.url, AGENT_ID, pem, http="aiohttp") as client:
            client.set_token("ath_tk_answers", "github")
            first = await client.proxy_raw("github", "GET", "/user")
            assert isinstance(first.headers, httpx2.Headers)
            first.headers["X-N"] = "changed"
            second = await client.proxy_raw("github", "GET", "/user")
            third = await client.proxy_raw("github", "GET", "/user")
    assert [first.headers["x-n"], second.headers["x-n"], third.headers["x-n"]] == [
        "changed",
        "1",
        "2",
    ]


async def test_a_streamed_request_body_is_read_then_sent_whole() -> None:
    """A request whose body is an async stream (httpx2 ``content=`` an async iterator):
    the transport reads it, then sends it with its length."""
    from ath._wire import DEFAULT_LIMITS, ssl_context

    seen: list[bytes] = []

    async def parts() -> AsyncIterator[bytes]:
        yield b"one,"
        yield b"two"

    transport = AiohttpTransport(ssl_context(True, True), True, DEFAULT_LIMITS)
    with RawServer(recording(seen, NO_CONTENT)) as server:
        async with httpx2.AsyncClient(transport=transport) as http:
            response = await http.post(server.url + "/upload", content=parts())
    assert response.status_code == 204
    assert seen[0].endswith(b"\r\n\r\none,two")
    assert b"content-length: 7" in seen[0].lower()


def _header_lines(request: bytes) -> list[bytes]:
    head = request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    return sorted(line.lower() for line in head)


async def test_both_engines_put_the_same_headers_on_the_wire(pem: str) -> None:
    """A proxy call's request carries the same header lines on either engine: aiohttp
    adds none of its automatic headers, drops none of the SDK's."""
    seen: list[bytes] = []

    with RawServer(recording(seen)) as server:
        for http in ("httpx2", "aiohttp"):
            async with AsyncATHGatewayClient(server.url, AGENT_ID, pem, http=http) as client:
                client.set_token("ath_tk_wire", "github")
                await client.proxy("github", "GET", "/user", headers={"X-Trace": "t1"})
                await client.proxy("github", "POST", "/items", {"a": 1})
    assert len(seen) == 4
    assert _header_lines(seen[0]) == _header_lines(seen[2])
    assert _header_lines(seen[1]) == _header_lines(seen[3])
    assert b"user-agent: ath-sdk-python/" in b"\n".join(_header_lines(seen[2]))


async def test_a_request_without_automatic_headers_is_sent_without_them() -> None:
    """A request built without ``Accept``, ``Accept-Encoding`` or ``User-Agent`` reaches
    the server without them: aiohttp adds none of its own."""
    from ath._wire import DEFAULT_LIMITS, ssl_context

    seen: list[bytes] = []

    transport = AiohttpTransport(ssl_context(True, True), True, DEFAULT_LIMITS)
    with RawServer(recording(seen, NO_CONTENT)) as server:
        async with httpx2.AsyncClient(transport=transport) as http:
            bare = httpx2.Request("GET", server.url + "/bare", headers={"X-Only": "1"})
            response = await http.send(bare)
            full = http.build_request("GET", server.url + "/full")
            await http.send(full)
    assert response.status_code == 204
    names = [line.split(b":", 1)[0] for line in _header_lines(seen[0])]
    assert names == [b"host", b"x-only"]
    names = [line.split(b":", 1)[0] for line in _header_lines(seen[1])]
    assert {b"accept", b"accept-encoding", b"user-agent"} <= set(names)
