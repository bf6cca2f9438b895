"""The loopback redirect listener of ``login()`` (RFC 8252 §7.3), sans-IO at its heart.

:func:`answer` decides what one HTTP request to the listener gets, and whether it is
the redirect ``login()`` waits for: a ``GET`` of the redirect URI's path whose
``state`` equals the pending authorization's (compared in constant time). Anything
else (``/favicon.ico``, a callback with no or another state, a ``POST``) gets a small
page and is otherwise ignored, so a stray or forged request cannot end the login.

Two thin socket drivers serve it: :class:`SyncListener` (``selectors``, non-blocking,
one request per connection) and :class:`AsyncListener` (``asyncio.start_server``).
Both listen on exactly the redirect URI's address, hold no thread or task beyond the
``login()`` call, and close the port when it ends. The shells' drivers
(:mod:`ath._drivers`) serve a listener while a login flow waits for the redirect
(:class:`ath._steps.WaitCallback`). The listeners' own clocks (``selectors``
timeouts, ``asyncio.wait_for``) are not pauses: they wait for the browser's redirect
on a socket and stay as they are.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import html
import selectors
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, urlsplit

from ath._errors import ATHClientError, ATHError
from ath._pkce import states_equal

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncListener", "Reply", "SyncListener", "answer"]

MAX_REQUEST_BYTES: Final = 16 * 1024
CONNECTION_IDLE_SECONDS: Final = 10.0
#: Connections the sync listener holds at once; past it the oldest is closed, so a
#: flood of idle connections neither exhausts descriptors nor keeps the browser out.
MAX_CONNECTIONS: Final = 64
#: How long the sync listener stops accepting when the process is out of descriptors.
ACCEPT_BACKOFF_SECONDS: Final = 0.05
_EXHAUSTED: Final = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})

_CSS: Final = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
    "color:#1b1f24;line-height:1.45}h1{font-size:1.4rem}"
)
_CSP: Final = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: What the person's browser shows; never the code, state or session id of the redirect.
_PAGES: Final = {
    "done": (200, "You're signed in", "You can close this tab and return to the agent."),
    "denied": (
        200,
        "Access was denied",
        "You declined, so the agent was not given access. You can close this tab.",
    ),
    "failed": (
        200,
        "Sign-in did not complete",
        "The sign-in failed. You can close this tab; the agent reports what happened.",
    ),
    "ignored": (
        400,
        "Not the pending sign-in",
        "This response does not belong to the sign-in the agent is waiting for; it was ignored.",
    ),
    "not_found": (404, "Not found", "Nothing here."),
    "bad": (400, "Bad request", "The request could not be read."),
    "method": (405, "Method not allowed", "Only GET is served here."),
}


@dataclass(frozen=True)
class Reply:
    """The bytes to send back, and the callback URL when this was the redirect."""

    data: bytes
    callback_url: str | None = None


def _reply(page: str) -> Reply:
    status, title, text = _PAGES[page]
    title, text = html.escape(title), html.escape(text)
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{title}</title>"
        f"<style>{_CSS}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
    head = (
        f"HTTP/1.1 {status} {reason[status]}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Security-Policy: {_CSP}\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
    )
    return Reply(head.encode("ascii") + body)


def answer(head: bytes, *, origin: str, path: str, state: str) -> Reply:
    """The reply to one request (``head``: its bytes up to the blank line).

    Never raises: whatever the bytes, a malformed request gets a 400 page and the
    listener keeps waiting (any local process, or a web page, can send it anything).
    A request whose ``Host`` is not the redirect URI's own address is ignored as well:
    a page that rebinds its DNS name to 127.0.0.1 reaches the port, but not as the
    redirect (browsers send the redirect URI's ``host:port``)."""
    try:
        return _answer(head, origin=origin, path=path, state=state)
    except Exception:  # a hostile request is answered, never raised
        return _reply("bad")


def _answer(head: bytes, *, origin: str, path: str, state: str) -> Reply:
    lines = head.split(b"\r\n")
    try:
        request_line = lines[0].decode("ascii")
        method, target, _version = request_line.split(" ")
    except (UnicodeDecodeError, ValueError):
        return _reply("bad")
    if method != "GET":
        return _reply("method")
    if not target.startswith("/") or target.startswith("//"):
        return _reply("bad")
    hosts = [
        line.split(b":", 1)[1].strip().lower() for line in lines[1:] if line[:5].lower() == b"host:"
    ]
    if hosts != [origin.split("://", 1)[1].encode("ascii")]:
        return _reply("bad")  # no Host, several, or another name for this address
    parts = urlsplit(target)
    if parts.path != path:
        return _reply("not_found")  # /favicon.ico and friends
    query = parse_qs(parts.query, keep_blank_values=True)
    received = query.get("state", [])
    if len(received) != 1 or not states_equal(state, received[0]):
        return _reply("ignored")  # no state, or another sign-in's: keep waiting
    errors = query.get("error")
    if errors is None:
        page = _reply("failed" if query.get("success") == ["false"] else "done")
    else:
        page = _reply("denied" if errors == ["access_denied"] else "failed")
    return Reply(page.data, callback_url=origin + target)


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _unavailable(host: str, port: int, exc: OSError) -> ATHError:
    return ATHClientError(
        "LOOPBACK_UNAVAILABLE",
        f"login: cannot listen on {_origin(host, port)} for the redirect ({exc.strerror or exc}). "
        "Free that port or register and pass another loopback redirect_uri.",
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(MAX_CONNECTIONS)
    except OSError as exc:
        sock.close()
        raise _unavailable(host, port, exc) from None
    sock.setblocking(False)
    return sock


class SyncListener:
    """A non-blocking loopback HTTP listener served from the caller's thread."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.origin = _origin(host, port)
        self.path = path
        self._sock = _bind(host, port)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._sock, selectors.EVENT_READ, None)
        self._conns: dict[socket.socket, tuple[bytearray, float]] = {}
        self._paused_until: float | None = None

    def wait(self, state: str, seconds: float) -> str | None:
        """Serve requests for up to ``seconds``; the matching callback URL, or None."""
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                return None
            if self._paused_until is not None and now >= self._paused_until:
                self._selector.register(self._sock, selectors.EVENT_READ, None)
                self._paused_until = None
            wake = min(remaining, 1.0)
            if self._paused_until is not None:
                wake = min(wake, self._paused_until - now)
            for key, _ in self._selector.select(max(0.0, wake)):
                if key.fileobj is self._sock:
                    self._accept()
                    continue
                conn = key.fileobj
                assert isinstance(conn, socket.socket)
                if conn not in self._conns:
                    continue  # closed by this round's accept (the cap)
                url = self._read(conn, state)
                if url is not None:
                    return url
            self._drop_idle()

    def _accept(self) -> None:
        for _ in range(MAX_CONNECTIONS):  # then read: a flood cannot hold this loop
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionError):
                return
            except OSError as exc:
                if exc.errno not in _EXHAUSTED:
                    return  # a connection that failed on its way in: the next one may not
                self._back_off()
                return
            try:
                conn.setblocking(False)
                self._selector.register(conn, selectors.EVENT_READ, None)
            except (OSError, ValueError):
                conn.close()
                continue
            self._conns[conn] = (bytearray(), time.monotonic())
            if len(self._conns) > MAX_CONNECTIONS:
                self._close(next(iter(self._conns)))  # the oldest

    def _back_off(self) -> None:
        """Out of descriptors: free the oldest connection, if any, and stop accepting
        for a moment (the pending connection would wake the selector at once)."""
        if self._conns:
            self._close(next(iter(self._conns)))
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(self._sock)
        self._paused_until = time.monotonic() + ACCEPT_BACKOFF_SECONDS

    def _read(self, conn: socket.socket, state: str) -> str | None:
        buffer, _ = self._conns[conn]
        try:
            chunk = conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            self._close(conn)
            return None
        if not chunk:
            self._close(conn)
            return None
        buffer += chunk
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_REQUEST_BYTES:
                self._respond(conn, _reply("bad"))
            return None
        reply = answer(bytes(buffer[:end]), origin=self.origin, path=self.path, state=state)
        self._respond(conn, reply)
        return reply.callback_url

    def _respond(self, conn: socket.socket, reply: Reply) -> None:
        try:
            conn.setblocking(True)
            conn.settimeout(2.0)
            conn.sendall(reply.data)
        except OSError:
            pass
        self._close(conn)

    def _close(self, conn: socket.socket) -> None:
        self._conns.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(conn)
        conn.close()

    def _drop_idle(self) -> None:
        horizon = time.monotonic() - CONNECTION_IDLE_SECONDS
        for conn in [c for c, (_, since) in self._conns.items() if since < horizon]:
            self._close(conn)

    def close(self) -> None:
        for conn in list(self._conns):
            self._close(conn)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(self._sock)
        self._sock.close()
        self._selector.close()


class AsyncListener:
    """The same listener on asyncio streams."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.origin = _origin(host, port)
        self.path = path
        self._host, self._port = host, port
        self._server: asyncio.Server | None = None
        self._state: str | None = None
        self._found: asyncio.Future[str] | None = None
        self._handlers: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}

    async def start(self) -> None:
        import asyncio

        sock = _bind(self._host, self._port)
        self._found = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._handle, sock=sock)
        except OSError as exc:  # pragma: no cover - the socket is bound already
            sock.close()
            raise _unavailable(self._host, self._port, exc) from None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        import asyncio

        task = asyncio.current_task()
        if task is not None:
            self._handlers[task] = writer
        try:
            try:
                head = await asyncio.wait_for(
                    reader.readuntil(b"\r\n\r\n"), CONNECTION_IDLE_SECONDS
                )
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                return
            except (asyncio.LimitOverrunError, ValueError):  # a head over the limit
                writer.write(_reply("bad").data)
                return
            if self._state is None:
                reply = _reply("ignored")
            else:
                reply = answer(head[:-4], origin=self.origin, path=self.path, state=self._state)
            writer.write(reply.data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            found = self._found
            if reply.callback_url is not None and found is not None and not found.done():
                found.set_result(reply.callback_url)
        except Exception:  # never the event loop's ERROR record, with frames holding state
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            if task is not None:
                self._handlers.pop(task, None)

    async def wait(self, state: str, seconds: float) -> str | None:
        import asyncio

        self._state = state
        assert self._found is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._found), max(0.0, seconds))
        except TimeoutError:
            return None

    async def close(self) -> None:
        if self._server is not None:
            import asyncio

            self._server.close()
            # Connections still open (a half-sent request) are aborted, so their
            # handlers end on EOF: a cancelled handler task makes Python 3.11's
            # asyncio log an ERROR.
            handlers = dict(self._handlers)
            for writer in handlers.values():
                writer.transport.abort()
            if handlers:
                _, late = await asyncio.wait(handlers, timeout=CONNECTION_IDLE_SECONDS)
                for task in late:
                    task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
