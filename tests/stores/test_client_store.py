"""Clients with store=: both shells, in one process, against the local stack."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ath import (
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
)
from ath.stores import FileStore, MemoryStore
from ath.testing import LocalStack, follow_consent
from tests._support.shells import Either, MakeClient
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


async def consent(client: Either) -> str:
    auth = await client.authorize("github", ["read:user"])
    code = follow_consent(auth.authorization_url).code or ""
    token = await client.exchange_token(code, auth.ath_session_id)
    return str(token.access_token)


async def test_clients_of_one_store_register_once(
    make_client: MakeClient, stack: LocalStack, agent: Agent
) -> None:
    store = MemoryStore()
    clients = [make_client(store=store) for _ in range(4)]
    regs = await asyncio.gather(
        *(c.register(developer=DEVELOPER, providers=GITHUB) for c in clients)
    )
    assert len({r.client_id for r in regs}) == 1
    assert stack.registration_requests() == 1
    for c in clients:
        await c.close()


async def test_server_rejection_removes_the_token_for_all(
    make_client: MakeClient, stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    path = tmp_path / "store.json"
    a = make_client(store=FileStore(path), store_refresh_interval=0)
    b = make_client(store=FileStore(path), store_refresh_interval=0)
    await a.register(developer=DEVELOPER, providers=GITHUB)
    access = await consent(a)
    assert await b.proxy("github", "GET", "/user")
    stack.clock.advance(stack.token_lifetime + 60)  # the server now says TOKEN_EXPIRED
    with pytest.raises(ATHError) as err:
        await b.proxy("github", "GET", "/user")
    assert err.value.code == "TOKEN_EXPIRED" and err.value.status == 401
    assert "github" not in json.loads(path.read_text())["entries"][0]["tokens"]
    with pytest.raises(ATHError) as err:
        await a.proxy("github", "GET", "/user")
    assert err.value.code == "NO_TOKEN"  # a learnt it from the store, sent nothing
    assert stack.token_presentations(access) == 2
    await a.close()
    await b.close()


async def test_set_token_set_credentials_and_load_credentials_share(
    make_client: MakeClient, stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    store = MemoryStore()
    plain = make_client()
    await plain.register(developer=DEVELOPER, providers=GITHUB)
    access = await consent(plain)
    await plain.save_credentials(tmp_path / "creds.json")
    a = make_client(store=store)
    b = make_client(store=store, store_refresh_interval=0)
    await a.load_credentials(tmp_path / "creds.json")  # seeds the store
    assert b.client_id is None
    assert await b.proxy("github", "GET", "/user")
    assert b.client_id == plain.client_id and set(b.tokens) == {"github"}
    await a.set_token("not-a-real-token", "mail")
    await b.proxy("github", "GET", "/user")
    assert set(b.tokens) == {"github", "mail"}
    # save_credentials keeps its format with a store
    await b.save_credentials(tmp_path / "again.json")
    doc = json.loads((tmp_path / "again.json").read_text())
    assert (
        doc["format"] == "ath-sdk-credentials" and doc["tokens"]["github"]["access_token"] == access
    )
    for c in (plain, a, b):
        await c.close()


@pytest.mark.parametrize("bad", [object(), "path/to/store"])
def test_store_must_be_a_store(stack: LocalStack, agent: Agent, bad: Any) -> None:
    with pytest.raises(ATHError) as err:
        ATHGatewayClient(
            url=stack.gateway_url, agent_id=agent.agent_id, private_key=agent.pem, store=bad
        )
    assert err.value.code == "INVALID_ARGUMENT" and "CredentialStore" in err.value.message


@pytest.mark.parametrize("bad", [-1, "1", True])
def test_refresh_interval_checked(stack: LocalStack, agent: Agent, bad: Any) -> None:
    with pytest.raises(ATHError) as err:
        ATHNativeClient(
            url=stack.native_url,
            agent_id=agent.agent_id,
            private_key=agent.pem,
            store=MemoryStore(),
            store_refresh_interval=bad,
        )
    assert err.value.code == "INVALID_ARGUMENT"


async def test_native_clients_share_through_a_store(stack: LocalStack, agent: Agent) -> None:
    store = MemoryStore()
    a = ATHNativeClient(
        url=stack.native_url, agent_id=agent.agent_id, private_key=agent.pem, store=store
    )
    b = AsyncATHNativeClient(
        url=stack.native_url,
        agent_id=agent.agent_id,
        private_key=agent.pem,
        store=store,
        store_refresh_interval=0,
    )
    a.discover()
    await b.discover()
    a.register(
        developer=DEVELOPER,
        providers=[{"provider_id": stack.native_app_id, "scopes": ["products:read"]}],
    )
    reg = await b.register(
        developer=DEVELOPER,
        providers=[{"provider_id": stack.native_app_id, "scopes": ["products:read"]}],
    )
    assert reg.client_id == a.client_id and stack.registration_requests() == 1
    a.close()
    await b.aclose()


def test_lock_timeout_is_a_clear_error(stack: LocalStack, agent: Agent) -> None:
    store = MemoryStore(lock_timeout=0.2)
    client = ATHGatewayClient(
        url=stack.gateway_url, agent_id=agent.agent_id, private_key=agent.pem, store=store
    )
    with store.registration_lock(stack.gateway_url, agent.agent_id), pytest.raises(ATHError) as err:
        client.register(developer=DEVELOPER, providers=GITHUB)
    assert err.value.code == "STORE_LOCK_TIMEOUT"
    assert stack.registration_requests() == 0
    client.register(developer=DEVELOPER, providers=GITHUB)
    client.close()


async def test_login_shares_its_token_through_the_store(
    make_client: MakeClient, stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    import threading

    path = tmp_path / "store.json"
    a = make_client(store=FileStore(path))
    b = make_client(store=FileStore(path))
    await a.register(developer=DEVELOPER, providers=GITHUB)
    seen: dict[str, Any] = {}

    def on_url(url: str) -> None:
        worker = threading.Thread(target=lambda: seen.setdefault("c", follow_consent(url)))
        worker.start()
        seen["thread"] = worker

    token = await a.login(
        "github", ["read:user"], open_browser=False, timeout=30, on_authorization_url=on_url
    )
    seen["thread"].join()
    await b.register(developer=DEVELOPER, providers=GITHUB)  # from the store
    assert await b.proxy("github", "GET", "/user")  # no consent in b
    assert stack.token_presentations(token.access_token) == 1
    assert stack.registration_requests() == 1
    await a.close()
    await b.close()


async def test_a_new_client_uses_the_stored_registration_without_register(
    make_client: MakeClient, stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    """A worker that starts after the fleet registered goes straight to authorize(),
    status and wait_for_token: the credentials come from the store, no register()."""
    path = tmp_path / "store.json"
    first = make_client(store=FileStore(path))
    reg = await first.register(developer=DEVELOPER, providers=GITHUB)
    await first.close()

    late = make_client(store=FileStore(path))
    auth = await late.authorize("github", ["read:user"])
    assert late.client_id == reg.client_id
    assert (await late.registration_status()).client_id == reg.client_id
    follow_consent(auth.authorization_url)
    token = await late.wait_for_token(auth.ath_session_id, timeout=10.0, poll_interval=0.1)
    assert token.provider_id == "github"
    assert stack.registration_requests() == 1
    await late.close()


async def test_refresh_reads_the_shared_store_now(make_client: MakeClient, tmp_path: Path) -> None:
    """``refresh()``: a client adopts what another one stored without waiting for its
    periodic check (the command line starts a new process, and so a new client, per
    command); without a store it does nothing."""
    path = tmp_path / "store.json"
    reader = make_client(store=FileStore(path), store_refresh_interval=3600)
    writer = make_client(store=FileStore(path))
    assert reader.tokens == {}
    await writer.set_credentials("ath_client_shared", "secret-shared")
    await writer.set_token("tok-shared", provider="github", expires_in=600)
    assert reader.tokens == {} and reader.client_id is None  # its copy, until it re-reads
    await reader.refresh()
    assert reader.client_id == "ath_client_shared"
    assert reader.tokens["github"].access_token == "tok-shared"
    path.unlink()
    await reader.refresh()  # the entry is gone: so are its tokens
    assert reader.tokens == {}
    alone = make_client()
    await alone.set_token("tok-own", provider="github")
    await alone.refresh()
    assert alone.tokens["github"].access_token == "tok-own"
