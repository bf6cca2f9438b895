"""Step-up, opt in: ``proxy(..., step_up=...)`` / ``api(..., step_up=...)`` turn a
``SCOPE_NOT_APPROVED`` that names the scopes needed into one consent for the union of
held and needed scopes (the caller's consent path runs), then the call succeeds;
``login(..., step_up=True)`` asks for held + asked scopes. By default nothing changes."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ath import ATHError, Token
from ath.testing import LocalStack, follow_consent
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


async def _consent(client: Any, provider: str, scopes: list[str]) -> Token:
    auth = await client.authorize(provider, scopes)
    consent = follow_consent(auth.authorization_url)
    token: Token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    return token


def _consent_path(client: Any, asked: list[tuple[str, list[str]]]) -> Any:
    """The caller's consent path, as a function of the client's shell."""
    if client.is_async:

        async def aconsent(provider: str, scopes: list[str]) -> Token:
            asked.append((provider, scopes))
            return await _consent(client, provider, scopes)

        return aconsent

    def consent(provider: str, scopes: list[str]) -> Token:
        asked.append((provider, scopes))
        auth = client.client.authorize(provider, scopes)
        code = follow_consent(auth.authorization_url).code or ""
        token: Token = client.client.exchange_token(code, auth.ath_session_id)
        return token

    return consent


async def test_default_is_unchanged(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    await _consent(client, "github", ["read:user"])
    with pytest.raises(ATHError) as refused:
        await client.proxy("github", "GET", "/user/repos")
    assert refused.value.code == "SCOPE_NOT_APPROVED"
    assert refused.value.details["required_scopes"] == ["repo"]
    assert client.tokens["github"].effective_scopes == ["read:user"]


async def test_step_up_runs_one_consent_for_the_union(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    await _consent(client, "github", ["read:user"])
    asked: list[tuple[str, list[str]]] = []
    repos = await client.proxy("github", "GET", "/user/repos", step_up=_consent_path(client, asked))
    assert isinstance(repos, list)
    assert asked == [("github", ["read:user", "repo"])]  # one consent, held + needed
    assert client.tokens["github"].effective_scopes == ["read:user", "repo"]
    assert await client.proxy("github", "GET", "/user")  # the held scope still works
    # covered now: no further consent
    await client.proxy("github", "GET", "/user/repos", step_up=_consent_path(client, asked))
    assert len(asked) == 1


async def test_step_up_on_a_native_service(make_client: MakeClient, stack: LocalStack) -> None:
    client = make_client("native")
    await client.discover()
    app = stack.native_app_id
    await client.register(
        developer=DEVELOPER,
        providers=[{"provider_id": app, "scopes": ["orders:read", "orders:write"]}],
    )
    await _consent(client, app, ["orders:read"])
    asked: list[tuple[str, list[str]]] = []
    created = await client.api(
        "POST", "/orders", {"item": "x", "quantity": 1}, step_up=_consent_path(client, asked)
    )
    assert created
    assert asked == [(app, ["orders:read", "orders:write"])]


async def test_a_refusal_the_consent_cannot_fix_is_raised(make_client: MakeClient) -> None:
    client = make_client()
    # registered for read:user only: the consent for repo cannot widen the token
    await client.register(
        developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
    )
    await _consent(client, "github", ["read:user"])
    asked: list[tuple[str, list[str]]] = []
    with pytest.raises(ATHError) as refused:
        await client.proxy("github", "GET", "/user/repos", step_up=_consent_path(client, asked))
    assert refused.value.code == "SCOPE_NOT_APPROVED"
    assert len(asked) == 1  # one consent, never a loop


async def test_bad_step_up(make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(ATHError) as bad:
        await client.proxy("github", "GET", "/user", step_up="yes")
    assert bad.value.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize("step_up", [False, True])
async def test_login_step_up_asks_for_held_and_asked(
    make_client: MakeClient, step_up: bool
) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    await _consent(client, "github", ["read:user"])
    urls: list[str] = []
    users: list[threading.Thread] = []

    def on_url(url: str) -> None:
        urls.append(url)
        user = threading.Thread(target=follow_consent, args=(url,))
        user.start()
        users.append(user)

    token = await client.login(
        "github", ["repo"], open_browser=False, on_authorization_url=on_url, step_up=step_up
    )
    for user in users:
        user.join()
    assert len(urls) == 1
    expected = ["read:user", "repo"] if step_up else ["repo"]
    assert token.effective_scopes == expected
