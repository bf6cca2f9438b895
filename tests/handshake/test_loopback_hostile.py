"""The loopback listener of ``login()`` under hostile local traffic (issue 23, items 5
and 17, and the ``Host`` check), over real sockets while a real login waits on the
local stack, sync and async.

Any local process, or a web page (through the browser, or by rebinding its DNS name to
127.0.0.1), can send the listener anything: malformed request lines, garbage, heads
over the size limit, half-sent requests left open, the pending ``state`` under another
``Host``, or a flood of connections. Each is answered (a 400 page) or dropped, and the
login still finishes by the real redirect; nothing is logged at ERROR.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath._loopback import MAX_CONNECTIONS, SyncListener
from ath.testing import LocalStack, follow_consent
from tests._support.attacks import runtime_attack
from tests._support.procs import Children
from tests._support.shells import Either
from tests.conftest import DEVELOPER

from .test_consent_e2e import GITHUB, Factory, _free_port, _port_is_free

HANG_GUARD = 60.0


def _ask(port: int, data: bytes, *, close_write: bool = True) -> bytes:
    """Send ``data`` on a fresh connection; what came back before the listener closed it
    (b"" when it closed or reset without answering)."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD) as sock:
        try:
            sock.sendall(data)
            if close_write:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the listener answered and closed before all was sent
            pass
        got = b""
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except OSError:
            pass
        return got


def _status(reply: bytes) -> int | None:
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[0] == b"HTTP/1.1" else None


def _hostile(port: int, state: str) -> list[tuple[str, bytes, set[int | None]]]:
    """(name, bytes, the statuses that count as answered) for one listener."""
    host = f"127.0.0.1:{port}".encode()
    head = b"\r\nHost: " + host + b"\r\n\r\n"
    forged = f"/callback?code=ath_code_forged&state={state}".encode()
    bad: set[int | None] = {400}
    return [
        ("bracket in the authority", b"GET //[x HTTP/1.1" + head, bad),
        ("absolute-form IPv6", b"GET http://[::1 HTTP/1.1" + head, bad),
        ("bracket in the path", b"GET /[x HTTP/1.1" + head, {404}),
        ("garbage", b"\x00\xff\xfe\x16\x03\x01 hello\r\n\r\n", bad),
        ("empty head", b"\r\n\r\n", bad),
        ("no version", b"GET /callback\r\n\r\n", bad),
        ("two spaces", b"GET  /callback HTTP/1.1" + head, bad),
        ("UTF-8 target", b"GET /caf\xc3\xa9 HTTP/1.1" + head, bad),
        ("bad percent-escapes", b"GET /callback?state=%ZZ%&code=%%% HTTP/1.1" + head, bad),
        ("state only, no Host", b"GET " + forged + b" HTTP/1.1\r\n\r\n", bad),
        (
            "the pending state under a rebound name",
            b"GET " + forged + b" HTTP/1.1\r\nHost: evil.example:%d\r\n\r\n" % port,
            bad,
        ),
        (
            "two Host headers",
            b"GET " + forged + b" HTTP/1.1\r\nHost: " + host + b"\r\nHost: evil.example\r\n\r\n",
            bad,
        ),
        ("a 100 KB request line", b"GET /" + b"A" * 100_000 + b" HTTP/1.1" + head, bad | {None}),
        (
            "100 KB of headers",
            b"GET /callback HTTP/1.1\r\n" + b"X: y\r\n" * 20_000 + b"\r\n",
            bad | {None},
        ),
        ("a line without its end", b"GET /callback?state=", {None}),
    ]


def _attack_then_consent(url: str, port: int, seen: dict[str, Any]) -> None:
    """The hostile requests, a few half-sent ones left open, then the real browser."""
    state = parse_qs(urlsplit(url).query)["state"][0]
    slow: list[socket.socket] = seen.setdefault("slow", [])  # closed after the login
    try:
        for _ in range(3):  # slowloris-ish: a partial line, left open until the end
            sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
            sock.sendall(b"GET /callback?sta")
            slow.append(sock)
        answers = {}
        for name, data, expected in _hostile(port, state):
            answers[name] = (_status(_ask(port, data)), expected)
        seen["answers"] = answers
        consent = follow_consent(url)
        with httpx2.Client(trust_env=False, timeout=HANG_GUARD) as http:
            seen["real"] = http.get(consent.url).status_code
    except BaseException as exc:  # reported by the test, never lost in this thread
        seen["error"] = exc


