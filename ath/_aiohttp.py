"""The aiohttp engine of the async clients (``http="aiohttp"``, the ``aiohttp`` extra).

:class:`AiohttpTransport` is an ``httpx2.AsyncBaseTransport`` that puts each request
on the wire with an ``aiohttp.ClientSession``: the SDK's httpx2 client, its requests,
the flows and the drivers stay as they are (one protocol core); only the transport
under them changes. It is imported only when a client asks for it, so a program that
does not never imports aiohttp.

Every protection of the SDK's own httpx2 transport (:mod:`ath._wire`) holds here, by
aiohttp's public options:

- the body is read raw (``auto_decompress=False``): the drivers undo its content
  codings within ``max_response_bytes`` (:class:`ath._wire.BoundedDecoder`);
- every attempt is bounded by the call's deadline (:data:`ath._wire.DEADLINE`) and by
  the request's timeout (connect, read, pool), as an ``aiohttp.ClientTimeout``;
- no cookie is kept or sent (``DummyCookieJar``); redirects are never followed;
- proxies: the environment's (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) chosen per
  request by the same rule as the httpx2 transport, never for a loopback destination,
  none with ``trust_env=False``; aiohttp's own environment reading (and ``.netrc``) is
  off; SOCKS proxies are refused (aiohttp has none);
- ``localhost`` must resolve to loopback addresses only (a resolver that refuses
  anything else before connecting);
- TLS: the same ``ssl.SSLContext`` the httpx2 transport would use (``verify=``,
  ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` with ``trust_env``);
- aiohttp's own retry of an idempotent request on a dropped keep-alive connection is
  off: retries are the SDK's retry policy's alone;
- every failure is an httpx2 exception of the same kind the httpx2 transport raises
  (so retries and ``ATHError`` codes are identical), built from the failure's kind and
  never chained to aiohttp's exception (which holds the request's headers).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Final

import aiohttp
import httpx2
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ath._drivers import BodyLimit
from ath._errors import ATHClientError, ATHError
from ath._wire import DEADLINE, _Routes

__all__ = ["AiohttpTransport"]

_monotonic: Final = time.monotonic
#: Headers aiohttp would add when a request lacks them: never (the request is sent as
#: httpx2 built it). Named per request, and only for a request that lacks one of them
#: (the SDK's requests carry all three): naming them costs aiohttp a header copy per
#: request.
_NO_AUTO_HEADERS: Final = frozenset({"Accept", "Accept-Encoding", "User-Agent"})
_AUTO_NAMES: Final = frozenset(name.lower().encode() for name in _NO_AUTO_HEADERS)


#: A request's headers for aiohttp, and the automatic headers it must not add.
_Headers = tuple["CIMultiDictProxy[str]", frozenset[str] | None]
_NO_HEADERS: Final[_Headers] = (CIMultiDictProxy(CIMultiDict()), None)


class _LoopbackResolver(AbstractResolver):
    """aiohttp's default resolver, refusing a ``localhost`` that resolves to anything
    but loopback addresses (before any connection is made)."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if host.lower() == "localhost":
            for entry in found:
                try:
                    loopback = ipaddress.ip_address(entry["host"].split("%", 1)[0]).is_loopback
                except ValueError:
                    loopback = False
                if not loopback:
                    raise ATHClientError(
                        "INSECURE_TRANSPORT",
                        "'localhost' resolved to an address that is not loopback; refusing "
                        "to send anything there. Use http://127.0.0.1 or fix the resolver.",
                    )
        return found

    async def close(self) -> None:
        await self._inner.close()


