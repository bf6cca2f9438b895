"""``ath login``: consent given by the test while the command waits, in a child process
(``--json``: the URL first, before waiting; the token summary last) and in a
pseudo-terminal (the URL and the waiting state shown to a person)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ath.testing import LocalStack, follow_consent
from tests.cli._run import Sandbox, console_script
from tests.cli.test_cli_flow import _host_identity, _secrets_in, _store_file

CONSENT = 4


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


@pytest.fixture
def registered(stack: LocalStack, tmp_path: Path) -> Sandbox:
    sb = Sandbox(home=tmp_path)
    agent_id = _host_identity(stack, sb, "cli-login")
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
    sb(
        "register",
        "--provider",
        "github:read:user,repo",
        "--developer-name",
        "A",
        "--developer-id",
        "a",
    )
    return sb


def _spawn(sb: Sandbox, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    proc: subprocess.Popen[str] = subprocess.Popen(  # noqa: S603 - our own console script
        [console_script(), *args],
        env=sb.environment(),
        cwd=sb.home,
        text=True,
        **kwargs,
    )
    return proc


def test_login_json_first_line_before_waiting(registered: Sandbox) -> None:
    sb = registered
    proc = _spawn(
        sb,
        "--json",
        "login",
        "github",
        "read:user",
        "repo",
        "--no-browser",
        "--timeout",
        "60",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert set(first) == {"authorization_url", "ath_session_id"}
        assert first["ath_session_id"] in first["authorization_url"]
        assert proc.poll() is None  # still waiting for consent
        consent = follow_consent(first["authorization_url"])  # the user's browser
        assert consent.ok
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    lines = [line for line in out.splitlines() if line.strip()]
    last = json.loads(lines[-1])
    assert last["provider_id"] == "github" and last["access_token"] == "***"
    assert sorted(last["effective_scopes"]) == ["read:user", "repo"]
    user = sb("--json", "proxy", "github", "GET", "/user").json()
    assert user["body"]["login"]
    # a second login with the held token asks for no consent (--timeout 0 would fail
    # CONSENT_TIMEOUT if it did) ...
    again = sb("--json", "login", "github", "repo", "--no-browser", "--timeout", "0")
    assert again.json()["access_token"] == "***" and "authorization_url" not in again.out
    shown = sb("login", "github", "read:user", "--no-browser", "--timeout", "0")
    assert "Already logged in" in shown.out and "--force" in shown.out
    # ... unless --force
    forced = sb(
        "--json",
        "login",
        "github",
        "read:user",
        "--no-browser",
        "--force",
        "--timeout",
        "0",
        expect=CONSENT,
    )
    assert forced.error()["code"] == "CONSENT_TIMEOUT"
    for secret in _secrets_in(_store_file(sb)):
        assert secret not in out + err + sb.all_output()


def test_login_timeout_is_a_consent_failure(registered: Sandbox) -> None:
    done = registered(
        "--json", "login", "github", "read:user", "--no-browser", "--timeout", "1", expect=CONSENT
    )
    assert done.error()["code"] == "CONSENT_TIMEOUT"
    assert json.loads(done.out.splitlines()[0])["authorization_url"]


def _read_until(fd: int, wanted: str, seen: list[str], timeout: float = 120.0) -> str:
    """Read the terminal until ``wanted`` shows; ``timeout`` is a hang guard far above
    the second or so a CLI takes to start, not a speed check."""
    deadline = time.monotonic() + timeout
    while wanted not in "".join(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} not shown; the terminal showed {''.join(seen)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                break
            seen.append(chunk.decode(errors="replace"))
    return "".join(seen)


def test_interactive_login_in_a_terminal(registered: Sandbox) -> None:
    sb = registered
    master, slave = pty.openpty()
    proc = _spawn(
        sb,
        "login",
        "github",
        "read:user",
        "--no-browser",
        "--timeout",
        "60",
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    seen: list[str] = []
    try:
        shown = _read_until(master, "Waiting for consent", seen)
        url = next(w for w in shown.split() if w.startswith("http") and "/ath/consent" in w)
        assert "Open this URL" in shown
        _read_until(master, "s, Ctrl-C to stop)", seen)  # the spinner counts seconds
        assert follow_consent(url).ok
        final = _read_until(master, "Logged in", seen)
        assert proc.wait(timeout=60) == 0, final
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    for secret in _secrets_in(_store_file(sb)):
        assert secret not in "".join(seen)


def test_plain_lines_when_not_a_terminal(registered: Sandbox) -> None:
    done = registered(
        "login", "github", "read:user", "--no-browser", "--timeout", "1", expect=CONSENT
    )
    assert "Waiting for consent ..." in done.err
    assert "\r" not in done.err and "Ctrl-C" not in done.err


#: A browser launcher that blocks: it writes the URL it was given, then waits for the
#: test to release it (a ``$BROWSER`` command or a headless browser loading the page).
_LAUNCHER = """
import pathlib, sys, time
here = pathlib.Path(sys.argv[1])
(here / "url.part").write_text(sys.argv[2])
(here / "url.part").rename(here / "url")  # whole when it appears: the test reads it then
deadline = time.monotonic() + 120
while not (here / "release").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
(here / "done").write_text("")
"""


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    """Until ``path`` exists; ``timeout`` is a hang guard, not a speed check."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_a_blocking_browser_launcher_does_not_delay_login(
    stack: LocalStack, tmp_path: Path
) -> None:
    import socket
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redirect = f"http://127.0.0.1:{port}/callback"
    sb = Sandbox(home=tmp_path)
    agent_id = _host_identity(stack, sb, "cli-browser")
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
    sb.env.pop("DISPLAY", None)
    sb(
        "register",
        "--provider",
        "github:read:user",
        "--developer-name",
        "A",
        "--developer-id",
        "a",
        "--redirect-uri",
        redirect,
    )
    launcher_dir = tmp_path / "launcher"
    launcher_dir.mkdir()
    script = launcher_dir / "launch.py"
    script.write_text(_LAUNCHER)
    sb.env["BROWSER"] = f"{sys.executable} {script} {launcher_dir} %s"
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = _spawn(
            sb,
            "--json",
            "login",
            "github",
            "read:user",
            "--redirect-uri",
            redirect,
            "--timeout",
            "120",
            stdout=out,
            stderr=err,
        )
    try:
        _wait_for(launcher_dir / "url")  # the launcher got the URL and now blocks
        url = (launcher_dir / "url").read_text()
        consent = follow_consent(url)  # the person, in some other browser
        assert consent.url.startswith(redirect)
        import httpx2

        with httpx2.Client(trust_env=False, timeout=30) as http:
            page = http.get(consent.url)  # the loopback listener answers at once
        assert page.status_code == 200
        assert proc.wait(timeout=120) == 0, err_path.read_text()
        assert not (launcher_dir / "done").exists()  # the launcher still blocks
    finally:
        (launcher_dir / "release").write_text("")
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _wait_for(launcher_dir / "done")
    last = json.loads(out_path.read_text().splitlines()[-1])
    assert last["provider_id"] == "github" and last["effective_scopes"] == ["read:user"]
