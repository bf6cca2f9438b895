"""Errors in the command line's terms (issue 24): a table maps every code the CLI
advises on to a hint naming an ``ath`` command or flag, never a Python call; and
``--allow-insecure-http`` / ``ATH_ALLOW_INSECURE_HTTP`` reach a plain-http server
outside loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ath import (
    CLIENT_CODES,
    EXTENSION_CODES,
    PROTOCOL_CODES,
    ATHError,
    ATHGatewayClient,
    generate_private_key,
)
from ath.cli import _output as o
from ath.testing import LocalStack
from tests.cli._run import Sandbox

PYTHON_CALL = re.compile(r"\w\(\)|\w\(\w|\w=True")
AGENT = "https://agent.example/.well-known/agent.json"

#: Every code the SDK documents: the source of truth, not a copy of it.
DOCUMENTED = {**PROTOCOL_CODES, **EXTENSION_CODES, **CLIENT_CODES}


def _python_names() -> set[str]:
    """The SDK's Python spellings a person at a terminal cannot use: every public name of
    ``ath`` and every public attribute of the clients, as far as it is Python-shaped
    (``set_token``, ``FileStore``), not a plain word an ``ath`` command shares (``login``)."""
    import ath
    import ath.stores

    found = set(ath.__all__) | set(ath.stores.__all__)
    for cls in (ath.ATHGatewayClient, ath.ATHNativeClient, ath.AsyncATHGatewayClient):
        found |= {n for n in dir(cls) if not n.startswith("_")}
    return {n for n in found if "_" in n or re.search(r"[a-z][A-Z]", n)}


PYTHON_NAMES = _python_names()


def test_the_python_names_are_found() -> None:
    assert {"set_token", "load_credentials", "wait_for_token", "FileStore"} <= PYTHON_NAMES


@pytest.mark.parametrize("code", sorted(DOCUMENTED))
def test_every_documented_code_has_a_cli_hint(code: str) -> None:
    hint = o.CODE_HINTS.get(code)
    assert hint is not None, f"{code} has no hint in ath.cli._output.CODE_HINTS"
    assert re.search(r"`ath[ `]|(?<![\w-])--[a-z]", hint), hint  # an ath command or a flag
    assert not PYTHON_CALL.search(hint), hint
    named = {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", hint) if w in PYTHON_NAMES}
    assert not named, (hint, named)
    # what the command line shows for the code's own documented text: no Python advice
    shown = o.cli_message(code, DOCUMENTED[code])
    assert not PYTHON_CALL.search(shown), shown
    assert shown.endswith(f"To fix: {hint}.")


def test_the_hint_table_holds_only_documented_codes() -> None:
    assert set(o.CODE_HINTS) <= set(DOCUMENTED)


def test_exit_codes_prints_the_hint_table(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    doc = sb("--json", "exit-codes").json()
    assert set(doc["error_codes"]) == set(DOCUMENTED)
    for code, row in doc["error_codes"].items():
        assert row == {"exit_code": o.exit_code(code, None), "hint": o.CODE_HINTS[code]}
    text = sb("exit-codes").out
    assert all(f"  {code} " in text for code in DOCUMENTED)
    one = sb("exit-codes", "no_token").out
    assert one.split() == ["NO_TOKEN", str(o.NOT_READY), *o.CODE_HINTS["NO_TOKEN"].split()]
    assert "NOPE" in sb("exit-codes", "NOPE", expect=o.USAGE).err


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "NO_TOKEN",
            "no ATH token for provider 'github': run authorize() and exchange_token() "
            "(or finish_authorization()) first, or set_token().",
        ),
        (
            "INSECURE_TRANSPORT",
            "url 'http://x' uses plain http outside loopback; ATH requires HTTPS. Use "
            "https://, or pass allow_insecure_http=True for a trusted development network.",
        ),
        ("CONSENT_TIMEOUT", str(CLIENT_CODES["CONSENT_TIMEOUT"])),
    ],
)
def test_cli_messages_drop_python_advice(code: str, message: str) -> None:
    shown = o.cli_message(code, message)
    assert not PYTHON_CALL.search(shown), shown
    assert shown.endswith(o.CODE_HINTS[code] + ".")


def test_allow_insecure_http_flag_and_env(tmp_path: Path) -> None:
    with LocalStack() as stack:
        port = stack.gateway_url.rsplit(":", 1)[1]
        url = f"http://0.0.0.0:{port}"  # plain http, not a loopback name: refused by default
        sb = Sandbox(home=tmp_path)
        refused = sb("--url", url, "discover", expect=o.USAGE)
        assert "--allow-insecure-http" in refused.err and "=True" not in refused.err
        flagged = sb("--json", "--url", url, "--allow-insecure-http", "discover")
        assert "github" in flagged.out
        by_env = sb("--json", "--url", url, "discover", env={"ATH_ALLOW_INSECURE_HTTP": "1"})
        assert "github" in by_env.out


def test_json_after_the_subcommand(tmp_path: Path) -> None:
    with LocalStack() as stack:
        sb = Sandbox(home=tmp_path)
        after = sb("--url", stack.gateway_url, "discover", "--json").json()
        before = sb("--json", "--url", stack.gateway_url, "discover").json()
        assert after == before
        # a --json that is a -d value stays one: the error then shows as text, not JSON
        kept = sb("proxy", "github", "GET", "/x", "-d", "--json", expect=o.USAGE)
        assert not kept.err.lstrip().startswith("{"), kept.err


def test_local_problems_have_local_exit_statuses() -> None:
    for code in ("LOOPBACK_UNAVAILABLE", "REGISTRATION_MISMATCH", "INSECURE_TRANSPORT"):
        assert o.exit_code(code, None, origin="client") == o.USAGE, code
        assert o.exit_code(code, None, origin="client") != o.REFUSED


def test_tokens_held_only_for_other_providers_read_as_not_ready() -> None:
    """The SDK's own PROVIDER_MISMATCH (a token for github, a call for mail; nothing sent)
    asks for what NO_TOKEN asks for: a login for that provider, exit status "not ready"."""
    with ATHGatewayClient("http://127.0.0.1:9", AGENT, generate_private_key()) as client:
        client.set_token("held-for-github", "github")
        with pytest.raises(ATHError) as caught:
            client.proxy("mail", "GET", "/messages")
    error = caught.value
    assert (error.code, error.origin) == ("PROVIDER_MISMATCH", "client")
    assert o.exit_code(error.code, error.status, origin=error.origin) == o.NOT_READY
    shown = o.cli_message(error.code, error.message)
    assert "'github'" in shown and "'mail'" in shown and not PYTHON_CALL.search(shown)
    assert shown.endswith("To fix: " + o.CODE_HINTS["PROVIDER_MISMATCH"] + ".")


#: Codes the SDK raises on its own, without a server's word: every one of CLIENT_CODES
#: whose error, built without a status, is the SDK's or the network's (ATHError.origin).
LOCAL = sorted(c for c in CLIENT_CODES if ATHError(c, "x").origin != "server")


def test_the_local_codes_are_found() -> None:
    assert {"LOOPBACK_UNAVAILABLE", "APPROVAL_TIMEOUT", "USER_MISMATCH", "TIMEOUT"} <= set(LOCAL)
    assert "ALREADY_REGISTERED" not in LOCAL  # a server's 409


@pytest.mark.parametrize("code", LOCAL)
def test_every_local_code_exits_with_a_local_status(code: str) -> None:
    """Exit statuses by who decided: nothing decided here looks like a server refusing."""
    origin = ATHError(code, "x").origin
    status = o.exit_code(code, None, origin=origin)
    assert status != o.REFUSED, code
    assert status != o.FAILURE, code  # 1 is a bug's
    if origin == "transport":
        assert status == o.NETWORK
