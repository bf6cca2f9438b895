"""Hostile server answers and hostile arguments: every one ends in a clear ATHError.

Unencodable strings, JSON nested deeper than Python recurses, Retry-After values that
break number parsing, absurd lifetimes, malformed IPv6 URLs, redirects without state,
plain-http consent pages, proxy paths a lenient server reads as traversal or injection,
and equivalent spellings of the base URL.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from ath import ATHError, RetryPolicy
from tests._support.faults import AGENT_ID, CALLS, MOCK_URL, prepared
from tests._support.servers import CHALLENGE, FakeATH, attack, callback_url
from tests._support.shells import call, client_class, close

SHELLS = ("sync", "async")


async def outcome(awaitable_call: Any) -> tuple[str | None, BaseException | None]:
    """The ATHError code a call ended with (None: it succeeded), or what escaped."""
    try:
        await awaitable_call
    except ATHError as exc:
        return exc.code, None
    except Exception as exc:  # an escape
        return None, exc
    return None, None


def with_body(edit: Any) -> Any:
    """A responder that edits the correct JSON answer (``edit(path, body) -> text``)."""

    def respond(request: httpx2.Request, status: int, good: Any) -> httpx2.Response:
        text = edit(request.url.path, good)
        return httpx2.Response(
            status, content=text.encode(), headers={"Content-Type": "application/json"}
        )

    return respond


# --------------------------------------------------------------------------- 2: surrogates


@pytest.mark.parametrize("shell", SHELLS)
async def test_unencodable_server_strings_are_refused_when_parsed(shell: str, pem: str) -> None:
    register = next(c for c in CALLS if c.id == "gateway.register")
    for field in ("client_id", "client_secret", "agent_status"):
        async with prepared(shell, "gateway", pem=pem) as p:

            def edit(path: str, good: Any, field: str = field) -> str:
                if path.endswith("/register"):
                    return json.dumps(good).replace(f'"{field}": "', f'"{field}": "\\ud800')
                return json.dumps(good)

            p.fake.respond = with_body(edit)
            args, kwargs = register.args(p.ctx)
            code, escaped = await outcome(call(p.client, "register", *args, **kwargs))
            attack(escaped is not None or code != "INVALID_RESPONSE")
            # the held credentials are unchanged and still usable
            auth = await call(p.client, "authorize", "github", ["read:user"])
            assert auth.ath_session_id
    async with prepared(shell, "gateway", pem=pem) as p:
        for bad in (
            call(p.client, "set_credentials", "cid\ud800", "secret"),
            call(p.client, "proxy", "github", "POST", "/x", {"name": "a\udfff"}),
        ):
            code, escaped = await outcome(bad)
            attack(escaped is not None or code != "INVALID_ARGUMENT")


# --------------------------------------------------------------------------- 8: parsing

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("shell", SHELLS)
async def test_no_library_exception_escapes_on_server_input(shell: str, pem: str) -> None:
    cases: list[tuple[str, Any, set[str | None]]] = [
        ("discover", lambda path, good: '{"a": ' + DEEP + "}", {"INVALID_RESPONSE"}),
        ("discover", lambda path, good: DEEP, {"INVALID_RESPONSE"}),
        ("proxy", lambda path, good: '{"a": ' + DEEP + "}", {None}),  # the API's own data
        (
            "exchange_token",
            lambda path, good: json.dumps(good).replace(
                '"expires_in": 3600', '"expires_in": 1' + "0" * 400
            ),
            {"INVALID_RESPONSE"},
        ),
        (
            "exchange_token",
            lambda path, good: json.dumps(good).replace(
                '"expires_in": 3600', '"expires_in": 1e400'
            ),
            {"INVALID_RESPONSE"},
        ),
        (
            "authorize",
            lambda path, good: json.dumps(
                {**good, "authorization_url": f"https://[::1/a?code_challenge={CHALLENGE}"}
            ),
            {"INVALID_RESPONSE"},
        ),
    ]
    for method, edit, codes in cases:
        async with prepared(shell, "gateway", pem=pem, max_response_bytes=1 << 20) as p:
            p.fake.respond = with_body(edit)
            c = next(c for c in CALLS if c.mode == "gateway" and c.method == method)
            args, kwargs = c.args(p.ctx)
            code, escaped = await outcome(call(p.client, method, *args, **kwargs))
            attack(escaped is not None or code not in codes)
    # an error answer nested too deep
    async with prepared(shell, "gateway", pem=pem, max_response_bytes=1 << 20) as p:
        p.fake.respond = lambda r, s, g: httpx2.Response(403, content=DEEP.encode())
        code, escaped = await outcome(call(p.client, "proxy", "github", "GET", "/user"))
        attack(escaped is not None or code != "UPSTREAM_ERROR")
    # Retry-After that breaks number and date parsing
    for value in ("²", "١٢", "Wed, 21 Oct 99999999999999999999 07:28:00 GMT", "9" * 400):
        async with prepared(shell, "gateway", pem=pem, retry=RetryPolicy(max_retries=1)) as p:
            p.fake.respond = lambda r, s, g, v=value: httpx2.Response(
                503, headers=[(b"Retry-After", v.encode())]
            )
            code, escaped = await outcome(call(p.client, "discover"))
            attack(escaped is not None or code != "HTTP_ERROR")
    # a body nested too deep, given by the caller
    async with prepared(shell, "gateway", pem=pem) as p:
        body: Any = []
        for _ in range(100_000):
            body = [body]
        code, escaped = await outcome(call(p.client, "proxy", "github", "POST", "/x", body))
        del body
        attack(escaped is not None or code != "INVALID_ARGUMENT")


@pytest.mark.parametrize("shell", SHELLS)
async def test_malformed_ipv6_urls_are_clear_errors(shell: str, pem: str) -> None:
    for field in ("api_base", "authorization_endpoint", "token_endpoint"):
        async with prepared(shell, "native", pem=pem) as p:

            def edit(path: str, good: Any, field: str = field) -> str:
                if path.endswith("ath-app.json"):
                    if field == "api_base":
                        good = {**good, "api_base": "https://[::1"}
                    else:
                        good = {**good, "auth": {**good["auth"], field: "https://[::1/x"}}
                return json.dumps(good)

            p.fake.respond = with_body(edit)
            code, escaped = await outcome(call(p.client, "discover"))
            attack(escaped is not None or code != "INVALID_RESPONSE")
    async with prepared(shell, "gateway", pem=pem) as p:
        for bad in (
            call(p.client, "finish_authorization", "https://[::1/cb?code=x&state=y"),
            call(p.client, "authorize", "github", ["read:user"], "https://[::1/cb"),
            call(
                p.client,
                "register",
                {"name": "a", "id": "a"},
                [{"provider_id": "github", "scopes": ["x"]}],
                None,
                ["https://[::1/cb"],
            ),
        ):
            code, escaped = await outcome(bad)
            attack(escaped is not None or code != "INVALID_ARGUMENT")
    with pytest.raises(ATHError) as info:
        client_class("gateway", shell)(url="https://[::1", agent_id=AGENT_ID, private_key=pem)
    attack(info.value.code != "INVALID_ARGUMENT")


# --------------------------------------------------------------------------- 10, 11: consent


@pytest.mark.parametrize("shell", SHELLS)
async def test_a_code_without_state_is_not_redeemed(shell: str, pem: str) -> None:
    async with prepared(shell, "gateway", pem=pem) as p:
        sid = p.ctx.session_id
        code, _ = await outcome(
            call(p.client, "finish_authorization", "https://127.0.0.1:9/cb?code=stolen", sid)
        )
        attack(code != "STATE_MISMATCH" or any(r.url.path == "/ath/token" for r in p.fake.requests))
        # the spec's code-less completion stays accepted, matched by session
        token = await call(
            p.client,
            "finish_authorization",
            f"https://127.0.0.1:9/cb?session_id={sid}&success=true",
        )
        assert token.provider_id == "github"
        # and the normal shape still works
        auth = await call(p.client, "authorize", "github", ["read:user"])
        await call(p.client, "finish_authorization", callback_url(auth.state), auth.ath_session_id)


@pytest.mark.parametrize("shell", SHELLS)
async def test_plain_http_consent_pages_are_refused_outside_loopback(shell: str, pem: str) -> None:
    for url, refused in (
        (
            f"http://consent.example/authorize?code_challenge={CHALLENGE}&code_challenge_method=S256",
            True,
        ),
        (
            f"http://127.0.0.1:8/authorize?code_challenge={CHALLENGE}&code_challenge_method=S256",
            False,
        ),
        (
            f"https://consent.example/authorize?code_challenge={CHALLENGE}&code_challenge_method=S256",
            False,
        ),
    ):
        async with prepared(shell, "gateway", pem=pem) as p:
            p.fake.respond = with_body(
                lambda path, good, u=url: json.dumps(
                    {**good, "authorization_url": u} if path.endswith("/authorize") else good
                )
            )
            code, escaped = await outcome(call(p.client, "authorize", "github", ["read:user"]))
            attack(escaped is not None or (code == "INSECURE_TRANSPORT") != refused)
    async with prepared(shell, "native", pem=pem) as p:

        def edit(path: str, good: Any) -> str:
            if path.endswith("ath-app.json"):
                good = {
                    **good,
                    "auth": {
                        **good["auth"],
                        "authorization_endpoint": "http://auth.example/authorize",
                    },
                }
            return json.dumps(good)

        p.fake.respond = with_body(edit)
        await call(p.client, "discover")
        with pytest.raises(ATHError) as info:
            p.client.oauth_start("oauth-client", "https://127.0.0.1:9/cb", ["read"])
        attack(info.value.code != "INSECURE_TRANSPORT")


# --------------------------------------------------------------------------- 13: paths

HOSTILE_PATHS = [
    "x%0d%0aX-Injected:%201",
    "x%0aX-Injected: 1",
    "x%250d%250aX-Injected",
    "\uff0e\uff0e/admin",
    "a/\uff0e\uff0e/admin",
    "%EF%BC%8E%EF%BC%8E/admin",
    "%25EF%25BC%258E%25EF%25BC%258E/admin",
    "%c0%ae%c0%ae/admin",
    "%ff/admin",
    "a/%e2%80%a8b",
    "\uff0e/admin",
    "a/\uff0f\uff0e\uff0e/admin",
    "a/%ef%bc%85%32%65%ef%bc%85%32%65/admin",
]


@pytest.mark.parametrize("shell", SHELLS)
async def test_paths_a_lenient_server_reads_as_traversal_are_refused(shell: str, pem: str) -> None:
    async with prepared(shell, "gateway", pem=pem) as p:
        for path in HOSTILE_PATHS:
            code, escaped = await outcome(call(p.client, "proxy", "github", "GET", path))
            attack(escaped is not None or code != "INVALID_ARGUMENT")
        assert p.fake.requests == []
        for fine in ("/user/repos", "/files/caf\u00e9", "/a%20b", "/v1/items;v=2"):
            await call(p.client, "proxy", "github", "GET", fine)
    async with prepared(shell, "native", pem=pem) as p:
        for path in ("\uff0e\uff0e/\uff0e\uff0e/ath/token", *HOSTILE_PATHS):
            code, escaped = await outcome(call(p.client, "api", "GET", path))
            attack(escaped is not None or code != "INVALID_ARGUMENT")
        assert p.fake.requests == []


# --------------------------------------------------------------------------- 19: base URL


@pytest.mark.parametrize("shell", SHELLS)
async def test_equivalent_spellings_of_the_base_url_work(shell: str, pem: str) -> None:
    for url in (
        "https://GW.example",
        "https://gw.example:443",
        "HTTPS://Gw.Example:443/base/",
        "http://LOCALHOST:80",
    ):
        fake = FakeATH(AGENT_ID, url)
        client = client_class("gateway", shell)(
            url=url, agent_id=AGENT_ID, private_key=pem, transport=fake.transport()
        )
        client.set_token("ath_tk_spelling_secret", "github")
        try:
            code, escaped = await outcome(call(client, "proxy", "github", "GET", "/user"))
        finally:
            await close(client)
        attack(escaped is not None or code is not None)
        assert (
            client.url == client.url.lower()
            and ":443" not in client.url
            and ":80" not in client.url
        )
    assert MOCK_URL.startswith("https://")
