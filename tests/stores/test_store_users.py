"""Stores keyed by user (issue 25): every store holds each user's tokens under
(base URL, agent_id, user, provider), the registration once; users are listed and
purged; a store file written before users existed loads as the default user."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath.stores import CredentialStore, FileStore, MemoryStore, StoreEntry
from tests.stores.test_stores import AGENT, URL, registered, store, token

__all__ = ["store"]  # the four stores' fixture


def with_token(value: str, user: str = "") -> object:
    def change(entry: StoreEntry | None) -> StoreEntry:
        base = entry or StoreEntry(URL, AGENT, user=user)
        return replace(base, tokens={**base.tokens, "github": token(value)})

    return change


def test_users_have_entries_of_their_own(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    store.update(URL, AGENT, with_token("tok-default"))  # type: ignore[arg-type]
    before = store.stamp(URL, AGENT, user="bob")
    for user in ("bob", "alice"):
        store.update(URL, AGENT, with_token(f"tok-{user}", user), user=user)  # type: ignore[arg-type]
    assert store.stamp(URL, AGENT, user="bob") != before
    default = store.load(URL, AGENT)
    bob = store.load(URL, AGENT, user="bob")
    assert default is not None and bob is not None
    assert default.tokens["github"].access_token == "tok-default" and default.registered
    assert bob.tokens["github"].access_token == "tok-bob" and bob.user == "bob"
    assert not bob.registered  # the registration stays in the agent's entry
    assert store.load(URL, AGENT, user="carol") is None
    assert store.list_users(URL, AGENT) == ["alice", "bob"]  # type: ignore[attr-defined]
    store.purge_user(URL, AGENT, "bob")  # type: ignore[attr-defined]
    assert store.load(URL, AGENT, user="bob") is None
    assert store.list_users(URL, AGENT) == ["alice"]  # type: ignore[attr-defined]
    alice = store.load(URL, AGENT, user="alice")
    again = store.load(URL, AGENT)
    assert alice is not None and alice.tokens["github"].access_token == "tok-alice"
    assert again is not None and again.tokens["github"].access_token == "tok-default"
    with pytest.raises(ATHError) as err:
        store.purge_user(URL, AGENT, "")  # type: ignore[attr-defined]
    assert err.value.code == "INVALID_ARGUMENT"


def test_clients_share_users_through_a_store(store: CredentialStore) -> None:
    pem = generate_private_key()

    def make() -> ATHGatewayClient:
        return ATHGatewayClient(
            url=URL, agent_id=AGENT, private_key=pem, store=store, store_refresh_interval=0
        )

    with make() as one, make() as two:
        one.set_credentials("cid", "sec-ret")
        one.for_user("bob").set_token("tok-bob", "github")
        one.for_user("alice").set_token("tok-alice", "github")
        bob = two.for_user("bob")
        bob.refresh()
        assert bob.tokens["github"].access_token == "tok-bob"
        assert two.client_id == "cid"  # the agent's registration, read for bob's view
        two.refresh()
        assert two.tokens == {}  # the default user holds nothing
        assert store.list_users(URL, AGENT) == ["alice", "bob"]  # type: ignore[attr-defined]
        store.purge_user(URL, AGENT, "alice")  # type: ignore[attr-defined]
        alice = one.for_user("alice")
        alice.refresh()
        assert alice.tokens == {}


def test_a_file_written_before_users_loads_as_the_default_user(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    old = {
        "format": "ath-sdk-store",
        "version": 1,
        "saved_at": 1780000000,
        "entries": [
            {
                "format": "ath-sdk-store-entry",
                "version": 1,
                "base_url": URL,
                "agent_id": AGENT,
                "mode": "gateway",
                "client_id": "cid-old",
                "client_secret": "sec-old",
                "agent_status": "approved",
                "tokens": {
                    "github": {
                        "access_token": "tok-old",
                        "token_type": "Bearer",
                        "expires_at": 4102444800.0,
                        "effective_scopes": ["read:user"],
                        "provider_id": "github",
                        "agent_id": AGENT,
                    }
                },
            }
        ],
    }
    path.write_text(json.dumps(old))
    os.chmod(path, 0o600)
    with ATHGatewayClient(
        url=URL, agent_id=AGENT, private_key=generate_private_key(), store=FileStore(path)
    ) as client:
        client.refresh()
        assert client.client_id == "cid-old"
        assert client.tokens["github"].access_token == "tok-old"
        bob = client.for_user("bob")
        bob.refresh()
        assert bob.tokens == {} and bob.client_id == "cid-old"
        bob.set_token("tok-bob", "github")
    doc = json.loads(path.read_text())
    # a user entry makes it version 2 (an SDK without users refuses it, not mixes them)
    assert doc["version"] == 2
    default = next(e for e in doc["entries"] if "user" not in e)
    assert default["tokens"]["github"]["access_token"] == "tok-old"
    assert default["client_secret"] == "sec-old"
    assert [e["user"] for e in doc["entries"] if "user" in e] == ["bob"]
    again = FileStore(path).load(URL, AGENT)
    assert again is not None and again.tokens["github"].access_token == "tok-old"


def test_a_memory_store_without_users_keeps_its_layout() -> None:
    store = MemoryStore()
    store.update(URL, AGENT, registered)
    assert store.list_users(URL, AGENT) == []
    entry = store.load(URL, AGENT)
    assert entry is not None and entry.user == "" and "user=" not in repr(entry)
