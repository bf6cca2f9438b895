"""Issue 23, item 2: terminal control codes a server chose never reach the terminal raw.

A hostile ATH server on loopback puts OSC 8 (a link showing one URL and opening another),
OSC 52 (a clipboard write), BEL, DEL and C1 controls into error messages, the discovery
document, consent URLs, session ids, approvals, denial reasons, status fields and
upstream bodies; the installed ``ath`` runs with its output on a pseudo-terminal and every
byte the terminal receives is checked. ``check_authorization_url`` refuses a consent URL
holding a control character.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ath import ATHError
from ath._parsing import check_authorization_url
from ath.cli._output import GREEN, RED, RESET
from tests.cli._hostile import (
    C1,
    OSC8,
    OSC52,
    Answer,
    HostileServer,
    attack,
    in_terminal,
    raw_controls,
    registered,
)
from tests.cli._run import Sandbox

EVIL = OSC8 + " " + OSC52 + " " + C1 + "\x7f"
REFUSED, BAD_RESPONSE = 5, 7
PKCE = "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(home=tmp_path)


def _clean(out: bytes) -> None:
    found = raw_controls(out)
    attack(bool(found))
    assert not found, (found, out[:400])


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_server_error_message_is_escaped(sb: Sandbox, json_mode: bool) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer:
        return 400, {"code": "INVALID_REQUEST", "message": "bad " + EVIL}

    with HostileServer(poison) as server:
        args = ["--json"] * json_mode + ["--url", server.url, "discover"]
        code, out = in_terminal(sb, *args)
    assert code == REFUSED
    _clean(out)
    assert b"bad " in out  # the message is shown, escaped
    if not json_mode:
        assert b"\\x1b]8;;https://evil.example/\\x07" in out
        assert RED.encode() in out  # coloured on a terminal: the colour is ours alone
    else:
        assert b"\x1b" not in out  # never coloured with --json


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_without_colour_no_escape_sequence_at_all(sb: Sandbox, how: str) -> None:
    """Without colour the terminal gets no raw control at all, not even one that looks
    like the command line's own colours (a server's green "OK")."""

    def poison(path: str, status: int, doc: Any) -> Answer:
        return 400, {"code": "INVALID_REQUEST", "message": f"bad {GREEN}OK{RESET} " + EVIL}

    with HostileServer(poison) as server:
        flag = [how] if how.startswith("--") else []
        env = {"NO_COLOR": "1"} if how == "NO_COLOR" else None
        code, out = in_terminal(sb, "--url", server.url, "discover", *flag, env=env)
    assert code == REFUSED
    found = raw_controls(out, own=False)
    attack(bool(found))
    assert b"\\x1b[32mOK" in out, out  # shown, as text


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_discovery_document_text_is_escaped(sb: Sandbox, json_mode: bool) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer:
        if path == "/.well-known/ath.json":
            doc["supported_providers"][0]["display_name"] = "GitHub" + EVIL
            doc["gateway_id"] = "gw" + C1
        return status, doc

    with HostileServer(poison) as server:
        args = ["--json"] * json_mode + ["--url", server.url, "discover"]
        code, out = in_terminal(sb, *args)
    assert code == 0, out
    _clean(out)
    # C1 written as a JSON escape, or as visible text in the table
    assert b"GitHub" in out and (b"\\u009b" if json_mode else b"\\x9b") in out


def test_consent_url_with_control_characters_is_refused(sb: Sandbox) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer:
        if path == "/ath/authorize":
            doc["authorization_url"] = f"https://127.0.0.1:9/{OSC8}?{PKCE}"
        return status, doc

    with HostileServer(poison) as server:
        args = registered(sb, server)
        code, out = in_terminal(sb, *args, "authorize", "github", "read:user")
    assert code == BAD_RESPONSE, out
    assert b"INVALID_RESPONSE" in out and b"control character" in out
    _clean(out)


def test_session_id_is_escaped(sb: Sandbox) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer:
        if path == "/ath/authorize":
            doc["ath_session_id"] = "sess-" + OSC52 + "\nLogged in as admin"
        return status, doc

    with HostileServer(poison) as server:
        args = registered(sb, server)
        code, out = in_terminal(sb, *args, "authorize", "github", "read:user")
    assert code == 0, out
    _clean(out)
    assert b"\\nLogged in as admin" in out  # a value cannot start a line of its own


def test_approvals_denial_reasons_and_status_fields_are_escaped(sb: Sandbox) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer:
        if path.startswith("/ath/agents/"):
            doc["approved_providers"][0]["denial_reason"] = "review " + EVIL
            doc["approved_providers"][0]["denied_scopes"] = ["repo" + OSC52]
            doc["client_id"] = "cid-" + C1
        return status, doc

    with HostileServer(poison) as server:
        sb("keygen")
        args = ["--url", server.url, "--agent-id", server.agent_id]
        register = [
            *args,
            "register",
            "--provider",
            "github:read:user",
            "--developer-name",
            "d",
            "--developer-id",
            "i",
        ]
        code, out = in_terminal(sb, *register)
        assert code == 0, out
        _clean(out)
        code, out = in_terminal(sb, *args, "status")
        assert code == 0, out
        _clean(out)
        assert b"review " in out
        code, out = in_terminal(sb, *args, "whoami")
        assert code == 0, out
        _clean(out)


@pytest.mark.parametrize("answer", ["error", "body", "raw"])
def test_upstream_bodies_and_snippets_are_escaped(sb: Sandbox, answer: str) -> None:
    def poison(path: str, status: int, doc: Any) -> Answer | tuple[int, str, bytes]:
        if path.startswith("/ath/proxy/"):
            return (418 if answer == "error" else 200), "text/plain", EVIL.encode()
        return status, doc

    with HostileServer(poison) as server:
        args = registered(sb, server)
        sb(*args, "token", "--code", "code-1", "--session", "sess-1")
        extra = ["--raw"] if answer == "raw" else []
        code, out = in_terminal(sb, *args, "proxy", "github", "GET", "/x", *extra)
    assert code == (REFUSED if answer == "error" else 0), out
    _clean(out)
    assert b"\\x1b]52;c;" in out


@pytest.mark.parametrize(
    "control", ["\x1b", "\x07", "\x9b", "\x9d", "\x7f", "\n", "\r", "\t", "\x00"]
)
def test_check_authorization_url_refuses_control_characters(control: str) -> None:
    url = f"https://consent.example/authorize?x=1{control}y&{PKCE}"
    with pytest.raises(ATHError) as caught:
        check_authorization_url(url)
    refused = caught.value.code == "INVALID_RESPONSE" and "control character" in str(caught.value)
    attack(not refused)
    assert control not in caught.value.message
