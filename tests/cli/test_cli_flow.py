"""The ``ath`` console script, run as child processes against a local stack started here.

Each command is a new process: what one command stores (registration, tokens) the next
one reads. Outputs are parsed as JSON where ``--json`` is given, exit statuses are
asserted, and no secret appears in any output.
"""

from __future__ import annotations

import json
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ath.testing import LocalStack, follow_consent
from ath.testing._agent_hosting import public_key_from_jwk
from tests._support.procs import popen
from tests.cli._run import Sandbox, console_script

USAGE, NOT_READY, REFUSED, NETWORK = 2, 3, 5, 6


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(home=tmp_path)


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


def _store_file(sb: Sandbox) -> Path:
    """The FileStore every command of this sandbox shares (the default store)."""
    path = sb.home / "data" / "ath-sdk" / "store.json"
    assert path.is_file(), sorted(str(p) for p in sb.home.rglob("*"))
    return path


def _secret_values(doc: Any) -> Iterator[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("client_secret", "access_token") and isinstance(value, str) and value:
                yield value
            else:
                yield from _secret_values(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _secret_values(item)


def _items(doc: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of a JSON document, at any depth."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield key, value
            yield from _items(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _items(value)


def _secrets_in(store: Path) -> list[str]:
    found = sorted(set(_secret_values(json.loads(store.read_text()))))
    assert found, "the store holds no secret"
    return found


def _key_material(path: Path) -> list[str]:
    body = [line for line in path.read_text().splitlines() if not line.startswith("-----")]
    return ["".join(body), *[line for line in body if len(line) > 20]]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _host_identity(stack: LocalStack, sb: Sandbox, name: str) -> str:
    """keygen -> identity -> the stack serves that document's key at the agent id."""
    keygen = sb("--json", "keygen").json()
    key_file = Path(keygen["path"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert set(keygen["public_jwk"]) >= {"kty", "crv", "x", "y", "kid"}
    assert "d" not in keygen["public_jwk"]

    agent_id = f"{stack.agents_url}/agents/{name}/.well-known/agent.json"
    doc: dict[str, Any] = sb(
        "--json",
        "identity",
        "--agent-id",
        agent_id,
        "--name",
        name,
        "--developer-name",
        "Acme",
        "--developer-id",
        "acme",
    ).json()
    assert doc["agent_id"] == agent_id and doc["name"] == name
    assert doc["public_key"]["kid"] == keygen["key_id"]
    assert "d" not in doc["public_key"]
    hosted = stack.host_agent(
        public_key_from_jwk(doc["public_key"]), name=name, developer=doc["developer"]
    )
    assert hosted == agent_id
    return agent_id


def _login(sb: Sandbox, provider: str, *scopes: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """``ath --json login --no-browser`` in a child process, consent given here meanwhile;
    returns the first JSON line, the last one, and everything the process printed."""
    proc = popen(  # own group, dies with the test process
        [console_script(), "--json", "login", provider, *scopes, "--no-browser", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sb.environment(),
        cwd=sb.home,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert set(first) == {"authorization_url", "ath_session_id"}
        assert follow_consent(first["authorization_url"]).ok
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    last = json.loads([line for line in out.splitlines() if line.strip()][-1])
    return first, last, out + err


def test_whole_flow_in_separate_processes(stack: LocalStack, sandbox: Sandbox) -> None:
    sb = sandbox
    agent_id = _host_identity(stack, sb, "cli-agent")
    key_secrets = _key_material(sb.data() / "agent-key.pem")
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})

    # keygen refuses to overwrite the key every later command relies on.
    refused = sb("--json", "keygen", expect=USAGE)
    assert refused.error()["code"] == "INVALID_ARGUMENT"

    catalog = sb("--json", "discover").json()
    assert {p["provider_id"] for p in catalog["supported_providers"]} >= {"github", "mail"}

    # Before registering, whoami says so in words (and how), not "client_id: None".
    unregistered = sb("whoami").out
    assert "None" not in unregistered
    assert "client_id: not registered (ath register)" in unregistered
    assert sb("--json", "whoami").json()["client_id"] is None

    reg = sb(
        "--json",
        "register",
        "--provider",
        "github:read:user,repo",
        "--provider",
        "mail:mail:read",
        "--purpose",
        "cli test",
        "--developer-name",
        "Acme",
        "--developer-id",
        "acme",
    ).json()
    assert reg["client_secret"] == "***"
    assert reg["agent_status"] == "approved"
    approved = {a["provider_id"]: a["approved_scopes"] for a in reg["approved_providers"]}
    assert approved == {"github": ["read:user", "repo"], "mail": ["mail:read"]}
    store = _store_file(sb)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    # login --no-browser: the first line comes before the wait; the test is the browser.
    first, tok, login_out = _login(sb, "github", "read:user", "repo")
    assert first["authorization_url"].startswith(stack.gateway_url)
    assert tok["access_token"] == "***"
    assert tok["provider_id"] == "github"
    assert sorted(tok["effective_scopes"]) == ["read:user", "repo"]

    user = sb("--json", "proxy", "github", "GET", "/user").json()
    assert set(user) == {"body"} and user["body"]["login"]
    created = sb(
        "--json", "proxy", "github", "POST", "/user/repos", "-d", '{"name": "from-cli"}'
    ).json()
    assert created["body"]["name"] == "from-cli"
    raw = sb("--json", "proxy", "--raw", "github", "POST", "/user/repos", "-d", '{"name": "r"}')
    assert raw.json()["status"] == 201 and raw.json()["body"]["name"] == "r"
    raw_text = sb("proxy", "--raw", "github", "GET", "/zen")
    assert raw_text.out and not raw_text.out.startswith("{")
    body_file = sb.home / "body.json"
    body_file.write_text('{"name": "from-file"}')
    from_file = sb("--json", "proxy", "github", "POST", "/user/repos", "-d", f"@{body_file}")
    assert from_file.json()["body"]["name"] == "from-file"
    text = sb("proxy", "github", "GET", "/user")
    assert json.loads(text.out)["login"] == user["body"]["login"]

    status = sb("--json", "status").json()
    assert status["server"]["agent_status"] == "approved"
    assert status["server"]["agent_id"] == agent_id
    assert [t["provider_id"] for t in status["local"]["tokens"]] == ["github"]
    assert status["local"]["tokens"][0]["access_token"] == "***"

    who = sb("--json", "whoami").json()
    assert who["agent_id"] == agent_id and who["registered"] is True

    # The one explicit way to see a secret.
    secrets = _secrets_in(store)
    shown = sb("token", "--show").out.strip()
    assert shown in secrets
    sb.transcript.pop()  # the only output allowed to hold a secret

    kept = sb.home / "before-revoke.json"
    shutil.copy2(store, kept)
    assert sb("--json", "revoke", "--all").json() == {"revoked": ["github"]}
    gone = sb("--json", "proxy", "github", "GET", "/user", expect=NOT_READY)
    assert gone.error()["code"] == "NO_TOKEN"

    # A revoked token the server refuses, and a server that is not there: two classes.
    shutil.copy2(kept, store)
    raw_revoked = sb("--json", "proxy", "--raw", "github", "GET", "/user", expect=NOT_READY)
    assert raw_revoked.json()["status"] == 401
    shutil.copy2(kept, store)  # the SDK forgot the revoked token; put it back once more
    revoked = sb("--json", "proxy", "github", "GET", "/user", expect=NOT_READY)
    assert revoked.error() == {
        "code": "TOKEN_REVOKED",
        "message": revoked.error()["message"],
        "status": 401,
    }
    closed = sb("--json", "--url", f"http://127.0.0.1:{_closed_port()}", "discover", expect=NETWORK)
    assert closed.error()["code"] == "CONNECTION_ERROR"

    # login, proxy, logout (forgets the tokens, keeps the registration), login again
    _login(sb, "github", "read:user")
    assert sb("--json", "proxy", "github", "GET", "/user").json()["body"]["login"]
    out = sb("--json", "logout").json()
    assert out["revoked"] == ["github"]
    assert out["forgot"] is True and out["kept_registration"] is True
    kept_doc = json.loads(store.read_text())
    assert not [v for k, v in _items(kept_doc) if k == "access_token"]
    client_secret = [v for k, v in _items(kept_doc) if k == "client_secret"]
    assert client_secret  # the one copy of what the server will not show again
    assert sb("status", "--json").json()["local"]["tokens"] == []  # --json after it too
    _login(sb, "github", "read:user")
    assert sb("--json", "proxy", "github", "GET", "/user").json()["body"]["login"]

    # --forget-registration: the old, final logout, with a warning
    final = sb("logout", "--forget-registration")
    assert "Warning" in final.out and "ath credentials import" in final.out
    assert not list(_secret_values(json.loads(store.read_text())))
    after = sb("--json", "status", expect=NOT_READY)
    assert after.error()["code"] == "NOT_REGISTERED"
    again = sb(
        "--json",
        "register",
        "--provider",
        "github:read:user",
        "--developer-name",
        "A",
        "--developer-id",
        "a",
        expect=REFUSED,
    )
    conflict = again.error()
    assert conflict["code"] == "ALREADY_REGISTERED"
    assert "ath credentials import" in conflict["message"] and "()" not in conflict["message"]
    # the credentials, given back from stdin, make the agent usable again
    creds = {"client_id": reg["client_id"], "client_secret": client_secret[0]}
    imported = sb("--json", "credentials", "import", "-", stdin=json.dumps(creds)).json()
    assert imported["client_id"] == reg["client_id"]
    sb.transcript.pop()  # its stdin held the secret
    assert sb("--json", "status").json()["server"]["agent_status"] == "approved"
    _login(sb, "github", "read:user")
    assert sb("--json", "proxy", "github", "GET", "/user").json()["body"]["login"]

    everything = sb.all_output()
    for secret in [*secrets, *key_secrets]:
        assert secret not in everything and secret not in login_out


def test_scope_refusal_and_upstream_errors_are_server_refusals(
    stack: LocalStack, sandbox: Sandbox
) -> None:
    sb = sandbox
    agent_id = _host_identity(stack, sb, "cli-refused")
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
    sb("register", "--provider", "github:read:user", "--developer-name", "A", "--developer-id", "a")
    auth = sb("--json", "authorize", "github", "read:user").json()
    consent = follow_consent(auth["authorization_url"])
    assert consent.code is not None
    sb("token", "--code", consent.code, "--session", auth["ath_session_id"])
    refused = sb("--json", "proxy", "github", "POST", "/user/repos", "-d", "{}", expect=REFUSED)
    assert refused.error()["code"] == "SCOPE_NOT_APPROVED"
    text = sb("proxy", "github", "POST", "/user/repos", "-d", "{}", expect=REFUSED)
    assert "SCOPE_NOT_APPROVED" in text.err and text.out == ""
    bad_json = sb("--json", "proxy", "github", "POST", "/user/repos", "-d", "{nope", expect=USAGE)
    assert bad_json.error()["code"] == "INVALID_ARGUMENT"


def test_native_service_api(stack: LocalStack, sandbox: Sandbox) -> None:
    sb = sandbox
    agent_id = _host_identity(stack, sb, "cli-native")
    sb.env.update({"ATH_URL": stack.native_url, "ATH_AGENT_ID": agent_id, "ATH_MODE": "native"})
    doc = sb("--json", "discover", "--native").json()
    app = doc["app_id"]
    assert app == stack.native_app_id
    assert "products:read" in doc["auth"]["scopes_supported"]
    sb(
        "register",
        "--provider",
        f"{app}:products:read,orders:write",
        "--developer-name",
        "A",
        "--developer-id",
        "a",
    )
    auth = sb("--json", "authorize", app, "products:read", "orders:write").json()
    consent = follow_consent(auth["authorization_url"])
    assert consent.code is not None
    sb("token", "--code", consent.code, "--session", auth["ath_session_id"])
    products = sb("--json", "api", "GET", "/products").json()
    assert products["body"]["products"]
    order = sb("--json", "api", "POST", "/orders", "-d", '{"product_id": "p1", "quantity": 1}')
    assert order.json()["body"]["status"] == "placed"
    whoami = sb("--json", "whoami").json()
    assert whoami["mode"] == "native" and whoami["tokens"][0]["provider_id"] == app
    assert sb("--json", "revoke", "--all").json() == {"revoked": [app]}


def test_logout_keeps_state_when_revocation_fails(stack: LocalStack, sandbox: Sandbox) -> None:
    sb = sandbox
    agent_id = _host_identity(stack, sb, "cli-logout")
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})
    sb("register", "--provider", "github:read:user", "--developer-name", "A", "--developer-id", "a")
    _login(sb, "github", "read:user")
    store = _store_file(sb)
    before = _secrets_in(store)
    stack.stop()  # the server goes away: the token cannot be revoked
    down = sb("--json", "logout", expect=NETWORK)
    assert down.error()["code"] == "CONNECTION_ERROR"
    assert _secrets_in(store) == before  # nothing forgotten, nothing lost
    offline = sb("--json", "proxy", "github", "GET", "/user", expect=NETWORK)
    assert offline.error()["code"] == "CONNECTION_ERROR"
