"""Transport defaults: TLS verified, plain http only on loopback, no redirects followed,
tokens only to where they belong.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from ath import ATHError
from tests._support.faults import AGENT_ID, MOCK_URL, Context, api_args
from tests._support.servers import (
    DEVELOPER,
    FakeATH,
    RawServer,
    callback_url,
    json_answer,
    make_self_signed,
    read_request,
)
from tests._support.shells import TRANSPORT_SHELLS, call, client_class, close

from .._report import tally

SHELLS = ("sync", "async")
MODES = ("gateway", "native")


def check(condition: bool) -> None:
    tally("transport")["checks"] += 1
    assert condition


# --------------------------------------------------------------------------- TLS

DISCOVERY = FakeATH(AGENT_ID, MOCK_URL).good(
    httpx2.Request("GET", MOCK_URL + "/.well-known/ath.json")
)[1]


@pytest.mark.parametrize("shell", TRANSPORT_SHELLS)
async def test_tls_verification_is_on_by_default(shell: str, pem: str, tmp_path: Path) -> None:
    cert = make_self_signed(tmp_path)
    with RawServer(json_answer(DISCOVERY), tls=cert.server_context()) as server:
        default = client_class("gateway", shell)(url=server.url, agent_id=AGENT_ID, private_key=pem)
        trusting = client_class("gateway", shell)(
            url=server.url, agent_id=AGENT_ID, private_key=pem, verify=cert.trusting_context()
        )
        try:
            with pytest.raises(ATHError) as refused:
                await call(default, "discover")
            check(refused.value.code == "TLS_ERROR" and refused.value.status is None)
            # the same server, once its certificate is trusted: verification is what failed
            doc = await call(trusting, "discover")
            check(doc.gateway_id == DISCOVERY["gateway_id"])
            context = default._http._transport.ssl_context
            check(context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname)
            check(context.minimum_version >= ssl.TLSVersion.TLSv1_2)
        finally:
            await close(default)
            await close(trusting)


# --------------------------------------------------------------------------- plain http

NOT_LOOPBACK = [
    "http://gateway.example.com",
    "http://10.0.0.1",
    "http://0.0.0.0:8080",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
    "http://[::ffff:8.8.8.8]",
    "HTTP://GATEWAY.EXAMPLE.COM/base",
    "http://gw.localhost",  # resolvers may send *.localhost to DNS: only literals count
]
LOOPBACK = [
    "http://127.0.0.1:1",
    "http://localhost:1",
    "http://[::1]:1",
    "http://127.5.6.7",
    "https://gateway.example.com",
]


@pytest.mark.parametrize("shell", TRANSPORT_SHELLS)
@pytest.mark.parametrize("mode", MODES)
def test_plain_http_only_on_loopback(shell: str, mode: str, pem: str) -> None:
    cls = client_class(mode, shell)
    for url in NOT_LOOPBACK:
        with pytest.raises(ATHError) as info:
            cls(url=url, agent_id=AGENT_ID, private_key=pem)
        check(info.value.code == "INSECURE_TRANSPORT")
        check("allow_insecure_http" in info.value.message)
        cls(url=url, agent_id=AGENT_ID, private_key=pem, allow_insecure_http=True)
    for url in LOOPBACK:
        check(cls(url=url, agent_id=AGENT_ID, private_key=pem).url.startswith(url[:4].lower()))


# --------------------------------------------------------------------------- redirects


class Recorder:
    """The other host: records every request that reaches it."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        data = read_request(conn)
        with self.lock:
            self.requests.append(data)
        body = b'{"stolen": true}'
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )


