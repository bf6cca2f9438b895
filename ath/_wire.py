"""What the SDK puts between its HTTP client and the network.

- :class:`BoundedDecoder`: ``Content-Encoding`` undone by the SDK, a bounded amount at a
  time, so a compression bomb never expands past ``max_response_bytes`` in memory: gzip
  and deflate always, ``br`` with ``brotli`` 1.2+ installed, ``zstd`` with Python 3.14's
  ``compression.zstd`` or ``backports.zstd``; :func:`accept_encoding` advertises exactly
  those.
- :class:`Transport` / :class:`AsyncTransport`: the SDK's own httpx2 transport, built
  only from public extension points: httpcore2's ``ConnectionPool``/``HTTPProxy`` with
  ``network_backend=`` a deadline-bounded :class:`httpcore2.NetworkBackend` (every
  socket connect, read and write bounded by the call's deadline, ``localhost`` required
  to connect to a loopback address), the environment's proxies chosen per request but
  never for a loopback destination, and no reason phrase handed to httpx2's INFO record.
- :func:`http_client`: the httpx2 client the SDK creates, through httpx2's public
  constructor: that transport and a cookie jar that keeps nothing.
- :func:`quiet_trace`: httpcore2's DEBUG records of the SDK's own requests keep their event
  names but lose the header values and reason phrase a server sent (which a hostile server
  fills with what it was sent), through httpcore2's public ``trace`` request extension;
  nothing is installed on a logger the SDK does not own.
"""

from __future__ import annotations

import contextvars
import functools
import http.cookiejar
import importlib
import ipaddress
import logging
import ssl
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Final, TypeVar

import httpcore2
import httpx2

from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._validation import is_loopback

__all__ = [
    "DEADLINE",
    "AsyncTransport",
    "BoundedDecoder",
    "Transport",
    "accept_encoding",
    "aquiet_trace",
    "codecs",
    "header_logging",
    "http_client",
    "is_loopback_address",
    "quiet_trace",
    "ssl_context",
]

F = TypeVar("F", bound=Callable[..., Any])

# --------------------------------------------------------------------------- decoding

_WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 0}
_PIECE: Final = 64 * 1024  # the most one layer produces per step
MAX_LAYERS: Final = 4


class _Layer:
    __slots__ = ("deflate", "obj", "started")

    def __init__(self, name: str) -> None:
        self.deflate = name == "deflate"
        self.obj = zlib.decompressobj(zlib.MAX_WBITS if self.deflate else _WBITS[name])
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self.obj.eof:
            try:
                out = self.obj.decompress(data, _PIECE)
            except zlib.error:
                if not (self.deflate and not self.started):
                    raise
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
                out = self.obj.decompress(data, _PIECE)
            self.started = True
            data = self.obj.unconsumed_tail
            if out:
                yield out

    def finish(self) -> Iterator[bytes]:
        while not self.obj.eof:
            tail = self.obj.unconsumed_tail
            out = self.obj.decompress(tail, _PIECE) if tail else self.obj.flush(_PIECE)
            if not out:
                break
            yield out


def _brotli() -> Any:
    """The ``brotli`` module if it can decode within a bound (1.2 and later: the
    ``output_buffer_limit`` of ``Decompressor.process``), else None."""
    try:
        import brotli  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    if not hasattr(brotli.Decompressor, "can_accept_more_data"):
        return None  # before 1.2: every call expands its whole input
    return brotli


