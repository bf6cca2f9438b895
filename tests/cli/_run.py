"""Running the installed ``ath`` console script as a child process, in a sandbox of its own
(config, data and cache folders under the test's tmp_path, no ATH_* variables inherited)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests._support.procs import popen

ATH = Path(sys.executable).with_name("ath")


def console_script() -> str:
    if not ATH.is_file():
        raise RuntimeError(
            f"the ath console script is not installed beside {sys.executable}: "
            "`make venv` installs the package with its cli extra"
        )
    return str(ATH)


@dataclass
class Done:
    args: list[str]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON document, got {self.out!r}"
        return json.loads(lines[0])

    def error(self) -> dict[str, Any]:
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert lines, "no error on stderr"
        doc: dict[str, Any] = json.loads(lines[-1])
        assert set(doc) == {"code", "message", "status"}, doc
        return doc


@dataclass
class Sandbox:
    """One user's home for the command line: its config, data and environment."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)
    transcript: list[Done] = field(default_factory=list)

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ATH_") and k.lower() not in {"http_proxy", "https_proxy"}
        }
        env.update(
            {
                "XDG_CONFIG_HOME": str(self.home / "config"),
                "XDG_DATA_HOME": str(self.home / "data"),
                "XDG_CACHE_HOME": str(self.home / "cache"),
                "NO_PROXY": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env)
        env.update(extra or {})
        return env

    def __call__(
        self,
        *args: str,
        expect: int | None = 0,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        timeout: float = 60.0,
        umask: int = -1,
    ) -> Done:
        argv = [console_script(), *args]
        done = subprocess.run(  # noqa: S603 - our own console script
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environment(env),
            cwd=self.home,
            timeout=timeout,
            check=False,
            umask=umask,  # -1: the caller's
        )
        result = Done(list(args), done.returncode, done.stdout, done.stderr)
        self.transcript.append(result)
        if expect is not None:
            assert done.returncode == expect, (
                f"ath {' '.join(args)}: exit {done.returncode}, expected {expect}\n"
                f"stdout: {done.stdout}\nstderr: {done.stderr}"
            )
        return result

    def all_output(self) -> str:
        return "\n".join(d.out + d.err for d in self.transcript)

    def data(self) -> Path:
        return self.home / "data" / "ath-sdk"


@contextmanager
def running_stack(sb: Sandbox, *args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`ath ARGS` (a stack) running in its own process group; its first lines, up to the
    export line (or the one JSON line with --json). Stopped (killed if need be) on exit,
    also on failure."""
    proc = popen(
        [console_script(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sb.environment(),
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or not (lines[-1].startswith(("  export ", "{"))):
            line = proc.stdout.readline()
            assert line, f"the stack ended: {proc.communicate(timeout=30)}"
            lines.append(line.rstrip("\n"))
        yield proc, lines
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
