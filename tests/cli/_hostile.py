"""A hostile ATH server on loopback and a pseudo-terminal to run the console script in.

:class:`HostileServer` answers every ATH endpoint correctly (the answers of
``tests._support.servers.FakeATH``) over a real socket, then lets a test ``poison`` any
answer (status and body, or raw bytes). :func:`in_terminal` runs ``ath`` with its stdout
and stderr on a pseudo-terminal, as a user would see it, and returns every byte the
terminal received. :func:`attack` counts one attack of the CLI family in the README's
reliability table.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import select
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx2

from ath.cli._output import OWN_SEQUENCES
from tests._report import tally
from tests._support.procs import popen
from tests._support.servers import FakeATH
from tests.cli._run import Sandbox, console_script

AGENT_ID = "https://agent.example/agent.json"

#: What a terminal acts on instead of showing: ESC, BEL, CSI/OSC/... as C1 (UTF-8), DEL.
RAW_CONTROLS = (b"\x1b", b"\x07", b"\x7f", *(bytes([0xC2, c]) for c in range(0x80, 0xA0)))
#: A link that shows one URL and opens another (OSC 8), and a clipboard write (OSC 52).
OSC8 = "\x1b]8;;https://evil.example/\x07https://gw.example/consent\x1b]8;;\x07"
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
C1 = "\x9b2J\x9d0;title\x9c"

#: (status, JSON body) or raw bytes for the whole body with a content type.
Answer = tuple[int, Any]
Poison = Callable[[str, int, Any], Answer | tuple[int, str, bytes]]


def attack(succeeded: bool) -> None:
    """Count one attack on the CLI, its terminal or its files; it must not have succeeded."""
    counts = tally("cli")
    counts["attacks"] += 1
    counts["succeeded"] += succeeded
    assert not succeeded


def raw_controls(data: bytes, *, own: bool = True) -> list[bytes]:
    """The raw control characters in ``data``; with ``own``, the command line's own
    colours and line clears (``ath.cli._output.OWN_SEQUENCES``) are taken out first, so
    what remains came from elsewhere (run with NO_COLOR and ``own=False`` for none)."""
    if own:
        for sequence in OWN_SEQUENCES:
            data = data.replace(sequence.encode(), b"")
    return [c for c in RAW_CONTROLS if c in data]


@dataclass
class HostileServer:
    """``FakeATH``'s answers over HTTP on loopback, each passed through ``poison``."""

    poison: Poison | None = None
    agent_id: str = AGENT_ID
    bodies: list[tuple[str, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.bodies.append((self.path, body))
                request = httpx2.Request(
                    self.command, owner.url + self.path, headers=dict(self.headers), content=body
                )
                status, doc = owner.fake.good(request)
                answer: Any = (status, doc)
                if owner.poison is not None:
                    answer = owner.poison(self.path.partition("?")[0], status, doc)
                if len(answer) == 3:
                    status, ctype, payload = answer
                else:
                    status, doc = answer
                    ctype = "application/json"
                    payload = b"" if doc is None else json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.fake = FakeATH(self.agent_id, self.url)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


def agent_args(server: HostileServer) -> list[str]:
    return ["--url", server.url, "--agent-id", server.agent_id]


def registered(sb: Sandbox, server: HostileServer) -> list[str]:
    """keygen and register against ``server``; the global options for what follows."""
    sb("keygen")
    args = agent_args(server)
    sb(
        *args,
        "register",
        "--provider",
        "github:read:user",
        "--developer-name",
        "d",
        "--developer-id",
        "dev-1",
    )
    return args


def in_terminal(
    sb: Sandbox, *args: str, env: dict[str, str] | None = None, timeout: float = 120.0
) -> tuple[int, bytes]:
    """Run ``ath ARGS`` with stdout and stderr on a pseudo-terminal; (exit status, every
    byte the terminal got). The child is killed if it outlives ``timeout``."""
    return run_in_pty(sb, args, env=env, timeout=timeout)


def run_in_pty(
    sb: Sandbox,
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    on_output: Callable[[bytes, int], None] | None = None,
) -> tuple[int, bytes]:
    """``ath ARGS`` with stdout and stderr (and stdin, with ``on_output``) on a
    pseudo-terminal; (exit status, every byte the terminal got). ``on_output(so_far,
    fd)`` sees the output after each read and may write to the terminal's ``fd``.
    ``timeout`` guards against a hang (no speed check); the child is killed past it."""
    controller, terminal = pty.openpty()
    try:
        proc = popen(
            [console_script(), *args],
            stdin=terminal if on_output is not None else subprocess.DEVNULL,
            stdout=terminal,
            stderr=terminal,
            env=sb.environment(env),
            cwd=sb.home,
        )
    finally:
        os.close(terminal)
    got = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], max(deadline - time.monotonic(), 0))
            assert ready, f"ath {' '.join(args)} hung; the terminal showed {bytes(got)!r}"
            try:
                chunk = os.read(controller, 65536)
            except OSError as exc:  # EIO: every writer closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            got += chunk
            if on_output is not None:
                on_output(bytes(got), controller)
        code = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(controller)
    return code, bytes(got)
