"""Issue 24, item 6: `ath stack --port/--host` with a fixed default port (a restarted stack
keeps its URLs), an `export` line to paste (and ``env`` in ``--json``), a busy port
refused naming ``--port``, and help that says `ath stack`."""

from __future__ import annotations

import json
import shlex
import socket
from pathlib import Path

from ath.cli import _output as o
from ath.cli._commands.tools import STACK_PORT
from tests.cli._run import Sandbox, running_stack


def _free_run(count: int = 5, attempts: int = 50) -> int:
    """A port P with P..P+count-1 free right now (another process may take one later: the
    stack then says so, and the test fails loudly rather than hangs)."""
    for _ in range(attempts):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count > 65535:
            continue
        held = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
        return first
    raise AssertionError("no run of free ports found")


def test_help_says_ath_stack_and_the_default_port(tmp_path: Path) -> None:
    out = Sandbox(home=tmp_path)("stack", "--help").out
    assert out.startswith("usage: ath stack") and "python -m" not in out
    assert "--port" in out and "--host" in out and f"default: {STACK_PORT}" in out


def test_a_restarted_stack_keeps_its_urls(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    port = _free_run()
    with running_stack(sb, "stack", "--port", str(port)) as (_, lines):
        export = shlex.split(lines[-1].strip())
        assert export[0] == "export"
        env = dict(item.split("=", 1) for item in export[1:])
        assert env == {"ATH_URL": f"http://127.0.0.1:{port}"}
        assert any(f"oauth url     http://127.0.0.1:{port + 2}" in line for line in lines)
        # the line pasted works: the command line reaches the stack through it
        assert sb("--json", "discover", env=env).json()["supported_providers"]
    with running_stack(sb, "--json", "stack", "--port", str(port)) as (_, lines):
        again = json.loads(lines[-1])
    assert again["gateway_url"] == env["ATH_URL"] and again["env"] == env
    assert again["native_url"] == f"http://127.0.0.1:{port + 1}"


def test_a_busy_port_is_refused_naming_the_flag(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = sb("stack", "--port", str(port), expect=o.USAGE)
        assert f"127.0.0.1:{port}" in done.err and "--port" in done.err, done.err
        assert done.err.startswith("usage: ath stack")
        error = sb("--json", "stack", "--port", str(port), expect=o.USAGE).error()
        assert error["code"] == "INVALID_ARGUMENT" and "--port" in error["message"]
    wildcard = sb("stack", "--host", "0.0.0.0", expect=o.USAGE)  # noqa: S104 - refused
    assert "--host" in wildcard.err
