"""Issue 23, items 11, 13, 14, 15 and 16, and CR/LF in ``ATH_URL``: what the command line
takes in and what it says back.

* 11: the consent code is a secret: a token endpoint echoing its request never makes
  ``ath token`` print it.
* 13: ``ath config show|get`` mask a Redis store's password and secret-looking headers.
* 14: the consent code is read from stdin (``--code -``) or a file (``--code-file``).
* 15: a code the server said picks a server class of exit status, never a local one.
* 16: a malformed ``--store`` URL is a usage error naming ``--store``, no traceback.
* A control character in a setting (CR/LF in ``ATH_URL``) is refused, naming it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ath.cli._output import exit_code
from tests.cli._hostile import Answer, HostileServer, attack, registered
from tests.cli._run import Sandbox

USAGE, NOT_READY, REFUSED, NETWORK, BAD_RESPONSE, LOCAL_STATE = 2, 3, 5, 6, 7, 8
CODE = "cc7f3a9c1e5b2d40"


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(home=tmp_path)


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_the_consent_code_is_never_printed(sb: Sandbox, json_mode: bool) -> None:
    def echo(path: str, status: int, doc: Any) -> Answer:
        if path == "/ath/token":
            body = server.bodies[-1][1].decode()
            return 400, {"code": "INVALID_REQUEST", "message": f"bad request: {body}"}
        return status, doc

    with HostileServer(echo) as server:
        args = registered(sb, server)
        done = sb(
            *["--json"] * json_mode,
            *args,
            "token",
            "--code",
            CODE,
            "--session",
            "sess-1",
            expect=None,
        )
    assert done.code == REFUSED
    assert "bad request" in done.err  # the echo is shown ...
    leaked = CODE in done.out + done.err or CODE[:8] in done.out + done.err
    attack(leaked)
    assert not leaked  # ... without the code


@pytest.mark.parametrize("source", ["stdin", "file", "file-stdin"])
def test_the_consent_code_from_stdin_or_a_file(sb: Sandbox, source: str) -> None:
    with HostileServer() as server:
        args = registered(sb, server)
        code_file = sb.home / "code.txt"
        code_file.write_text(CODE + "\n")
        how = {
            "stdin": ["--code", "-"],
            "file": ["--code-file", str(code_file)],
            "file-stdin": ["--code-file", "-"],
        }[source]
        stdin = None if source == "file" else CODE + "\n"
        done = sb("--json", *args, "token", *how, "--session", "sess-1", stdin=stdin)
        sent = [json.loads(body) for path, body in server.bodies if path == "/ath/token"]
    assert done.json()["provider_id"] == "github"
    assert [s["code"] for s in sent] == [CODE]  # read whole, newline dropped
    assert CODE not in done.out + done.err


def test_the_consent_code_options_are_documented_and_checked(sb: Sandbox) -> None:
    helped = sb("token", "--help").out
    assert "--code-file" in helped and "stdin" in helped
    both = sb("token", "--code", "c", "--code-file", "f", "--session", "s", expect=USAGE)
    assert "exclude each other" in both.err
    empty = sb("token", "--code", "-", "--session", "s", stdin="\n", expect=USAGE)
    assert "no consent code" in empty.err


def test_config_show_masks_secrets(sb: Sandbox) -> None:
    sb("config", "set", "store", "redis://:redis-pass-1234@127.0.0.1:6379/0")
    headers = "X-ATH-User-Token: ut-secret-5678\nAuthorization: Bearer az-9012\nX-Tenant: acme"
    sb("config", "set", "headers", headers)
    env = {"ATH_HEADERS": "X-Api-Key: k-3456\nCookie: sid=c-7890"}
    outputs = [
        sb("config", "show").out,
        sb("--json", "config", "show").out,
        sb("config", "get", "store").out,
        sb("config", "get", "headers").out,
        sb("config", "show", env=env).out,
    ]
    text = "\n".join(outputs)
    secrets = ["redis-pass-1234", "ut-secret-5678", "az-9012", "k-3456", "c-7890"]
    shown = [s for s in secrets if s in text]
    for secret in secrets:
        attack(secret in text)
    assert not shown
    assert "X-Tenant: acme" in text and "redis://:***@127.0.0.1:6379/0" in text


@pytest.mark.parametrize(
    ("said", "status", "local"),
    [
        ("STORE_CORRUPT", 500, LOCAL_STATE),
        ("INVALID_ARGUMENT", 400, USAGE),
        ("TIMEOUT", 504, NETWORK),
    ],
)
def test_a_server_cannot_choose_a_local_exit_status(
    sb: Sandbox, said: str, status: int, local: int
) -> None:
    def say(path: str, ok: int, doc: Any) -> Answer:
        return status, {"code": said, "message": "the server says so"}

    with HostileServer(say) as server:
        done = sb("--json", "--url", server.url, "discover", expect=None)
    assert done.error()["code"] == said
    attack(done.code == local)
    assert done.code == REFUSED


def test_raw_answers_follow_who_decided_too(sb: Sandbox) -> None:
    def say(path: str, ok: int, doc: Any) -> Answer:
        if path.startswith("/ath/proxy/"):
            return 500, {"code": "STORE_CORRUPT", "message": "upstream says so"}
        return ok, doc

    with HostileServer(say) as server:
        args = registered(sb, server)
        sb(*args, "token", "--code", "code-1", "--session", "sess-1")
        done = sb(*args, "proxy", "github", "GET", "/x", "--raw", expect=None)
    attack(done.code == LOCAL_STATE)
    assert done.code == REFUSED


def test_exit_status_classes_by_origin() -> None:
    assert exit_code("STORE_CORRUPT", None) == LOCAL_STATE  # the SDK's own finding
    assert exit_code("STORE_CORRUPT", 500, origin="server") == REFUSED
    assert exit_code("TIMEOUT", None, origin="transport") == NETWORK
    assert exit_code("TOKEN_REVOKED", 401, origin="server") == NOT_READY  # server classes kept
    assert exit_code("INVALID_RESPONSE", 200, origin="server") == BAD_RESPONSE


@pytest.mark.parametrize("where", ["flag", "env", "profile"])
@pytest.mark.parametrize("url", ["redis://[::1", "redis://127.0.0.1:notaport/0"])
def test_a_malformed_store_url_is_a_usage_error(sb: Sandbox, where: str, url: str) -> None:
    sb("keygen")
    args = ["--url", "http://127.0.0.1:9", "--agent-id", "https://agent.example/a.json"]
    env: dict[str, str] = {}
    if where == "flag":
        args += ["--store", url]
    elif where == "env":
        env["ATH_STORE"] = url
    else:
        sb("config", "set", "store", url)
    done = sb(*args, "whoami", env=env, expect=None)
    named = {"flag": "--store", "env": "ATH_STORE", "profile": "store in profile default"}
    crashed = "Traceback" in done.err or done.code != USAGE
    attack(crashed)
    assert not crashed, done
    assert named[where] in done.err


@pytest.mark.parametrize("bad", ["\r\n", "\n", "\r", "\x1b", "\t"])
def test_control_characters_in_ath_url_are_refused(sb: Sandbox, bad: str) -> None:
    done = sb("--json", "discover", env={"ATH_URL": f"http://127.0.0.1:9/{bad}x"}, expect=None)
    refused = done.code == USAGE and "ATH_URL" in done.error()["message"]
    attack(not refused)
    assert refused, done