async def test_a_login_survives_hostile_requests_to_its_listener(
    new_client: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    client: Either = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
    seen: dict[str, Any] = {}
    threads: list[threading.Thread] = []

    def on_url(url: str) -> None:
        thread = threading.Thread(target=_attack_then_consent, args=(url, port, seen))
        thread.start()
        threads.append(thread)

    caplog.set_level(logging.WARNING)
    try:
        token = await client.login(
            "github",
            ["read:user"],
            open_browser=False,
            redirect_uri=redirect,
            timeout=HANG_GUARD,
            on_authorization_url=on_url,
        )
    finally:
        for thread in threads:
            thread.join(HANG_GUARD)
        for sock in seen.get("slow", []):  # still open when the listener closed
            sock.close()
    assert "error" not in seen, seen.get("error")
    wrong = {n: got for n, (got, expected) in seen["answers"].items() if got not in expected}
    runtime_attack("listener", bool(wrong), len(seen["answers"]) + 3)
    assert token.provider_id == "github" and seen["real"] == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert _port_is_free(port)


# -- connection floods and descriptor exhaustion (item 17) -------------------------------

FLOOD = 1100
WORKER = Path(__file__).with_name("flood_login.py")


def _flood(port: int, count: int) -> list[socket.socket]:
    """Up to ``count`` idle connections to the listener, one after the other (as fast
    as the listener takes them); stops at the first refused or timed-out one."""
    socks = []
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=10.0))
        except OSError:
            break
    return socks


def test_a_sync_login_survives_a_connection_flood(
    stack: LocalStack, agent: Any, tmp_path: Path, children: Children
) -> None:
    """1 100 idle connections while a sync login waits, in a process allowed 256
    descriptors: the listener holds at most MAX_CONNECTIONS, the login completes."""
    port = _free_port()
    key = tmp_path / "agent.pem"
    key.write_text(agent.pem)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = children.popen(
        [sys.executable, str(WORKER), stack.gateway_url, agent.agent_id, str(key), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http"), proc.stderr.read() if proc.stderr else url
    socks = _flood(port, FLOOD)
    try:
        flooded = len(socks)
        consent = follow_consent(url)
        with httpx2.Client(trust_env=False, timeout=HANG_GUARD) as http:
            for _ in range(int(HANG_GUARD / 0.5)):  # the backlog may be full for a moment
                try:
                    status = http.get(consent.url).status_code
                    break
                except httpx2.TransportError:
                    time.sleep(0.5)
            else:
                status = None
        out, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        for sock in socks:
            sock.close()
    survived = proc.returncode == 0 and out.strip() == "token github"
    runtime_attack("listener", not survived, FLOOD)
    assert flooded == FLOOD and status == 200, err[-2000:]


def test_the_sync_listener_backs_off_when_out_of_descriptors(children: Children) -> None:
    """EMFILE on accept: the listener frees a connection, pauses accepting, keeps
    serving, and answers the redirect once descriptors are back."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = children.popen(
        [sys.executable, str(WORKER), "--exhaust", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "listening", proc.stderr.read() if proc.stderr else ""
    socks = _flood(port, 10)  # within the backlog
    try:
        assert proc.stdout.readline().strip() == "exhausted"  # it waited through EMFILE
        reply = b""
        for _ in range(int(HANG_GUARD / 0.5)):
            request = f"GET /cb?state=S HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
            reply = _ask(port, request.encode())
            if reply:
                break
            time.sleep(0.5)
        out, _ = proc.communicate(timeout=HANG_GUARD)
    finally:
        for sock in socks:
            sock.close()
    runtime_attack("listener", proc.returncode != 0, 1)
    assert _status(reply) == 200 and out.strip() == f"got http://127.0.0.1:{port}/cb?state=S"


def test_the_listener_caps_its_connections() -> None:
    port = _free_port()
    listener = SyncListener("127.0.0.1", port, "/cb")
    socks: list[socket.socket] = []
    try:
        for _ in range(MAX_CONNECTIONS * 3):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=10.0))
            listener.wait("S", 0.01)  # takes what is queued
        held = len(listener._conns)
    finally:
        listener.close()
        for sock in socks:
            sock.close()
    assert 0 < held <= MAX_CONNECTIONS
