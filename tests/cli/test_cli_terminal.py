"""Issue 24, items 5-6, through the installed console script in a pseudo-terminal (stdin,
stdout and stderr a terminal, as a person has them): keygen -> register -> login -> proxy
-> logout -> login -> proxy against the local stack (its consent automatic, the URL
opened here as the person's browser would), with colour on the terminal and none with
NO_COLOR; `ath revoke` without a target asks there, and a "no" revokes nothing."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ath.cli._output import GREEN, RED, RESET, YELLOW
from ath.testing import LocalStack, follow_consent
from ath.testing._agent_hosting import public_key_from_jwk
from tests.cli._hostile import run_in_pty
from tests.cli._run import Sandbox
from tests.cli.test_cli_flow import _secrets_in, _store_file

COLOURS = tuple(c.encode() for c in (RED, YELLOW, GREEN, RESET))
CONSENT_URL = re.compile(r"http://127\.0\.0\.1:\d+/ath/consent\?\S+")


def in_pty(
    sb: Sandbox,
    *args: str,
    env: dict[str, str] | None = None,
    consent: bool = False,
    answer: str | None = None,
    timeout: float = 120.0,
) -> tuple[int, bytes]:
    """``ath ARGS`` on a pseudo-terminal; (exit status, every byte the terminal got).
    With ``consent``, the consent URL shown is followed once the command waits; with
    ``answer``, it is typed after a ``[y/N]`` question. ``timeout`` guards against a
    hang; it is no speed check."""
    done = {"consent": not consent, "answer": answer is None}

    def on_output(so_far: bytes, fd: int) -> None:
        text = so_far.decode(errors="replace")
        if not done["consent"] and "Waiting for consent" in text:
            found = CONSENT_URL.search(text)
            assert found, text
            assert follow_consent(found.group()).ok  # the person's browser
            done["consent"] = True
        if answer is not None and not done["answer"] and "[y/N]" in text:
            os.write(fd, answer.encode() + b"\r")
            done["answer"] = True

    return run_in_pty(sb, args, env=env, timeout=timeout, on_output=on_output)


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


def _coloured(out: bytes) -> bool:
    return any(c in out for c in COLOURS)


def test_round_trip_in_a_terminal(stack: LocalStack, tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    code, out = in_pty(sb, "keygen")
    assert code == 0 and GREEN.encode() + b"Wrote a new EC P-256 key" in out, out

    # the identity document names the developer: `ath register` takes it from there
    agent_id = f"{stack.agents_url}/agents/pty-agent/.well-known/agent.json"
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
    doc_path = sb.home / "agent.json"
    sb("identity", "--name", "pty-agent", "--developer-name", "Acme", "--developer-id", "acme",
       "--out", str(doc_path))  # fmt: skip
    doc = json.loads(doc_path.read_text())
    stack.host_agent(public_key_from_jwk(doc["public_key"]), name="pty-agent")

    code, out = in_pty(sb, "register", "--provider", "github:read:user,repo")
    assert code == 0 and GREEN.encode() + b"Registered " in out, out

    for round_ in ("first", "after logout"):
        code, out = in_pty(sb, "login", "github", "read:user", "--no-browser", consent=True)
        assert code == 0 and GREEN.encode() + b"Logged in" in out, (round_, out)
        code, out = in_pty(sb, "proxy", "github", "GET", "/user")
        assert code == 0 and b'"login": "local-user"' in out, (round_, out)
        if round_ == "first":
            code, out = in_pty(sb, "logout")
            assert code == 0 and GREEN.encode() + b"Revoked: github" in out, out
            assert b"Forgot the tokens" in out

    # an error: red, its hint yellow; the same without colour under NO_COLOR
    code, out = in_pty(sb, "proxy", "mail", "GET", "/messages")
    assert code == 3 and RED.encode() + b"ath: error [PROVIDER_MISMATCH]" in out, out
    assert YELLOW.encode() + b"To fix: run `ath login PROVIDER SCOPE...` for this provider." in out
    code, plain = in_pty(sb, "proxy", "mail", "GET", "/messages", env={"NO_COLOR": "1"})
    assert code == 3 and b"ath: error [PROVIDER_MISMATCH]" in plain and not _coloured(plain), plain
    code, plain = in_pty(sb, "login", "github", "read:user", env={"NO_COLOR": "1"})
    assert code == 0 and b"Already logged in" in plain and not _coloured(plain), plain
    code, plain = in_pty(sb, "--no-color", "status")
    assert code == 0 and b"PROVIDER" in plain and not _coloured(plain), plain

    # revoke without a target asks; "n" keeps the token, "y" revokes it
    code, out = in_pty(sb, "revoke", answer="n")
    assert code == 0 and b"Revoke every stored token? [y/N]" in out and b"Nothing revoked" in out
    assert in_pty(sb, "proxy", "github", "GET", "/user")[0] == 0
    code, out = in_pty(sb, "revoke", answer="y")
    assert code == 0 and GREEN.encode() + b"Revoked: github" in out, out
    assert in_pty(sb, "proxy", "github", "GET", "/user")[0] == 3

    for secret in _secrets_in(_store_file(sb)):
        assert secret.encode() not in out
