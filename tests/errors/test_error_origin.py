"""ATHError.origin says whose fault an error is; the protocol code table matches the spec."""

from __future__ import annotations

import json
import pickle
import socket
from pathlib import Path

import pytest

from ath import EXTENSION_CODES, PROTOCOL_CODES, ATHError, ATHGatewayClient, generate_private_key
from ath.testing import follow_consent
from ath.testing._errors import ErrorCode
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER

SPEC = Path(__file__).resolve().parents[2] / "spec" / "dist" / "openapi.json"
GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_the_same_code_told_apart_by_origin(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, purpose="origin")
    with pytest.raises(ATHError) as no_token:
        await client.proxy("github", "GET", "/user")
    assert no_token.value.code == "NO_TOKEN" and no_token.value.origin == "client"

    auth = await client.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    leaked = token.access_token
    await client.revoke()
    await client.set_token(leaked, provider="github")
    with pytest.raises(ATHError) as revoked:
        await client.proxy("github", "GET", "/user")
    assert revoked.value.code == "TOKEN_REVOKED"
    assert revoked.value.origin == "server" and revoked.value.status == 401


def test_transport_faults_are_the_transports() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with (
        ATHGatewayClient(
            url=url,
            agent_id="https://a.example/agent.json",
            private_key=generate_private_key(),
            max_retries=0,
        ) as client,
        pytest.raises(ATHError) as exc,
    ):
        client.discover()
    assert exc.value.code == "CONNECTION_ERROR" and exc.value.origin == "transport"


@pytest.mark.parametrize(
    ("code", "status", "origin"),
    [
        ("TOKEN_EXPIRED", 401, "server"),
        ("TOKEN_EXPIRED", None, "client"),
        ("SESSION_NOT_FOUND", None, "client"),
        ("INVALID_RESPONSE", None, "server"),
        ("TIMEOUT", None, "transport"),
        ("INVALID_ARGUMENT", None, "client"),
    ],
)
def test_default_origin(code: str, status: int | None, origin: str) -> None:
    assert ATHError(code, "m", status=status).origin == origin


def test_explicit_origin_kept_through_pickle() -> None:
    error = ATHError("OAUTH_ERROR", "m", origin="transport", details={"a": 1})
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (again.code, again.origin, again.details) == ("OAUTH_ERROR", "transport", {"a": 1})
    assert "origin='transport'" in repr(again)


def test_protocol_code_tables_match_the_spec() -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    enum = spec["components"]["schemas"]["ATHErrorCode"]["enum"]
    extension = spec["components"]["schemas"]["ATHExtensionErrorCode"]["enum"]
    assert list(PROTOCOL_CODES) == enum
    assert list(EXTENSION_CODES) == extension
    assert not set(extension) & set(enum)
    # the stack sends every extension code but RATE_LIMITED (it does not rate limit)
    assert [c.value for c in ErrorCode] == enum + [c for c in extension if c != "RATE_LIMITED"]
