"""The drivers: one per shell, the only code that runs the flows' steps.

A flow (:mod:`ath._flows`) is a generator over :class:`ath._core.Core` that yields
:class:`~ath._steps.Send`, :class:`~ath._steps.Sleep`, :class:`~ath._steps.Call` and,
for ``login()``, :class:`~ath._steps.WaitCallback` and :class:`~ath._steps.OpenBrowser`
(the opener runs on a daemon thread, never awaited: :mod:`ath._browser`).
:class:`SyncDriver` answers them with an ``httpx2.Client``, the ``sleep=`` function and
the caller's thread;
:class:`AsyncDriver` with an ``httpx2.AsyncClient``, an async ``sleep=`` and a worker
thread for blocking store calls. Both read answers through :class:`BodyLimit`, so no
answer (however compressed) is held beyond ``max_response_bytes``, and serve the
loopback listener, if any, while a login flow waits.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

import httpx2

from ath import _browser
from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._steps import Call, OpenBrowser, Send, Sleep, arun_call, run_call
from ath._wire import DEADLINE, BoundedDecoder

__all__ = ["AsyncDriver", "AsyncWaiter", "SyncDriver", "SyncWaiter"]

T = TypeVar("T")
_monotonic: Final = time.monotonic


class SyncWaiter(Protocol):
    """A loopback listener served from the caller's thread (``ath._loopback``)."""

    def wait(self, state: str, seconds: float) -> str | None: ...


class AsyncWaiter(Protocol):
    """A loopback listener served on the event loop (``ath._loopback``)."""

    async def wait(self, state: str, seconds: float) -> str | None: ...


@runtime_checkable
class Fetcher(Protocol):
    """A transport that reads an answer into a :class:`BodyLimit` itself."""

    async def fetch(self, request: httpx2.Request, limit: BodyLimit) -> httpx2.Response: ...


def _asyncio() -> Any:
    """asyncio, imported on the first pause or store call (sync users never pay for it)."""
    import asyncio

    return asyncio


def _hooked(http: httpx2.Client | httpx2.AsyncClient) -> bool:
    """Whether event hooks were put on the SDK's own client (tests do): its send then
    runs them, so requests go through it rather than straight to the transport."""
    hooks = http.event_hooks
    return bool(hooks["request"] or hooks["response"])


class _Answer(httpx2.Response):
    """An answer whose body the SDK has read (and decoded) already: its ``content`` is
    those bytes, so httpx2's reading machinery (decoders, stream bookkeeping: most of
    what building a ``Response(content=...)`` costs) is not run over them again. The
    body is also its stream, for code that iterates it."""

    def __init__(
        self,
        status: int,
        headers: httpx2.Headers | Sequence[tuple[bytes, bytes]],
        body: bytes,
        request: httpx2.Request,
        extensions: dict[str, Any],
    ) -> None:
        super().__init__(
            status,
            headers=headers,
            stream=httpx2.ByteStream(body),
            request=request,
            extensions=extensions,
        )
        self._body = body

    @property
    def content(self) -> bytes:
        return self._body

    def read(self) -> bytes:
        return self._body

    async def aread(self) -> bytes:
        return self._body