def _mapped(exc: BaseException) -> BaseException:
    """The httpx2 exception of the same kind as aiohttp's ``exc`` (what the httpx2
    transport raises for that failure), carrying the failure's kind only: aiohttp's
    exception holds the request (its headers, its URL) and is not linked."""
    name = type(exc).__name__
    if isinstance(exc, ATHError):
        return exc
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx2.ConnectTimeout(f"connecting timed out ({name})")
    if isinstance(exc, asyncio.TimeoutError):  # a socket read, or the attempt's deadline
        return httpx2.ReadTimeout(f"the answer did not arrive in time ({name})")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        cause = getattr(exc, "certificate_error", None) or getattr(exc, "os_error", None)
        if not isinstance(cause, ssl.SSLError):
            cause = ssl.SSLError(f"[SSL] {name}")
        tls = httpx2.ConnectError(f"TLS failed: {cause}")
        tls.__cause__ = ssl.SSLError(*cause.args)  # a copy: no link to the request
        return tls
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        detail = f"[Errno {os_error.errno}] {os_error.strerror}" if os_error.errno else name
        return httpx2.ConnectError(f"could not connect ({detail})")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx2.RemoteProtocolError("the server closed the connection without an answer")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx2.ReadError(f"the answer's body was cut short ({name})")
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx2.RemoteProtocolError(f"the answer was not valid HTTP/1.1 ({name})")
    if isinstance(exc, aiohttp.ClientOSError):
        return httpx2.ReadError(f"the connection failed ({name})")
    if isinstance(exc, aiohttp.ClientError):
        return httpx2.NetworkError(f"the exchange failed ({name})")
    if isinstance(exc, RuntimeError) and "closed" in str(exc).lower():
        return RuntimeError("the client is closed: create a new one")
    if isinstance(exc, ValueError | TypeError | UnicodeError):
        return httpx2.LocalProtocolError(f"the request could not be sent ({name})")
    if isinstance(exc, OSError):
        return httpx2.NetworkError(f"the connection failed ({name})")
    return exc  # anything else is a bug: raised as it is


def _timeout(request: httpx2.Request) -> aiohttp.ClientTimeout:
    """The request's timeout (httpx2's connect/read/pool) bounded by the attempt's
    deadline: ``total`` ends the whole exchange, its body included, at the deadline.
    A read timeout no shorter than that is left out (it could never end a read first,
    and aiohttp would re-arm a timer on every read for it)."""
    parts: dict[str, float | None] = request.extensions.get("timeout") or {}
    total: float | None = None
    deadline = DEADLINE.get()
    if deadline is not None:
        total = deadline - _monotonic()
        if total <= 0:
            raise httpx2.ConnectTimeout("the call's deadline passed")
    read = parts.get("read")
    if read is not None and total is not None and read >= total:
        read = None
    return aiohttp.ClientTimeout(
        total=total,
        connect=parts.get("pool"),  # aiohttp: waiting for a pooled connection
        sock_connect=parts.get("connect"),
        sock_read=read,
    )


@functools.lru_cache(maxsize=256)
def _url(url: str) -> URL:
    """The URL as aiohttp takes it, already encoded (httpx2 encoded it: nothing is
    re-quoted or normalised), parsed once per URL (yarl's URL is immutable)."""
    return URL(url, encoded=True)


