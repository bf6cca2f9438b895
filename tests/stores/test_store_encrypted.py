"""EncryptedStore (issue 25): secrets sealed at rest under a fleet key, on each of the
four stores. A dump of what the inner store holds (the file, the keyring file, every
Redis value) has no usable secret; a sealed value moved to another user or provider,
or read with another key, does not open."""

from __future__ import annotations

import base64
import configparser
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath.stores import (
    CredentialStore,
    EncryptedStore,
    FileStore,
    KeyringStore,
    RedisStore,
    StoreEntry,
)
from tests.stores.test_stores import AGENT, URL, store

__all__ = ["store"]  # the four stores' fixture

SECRETS = ("sec-ret-value", "tok-alice-value", "tok-bob-value", "tok-default-value")


def dump(inner: CredentialStore, tmp_path: Path) -> str:
    """Everything the inner store holds, as text."""
    if isinstance(inner, FileStore):
        return inner.path.read_text()
    if isinstance(inner, KeyringStore):  # the plaintext backend keeps base64 of each value
        config = configparser.RawConfigParser()
        config.read(tmp_path / "keyring.cfg")
        return "\n".join(
            base64.b64decode(config.get(section, name)).decode()
            for section in config.sections()
            for name in config.options(section)
        )
    if isinstance(inner, RedisStore):
        r: redis.Redis = inner._r
        parts: list[str] = []
        for key in r.scan_iter(f"{inner.prefix}:*"):
            kind = r.type(key)
            if kind == b"hash":
                parts.extend(str(v) for v in r.hgetall(key).values())
            elif kind == b"string":
                parts.append(str(r.get(key)))
            else:
                parts.extend(str(m) for m in r.smembers(key))
        return "\n".join(parts)
    return repr(inner._entries) + "".join(  # type: ignore[attr-defined]
        f"{t.access_token} {e.client_secret}"
        for e in inner._entries.values()  # type: ignore[attr-defined]
        for t in e.tokens.values()
    )


def test_secrets_are_sealed_at_rest(store: CredentialStore, tmp_path: Path) -> None:
    key = EncryptedStore.generate_key()
    sealed = EncryptedStore(store, key)
    with ATHGatewayClient(
        url=URL,
        agent_id=AGENT,
        private_key=generate_private_key(),
        store=sealed,
        store_refresh_interval=0,
    ) as client:
        client.set_credentials("cid", "sec-ret-value")
        client.set_token("tok-default-value", "github")
        client.for_user("alice").set_token("tok-alice-value", "github")
        client.for_user("bob").set_token("tok-bob-value", "github")
    raw = dump(store, tmp_path)
    assert "ath-enc:v1:" in raw
    for secret in SECRETS:
        assert secret not in raw
    # another process with the fleet key reads them back
    with ATHGatewayClient(
        url=URL,
        agent_id=AGENT,
        private_key=generate_private_key(),
        store=EncryptedStore(store, key),
    ) as other:
        bob = other.for_user("bob")
        bob.refresh()
        assert bob.tokens["github"].access_token == "tok-bob-value"
        assert other.client_id == "cid"
    assert sealed.list_users(URL, AGENT) == ["alice", "bob"]
    # the raw entry holds the sealed value; a wrong key cannot open it
    inner = store.load(URL, AGENT, user="bob")
    assert inner is not None and inner.tokens["github"].access_token.startswith("ath-enc:v1:")
    with pytest.raises(ATHError) as err:
        EncryptedStore(store, EncryptedStore.generate_key()).load(URL, AGENT, user="bob")
    assert err.value.code == "STORE_CORRUPT" and "tok-bob" not in str(err.value)


def test_a_sealed_token_moved_to_another_user_does_not_open(store: CredentialStore) -> None:
    key = EncryptedStore.generate_key()
    sealed = EncryptedStore(store, key)
    with ATHGatewayClient(
        url=URL, agent_id=AGENT, private_key=generate_private_key(), store=sealed
    ) as client:
        client.for_user("bob").set_token("tok-bob-value", "github")
    bobs = store.load(URL, AGENT, user="bob")
    assert bobs is not None

    def plant(entry: StoreEntry | None) -> StoreEntry:  # an attacker with write access
        return replace(bobs, user="alice")

    store.update(URL, AGENT, plant, user="alice")
    with pytest.raises(ATHError) as err:
        sealed.load(URL, AGENT, user="alice")
    assert err.value.code == "STORE_CORRUPT"
    opened = sealed.load(URL, AGENT, user="bob")
    assert opened is not None and opened.tokens["github"].access_token == "tok-bob-value"


def test_keys_are_checked() -> None:
    inner = FileStore(Path("unused.json"))
    for bad in ("short", b"x" * 31, "!" * 43):
        with pytest.raises(ATHError) as err:
            EncryptedStore(inner, bad)
        assert err.value.code == "INVALID_ARGUMENT"
    assert repr(EncryptedStore(inner, b"k" * 32)).startswith("EncryptedStore(FileStore(")
