"""A hostile server and a hostile environment, over real loopback sockets.

Compression bombs (peak memory measured with tracemalloc), environment proxies, caller
headers that would change message framing, a server dripping bytes, a server reflecting
what it was sent into its response headers (with every logger at DEBUG), ``localhost``
resolving elsewhere, and cookies carried from one provider to another.
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from ath import ATHError, RetryPolicy
from ath._redaction import request_secrets
from ath._wire import _brotli, _zstd, accept_encoding
from tests._support.faults import AGENT_ID
from tests._support.servers import DEVELOPER, FakeATH, RawServer, attack, read_request
from tests._support.shells import TRANSPORT_SHELLS, call, client_class, close

from .._report import tally

SHELLS = TRANSPORT_SHELLS
NO_RETRY = RetryPolicy(max_retries=0)


def http_answer(
    body: bytes,
    status: str = "200 OK",
    headers: dict[str, str] | None = None,
) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    for name, value in (headers or {"Content-Type": "application/json"}).items():
        head += f"{name}: {value}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


class Recording:
    """A behaviour that records each raw request and answers with ``make(request)``."""

    def __init__(self, make: Callable[[bytes], bytes]) -> None:
        self.make = make
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        raw = read_request(conn)
        with self.lock:
            self.requests.append(raw)
        conn.sendall(self.make(raw))


def _constant(answer: bytes) -> Callable[[bytes], bytes]:
    return lambda raw: answer


def ok_json(raw: bytes) -> bytes:
    return http_answer(b'{"ok": true}')


DISCOVERY = FakeATH(AGENT_ID, "http://127.0.0.1:1").good(
    httpx2.Request("GET", "http://127.0.0.1:1/.well-known/ath.json")
)[1]


# --------------------------------------------------------------------------- 3: bombs

LIMIT = 256 * 1024
EXPANDED = 64 * 1024 * 1024  # what each bomb expands to


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, 9)


BOMBS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gzip,
    "x-gzip": _gzip,
    "deflate": _deflate,
    "gzip, gzip": lambda d: _gzip(_gzip(d)),
    "deflate, gzip": lambda d: _gzip(_deflate(d)),
    "gzip, deflate, gzip": lambda d: _gzip(_deflate(_gzip(d))),
}
# br and zstd: the decoders are dev requirements, so these bombs run in the suite
# (the SDK decodes, and advertises, them only when installed: ath._wire.codecs).
if _brotli() is not None:
    BOMBS["br"] = lambda d: _brotli().compress(d, quality=11)
    BOMBS["br, gzip"] = lambda d: _gzip(_brotli().compress(d))
if _zstd() is not None:
    BOMBS["zstd"] = lambda d: _zstd().compress(d, 19)
    BOMBS["zstd, br"] = lambda d: _brotli().compress(_zstd().compress(d))


def test_the_dev_venv_has_the_br_and_zstd_decoders() -> None:
    """The br and zstd bombs above must run: their decoders are dev requirements."""
    assert {"br", "zstd", "zstd, br"} <= set(BOMBS)
    assert accept_encoding() == "gzip, deflate, br, zstd"


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("encoding", list(BOMBS))
async def test_compression_bombs_stay_within_the_limit(shell: str, encoding: str, pem: str) -> None:
    payload = BOMBS[encoding](b"{" + b" " * EXPANDED + b"}")
    answer = http_answer(
        payload, headers={"Content-Type": "application/json", "Content-Encoding": encoding}
    )
    with RawServer(Recording(lambda raw: answer)) as server:
        client = client_class("gateway", shell)(
            url=server.url,
            agent_id=AGENT_ID,
            private_key=pem,
            max_response_bytes=LIMIT,
            retry=NO_RETRY,
        )
        try:
            with pytest.raises(ATHError):  # warm-up: lazy imports are not the answer's memory
                await call(client, "discover")
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            try:
                with pytest.raises(ATHError) as info:
                    await call(client, "discover")
            finally:
                peak = tracemalloc.get_traced_memory()[1] - base
                tracemalloc.stop()
        finally:
            await close(client)
    counts = tally("bombs")
    counts["bombs"] += 1
    counts["encodings"] = len(BOMBS)
    over = max(0, peak - LIMIT) // 1024
    counts["over_kib"] = max(counts["over_kib"], over)
    counts["escapes"] += info.value.code != "RESPONSE_TOO_LARGE"
    assert info.value.code == "RESPONSE_TOO_LARGE"
    assert peak <= LIMIT + 1024 * 1024, f"peak {peak} bytes for a {LIMIT}-byte limit"


@pytest.mark.parametrize("shell", SHELLS)
async def test_compressed_answers_within_the_limit_are_decoded(shell: str, pem: str) -> None:
    """Control: a normal gzip answer (and a stacked one) is decoded as before."""
    body = json.dumps(DISCOVERY).encode()
    for encoding in ("gzip", "deflate, gzip", "identity"):
        coded = body if encoding == "identity" else BOMBS[encoding](body)
        answer = http_answer(
            coded, headers={"Content-Type": "application/json", "Content-Encoding": encoding}
        )
        with RawServer(Recording(_constant(answer))) as s:
            client = client_class("gateway", shell)(url=s.url, agent_id=AGENT_ID, private_key=pem)
            try:
                doc = await call(client, "discover")
            finally:
                await close(client)
        assert doc.gateway_id == DISCOVERY["gateway_id"]


# --------------------------------------------------------------------------- 4: env proxies


@pytest.mark.parametrize("shell", SHELLS)
async def test_environment_proxies_never_see_loopback_traffic(
    shell: str, pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Recording(lambda raw: http_answer(b"proxied", "502 Bad Gateway", {}))
    gateway = Recording(lambda raw: http_answer(json.dumps(DISCOVERY).encode()))
    with RawServer(proxy) as proxy_server, RawServer(gateway) as gateway_server:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy_server.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        client = client_class("gateway", shell)(
            url=gateway_server.url, agent_id=AGENT_ID, private_key=pem, retry=NO_RETRY
        )
        client.set_token("ath_tk_env_proxy_secret", "github")
        try:
            await call(client, "discover")
            await call(client, "proxy", "github", "GET", "/user")
        finally:
            await close(client)
        attack(bool(proxy.requests))
        assert len(gateway.requests) == 2
        # https elsewhere keeps httpx2's environment behaviour (corporate proxies) ...
        remote = client_class("gateway", shell)(
            url="https://gw.example", agent_id=AGENT_ID, private_key=pem, retry=NO_RETRY
        )
        try:
            with pytest.raises(ATHError):
                await call(remote, "discover")
        finally:
            await close(remote)
        assert any(r.startswith(b"CONNECT gw.example:443") for r in proxy.requests)
        # ... and trust_env=False is the way out
        seen = len(proxy.requests)
        direct = client_class("gateway", shell)(
            url="https://gw.example",
            agent_id=AGENT_ID,
            private_key=pem,
            retry=NO_RETRY,
            trust_env=False,
        )
        try:
            with pytest.raises(ATHError):
                await call(direct, "discover")
        finally:
            await close(direct)
        assert len(proxy.requests) == seen


# --------------------------------------------------------------------------- 12: framing

FRAMING = [
    {"Transfer-Encoding": "chunked"},
    {"Content-Length": "0"},
    {"content-length": "5"},
    {"Host": "evil.example"},
    {"Connection": "close, X-ATH-Agent-ID"},
    {"Upgrade": "websocket"},
    {"TE": "trailers"},
    {"Trailer": "X-Foo"},
    {"Keep-Alive": "timeout=5"},
    {"Proxy-Authorization": "Basic eA=="},
    {"X-Injected": "a\r\nX-Evil: 1"},
]


@pytest.mark.parametrize("shell", SHELLS)
async def test_caller_headers_cannot_change_message_framing(shell: str, pem: str) -> None:
    server_behaviour = Recording(ok_json)
    with RawServer(server_behaviour) as server:
        client = client_class("gateway", shell)(
            url=server.url, agent_id=AGENT_ID, private_key=pem, retry=NO_RETRY
        )
        client.set_token("ath_tk_framing_secret", "github")
        try:
            for headers in FRAMING:
                try:
                    await call(client, "proxy", "github", "POST", "/x", {"a": 1}, headers=headers)
                    refused = False
                except ATHError as exc:
                    refused = exc.code == "INVALID_ARGUMENT"
                attack(not refused)
                with pytest.raises(ATHError) as info:
                    client_class("gateway", shell)(
                        url=server.url, agent_id=AGENT_ID, private_key=pem, headers=headers
                    )
                assert info.value.code == "INVALID_ARGUMENT"
            assert server_behaviour.requests == []
            # control: a normal call has exactly one framing header on the wire
            await call(client, "proxy", "github", "POST", "/x", {"a": 1}, headers={"X-Ok": "1"})
        finally:
            await close(client)
    (raw,) = server_behaviour.requests
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    assert head.count(b"\r\ncontent-length:") == 1 and b"transfer-encoding" not in head


# --------------------------------------------------------------------------- 14: deadlines

DRIP_DELAY = 0.05
DRIP_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
    + b"p" * 80
    + b"\r\nContent-Length: 2\r\n\r\n{}"
)


def dripper(sent: list[int], body_only: bool) -> Callable[[socket.socket], None]:
    def behaviour(conn: socket.socket) -> None:
        read_request(conn)
        count = 0
        data = DRIP_HEAD
        if body_only:
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n"
            )
            conn.sendall(head)
            data = b"{" + b" " * 118 + b"}"
        try:
            for byte in data:
                conn.sendall(bytes([byte]))
                count += 1
                time.sleep(DRIP_DELAY)
        except OSError:
            pass
        finally:
            sent.append(count)

    return behaviour


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("body_only", [False, True], ids=["headers", "body"])
async def test_a_dripping_server_cannot_outlast_the_timeout(
    shell: str, body_only: bool, pem: str
) -> None:
    """The timeout bounds each attempt and total_timeout all of them: counted in bytes the
    server managed to drip (one every 50 ms) before the client hung up."""
    sent: list[int] = []
    with RawServer(dripper(sent, body_only)) as server:
        client = client_class("gateway", shell)(
            url=server.url,
            agent_id=AGENT_ID,
            private_key=pem,
            timeout=0.5,
            retry=RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.01),
            total_timeout=1.0,
        )
        try:
            with pytest.raises(ATHError) as info:
                await call(client, "discover")
        finally:
            await close(client)
        deadline = time.monotonic() + 5
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert info.value.code == "TIMEOUT"
    # 1.0 s of dripping is about 20 bytes; a whole answer is over 100
    attack(sum(sent) > 40 or len(sent) > 2)


# --------------------------------------------------------------------------- 15: reflected


class Reflector:
    """A correct ATH server that reflects every request header and the body into its
    response headers and the reason phrase."""

    def __init__(self) -> None:
        self.fake: FakeATH | None = None

    def __call__(self, conn: socket.socket) -> None:
        while True:
            raw = read_request(conn, timeout=5)
            if not raw:
                return
            head, _, body = raw.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers: list[tuple[str, str]] = []
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
            assert self.fake is not None
            request = httpx2.Request(
                method, self.fake.base_url + target, headers=headers, content=body
            )
            self.fake.requests.append(request)
            status, answer = self.fake.good(request)
            payload = b"" if answer is None else json.dumps(answer).encode()
            echo = {f"X-Echo-{i}": f"{k}={v}" for i, (k, v) in enumerate(headers)}
            echo["X-Echo-Body"] = body.decode("latin-1")
            echo["Content-Type"] = "application/json"
            auth = dict((k.lower(), v) for k, v in headers).get("authorization", "none")
            conn.sendall(
                f"HTTP/1.1 {status} OK {auth}\r\nContent-Length: {len(payload)}\r\n".encode()
                + "".join(f"{k}: {v}\r\n" for k, v in echo.items()).encode("latin-1")
                + b"\r\n"
                + payload
            )


@pytest.mark.parametrize("shell", SHELLS)
async def test_debug_logs_over_real_sockets_hold_no_reflected_secret(
    shell: str, pem: str, caplog: pytest.LogCaptureFixture
) -> None:
    reflector = Reflector()
    caplog.set_level(logging.DEBUG)
    loggers = ("httpx2", "httpcore2", "ath", "hpack", "aiohttp")
    for name in loggers:
        logging.getLogger(name).setLevel(logging.DEBUG)
    with RawServer(reflector) as server:
        reflector.fake = fake = FakeATH(AGENT_ID, server.url)
        client = client_class("gateway", shell)(url=server.url, agent_id=AGENT_ID, private_key=pem)
        try:
            await call(
                client, "register", DEVELOPER, [{"provider_id": "github", "scopes": ["repo"]}]
            )
            auth = await call(client, "authorize", "github", ["repo"])
            await call(client, "exchange_token", "code-1", auth.ath_session_id)
            await call(client, "proxy", "github", "POST", "/user/repos", {"name": "x"})
            await call(client, "revoke")
        finally:
            await close(client)
    secrets = {pem, *fake.issued}
    for request in fake.requests:
        secrets.update(s for s in request_secrets(request) if len(s) >= 8)
    records = [r for r in caplog.records if r.name.startswith(loggers)]
    # the loggers did log (the engine's own on httpx2; aiohttp logs no exchange)
    assert any(r.name.startswith("ath" if shell == "aiohttp" else "httpcore2") for r in records)
    leaked = [r.getMessage() for r in records if any(s in r.getMessage() for s in secrets)]
    counts = tally("hostile")
    counts["attacks"] += len(records)
    counts["succeeded"] += len(leaked)
    assert not leaked, leaked[:3]


# --------------------------------------------------------------------------- 17: localhost


def _non_loopback_address() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        address: str = probe.getsockname()[0]
    assert not address.startswith("127."), "this test needs a non-loopback IPv4 address"
    return address


@pytest.mark.parametrize("shell", SHELLS)
async def test_localhost_must_connect_to_a_loopback_address(
    shell: str, pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = _non_loopback_address()
    behaviour = Recording(lambda raw: http_answer(json.dumps(DISCOVERY).encode()))
    with RawServer(behaviour, host=elsewhere) as server:
        real = socket.getaddrinfo

        def hostile_resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host
            return real(elsewhere if name == "localhost" else host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", hostile_resolver)
        client = client_class("gateway", shell)(
            url=f"http://localhost:{server.port}", agent_id=AGENT_ID, private_key=pem
        )
        try:
            with pytest.raises(ATHError) as info:
                await call(client, "discover")
        finally:
            await close(client)
    attack(any(behaviour.requests))  # a connection may be made, no request is sent
    assert info.value.code == "INSECURE_TRANSPORT"
    for url in ("http://gw.localhost", "http://x.y.localhost:8080"):
        with pytest.raises(ATHError) as refused:
            client_class("gateway", shell)(url=url, agent_id=AGENT_ID, private_key=pem)
        attack(refused.value.code != "INSECURE_TRANSPORT")


# --------------------------------------------------------------------------- 18: cookies


@pytest.mark.parametrize("shell", SHELLS)
async def test_no_cookie_rides_along_to_other_endpoints(shell: str, pem: str) -> None:
    def answer(raw: bytes) -> bytes:
        headers = {"Content-Type": "application/json"}
        if b"/ath/proxy/github/" in raw.split(b"\r\n", 1)[0]:
            headers["Set-Cookie"] = "sid=cookie-from-github; Path=/"
        return http_answer(b"null" if b"/ath/revoke" in raw else b'{"ok": true}', headers=headers)

    behaviour = Recording(answer)
    with RawServer(behaviour) as server:
        client = client_class("gateway", shell)(url=server.url, agent_id=AGENT_ID, private_key=pem)
        client.set_credentials("cid-cookie", "cs_cookie_secret_value")
        client.set_token("ath_tk_cookie_github", "github")
        client.set_token("ath_tk_cookie_other", "other")
        try:
            raw = await call(client, "proxy_raw", "github", "GET", "/user")
            assert "set-cookie" in raw.headers  # the caller still sees it
            await call(client, "proxy", "other", "GET", "/me")
            await call(client, "proxy", "github", "GET", "/user")
            await call(client, "revoke")
        finally:
            await close(client)
    assert len(behaviour.requests) == 5
    for request in behaviour.requests:
        attack(b"\r\ncookie:" in request.split(b"\r\n\r\n", 1)[0].lower())
