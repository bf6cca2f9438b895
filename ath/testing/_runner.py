"""Runs several ASGI apps with uvicorn in one background thread and event loop,
each on a socket pre-bound to a free loopback port, and an httpx2 client shared by
the apps for their own outgoing calls (token redemption, proxying, key fetches)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Sequence

import httpx2
import uvicorn
from starlette.types import ASGIApp

from ._primitives import ssl_context

__all__ = ["HttpPool", "ServerGroup", "bind_loopback"]

_HOST = "127.0.0.1"
#: Pending connections a fixed-port socket queues before its server serves.
_BACKLOG = 128


def bind_loopback(host: str = _HOST, port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (listening already for a fixed port, so a
    port another process took is ``EADDRINUSE`` here); port 0: a free one.
    A fixed port is bound with SO_REUSEADDR, so a restarted stack gets it back while the
    last run's connections linger in TIME_WAIT (a port another socket listens on still
    fails, with EADDRINUSE)."""
    # proto=IPPROTO_TCP matters: asyncio only turns Nagle off (TCP_NODELAY) on accepted
    # sockets whose protocol says TCP, and with Nagle on every answer waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if port:  # claim it now: two SO_REUSEADDR binds both succeed, only one listen does
            sock.listen(_BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class HttpPool:
    """One ``httpx2.AsyncClient`` living in the stack's event loop."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            raise RuntimeError("the stack's HTTP client is not open")
        return self._client

    async def open(self) -> None:
        # trust_env=False: every target is on loopback; an HTTP(S)_PROXY must not apply.
        self._client = httpx2.AsyncClient(
            timeout=self._timeout, trust_env=False, verify=ssl_context()
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class _Server(uvicorn.Server):
    """A uvicorn server that notices a stop request at once instead of at its next
    0.1 s poll (``stop`` below wakes it up)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.wake = asyncio.Event()

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 0.1)


class ServerGroup:
    """Serve ``apps`` (each on its socket) until ``stop``; ``start`` returns when all
    are accepting connections."""

    def __init__(self, apps: Sequence[tuple[ASGIApp, socket.socket]], pool: HttpPool) -> None:
        self._apps = list(apps)
        self._pool = pool
        self._servers: list[_Server] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> None:
        for app, _ in self._apps:
            config = uvicorn.Config(
                app,
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=1,
                timeout_keep_alive=5,
            )
            self._servers.append(_Server(config))
        self._thread = threading.Thread(target=self._run, name="ath-local-stack", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            self.stop()
            raise RuntimeError("the local ATH stack did not start") from self._error

    def stop(self, timeout: float = 10.0) -> None:
        for server in self._servers:
            server.should_exit = True
            if self._loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop may be gone already
                    self._loop.call_soon_threadsafe(server.wake.set)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for _, sock in self._apps:
            sock.close()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start(); the thread must not die noisily
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._pool.open()
        try:
            tasks = [
                asyncio.create_task(server.serve(sockets=[sock]))
                for server, (_, sock) in zip(self._servers, self._apps, strict=True)
            ]
            while not all(server.started for server in self._servers):
                done = [task for task in tasks if task.done()]
                if done:
                    done[0].result()  # re-raise a server that failed to start
                    raise RuntimeError("a server exited during startup")
                await asyncio.sleep(0.002)
            self._ready.set()
            await asyncio.gather(*tasks)
        finally:
            await self._pool.close()
