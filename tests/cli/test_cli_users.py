"""``--user``/``ATH_USER`` through the installed console script (issue 25): bob and alice
log in through their own commands, each proxies as themselves, the default user holds
nothing, ``ath status`` lists the users holding tokens (masked), and revoking alice
leaves bob working."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ath.testing import LocalStack, follow_consent
from tests.cli._run import Sandbox
from tests.cli.test_cli_flow import _secrets_in, _store_file
from tests.cli.test_cli_login import _spawn, registered, stack

__all__ = ["registered", "stack"]  # the fixtures of the login tests


def _login(sb: Sandbox, stack: LocalStack, user: str, *via: str, env: str | None = None) -> None:
    if env is not None:
        sb.env["ATH_USER"] = env
    try:
        proc = _spawn(
            sb,
            *via,
            "--json",
            "login",
            "github",
            "read:user",
            "--no-browser",
            "--timeout",
            "60",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    finally:
        sb.env.pop("ATH_USER", None)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        stack.consent.as_user(user)
        assert follow_consent(first["authorization_url"]).ok
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["access_token"] == "***"


def test_users_through_the_console_script(registered: Sandbox, stack: LocalStack) -> None:
    sb = registered
    _login(sb, stack, "bob", "--user", "bob")
    _login(sb, stack, "alice", env="alice")
    who = sb("--user", "bob", "--json", "proxy", "github", "GET", "/user").json()
    assert who["body"]["login"] == "bob"
    who = sb("--json", "proxy", "github", "GET", "/user", env={"ATH_USER": "alice"}).json()
    assert who["body"]["login"] == "alice"
    nobody = sb("--json", "proxy", "github", "GET", "/user", expect=None)
    assert nobody.code != 0 and nobody.error()["code"] == "NO_TOKEN"
    status = sb("--json", "status").json()["local"]
    assert status["tokens"] == [] and status["user"] is None
    assert [u["user"] for u in status["users"]] == ["alice", "bob"]
    assert all(t["access_token"] == "***" for u in status["users"] for t in u["tokens"])
    text = sb("status").out
    rows = {line.split()[0] for line in text.splitlines() if "github" in line}
    assert {"alice", "bob"} <= rows, text  # the USER column of the tokens table
    assert sb("--user", "alice", "--json", "revoke", "--all").json() == {"revoked": ["github"]}
    gone = sb("--user", "alice", "--json", "proxy", "github", "GET", "/user", expect=None)
    assert gone.error()["code"] == "NO_TOKEN"
    who = sb("--user", "bob", "--json", "proxy", "github", "GET", "/user").json()
    assert who["body"]["login"] == "bob"
    assert [u["user"] for u in sb("--json", "status").json()["local"]["users"]] == ["bob"]
    bad = sb("--user", "a\tb", "--json", "whoami", expect=None)
    assert bad.error()["code"] == "INVALID_ARGUMENT"
    for secret in _secrets_in(_store_file(sb)):
        assert secret not in sb.all_output()


def test_no_store_listing_without_users(registered: Sandbox, tmp_path: Path) -> None:
    status = registered("--json", "status").json()["local"]
    assert status["users"] == [] and status["user"] is None