def redirecting(location: str, status: int) -> Any:
    def answer(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(
            f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )

    return answer


@pytest.fixture(scope="module")
def other_host() -> Iterator[tuple[RawServer, Recorder]]:
    recorder = Recorder()
    with RawServer(recorder, host="127.0.0.2") as server:
        yield server, recorder


def _redirect_calls(mode: str) -> list[tuple[str, Any]]:
    provider = "github" if mode == "gateway" else None
    ctx = Context("sess-1", "st", provider)
    api, api_raw = ("proxy", "proxy_raw") if mode == "gateway" else ("api", "api_raw")
    calls: list[tuple[str, Any]] = [
        ("discover", ((), {})),
        (
            "register",
            (
                (),
                {"developer": DEVELOPER, "providers": [{"provider_id": "github", "scopes": ["r"]}]},
            ),
        ),
        ("registration_status", ((), {})),
        ("authorize", (("github", ["read:user"]), {})),
        ("exchange_token", (("code-1", "sess-1"), {})),
        ("revoke", ((), {})),
        (api, api_args("GET", "/user")(ctx)),
        (api_raw, api_args("POST", "/user/repos", {"name": "x"})(ctx)),
        (api_raw, api_args("DELETE", "/user/repos/x")(ctx)),
    ]
    return calls


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("shell", "own_http_client"),
    # an injected http_client is httpx2's; on the aiohttp engine the client is the SDK's own
    [(s, False) for s in TRANSPORT_SHELLS]
    + [(s, True) for s in TRANSPORT_SHELLS if s != "aiohttp"],
    ids=lambda v: (
        {False: "default", True: "follow_redirects_client"}.get(v, v) if isinstance(v, bool) else v
    ),
)
@pytest.mark.parametrize("mode", MODES)
async def test_credentials_never_follow_a_redirect(
    mode: str,
    shell: str,
    own_http_client: bool,
    status: int,
    pem: str,
    other_host: tuple[RawServer, Recorder],
) -> None:
    """Every call is answered by a redirect to another host; that host hears nothing."""
    target, recorder = other_host
    before = len(recorder.requests)
    with RawServer(redirecting(target.url + "/steal", status)) as gateway:
        options: dict[str, Any] = {}
        if own_http_client:
            made = httpx2.AsyncClient if shell == "async" else httpx2.Client
            options["http_client"] = made(follow_redirects=True)
        client = client_class(mode, shell)(
            url=gateway.url, agent_id=AGENT_ID, private_key=pem, max_retries=0, **options
        )
        try:
            await call(client, "set_credentials", "cid-1", "cs_redirect_" + "s" * 20)
            await call(
                client,
                "set_token",
                "ath_tk_redirect_" + "t" * 20,
                "github" if mode == "gateway" else None,
            )
            if mode == "native":  # api_base on the same gateway host, as discovery would say
                client._core.state.api_base = gateway.url + "/api"
            for name, (args, kwargs) in _redirect_calls(mode):
                if name.endswith("_raw"):  # the raw view returns the redirect, unfollowed
                    answer = await call(client, name, *args, **kwargs)
                    check(answer.status_code == status)
                    check(answer.headers["location"].startswith(target.url))
                    continue
                with pytest.raises(ATHError) as info:
                    await call(client, name, *args, **kwargs)
                check(info.value.status == status)
                check(info.value.code in ("HTTP_ERROR", "UPSTREAM_ERROR", "ALREADY_REGISTERED"))
        finally:
            await close(client)
            own = options.get("http_client")
            if isinstance(own, httpx2.AsyncClient):
                await own.aclose()
            elif isinstance(own, httpx2.Client):
                own.close()
            tally("transport")["leaks"] += len(recorder.requests) - before
    check(len(recorder.requests) == before)


async def test_the_other_host_is_reachable(other_host: tuple[RawServer, Recorder]) -> None:
    """Control: a plain client that follows redirects does reach the other host."""
    target, recorder = other_host
    before = len(recorder.requests)
    with (
        RawServer(redirecting(target.url + "/steal", 302)) as gateway,
        httpx2.Client(follow_redirects=True) as plain,
    ):
        check(plain.get(gateway.url + "/x").json() == {"stolen": True})
    check(len(recorder.requests) == before + 1)


# --------------------------------------------------------------------------- api_base


