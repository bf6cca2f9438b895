"""Errors in the command line's terms (issue 24): a table maps every code the CLI
advises on to a hint naming an ``ath`` command or flag, never a Python call; and
``--allow-insecure-http`` / ``ATH_ALLOW_INSECURE_HTTP`` reach a plain-http server
outside loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ath import CLIENT_CODES, PROTOCOL_CODES, ATHError, ATHGatewayClient, generate_private_key
from ath.cli import _output as o
from ath.testing import LocalStack
from tests.cli._run import Sandbox

PYTHON_CALL = re.compile(r"\w\(\)|\w\(\w|\w=True")
AGENT = "https://agent.example/.well-known/agent.json"


@pytest.mark.parametrize("code", sorted(o.CODE_HINTS))
def test_every_hint_names_an_ath_command_or_flag(code: str) -> None:
    hint = o.CODE_HINTS[code]
    assert code in CLIENT_CODES or code in PROTOCOL_CODES
    assert "`ath " in hint or "--" in hint, hint
    assert not PYTHON_CALL.search(hint), hint


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
    assert shown.endswith("To fix: " + o.CODE_HINTS["NO_TOKEN"] + ".")
