"""What the SDK puts between its HTTP client and the network.

- :class:`BoundedDecoder`: ``Content-Encoding`` undone by the SDK, a bounded amount at a
  time, so a compression bomb never expands past ``max_response_bytes`` in memory.
- :func:`http_client`: the httpx2 client the SDK creates: no cookie jar, no proxy for
  loopback destinations, every socket read and write bounded by the call's deadline, and
  ``localhost`` required to connect to a loopback address.
- :func:`quiet_trace`: httpcore2's DEBUG records of the SDK's own requests keep their event
  names but lose the header values and reason phrase a server sent (which a hostile server
  fills with what it was sent), through httpcore2's public ``trace`` request extension;
  nothing is installed on a logger the SDK does not own.
"""

from __future__ import annotations

import contextvars
import http.cookiejar
import ipaddress
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, TypeVar

import httpcore2
import httpx2

from ath._errors import ATHError
from ath._validation import is_loopback

__all__ = [
    "DEADLINE",
    "BoundedDecoder",
    "aquiet_trace",
    "header_logging",
    "http_client",
    "is_loopback_address",
    "quiet_trace",
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


class BoundedDecoder:
    """Undoes a response's content codings, each step producing at most 64 KiB.

    Codings the SDK does not know are left in place, as httpx2 does (the body is then
    handed over as sent); more than :data:`MAX_LAYERS` stacked codings are refused.
    """

    def __init__(self, content_encoding: Iterable[str]) -> None:
        names = [n.strip().lower() for v in content_encoding for n in v.split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_LAYERS:
            raise ATHError(
                "INVALID_RESPONSE",
                f"the answer stacks {len(names)} content encodings; at most {MAX_LAYERS} "
                "are accepted.",
            )
        self.layers = [_Layer(n) for n in reversed(names) if n in _WBITS]
        self.left = [n for n in names if n not in _WBITS]

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
        except zlib.error as exc:
            raise ATHError(
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
        raise ATHError(
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


def _install_backends(transports: Iterable[Any]) -> None:
    """Put the deadline-bounded backend under every httpcore2 pool of ``transports``."""
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore2.ConnectionPool) and not isinstance(
            pool._network_backend, _Backend
        ):
            pool._network_backend = _Backend(pool._network_backend)
        elif isinstance(pool, httpcore2.AsyncConnectionPool) and not isinstance(
            pool._network_backend, _AsyncBackend
        ):
            pool._network_backend = _AsyncBackend(pool._network_backend)


# --------------------------------------------------------------------------- the client


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Stores no cookie and sends none: one provider's cookie must not reach another."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


class _NoCookieStore(httpx2.Cookies):
    """The cookies of the SDK's own client: none are stored (:class:`_NoCookies`), so
    reading a response's ``Set-Cookie`` (httpx2 does it for every response, building
    urllib request and email message copies of both) is skipped altogether.

    httpx2 calls this for each answer just before its INFO record ``HTTP Request: ...``,
    which quotes the answer's reason phrase: text the server chose, which a hostile
    server fills with what it was sent. The SDK never reads the reason phrase, so its
    own client drops it here (httpx2 then shows the standard phrase of the status)."""

    def extract_cookies(self, response: httpx2.Response) -> None:
        response.extensions.pop("reason_phrase", None)


class _SyncHTTP(httpx2.Client):
    def _transport_for_url(self, url: httpx2.URL) -> httpx2.BaseTransport:
        if is_loopback(url.host):  # never through a proxy, whatever the environment says
            return self._transport
        return super()._transport_for_url(url)


class _AsyncHTTP(httpx2.AsyncClient):
    def _transport_for_url(self, url: httpx2.URL) -> httpx2.AsyncBaseTransport:
        if is_loopback(url.host):
            return self._transport
        return super()._transport_for_url(url)


def http_client(asynchronous: bool, **options: Any) -> httpx2.Client | httpx2.AsyncClient:
    """The httpx2 client the SDK creates for itself (see the module's docstring)."""
    cls: type[httpx2.Client] | type[httpx2.AsyncClient] = _AsyncHTTP if asynchronous else _SyncHTTP
    client = cls(cookies=http.cookiejar.CookieJar(policy=_NoCookies()), **options)
    client._cookies = _NoCookieStore(client.cookies.jar)  # httpx2 reads it per response
    _install_backends([client._transport, *client._mounts.values()])
    return client


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
    if event.endswith("receive_response_headers.complete"):
        _quiet(info)


def header_logging() -> bool:
    """Whether httpcore2 would log an answer's headers now (cheap: the loggers cache it).
    Nothing is installed on httpcore2's loggers; the SDK's requests carry
    :func:`quiet_trace` only while this holds."""
    return any(logger.isEnabledFor(logging.DEBUG) for logger in _HEADER_LOGGERS)
