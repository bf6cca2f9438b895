"""Expiry awareness: ``Token.expires_in_seconds`` and :class:`ath.ExpiryWatch`, with tokens
from the local stack and an injected wall clock (nothing waits for real)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from ath import ATHError, ExpiryWatch, Token
from ath.testing import LocalStack, follow_consent
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]


async def _token(client: Any) -> Token:
    await client.register(developer=DEVELOPER, providers=GITHUB)
    auth = await client.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    token: Token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    return token


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_seconds_left(make_client: MakeClient, stack: LocalStack) -> None:
    token = await _token(make_client())
    assert token.expires_at is not None
    assert 3590 < (token.expires_in_seconds or 0) <= 3600
    assert token.seconds_left(token.expires_at - 10) == 10
    assert token.seconds_left(token.expires_at + 10) == 0.0


async def test_the_hook_fires_once_per_token_before_it_expires(
    make_client: MakeClient, stack: LocalStack
) -> None:
    client = make_client()
    token = await _token(client)
    assert token.expires_at is not None
    clock = Clock(token.expires_at - 600)
    fired: list[tuple[str, str]] = []
    watch = ExpiryWatch(
        client.client, lambda p, t: fired.append((p, t.access_token)), within=120, clock=clock
    )
    assert watch.check() == [] and fired == []
    assert watch.next_check_in() == 480
    clock.now = token.expires_at - 121
    assert watch.check() == []
    clock.now = token.expires_at - 119  # inside the window, before expiry
    assert [p for p, _ in watch.check()] == ["github"]
    assert fired == [("github", token.access_token)]
    clock.now = token.expires_at - 1
    assert watch.check() == [] and len(fired) == 1  # once per token
    assert watch.next_check_in() is None
    # a new token (the user consented again) is watched on its own
    await client.set_token("tok-new", "github", expires_in=3600)
    new = client.tokens["github"]
    assert new.expires_at is not None
    clock.now = new.expires_at - 60
    assert watch.check() == [("github", new)] and len(fired) == 2
    assert "tok-new" not in repr(watch)


def test_bad_options() -> None:
    class Holder:
        def __init__(self) -> None:
            self.tokens: dict[str, Token] = {}

    for bad in (-1, "5", True, float("nan")):
        with pytest.raises(ATHError) as info:
            ExpiryWatch(Holder(), print, within=bad)  # type: ignore[arg-type]
        assert info.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ATHError):
        ExpiryWatch(Holder(), "not callable")  # type: ignore[arg-type]


def _holder(expires_at: float) -> Any:
    token = Token("tok", "Bearer", 3600, ["s"], "github", None, None, expires_at)

    class Holder:
        def __init__(self) -> None:
            self.tokens = {"github": token}

    return Holder()


def test_run_pauses_until_the_token_is_due_then_fires() -> None:
    clock = Clock(1000.0)
    stop = threading.Event()
    fired: list[str] = []
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock.now += seconds
        if fired:
            stop.set()

    watch = ExpiryWatch(_holder(1100.0), lambda p, t: fired.append(p), within=60, clock=clock)
    watch.run(stop, sleep=sleep)
    assert fired == ["github"]
    assert pauses[0] == 30.0 and sum(pauses[:-1]) == pytest.approx(40.0)


async def test_arun_awaits_an_async_hook() -> None:
    clock = Clock(1000.0)
    fired: list[str] = []

    async def hook(provider: str, token: Token) -> None:
        fired.append(provider)

    async def sleep(seconds: float) -> None:
        clock.now += seconds
        if fired:
            raise asyncio.CancelledError

    watch = ExpiryWatch(_holder(1010.0), hook, within=5, clock=clock)
    with pytest.raises(asyncio.CancelledError):
        await watch.arun(sleep=sleep)
    assert fired == ["github"]