def _zstd() -> Any:
    """The zstd decompressor class (Python 3.14's ``compression.zstd`` or the
    ``backports.zstd`` package), else None."""
    for name in ("compression.zstd", "backports.zstd"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module
    return None


class _Brotli:
    __slots__ = ("module", "obj")

    def __init__(self, module: Any) -> None:
        self.module = module
        self.obj = module.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self.obj.process(data, output_buffer_limit=_PIECE)
        while True:
            if out:
                yield out
            if self.obj.can_accept_more_data() or self.obj.is_finished():
                return
            out = self.obj.process(b"", output_buffer_limit=_PIECE)

    def finish(self) -> Iterator[bytes]:
        while not self.obj.is_finished():
            out = self.obj.process(b"", output_buffer_limit=_PIECE)
            if not out:
                return
            yield out


class _Zstd:
    __slots__ = ("module", "obj")

    def __init__(self, module: Any) -> None:
        self.module = module
        self.obj = module.ZstdDecompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            out = self.obj.decompress(data, _PIECE)
            data = b""
            if out:
                yield out
            if self.obj.eof:  # a frame ended: the next one, if sent, starts afresh
                data = self.obj.unused_data
                if not data:
                    return
                self.obj = self.module.ZstdDecompressor()
            elif self.obj.needs_input:
                return

    def finish(self) -> Iterator[bytes]:
        return iter(())


def _decode_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [zlib.error]
    brotli = _brotli()
    if brotli is not None:
        errors.append(brotli.error)
    zstd = _zstd()
    if zstd is not None:
        errors.append(zstd.ZstdError)
    return tuple(errors)


@functools.cache
def codecs() -> dict[str, Callable[[], Any]]:
    """The content codings the SDK decodes within a bound here, by name (looked up
    once, on the first answer or client)."""
    found: dict[str, Callable[[], Any]] = {name: functools.partial(_Layer, name) for name in _WBITS}
    brotli = _brotli()
    if brotli is not None:
        found["br"] = functools.partial(_Brotli, brotli)
    zstd = _zstd()
    if zstd is not None:
        found["zstd"] = functools.partial(_Zstd, zstd)
    return found


@functools.cache
def accept_encoding() -> str:
    """The ``Accept-Encoding`` the SDK sends: exactly what it decodes within a bound."""
    return ", ".join(n for n in codecs() if n != "x-gzip")


@functools.cache
def decode_errors() -> tuple[type[Exception], ...]:
    return _decode_errors()


class BoundedDecoder:
    """Undoes a response's content codings, each step producing at most 64 KiB.

    Codings the SDK does not know are left in place, as httpx2 does (the body is then
    handed over as sent); more than :data:`MAX_LAYERS` stacked codings are refused.
    """

    def __init__(self, content_encoding: Iterable[str]) -> None:
        names = [n.strip().lower() for v in content_encoding for n in v.split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_LAYERS:
            raise ATHServerError(
                "INVALID_RESPONSE",
                f"the answer stacks {len(names)} content encodings; at most {MAX_LAYERS} "
                "are accepted.",
            )
        known = codecs()
        self.layers = [known[n]() for n in reversed(names) if n in known]
        self.left = [n for n in names if n not in known]

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(data, 0)

    def finish(self) -> Iterator[bytes]:
        for index, layer in enumerate(self.layers):
            for piece in layer.finish():
                yield from self._through(piece, index + 1)

    def _through(self, data: bytes, index: int) -> Iterator[bytes]:
        if index == len(self.layers):
            yield data
            return
        try:
            for piece in self.layers[index].feed(data):
                yield from self._through(piece, index + 1)
        except decode_errors() as exc:
            raise ATHServerError(
                "INVALID_RESPONSE",
                f"the answer's content encoding could not be decoded ({exc}).",
            ) from None


# --------------------------------------------------------------------------- deadlines

#: The monotonic time by which the current attempt must be over (set by the drivers).
DEADLINE: Final[contextvars.ContextVar[float | None]] = contextvars.ContextVar(
    "ath_deadline", default=None
)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the call's deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


def is_loopback_address(address: Any) -> bool:
    try:
        host = address[0] if isinstance(address, tuple) else address
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except (ValueError, TypeError, IndexError):
        return False


def _check_peer(host: str, stream: Any) -> None:
    if host.lower() == "localhost" and not is_loopback_address(
        stream.get_extra_info("server_addr")
    ):
        raise ATHClientError(
            "INSECURE_TRANSPORT",
            "'localhost' resolved to an address that is not loopback; refusing to send "
            "anything there. Use http://127.0.0.1 or fix the resolver.",
        )


class _Stream(httpcore2.NetworkStream):
    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore2.NetworkBackend):
    def __init__(self, inner: httpcore2.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore2.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore2.ConnectTimeout), local_address, socket_options
        )
        try:
            _check_peer(host, stream)
        except ATHError:
            stream.close()
            raise
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore2.NetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore2.AsyncNetworkStream):
    def __init__(self, inner: httpcore2.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _bounded(timeout, httpcore2.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _bounded(timeout, httpcore2.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore2.AsyncNetworkBackend):
    def __init__(self, inner: httpcore2.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore2.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        stream = await self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        try:
            _check_peer(host, stream)
        except ATHError:
            await stream.aclose()
            raise
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore2.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_unix_socket(path, bounded, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# --------------------------------------------------------------------------- the transport

#: httpx2's own default pool limits.
DEFAULT_LIMITS: Final = httpx2.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0
)

_ERRORS: Final[tuple[tuple[type[Exception], type[httpx2.TransportError]], ...]] = (
    # the most specific first: httpcore2's errors, as httpx2's own transport maps them
    (httpcore2.ConnectTimeout, httpx2.ConnectTimeout),
    (httpcore2.ReadTimeout, httpx2.ReadTimeout),
    (httpcore2.WriteTimeout, httpx2.WriteTimeout),
    (httpcore2.PoolTimeout, httpx2.PoolTimeout),
    (httpcore2.TimeoutException, httpx2.TimeoutException),
    (httpcore2.ConnectError, httpx2.ConnectError),
    (httpcore2.ReadError, httpx2.ReadError),
    (httpcore2.WriteError, httpx2.WriteError),
    (httpcore2.NetworkError, httpx2.NetworkError),
    (httpcore2.ProxyError, httpx2.ProxyError),
    (httpcore2.UnsupportedProtocol, httpx2.UnsupportedProtocol),
    (httpcore2.LocalProtocolError, httpx2.LocalProtocolError),
    (httpcore2.RemoteProtocolError, httpx2.RemoteProtocolError),
    (httpcore2.ProtocolError, httpx2.ProtocolError),
)


def _mapped(exc: Exception) -> type[httpx2.TransportError] | None:
    """httpx2's error for an httpcore2 one (None for anything else: raised as it is)."""
    for core, mapped in _ERRORS:
        if isinstance(exc, core):
            return mapped
    return None


class _Body(httpx2.SyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped(str(exc)) from exc

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _AsyncBody(httpx2.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._inner:
                yield part
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped(str(exc)) from exc

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


def _core_request(request: httpx2.Request) -> httpcore2.Request:
    url = request.url
    return httpcore2.Request(
        method=request.method,
        url=httpcore2.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        ),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


def _response(answer: httpcore2.Response, stream: Any) -> httpx2.Response:
    # The reason phrase is left out: httpx2 quotes it in its INFO record "HTTP Request:
    # ...", and it is text the server chose (a hostile one fills it with what it was
    # sent). The SDK never reads it; httpx2 then shows the status's standard phrase.
    extensions = {k: v for k, v in answer.extensions.items() if k != "reason_phrase"}
    return httpx2.Response(
        answer.status, headers=answer.headers, stream=stream, extensions=extensions
    )


def _environment_proxies(trust_env: bool) -> dict[str, httpx2.URL]:
    """The proxies the environment names (``HTTP(S)_PROXY``, ``ALL_PROXY``), by scheme
    (``all`` for every scheme), read with the standard library as httpx2 reads them."""
    if not trust_env:
        return {}
    found: dict[str, httpx2.URL] = {}
    for scheme, value in urllib.request.getproxies_environment().items():
        if scheme in ("http", "https", "all") and value:
            found[scheme] = httpx2.URL(value if "://" in value else f"http://{value}")
    return found


def _no_proxy() -> list[str]:
    """``NO_PROXY``'s entries, lower-cased; ``["*"]`` bypasses every host."""
    value = urllib.request.getproxies_environment().get("no", "")
    entries = [e.strip().lower() for e in value.split(",") if e.strip()]
    return ["*"] if "*" in entries else entries


def _bypassed(host: str, entries: list[str]) -> bool:
    """Whether ``NO_PROXY`` names ``host``: ``*``, the host itself, a domain it is in
    (``example.com`` or ``.example.com`` for ``api.example.com``), or an IP network."""
    for entry in entries:
        entry = entry.split("://", 1)[-1].strip("[]")
        if entry == "*" or host == entry.lstrip(".*"):
            return True
        domain = entry.lstrip("*")
        if host.endswith(domain if domain.startswith(".") else "." + domain):
            return True
        try:
            if ipaddress.ip_address(host.strip("[]")) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


class _Routes:
    """Which pool a request goes through: loopback always direct (whatever the
    environment says), else the environment's proxy for its scheme unless ``NO_PROXY``
    names its host, else direct."""

    def __init__(self, trust_env: bool, make: Callable[[httpx2.URL | None], Any]) -> None:
        self.direct = make(None)
        self.proxied = {k: make(url) for k, url in _environment_proxies(trust_env).items()}
        self.bypass = _no_proxy() if self.proxied else []

    def pool(self, url: httpx2.URL) -> Any:
        if not self.proxied or is_loopback(url.host):
            return self.direct
        if _bypassed(url.host.lower(), self.bypass):
            return self.direct
        return self.proxied.get(url.scheme) or self.proxied.get("all") or self.direct

    def all(self) -> list[Any]:
        return [self.direct, *self.proxied.values()]


def _pool_options(limits: httpx2.Limits) -> dict[str, Any]:
    return {
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }


def _proxy_options(proxy: httpx2.URL) -> dict[str, Any]:
    auth = (proxy.username, proxy.password) if proxy.username or proxy.password else None
    return {
        "proxy_url": httpcore2.URL(
            scheme=proxy.raw_scheme, host=proxy.raw_host, port=proxy.port, target=b"/"
        ),
        "proxy_auth": auth,
    }


class Transport(httpx2.BaseTransport):
    """The SDK's own transport: httpcore2's public pools on :class:`_Backend` (every
    socket operation bounded by the call's deadline, ``localhost`` required to be
    loopback), routed by :class:`_Routes`."""

    def __init__(self, ssl_context: ssl.SSLContext, trust_env: bool, limits: httpx2.Limits):
        self.ssl_context = ssl_context
        backend = _Backend(httpcore2.SyncBackend())
        options = {**_pool_options(limits), "ssl_context": ssl_context}

        def make(proxy: httpx2.URL | None) -> Any:
            if proxy is None:
                return httpcore2.ConnectionPool(network_backend=backend, **options)
            if proxy.scheme.startswith("socks"):
                return httpcore2.SOCKSProxy(
                    network_backend=backend, **_proxy_options(proxy), **options
                )
            return httpcore2.HTTPProxy(network_backend=backend, **_proxy_options(proxy), **options)

        self.routes = _Routes(trust_env, make)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            answer = self.routes.pool(request.url).handle_request(_core_request(request))
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped(str(exc)) from exc
        return _response(answer, _Body(answer.stream))

    def close(self) -> None:
        for pool in self.routes.all():
            pool.close()


class AsyncTransport(httpx2.AsyncBaseTransport):
    """:class:`Transport` for the async clients (httpcore2's async pools on
    :class:`_AsyncBackend`)."""

    def __init__(self, ssl_context: ssl.SSLContext, trust_env: bool, limits: httpx2.Limits):
        self.ssl_context = ssl_context
        backend = _AsyncBackend(httpcore2.AnyIOBackend())
        options = {**_pool_options(limits), "ssl_context": ssl_context}

        def make(proxy: httpx2.URL | None) -> Any:
            if proxy is None:
                return httpcore2.AsyncConnectionPool(network_backend=backend, **options)
            if proxy.scheme.startswith("socks"):
                return httpcore2.AsyncSOCKSProxy(
                    network_backend=backend, **_proxy_options(proxy), **options
                )
            return httpcore2.AsyncHTTPProxy(
                network_backend=backend, **_proxy_options(proxy), **options
            )

        self.routes = _Routes(trust_env, make)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            answer = await self.routes.pool(request.url).handle_async_request(
                _core_request(request)
            )
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped(str(exc)) from exc
        return _response(answer, _AsyncBody(answer.stream))

    async def aclose(self) -> None:
        for pool in self.routes.all():
            await pool.aclose()


# --------------------------------------------------------------------------- the client


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Stores no cookie and sends none: one provider's cookie must not reach another."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def ssl_context(verify: bool | str | ssl.SSLContext, trust_env: bool) -> ssl.SSLContext:
    """The TLS context of ``verify=``: a context as given, a CA bundle path loaded into a
    new default context, ``True``/``False`` as httpx2 builds them (the system trust
    store, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` with ``trust_env``)."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return httpx2.create_ssl_context(verify=verify, trust_env=trust_env)


def http_client(
    asynchronous: bool,
    *,
    verify: bool | str | ssl.SSLContext,
    trust_env: bool,
    limits: httpx2.Limits = DEFAULT_LIMITS,
    transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None = None,
    **options: Any,
) -> tuple[httpx2.Client | httpx2.AsyncClient, Transport | AsyncTransport | None]:
    """The httpx2 client the SDK creates for itself (see the module's docstring): its own
    :class:`Transport` unless ``transport=`` was given, and a cookie jar that keeps
    nothing, all through httpx2's public constructor; and that own transport (None
    with ``transport=``), which the drivers hand the SDK's requests to directly."""
    jar = http.cookiejar.CookieJar(policy=_NoCookies())
    own: Transport | AsyncTransport | None = None
    if asynchronous:
        if transport is None:
            transport = own = AsyncTransport(ssl_context(verify, trust_env), trust_env, limits)
        assert isinstance(transport, httpx2.AsyncBaseTransport)
        client: httpx2.Client | httpx2.AsyncClient = httpx2.AsyncClient(
            cookies=jar, transport=transport, trust_env=trust_env, **options
        )
        return client, own
    if transport is None:
        transport = own = Transport(ssl_context(verify, trust_env), trust_env, limits)
    assert isinstance(transport, httpx2.BaseTransport)
    client = httpx2.Client(cookies=jar, transport=transport, trust_env=trust_env, **options)
    return client, own


# --------------------------------------------------------------------------- logs

#: The loggers httpcore2 writes a response's status line and headers to, at DEBUG.
_HEADER_LOGGERS: Final = (
    logging.getLogger("httpcore2.http11"),
    logging.getLogger("httpcore2.http2"),
)


def _quiet(info: dict[str, Any]) -> None:
    value = info.get("return_value")
    if isinstance(value, tuple) and len(value) >= 4 and isinstance(value[3], list | tuple):
        version, status, _reason, headers = value[:4]
        info["return_value"] = (version, status, b"", [(name, b"") for name, *_ in headers])


def quiet_trace(event: str, info: dict[str, Any]) -> None:
    """httpcore2's ``trace`` request extension on the SDK's own requests: the DEBUG record
    of the answer's headers keeps its event, status and header names, but not the values
    or the reason phrase, which a hostile server fills with what it was sent. Only the
    record changes (httpcore2 logs the dict it hands this hook); the answer does not."""
    if event.endswith("receive_response_headers.complete"):
        _quiet(info)


async def aquiet_trace(event: str, info: dict[str, Any]) -> None:
    """:func:`quiet_trace` for the async clients (httpcore2 awaits the hook there)."""
    quiet_trace(event, info)


def header_logging() -> bool:
    """Whether httpcore2 would log an answer's headers now (cheap: the loggers cache it).
    Nothing is installed on httpcore2's loggers; the SDK's requests carry
    :func:`quiet_trace` only while this holds."""
    http11, http2 = _HEADER_LOGGERS
    return http11.isEnabledFor(logging.DEBUG) or http2.isEnabledFor(logging.DEBUG)
