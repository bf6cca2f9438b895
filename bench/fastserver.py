"""A deliberately cheap HTTP/1.1 keep-alive server for the client-side benchmarks.

It checks nothing: ``GET /ath/proxy/<provider>/<path>`` and ``GET /api/<path>`` get a
small JSON object, ``GET /.well-known/ath-app.json`` a valid service discovery
document whose ``api_base`` points back here, ``POST /ath/authorize`` a new pending
authorization (a fresh session id each time), anything else a JSON 404. Run as
``python -m bench.fastserver``: it binds 127.0.0.1 on a free port, prints
``{"url": ...}`` on one line, and exits when its standard input closes (so it never
outlives the bench), on SIGTERM, or after ``--max-seconds``.

Its limits, against what the bench sends it (see ``bench._micro.BURST_LIMITS``): one
thread, one event loop, every connection served as its bytes arrive, so any number
of open connections is served (one core's worth); a listen backlog of 1024 (the
kernel caps it at ``net.core.somaxconn``, 4096 on current Linux, 128 on old), far
above the at most 2 x 20 connections the async round opens at once, so no
connection attempt waits on a full queue.

``--stall-beyond N`` (fault injection, for the bench's own tests): a connection
opened while N others are open is accepted and never answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from typing import Final

HOST: Final = "127.0.0.1"
BODY: Final = b'{"login":"bench","id":1,"ok":true,"items":[1,2,3]}'
_MAX_HEAD: Final = 64 * 1024


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


def discovery_document(base: str) -> dict[str, object]:
    """A ServiceDiscoveryDocument for this server (native mode)."""
    return {
        "ath_version": "0.1",
        "app_id": "bench-app",
        "name": "Bench App",
        "api_base": f"{base}/api",
        "auth": {
            "type": "oauth2",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/ath/token",
            "scopes_supported": ["read"],
            "agent_attestation_required": True,
        },
    }


class _Answers:
    def __init__(self, base: str) -> None:
        self.ok = _response("200 OK", BODY)
        self.discovery = _response(
            "200 OK", json.dumps(discovery_document(base), separators=(",", ":")).encode()
        )
        self.missing = _response("404 Not Found", b'{"code":"NOT_FOUND","message":"no route"}')
        self.bad = _response("400 Bad Request", b'{"code":"BAD_REQUEST","message":"bad"}')
        self.base = base
        self.sessions = 0

    def authorization(self) -> bytes:
        """A fresh pending authorization (new session id) for ``POST /ath/authorize``."""
        self.sessions += 1
        url = f"{self.base}/oauth/authorize?code_challenge=bench&code_challenge_method=S256"
        body = {"authorization_url": url, "ath_session_id": f"bench-session-{self.sessions}"}
        return _response("200 OK", json.dumps(body, separators=(",", ":")).encode())

    def for_target(self, target: bytes) -> bytes:
        if target.startswith((b"/ath/proxy/", b"/api/")):
            return self.ok
        path = target.split(b"?", 1)[0]
        if path == b"/.well-known/ath-app.json":
            return self.discovery
        if path == b"/ath/authorize":
            return self.authorization()
        return self.missing


class _Connection(asyncio.Protocol):
    """Parses pipelined requests out of the byte stream; bodies are skipped by length."""

    #: Connections open now, and the count beyond which new ones are stalled (None: never).
    open_now = 0
    stall_beyond: int | None = None

    def __init__(self, answers: _Answers) -> None:
        self.answers = answers
        self.buffer = b""
        self.skip = 0
        self.transport: asyncio.Transport | None = None
        self.stalled = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        limit = _Connection.stall_beyond
        self.stalled = limit is not None and _Connection.open_now >= limit
        _Connection.open_now += 1

    def connection_lost(self, exc: Exception | None) -> None:
        _Connection.open_now -= 1

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        if self.stalled:
            return  # read and never answered (--stall-beyond)
        buffer = self.buffer + data
        out: list[bytes] = []
        while True:
            if self.skip:
                taken = min(self.skip, len(buffer))
                buffer = buffer[taken:]
                self.skip -= taken
                if self.skip:
                    break
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _MAX_HEAD:
                    out.append(self.answers.bad)
                    transport.write(b"".join(out))
                    transport.close()
                    return
                break
            head = buffer[:end]
            buffer = buffer[end + 4 :]
            line, _, fields = head.partition(b"\r\n")
            parts = line.split(b" ")
            if len(parts) != 3:
                out.append(self.answers.bad)
                continue
            lowered = fields.lower()
            at = lowered.find(b"content-length:")
            if at >= 0:
                value = lowered[at + 15 :].split(b"\r\n", 1)[0].strip()
                self.skip = int(value) if value.isdigit() else 0
            out.append(self.answers.for_target(parts[1]))
        self.buffer = buffer
        if out:
            transport.write(b"".join(out))


def _on_stdin(stop: asyncio.Event) -> None:
    try:
        data = os.read(sys.stdin.fileno(), 4096)
    except OSError:
        data = b""
    if not data:
        stop.set()


async def serve(max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    holder: list[_Answers] = []
    server = await loop.create_server(
        lambda: _Connection(holder[0]), HOST, 0, backlog=1024, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    base = f"http://{HOST}:{port}"
    holder.append(_Answers(base))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Standard input closing means the bench that started us is gone.
    loop.add_reader(sys.stdin.fileno(), _on_stdin, stop)
    print(json.dumps({"url": base, "port": port}), flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fastserver", description=__doc__)
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="hard lifetime bound")
    parser.add_argument(
        "--stall-beyond", type=int, help="never answer a connection opened while N are open"
    )
    args = parser.parse_args(argv)
    _Connection.stall_beyond = args.stall_beyond
    asyncio.run(serve(args.max_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