class BodyLimit:
    """Accumulates a streamed body, refusing more than ``limit`` decoded bytes.

    The body is read raw and its content codings are undone here, 64 KiB at a time
    (:class:`~ath._wire.BoundedDecoder`), so what is held never exceeds the limit by
    more than one piece, however much a bomb would expand.
    """

    __slots__ = ("chunks", "decoder", "limit", "size", "status")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.status: int | None = None
        self.chunks: list[bytes] = []
        self.decoder: BoundedDecoder | None = None

    def start(self, streamed: httpx2.Response) -> bool:
        """Whether the body can be read in one go: no content coding, declared length
        within the limit (HTTP/1.1 framing then stops at Content-Length)."""
        return self.start_raw(streamed.status_code, streamed.headers.raw)

    def start_raw(self, status: int, raw: Iterable[tuple[bytes, bytes]]) -> bool:
        """:meth:`start` from the status and the raw header pairs."""
        self.status = status
        length = b""
        codings: list[str] = []
        for key, value in raw:  # one pass, no decoding
            name = key.lower()
            if name == b"content-length":
                length = value
            elif name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
                codings.append(value.decode("latin-1"))
        if codings:
            self.decoder = BoundedDecoder(codings)
            return False
        return length.isdigit() and int(length) <= self.limit

    def measure(self, streamed: httpx2.Response) -> None:
        if len(streamed.content) > self.limit:
            self._add(streamed.content)  # raises RESPONSE_TOO_LARGE

    def feed_raw(self, raw: bytes) -> None:
        if self.decoder is None:
            self._add(raw)
            return
        for piece in self.decoder.feed(raw):
            self._add(piece)

    def finish(self) -> None:
        if self.decoder is not None:
            for piece in self.decoder.finish():
                self._add(piece)

    def _add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ATHServerError(
                "RESPONSE_TOO_LARGE",
                f"the answer exceeded max_response_bytes={self.limit}; raise the limit if the "
                "API really returns that much.",
                status=self.status,
            )
        self.chunks.append(chunk)
        deadline = DEADLINE.get()
        if deadline is not None and _monotonic() > deadline:
            raise httpx2.ReadTimeout("the call's deadline passed")

    def response(self, streamed: httpx2.Response) -> httpx2.Response:
        return self.answer(
            streamed.status_code, streamed.headers, streamed.request, streamed.extensions
        )

    def answer(
        self,
        status: int,
        headers: httpx2.Headers | Sequence[tuple[bytes, bytes]],
        request: httpx2.Request,
        extensions: dict[str, Any],
    ) -> httpx2.Response:
        """The answer as the flows read it: the body read, its codings undone (the
        coding headers then dropped; what is left undecoded, if anything, stays declared)."""
        if self.decoder is not None:
            raw = headers.raw if isinstance(headers, httpx2.Headers) else headers
            kept = [
                (k, v) for k, v in raw if k.lower() not in (b"content-encoding", b"content-length")
            ]
            if self.decoder.left:
                kept.append((b"Content-Encoding", ", ".join(self.decoder.left).encode()))
            headers = kept
        body = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        return _Answer(status, headers, body, request, extensions)


