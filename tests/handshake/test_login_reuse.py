"""``login()`` returns a held token that covers the ask without asking for consent
(issue 24): also one another process shared through a store; ``force=True`` and a
wider ask consent again. Consent asks are counted by the URLs handed out, and the
stack counts the consents it gave (``LocalStack.counters``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from ath import Token
from ath._coverage import REUSE_LEEWAY, missing_scopes, token_covers
from ath.stores import FileStore
from ath.testing import LocalStack, follow_consent
from tests._support.shells import Either, MakeClient
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


class Person:
    """Consents to every URL it is handed (in a thread, while the login polls)."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> None:
        self.urls.append(url)
        worker = threading.Thread(target=follow_consent, args=(url,), daemon=True)
        worker.start()
        self.threads.append(worker)

    def join(self) -> None:
        for worker in self.threads:
            worker.join(60)


async def _login(client: Either, person: Person, scopes: list[str], **kwargs: Any) -> Token:
    token: Token = await client.login(
        "github", scopes, open_browser=False, timeout=60, on_authorization_url=person, **kwargs
    )
    person.join()
    return token


async def test_a_second_login_reuses_the_held_token(
    make_client: MakeClient, stack: LocalStack
) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    person = Person()
    before = stack.counters
    first = await _login(client, person, ["read:user"])
    again = await _login(client, person, ["read:user"])
    assert len(person.urls) == 1  # no second consent
    counted = stack.counters - before
    assert (counted.authorization_requests, counted.consents_approved) == (1, 1)
    assert again.access_token == first.access_token
    forced = await _login(client, person, ["read:user"], force=True)
    assert len(person.urls) == 2 and forced.access_token != first.access_token
    assert (stack.counters - before).consents_approved == 2


async def test_a_wider_ask_consents_again(make_client: MakeClient) -> None:
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    person = Person()
    await _login(client, person, ["read:user"])
    wider = await _login(client, person, ["read:user", "repo"])
    assert len(person.urls) == 2
    assert sorted(wider.effective_scopes) == ["read:user", "repo"]
    narrower = await _login(client, person, ["repo"])
    assert len(person.urls) == 2 and narrower.access_token == wider.access_token


async def test_a_token_shared_through_a_store_is_reused(
    make_client: MakeClient, tmp_path: Path
) -> None:
    path = tmp_path / "store.json"
    a = make_client(store=FileStore(path))
    b = make_client(store=FileStore(path))
    await a.register(developer=DEVELOPER, providers=GITHUB)
    person = Person()
    token = await _login(a, person, ["read:user"])
    await b.register(developer=DEVELOPER, providers=GITHUB)  # from the store
    shared = await _login(b, person, ["read:user"])
    assert len(person.urls) == 1 and shared.access_token == token.access_token


def _token(provider: str | None, scopes: list[str], expires_in: int | None) -> Token:
    return Token(
        access_token="t",
        token_type="Bearer",
        expires_in=expires_in,
        effective_scopes=scopes,
        provider_id=provider,
        agent_id="a",
        scope_intersection=None,
        expires_at=None if expires_in is None else time.time() + expires_in,
    )


def test_token_covers_the_ask() -> None:
    held = _token("github", ["read:user", "repo"], 3600)
    assert token_covers(held, "github", ["read:user"])
    assert token_covers(held, "github", ["repo", "read:user", "repo"])
    assert not token_covers(held, "slack", ["read:user"])
    assert not token_covers(held, "github", ["read:user", "admin"])
    assert missing_scopes(held, ["admin", "repo", "admin"]) == ["admin"]
    assert not token_covers(None, "github", ["read:user"])
    assert not token_covers(_token("github", ["repo"], int(REUSE_LEEWAY) - 5), "github", ["repo"])
    assert token_covers(_token("github", ["repo"], None), "github", ["repo"])
    assert token_covers(_token(None, ["repo"], None), "github", ["repo"])  # set_token's
