"""Child processes of the bench: started from one place, always cleaned up.

Every child is registered; ``atexit`` and the SIGTERM/SIGHUP handlers installed by
:func:`install_cleanup` end them (terminate, then kill), so that no server outlives
the bench however it exits. The fast server also exits by itself when its standard
input closes, which covers the parent being killed outright.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Final, Self

ROOT: Final = Path(__file__).resolve().parent.parent

_children: list[subprocess.Popen[bytes]] = []
_lock = threading.Lock()
_installed = False


def _register(proc: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.append(proc)


def _forget(proc: subprocess.Popen[bytes]) -> None:
    with _lock:
        if proc in _children:
            _children.remove(proc)


def stop_process(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Close stdin, terminate, wait ``grace`` seconds, then kill."""
    if proc.stdin is not None and not proc.stdin.closed:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(grace)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    _forget(proc)


def stop_all() -> None:
    with _lock:
        procs = list(_children)
    for proc in procs:
        stop_process(proc, grace=1.0)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    stop_all()
    raise SystemExit(128 + signum)


def install_cleanup() -> None:
    """atexit + SIGTERM/SIGHUP handlers that end every registered child."""
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(stop_all)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _on_signal)


def child_env(
    extra: Mapping[str, str] | None = None, *, write_bytecode: bool = False
) -> dict[str, str]:
    """The environment for children: no proxies (loopback only), no stray PYTHONPATH;
    with ``write_bytecode``, PYTHONDONTWRITEBYTECODE dropped too."""
    dropped = {"http_proxy", "https_proxy", "all_proxy", "pythonpath"}
    if write_bytecode:
        dropped.add("pythondontwritebytecode")
    env = {k: v for k, v in os.environ.items() if k.lower() not in dropped}
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def run_json(
    cmd: Sequence[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Run ``cmd`` to completion (killed after ``timeout``) and parse its last stdout line."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreters and scripts
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd or ROOT,
        env=dict(env) if env is not None else child_env(),
    )
    _register(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_process(proc, grace=1.0)
        raise RuntimeError(f"{cmd[1:3]} did not finish within {timeout:.0f}s") from None
    finally:
        _forget(proc)
    if proc.returncode != 0:
        tail = err.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd[1:4])} exited {proc.returncode}:\n{tail}")
    lines = [line for line in out.decode().splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{' '.join(cmd[1:4])} printed nothing")
    return json.loads(lines[-1])


def run_quiet(
    cmd: Sequence[str], *, timeout: float, cwd: Path | None = None, write_bytecode: bool = False
) -> float:
    """Run ``cmd`` with all output discarded; returns its wall time in seconds.

    ``Popen.wait(timeout)`` polls with sleeps of up to 50 ms, which would round every
    figure up to the next poll; the wait here blocks, and a timer kills the child
    once ``timeout`` has passed."""
    env = child_env(write_bytecode=write_bytecode)
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreters
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=cwd or ROOT,
        env=env,
    )
    _register(proc)
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        status = proc.wait()
    finally:
        watchdog.cancel()
        _forget(proc)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{' '.join(cmd[1:4])} exited {status} (killed after {timeout}s?)")
    return elapsed


class JsonLineChild:
    """A child process spoken to in JSON lines over its stdin/stdout, every read bounded
    in time. Its stderr goes to a temporary file, quoted when something fails."""

    def __init__(self, cmd: Sequence[str], *, cwd: Path | None = None, what: str = "") -> None:
        install_cleanup()
        self.what = what or " ".join(cmd[1:3])
        self._buffer = b""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreters and modules
            list(cmd),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=cwd or ROOT,
            env=child_env(),
        )
        _register(self.proc)

    def _failure(self, why: str) -> RuntimeError:
        self._stderr.seek(0)
        tail = self._stderr.read()[-3000:].decode(errors="replace")
        return RuntimeError(f"{self.what}: {why}" + (f"\n{tail}" if tail else ""))

    def read(self, timeout: float) -> dict[str, Any]:
        """The next JSON line, within ``timeout`` seconds."""
        stdout = self.proc.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._failure(f"no answer within {timeout:.0f}s")
                if sel.select(left):
                    chunk = os.read(stdout.fileno(), 65536)
                    if not chunk:
                        raise self._failure(f"exited (status {self.proc.wait(5)})")
                    self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        data = json.loads(line)
        if not isinstance(data, dict):
            raise self._failure("printed something other than a JSON object")
        return data

    def send(self, message: Mapping[str, Any]) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(message).encode() + b"\n")
            stdin.flush()
        except OSError:
            raise self._failure("stopped reading its input") from None

    def ask(self, message: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        self.send(message)
        return self.read(timeout)

    def close(self) -> None:
        stop_process(self.proc)
        self._stderr.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FastServer:
    """``python -m bench.fastserver`` in a child process, for a ``with`` block."""

    def __init__(
        self, *, max_seconds: float, start_timeout: float = 15.0, stall_beyond: int | None = None
    ) -> None:
        self.max_seconds = max_seconds
        self.stall_beyond = stall_beyond
        self.start_timeout = start_timeout
        self.child: JsonLineChild | None = None
        self.url = ""

    def __enter__(self) -> Self:
        cmd = [sys.executable, "-m", "bench.fastserver", "--max-seconds", str(self.max_seconds)]
        if self.stall_beyond is not None:
            cmd += ["--stall-beyond", str(self.stall_beyond)]
        self.child = JsonLineChild(cmd, what="the fast server")
        try:
            self.url = str(self.child.read(self.start_timeout)["url"])
        except BaseException:
            self.child.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None