class SyncDriver:
    """Runs flows with an ``httpx2.Client`` on the caller's thread."""

    __slots__ = ("direct", "http", "max_response_bytes", "sleep")

    def __init__(
        self,
        http: httpx2.Client,
        sleep: Callable[[float], None],
        max_response_bytes: int,
        direct: httpx2.BaseTransport | None = None,
    ) -> None:
        """``direct``: the SDK's own transport when it built ``http`` (requests then go
        to it straight, see :meth:`exchange`)."""
        self.http = http
        self.sleep = sleep
        self.max_response_bytes = max_response_bytes
        self.direct = direct

    def run(self, flow: Generator[Any, Any, T], listener: SyncWaiter | None = None) -> T:
        """Drive ``flow`` to its end; its result, or what it raised."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    step = flow.send(self.exchange(step))
                elif isinstance(step, Sleep):
                    self.sleep(step.seconds)
                    step = flow.send(None)
                elif isinstance(step, Call):
                    step = flow.send(run_call(step))
                elif isinstance(step, OpenBrowser):  # never waited for: see ath._browser
                    _browser.start(step.url, step.opener)
                    step = flow.send(None)
                elif listener is not None:  # a WaitCallback
                    step = flow.send(listener.wait(step.state, step.seconds))
                else:
                    self.sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as done:
            result: T = done.value
            return result

    def exchange(self, step: Send) -> httpx2.Response | BaseException:
        """One attempt: the answer read within the size limit, or what ended it."""
        if self.direct is not None and not _hooked(self.http):
            return self.exchange_direct(step, self.direct)
        limit = BodyLimit(self.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = self.http.send(step.request, stream=True, follow_redirects=False)
            try:
                if limit.start(streamed) or streamed.is_stream_consumed:
                    streamed.read()  # a body read already (mock transports): measured
                    limit.measure(streamed)
                    return streamed
                for chunk in streamed.iter_raw():
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                streamed.close()
        except (httpx2.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)

    def exchange_direct(
        self, step: Send, transport: httpx2.BaseTransport
    ) -> httpx2.Response | BaseException:
        """:meth:`exchange` through the SDK's own transport, without the client's send:
        the SDK's client has no auth, event hooks or redirects to apply and keeps no
        cookie, and the body is read raw (its codings undone by :class:`BodyLimit`)."""
        if self.http.is_closed:
            return RuntimeError("the client is closed: create a new one")
        limit = BodyLimit(self.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = transport.handle_request(step.request)
            streamed.request = step.request
            body = streamed.stream
            assert isinstance(body, httpx2.SyncByteStream)
            try:
                limit.start(streamed)
                for chunk in body:
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                body.close()
        except (httpx2.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)


class AsyncDriver:
    """Runs flows with an ``httpx2.AsyncClient`` on the running event loop."""

    __slots__ = ("direct", "fetcher", "http", "max_response_bytes", "owner", "sleep")

    def __init__(
        self,
        http: httpx2.AsyncClient,
        sleep: Callable[[float], Awaitable[None]],
        max_response_bytes: int,
        owner: str,
        direct: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        """``owner``: the client class's name, for the message of a ``sleep=`` that
        returns no awaitable; ``direct``: as for :class:`SyncDriver`."""
        self.http = http
        self.sleep = sleep
        self.max_response_bytes = max_response_bytes
        self.owner = owner
        self.direct = direct
        self.fetcher = direct if isinstance(direct, Fetcher) else None

    async def run(self, flow: Generator[Any, Any, T], listener: AsyncWaiter | None = None) -> T:
        """Drive ``flow`` to its end; its result, or what it raised."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    step = flow.send(await self.exchange(step))
                elif isinstance(step, Sleep):
                    await self.pause(step.seconds)
                    step = flow.send(None)
                elif isinstance(step, Call):
                    if step.afn is not None:  # the store's own async client: no thread
                        step = flow.send(await arun_call(step))
                    else:
                        step = flow.send(await _asyncio().to_thread(run_call, step))
                elif isinstance(step, OpenBrowser):  # a daemon thread, not the loop's executor
                    _browser.start(step.url, step.opener)
                    step = flow.send(None)
                elif listener is not None:  # a WaitCallback
                    step = flow.send(await listener.wait(step.state, step.seconds))
                else:
                    await self.pause(step.seconds)
                    step = flow.send(None)
        except StopIteration as done:
            result: T = done.value
            return result

    async def pause(self, seconds: float) -> None:
        """A pause the flow asked for (a retry's backoff, a polling interval)."""
        pause = self.sleep(seconds)
        if not inspect.isawaitable(pause):
            raise ATHClientError(
                "INVALID_ARGUMENT",
                f"sleep must be an async function (like asyncio.sleep) for {self.owner}; "
                f"{getattr(self.sleep, '__qualname__', 'it')} returned "
                f"{type(pause).__name__}, not an awaitable",
                details={"option": "sleep"},
            )
        await pause

    async def exchange(self, step: Send) -> httpx2.Response | BaseException:
        """One attempt: the answer read within the size limit, or what ended it."""
        if self.direct is not None and not _hooked(self.http):
            fetcher = self.fetcher
            if fetcher is not None:  # it reads the answer into the limit itself
                if self.http.is_closed:
                    return RuntimeError("the client is closed: create a new one")
                deadline = DEADLINE.set(step.deadline)
                try:
                    return await fetcher.fetch(step.request, BodyLimit(self.max_response_bytes))
                except (httpx2.HTTPError, ATHError, RuntimeError, OSError) as exc:
                    return exc
                finally:
                    DEADLINE.reset(deadline)
            return await self.exchange_direct(step, self.direct)
        limit = BodyLimit(self.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = await self.http.send(step.request, stream=True, follow_redirects=False)
            try:
                if limit.start(streamed) or streamed.is_stream_consumed:
                    await streamed.aread()  # a body read already (mock transports): measured
                    limit.measure(streamed)
                    return streamed
                async for chunk in streamed.aiter_raw():
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                await streamed.aclose()
        except (httpx2.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)

    async def exchange_direct(
        self, step: Send, transport: httpx2.AsyncBaseTransport
    ) -> httpx2.Response | BaseException:
        """:meth:`SyncDriver.exchange_direct` for the async clients."""
        if self.http.is_closed:
            return RuntimeError("the client is closed: create a new one")
        limit = BodyLimit(self.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = await transport.handle_async_request(step.request)
            streamed.request = step.request
            body = streamed.stream
            assert isinstance(body, httpx2.AsyncByteStream)
            try:
                limit.start(streamed)
                async for chunk in body:
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                await body.aclose()
        except (httpx2.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)