class _Body(httpx2.AsyncByteStream):
    """An aiohttp response's raw body, as httpx2 reads a stream."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        failure: BaseException | None = None
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except Exception as exc:
            failure = _mapped(exc)
        if failure is not None:
            raise failure

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()  # read to its end: the connection goes back to the pool
        else:
            response.close()


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An ``httpx2.AsyncBaseTransport`` over an ``aiohttp.ClientSession`` (see the
    module's docstring), built by the SDK for ``http="aiohttp"`` with the client's
    TLS context, ``trust_env`` and ``limits``."""

    def __init__(self, ssl_context: ssl.SSLContext, trust_env: bool, limits: httpx2.Limits):
        self.ssl_context = ssl_context
        self.limits = limits
        self.routes = _Routes(trust_env, lambda proxy: proxy)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._last: tuple[list[tuple[bytes, bytes]], _Headers] = ([], _NO_HEADERS)
        self._last_answer: tuple[tuple[tuple[bytes, bytes], ...], httpx2.Headers] = (
            (),
            httpx2.Headers(),
        )

    def _new_session(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        limits = self.limits
        expiry = limits.keepalive_expiry
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,  # 0: no limit, as httpx2's None
            limit_per_host=0,
            keepalive_timeout=3600.0 if expiry is None else expiry,
            ssl=self.ssl_context,
            resolver=_LoopbackResolver(),
        )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,  # proxies are chosen here (self.routes); no .netrc
        )
        # aiohttp resends an idempotent request once when a kept-alive connection was
        # dropped; the SDK's retry policy alone decides on retries.
        session._retry_connection = False
        self._loop = loop
        return session

    def _proxy(self, url: httpx2.URL) -> tuple[str | None, dict[str, str] | None]:
        proxy: httpx2.URL | None = self.routes.pool(url)
        if proxy is None:
            return None, None
        if proxy.scheme not in ("http", "https"):
            raise httpx2.ProxyError(
                f"the environment names a {proxy.scheme} proxy, which the aiohttp engine "
                "cannot use: set trust_env=False, NO_PROXY, or use the httpx2 engine"
            )
        headers = None
        if proxy.username or proxy.password:
            auth = aiohttp.encode_basic_auth(proxy.username, proxy.password)
            headers = {"Proxy-Authorization": auth}
        return str(proxy.copy_with(username=None, password=None)), headers

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        failure: BaseException | None = None
        try:
            response = await self._send(request)
        except (httpx2.HTTPError, ATHError):
            raise
        except Exception as exc:
            failure = _mapped(exc)
        if failure is not None:
            raise failure  # outside ``except``: aiohttp's exception is not its context
        return httpx2.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response),
            # no reason phrase: text the server chose (see ath._wire)
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def fetch(self, request: httpx2.Request, limit: BodyLimit) -> httpx2.Response:
        """The drivers' exchange through this transport (no event hooks on the SDK's
        client): the body read into ``limit`` as it arrives, raw, and one response built
        from it, without the intermediate streamed response of
        :meth:`handle_async_request`."""
        failure: BaseException | None = None
        try:
            response = await self._send(request)
            try:
                raw = response.raw_headers
                if limit.start_raw(response.status, raw):  # declared length within the limit
                    limit.feed_raw(await response.read())
                else:
                    async for chunk in response.content.iter_any():
                        limit.feed_raw(chunk)
                    limit.finish()
            finally:
                if response.content.at_eof():
                    response.release()
                else:
                    response.close()
        except (httpx2.HTTPError, ATHError):
            raise
        except Exception as exc:
            failure = _mapped(exc)
        if failure is not None:
            raise failure  # outside ``except``: aiohttp's exception is not its context
        return limit.answer(
            response.status, self._answer_headers(raw), request, {"http_version": b"HTTP/1.1"}
        )

    def _headers(self, raw: list[tuple[bytes, bytes]]) -> _Headers:
        """The request's headers as aiohttp takes them (read-only), and the automatic
        headers to skip (``None`` when the request carries them all); the last request's,
        when this one's are the same (a client's requests mostly are: decoding them again
        and the allocations are a measurable part of a call under load). ``_last`` is
        replaced whole, never changed in place."""
        last = self._last
        if last[0] == raw:
            return last[1]
        decoded = CIMultiDictProxy(
            CIMultiDict((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
        )
        skip = None if {k.lower() for k, _ in raw} >= _AUTO_NAMES else _NO_AUTO_HEADERS
        self._last = (raw, (decoded, skip))
        return decoded, skip

    def _answer_headers(self, raw: tuple[tuple[bytes, bytes], ...]) -> httpx2.Headers:
        """The answer's headers; the last answer's (copied by the response built from
        them, so never changed), when this one's are the same."""
        last = self._last_answer
        if last[0] == raw:
            return last[1]
        headers = httpx2.Headers(raw)
        self._last_answer = (raw, headers)
        return headers

    def _send(self, request: httpx2.Request) -> Awaitable[aiohttp.ClientResponse]:
        """The exchange of ``request``, to await (a plain function: no coroutine of
        its own per call); what fails before sending raises here."""
        if self._closed:
            raise RuntimeError("the client is closed")
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or self._loop is not loop:
            session = self._session = self._new_session(loop)
        timeout = _timeout(request)
        proxy, proxy_headers = self._proxy(request.url)
        try:
            body = request.content
        except httpx2.RequestNotRead:  # a streamed body: read first, then sent whole
            return self._send_streamed(request)
        headers, skip = self._headers(request.headers.raw)
        return session.request(
            request.method,
            _url(str(request.url)),
            headers=headers,
            skip_auto_headers=skip,
            data=body or None,
            allow_redirects=False,
            timeout=timeout,
            proxy=proxy,
            proxy_headers=proxy_headers,
            ssl=self.ssl_context,
        )

    async def _send_streamed(self, request: httpx2.Request) -> aiohttp.ClientResponse:
        await request.aread()
        return await self._send(request)

    async def aclose(self) -> None:
        self._closed = True
        # the last request's headers (credentials) and answer's headers are not kept
        self._last = ([], _NO_HEADERS)
        self._last_answer = ((), httpx2.Headers())
        session, self._session = self._session, None
        if session is not None and self._loop is asyncio.get_running_loop():
            await session.close()