class NativeServer(FakeATH):
    """A native service whose discovery names ``api_base``."""

    def __init__(self, api_base: str) -> None:
        super().__init__(AGENT_ID, MOCK_URL)
        self.api_base = api_base

    def good(self, request: httpx2.Request) -> tuple[int, Any]:
        status, body = super().good(request)
        if request.url.path == "/.well-known/ath-app.json":
            body = {**body, "api_base": self.api_base}
        return status, body


def native_server(api_base: str) -> FakeATH:
    return NativeServer(api_base)


@pytest.mark.parametrize("shell", SHELLS)
async def test_api_sends_the_token_only_to_the_discovered_api_base(shell: str, pem: str) -> None:
    api_base = "https://127.0.0.2:8443/v1"
    fake = native_server(api_base)
    token = "ath_tk_native_" + "n" * 20
    client = client_class("native", shell)(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=fake.transport()
    )
    try:
        await call(client, "discover")
        check(client.api_base == api_base)
        await call(client, "set_credentials", "cid-1", "cs_native_" + "s" * 20)
        await call(client, "set_token", token)
        await call(client, "api", "GET", "/products")
        auth = await call(client, "authorize", "acme-app", ["read"])
        await call(client, "finish_authorization", callback_url(auth.state), auth.ath_session_id)
        for path in [
            "../admin",
            "//evil.example/x",
            "http://evil.example/x",
            "/%2e%2e/x",
            "a/../../b",
        ]:
            try:
                await call(client, "api_raw", "GET", path)
            except ATHError as exc:
                check(exc.code == "INVALID_ARGUMENT")
        await call(client, "api_raw", "POST", "@evil.example/x", {"a": 1})
        await call(client, "revoke")
    finally:
        await close(client)
    bearer = [r for r in fake.requests if r.headers.get("authorization", "").startswith("Bearer")]
    check(len(bearer) >= 2)
    for request in bearer:
        check(str(request.url).startswith(api_base + "/"))
        check(request.headers["x-ath-agent-id"] == AGENT_ID)
    # nothing sent to the ATH endpoints carries an API token
    for request in fake.requests:
        if not str(request.url).startswith(api_base + "/"):
            check("Bearer" not in request.headers.get("authorization", ""))


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("api_base", "code"),
    [
        ("http://api.example.com/v1", "INSECURE_TRANSPORT"),
        ("http://10.1.2.3/v1", "INSECURE_TRANSPORT"),
        ("https://user:pass@api.example.com/v1", "INVALID_RESPONSE"),
        ("https://api.example.com/v1?x=1", "INVALID_RESPONSE"),
        ("ftp://api.example.com/v1", "INVALID_RESPONSE"),
        ("/relative/v1", "INVALID_RESPONSE"),
        ("", "INVALID_RESPONSE"),
    ],
)
async def test_a_discovered_api_base_must_be_safe(
    shell: str, api_base: str, code: str, pem: str
) -> None:
    fake = native_server(api_base)
    client = client_class("native", shell)(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=fake.transport()
    )
    try:
        await call(client, "set_token", "ath_tk_native_" + "n" * 20)
        with pytest.raises(ATHError) as info:
            await call(client, "discover")
        check(info.value.code == code and info.value.status == 200)
        check(client.api_base is None)
        with pytest.raises(ATHError) as nd:
            await call(client, "api", "GET", "/products")
        check(nd.value.code == "NOT_DISCOVERED")
        check(all("Bearer" not in r.headers.get("authorization", "") for r in fake.requests))
    finally:
        await close(client)
    if code == "INSECURE_TRANSPORT":  # a development network can opt in
        lenient = client_class("native", shell)(
            url=MOCK_URL,
            agent_id=AGENT_ID,
            private_key=pem,
            transport=fake.transport(),
            allow_insecure_http=True,
        )
        try:
            await call(lenient, "discover")
            check(lenient.api_base == api_base)
        finally:
            await close(lenient)
