"""Errors whose class says whose fault: ATHServerError (with the answer's status and
headers), ATHTransportError and its ATHTimeoutError, ATHClientError; ``except ATHError``
catches them all, the codes are unchanged, and errors are built, never changed."""

from __future__ import annotations

import ast
import copy
import pickle
import socket
from pathlib import Path
from typing import Any

import pytest

import ath
import ath.exceptions
from ath import (
    ATHClientError,
    ATHError,
    ATHGatewayClient,
    ATHServerError,
    ATHTimeoutError,
    ATHTransportError,
    generate_private_key,
)
from ath._errormap import error_from_response
from ath.testing import follow_consent
from tests._support.servers import RawServer, closed_port, read_request, stall
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER
from tests.secrets.test_secrets import Scanner, exception_texts

ATH = Path(__file__).resolve().parents[2] / "ath"
AGENT = "https://agent.example/agent.json"
GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]
TOKEN = "tok_reflected_" + "t" * 40
SECRET = "cs_reflected_" + "s" * 40
CLASSES = (ATHClientError, ATHServerError, ATHTransportError, ATHTimeoutError)


def _client(url: str, **kwargs: Any) -> ATHGatewayClient:
    return ATHGatewayClient(
        url=url, agent_id=AGENT, private_key=generate_private_key(), max_retries=0, **kwargs
    )


def _reflecting(conn: socket.socket) -> None:
    """A careless server: a 502 page that reflects the request's Authorization header
    into its own headers, sets a cookie and names the request."""
    head = read_request(conn).decode("latin-1")
    auth = next(
        (
            line.split(":", 1)[1].strip()
            for line in head.split("\r\n")
            if line.lower().startswith("authorization:")
        ),
        "",
    )
    body = b"<html><body>bad gateway</body></html>"
    conn.sendall(
        f"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nX-Request-Id: req-7\r\n"
        f"X-Echo: {auth}\r\nSet-Cookie: session=cookie-value-secret\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


def test_the_classes_and_their_origin() -> None:
    assert all(issubclass(cls, ATHError) for cls in CLASSES)
    assert issubclass(ATHTimeoutError, ATHTransportError)
    origins = {cls: cls("SOME_CODE", "m").origin for cls in CLASSES}
    assert origins == {
        ATHClientError: "client",
        ATHServerError: "server",
        ATHTransportError: "transport",
        ATHTimeoutError: "transport",
    }
    for cls in CLASSES:  # importable from ath and from ath.exceptions, listed in __all__
        assert getattr(ath, cls.__name__) is cls is getattr(ath.exceptions, cls.__name__)
        assert cls.__name__ in ath.__all__ and cls.__name__ in ath.exceptions.__all__


def test_a_server_5xx_is_the_servers_with_status_and_headers_and_no_secret() -> None:
    with RawServer(_reflecting) as server, _client(server.url) as client:
        client.set_credentials("cid-1", SECRET)
        client.set_token(TOKEN, provider="github")
        with pytest.raises(ATHError) as caught:
            client.proxy("github", "GET", "/user")
    error = caught.value
    assert type(error) is ATHServerError
    assert (error.code, error.status, error.origin) == ("UPSTREAM_ERROR", 502, "server")
    assert error.headers["x-request-id"] == "req-7"
    assert error.headers["content-type"] == "text/html"
    assert error.headers["set-cookie"] == "***"  # masked by name
    # the Authorization value it reflected: that whole value is a secret the request
    # carried, found before the token inside it is replaced, so all of it goes
    assert error.headers["x-echo"] == "***"
    scanner = Scanner()
    scanner.add(TOKEN, "token")
    scanner.add(SECRET, "client secret")
    scanner.add("cookie-value-secret", "cookie")
    texts = exception_texts(error)
    assert any("req-7" in text for text in texts)  # the scan reads the headers
    assert [hit for text in texts if (hit := scanner.find(text))] == []
    assert "req-7" not in repr(error) and "req-7" not in str(error)


async def test_a_server_4xx_with_an_ath_code_is_the_servers(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, purpose="classes")
    auth = await client.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    await client.revoke()
    await client.set_token(token.access_token, provider="github")
    with pytest.raises(ATHError) as caught:
        await client.proxy("github", "GET", "/user")
    error = caught.value
    assert type(error) is ATHServerError
    assert (error.code, error.status) == ("TOKEN_REVOKED", 401)
    assert error.headers["content-type"].startswith("application/json")


def test_a_refused_connection_is_the_transports() -> None:
    with _client(f"http://127.0.0.1:{closed_port()}") as client, pytest.raises(ATHError) as caught:
        client.discover()
    assert type(caught.value) is ATHTransportError
    assert (caught.value.code, caught.value.origin) == ("CONNECTION_ERROR", "transport")


def test_a_timeout_is_the_transports_timeout() -> None:
    with (
        RawServer(stall) as server,
        _client(server.url, timeout=0.3) as client,
        pytest.raises(ATHTransportError) as caught,
    ):
        client.discover()
    assert type(caught.value) is ATHTimeoutError
    assert (caught.value.code, caught.value.origin) == ("TIMEOUT", "transport")


def test_bad_arguments_are_the_callers() -> None:
    with pytest.raises(ATHError) as caught:
        _client("ftp://gateway.example")
    assert type(caught.value) is ATHClientError and caught.value.code == "INVALID_ARGUMENT"
    with _client("http://127.0.0.1:9") as client:
        with pytest.raises(ATHError) as bad_provider:
            client.proxy("no such provider!", "GET", "/user")
        with pytest.raises(ATHError) as not_registered:
            client.authorize("github", ["read:user"])
    assert type(bad_provider.value) is ATHClientError
    assert bad_provider.value.code == "INVALID_ARGUMENT"
    assert type(not_registered.value) is ATHClientError
    assert (not_registered.value.code, not_registered.value.origin) == ("NOT_REGISTERED", "client")


def test_codes_are_unchanged() -> None:
    assert sorted(ath.CLIENT_CODES) == sorted(
        [
            "NOT_REGISTERED",
            "NO_TOKEN",
            "PROVIDER_MISMATCH",
            "NOT_DISCOVERED",
            "TOKEN_EXPIRED",
            "ALREADY_REGISTERED",
            "REGISTRATION_DENIED",
            "APPROVAL_TIMEOUT",
            "UNSUPPORTED_VERSION",
            "REGISTRATION_MISMATCH",
            "STATE_MISMATCH",
            "SESSION_NOT_FOUND",
            "USER_MISMATCH",
            "USER_DENIED",
            "PKCE_MISSING",
            "TOKEN_MISMATCH",
            "INVALID_ARGUMENT",
            "INVALID_KEY",
            "SIGNER_FAILED",
            "INSECURE_TRANSPORT",
            "CONNECTION_ERROR",
            "TIMEOUT",
            "TLS_ERROR",
            "RATE_LIMITED",
            "HTTP_ERROR",
            "INVALID_RESPONSE",
            "RESPONSE_TOO_LARGE",
            "UPSTREAM_ERROR",
            "GATEWAY_ERROR",
            "CLIENT_CLOSED",
            "CONSENT_TIMEOUT",
            "LOOPBACK_UNAVAILABLE",
            "CREDENTIALS_NOT_FOUND",
            "CREDENTIALS_INVALID",
            "CREDENTIALS_MISMATCH",
            "CREDENTIALS_INSECURE",
            "CREDENTIALS_WRITE_FAILED",
            "STORE_LOCK_TIMEOUT",
            "STORE_UNAVAILABLE",
            "STORE_CORRUPT",
            "STORE_MODE_MISMATCH",
        ]
    )


def test_copies_and_pickles_keep_the_class_and_the_fields() -> None:
    import httpx2

    response = httpx2.Response(503, text="down", headers={"Retry-After": "7", "X-Id": "a"})
    error = error_from_response(response, "discover")
    assert type(error) is ATHServerError
    for again in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):  # noqa: S301 - our own bytes
        assert type(again) is ATHServerError
        assert (again.code, again.message, again.status, again.details, again.headers) == (
            error.code,
            error.message,
            error.status,
            error.details,
            error.headers,
        )
        assert str(again) == str(error) and again.args == error.args
    timeout = pickle.loads(pickle.dumps(ATHTimeoutError("TIMEOUT", "slow")))  # noqa: S301
    assert type(timeout) is ATHTimeoutError and timeout.origin == "transport"


def test_replace_builds_a_new_error_and_keeps_class_cause_and_details() -> None:
    cause = OSError("disk")
    try:
        try:
            raise cause
        except OSError as exc:
            raise ATHClientError("STORE_UNAVAILABLE", "old", details={"k": 1}) from exc
    except ATHClientError as caught:
        error = caught
    changed = error.replace(message="new")
    assert type(changed) is ATHClientError and changed is not error
    assert (changed.code, changed.message, changed.details) == (
        "STORE_UNAVAILABLE",
        "new",
        {"k": 1},
    )
    assert changed.args == ("STORE_UNAVAILABLE", "new") and changed.__cause__ is cause
    assert (error.message, error.args[1]) == ("old", "old")  # the original is as it was
    with pytest.raises(TypeError):
        error.replace(headers={})  # a field the class does not have


def test_a_user_built_ath_error_keeps_its_inferred_origin() -> None:
    assert ATHError("TIMEOUT", "m").origin == "transport"
    assert ATHError("TOKEN_EXPIRED", "m", status=401).origin == "server"
    assert ATHError("NO_TOKEN", "m").origin == "client"


_ERROR_FIELDS = {"message", "code", "status", "details", "args", "headers", "origin", "_origin"}


def test_no_error_is_changed_after_it_is_built() -> None:
    """No ``something.message = ...`` (or code, status, details, args, headers, origin)
    anywhere in ath/ outside the error classes' own ``self``."""
    found = []
    for path in sorted(ATH.rglob("*.py")):
        if "testing" in path.relative_to(ATH).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        errors = {"exc", "error", "err", "clean", "copy"} | {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ExceptHandler) and node.name
        }
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in _ERROR_FIELDS
                    and isinstance(target.value, ast.Name)
                    and target.value.id in errors
                ):
                    found.append(f"{path.relative_to(ATH)}:{target.lineno}")
    assert found == []


def test_validation_checks_arguments_only() -> None:
    source = (ATH / "_validation.py").read_text(encoding="utf-8")
    assert "ATHServerError" not in source
    for code in ("INVALID_RESPONSE", "PKCE_MISSING"):
        assert code not in source
