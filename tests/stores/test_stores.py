"""The four credential stores against one contract, on real backends (files, a file
keyring backend, a real redis-server), plus each store's own faults."""

from __future__ import annotations

import json
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis
from keyrings.alt.file import PlaintextKeyring

from ath import ATHError, Token
from ath.stores import (
    CredentialStore,
    FileStore,
    KeyringStore,
    MemoryStore,
    RedisStore,
    StoreEntry,
    normalize_store_url,
)
from ath.stores._model import entry_digest
from ath.testing._redis_server import RedisServer

URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"


def token(value: str, provider: str | None = "github", expires_in: float | None = 3600) -> Token:
    return Token(
        access_token=value,
        token_type="Bearer",
        expires_in=None if expires_in is None else int(expires_in),
        effective_scopes=["read:user"],
        provider_id=provider,
        agent_id=AGENT,
        scope_intersection=None,
        expires_at=None if expires_in is None else time.time() + expires_in,
    )


def registered(entry: StoreEntry | None) -> StoreEntry:
    return StoreEntry(URL, AGENT, client_id="cid", client_secret="sec-ret", agent_status="approved")


def make_keyring(folder: Path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring.cfg")
    return backend


@pytest.fixture(params=["memory", "file", "keyring", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer
) -> Iterator[CredentialStore]:
    kind = request.param
    made: CredentialStore
    if kind == "memory":
        made = MemoryStore(lock_timeout=0.5)
    elif kind == "file":
        made = FileStore(tmp_path / "store" / "store.json", lock_timeout=0.5)
    elif kind == "keyring":
        made = KeyringStore(
            backend=make_keyring(tmp_path), lock_dir=tmp_path / "locks", lock_timeout=0.5
        )
    else:
        made = RedisStore(redis_server.url, prefix=f"t-{uuid.uuid4().hex}", lock_timeout=0.5)
    yield made


# --------------------------------------------------------------------------- contract


def test_empty_then_registered(store: CredentialStore) -> None:
    assert store.load(URL, AGENT) is None
    stored = store.update(URL, AGENT, registered)
    assert stored is not None
    loaded = store.load(URL, AGENT)
    assert loaded is not None and loaded.client_id == "cid" and loaded.client_secret == "sec-ret"
    assert loaded.agent_status == "approved" and loaded.registered


def test_keys_are_normalised(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    same = store.load("HTTPS://GW.example:443/", AGENT)
    assert same is not None and same.client_id == "cid"
    assert store.load("https://gw.example:8443", AGENT) is None
    assert store.load(URL, AGENT + "-other") is None


def test_tokens_round_trip_with_expiry_scopes_binding(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    tok = token("tok-1")
    anyone = token("tok-any", provider=None, expires_in=None)

    def add(entry: StoreEntry | None) -> StoreEntry:
        assert entry is not None
        return replace(entry, tokens={**entry.tokens, "github": tok, "": anyone})

    store.update(URL, AGENT, add)
    loaded = store.load(URL, AGENT)
    assert loaded is not None
    got = loaded.tokens["github"]
    assert got.access_token == "tok-1" and got.effective_scopes == ["read:user"]
    assert got.agent_id == AGENT and got.provider_id == "github"
    assert got.expires_at is not None and abs(got.expires_at - tok.expires_at) < 0.01  # type: ignore[operator]
    assert loaded.tokens[""].access_token == "tok-any" and loaded.tokens[""].expires_at is None


def test_expired_tokens_are_not_loaded(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    short = token("short", expires_in=1.0)
    store.update(URL, AGENT, lambda e: replace(e, tokens={"github": short}) if e else None)
    first = store.load(URL, AGENT)
    assert first is not None and "github" in first.tokens
    time.sleep(1.2)
    later = store.load(URL, AGENT)
    assert later is not None and later.tokens == {} and later.client_id == "cid"


def test_delete_entry(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    assert store.update(URL, AGENT, lambda e: None) is None
    assert store.load(URL, AGENT) is None


def test_stamp_changes_on_update(store: CredentialStore) -> None:
    before = store.stamp(URL, AGENT)
    store.update(URL, AGENT, registered)
    middle = store.stamp(URL, AGENT)
    assert middle != before
    store.update(URL, AGENT, lambda e: replace(e, agent_status="pending") if e else None)
    assert store.stamp(URL, AGENT) != middle


def test_threads_lose_no_update(store: CredentialStore) -> None:
    store.update(URL, AGENT, registered)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                name = f"p{n}-{i}"

                def add(entry: StoreEntry | None, name: str = name) -> StoreEntry:
                    assert entry is not None
                    return replace(entry, tokens={**entry.tokens, name: token(name, name)})

                for _ in range(200):  # a lock timeout under contention is retried
                    try:
                        store.update(URL, AGENT, add)
                        break
                    except ATHError as exc:
                        assert exc.code == "STORE_LOCK_TIMEOUT"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    loaded = store.load(URL, AGENT)
    assert loaded is not None and len(loaded.tokens) == 40


def test_registration_lock_excludes_and_times_out(store: CredentialStore) -> None:
    with store.registration_lock(URL, AGENT):
        outcome: list[str] = []

        def other() -> None:
            try:
                with store.registration_lock(URL, AGENT):
                    outcome.append("got it")
            except ATHError as exc:
                outcome.append(exc.code)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert outcome == ["STORE_LOCK_TIMEOUT"]
    with store.registration_lock(URL, AGENT):  # free again
        pass


def test_reprs_hide_secrets(store: CredentialStore) -> None:
    stored = store.update(URL, AGENT, registered)
    assert "sec-ret" not in repr(stored) and "sec-ret" not in repr(store)


# --------------------------------------------------------------------------- FileStore


def test_file_modes_and_merge(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.json"
    one, two = FileStore(path), FileStore(path)
    one.update(URL, AGENT, registered)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # another process's object adds another agent: both entries survive
    two.update(URL, "agent-2", lambda e: StoreEntry(URL, "agent-2", client_id="c2"))
    one.update(URL, AGENT, lambda e: replace(e, agent_status="pending") if e else None)
    a, b = two.load(URL, AGENT), one.load(URL, "agent-2")
    assert a is not None and a.agent_status == "pending"
    assert b is not None and b.client_id == "c2"
    assert "sec-ret" in path.read_text()  # the secret is stored; the file is 0600


def test_file_reader_reloads_only_on_change(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    writer, reader = FileStore(path), FileStore(path)
    writer.update(URL, AGENT, registered)
    first = reader.load(URL, AGENT)
    assert first is not None
    assert reader.load(URL, AGENT) == first  # served from what was parsed
    writer.update(URL, AGENT, lambda e: replace(e, client_id="cid-2") if e else None)
    again = reader.load(URL, AGENT)
    assert again is not None and again.client_id == "cid-2"


def test_file_refuses_insecure_mode(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    FileStore(path).update(URL, AGENT, registered)
    path.chmod(0o644)
    with pytest.raises(ATHError) as err:
        FileStore(path).load(URL, AGENT)
    assert err.value.code == "CREDENTIALS_INSECURE" and "chmod 600" in err.value.message
    with pytest.raises(ATHError) as err2:
        FileStore(path).update(URL, AGENT, registered)
    assert err2.value.code == "CREDENTIALS_INSECURE"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format": "something-else"}',
        b'{"format": "ath-sdk-store", "version": 99, "entries": []}',
        b'{"format": "ath-sdk-store", "version": 1, "entries": {}}',
        b'{"format": "ath-sdk-store", "version": 1, "entries": [{"base_url": 3}]}',
    ],
)
def test_file_corrupt_is_reported_and_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    path.chmod(0o600)
    store = FileStore(path)
    calls: list[Callable[[], object]] = [
        lambda: store.load(URL, AGENT),
        lambda: store.update(URL, AGENT, registered),
    ]
    for call in calls:
        with pytest.raises(ATHError) as err:
            call()
        assert err.value.code == "STORE_CORRUPT"
    assert path.read_bytes() == content  # never overwritten


def test_file_foreign_entry_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    store = FileStore(path)
    store.update(URL, AGENT, registered)
    doc = json.loads(path.read_text())
    doc["entries"][0]["tokens"] = {
        "github": {"access_token": "x", "agent_id": "someone-else", "provider_id": "github"}
    }
    path.write_text(json.dumps(doc))
    with pytest.raises(ATHError) as err:
        FileStore(path).load(URL, AGENT)
    assert err.value.code == "STORE_CORRUPT" and "another agent" in err.value.message


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    FileStore(path).update(URL, AGENT, registered)
    with pytest.raises(ATHError) as err:
        FileStore(path, max_bytes=10).load(URL, AGENT)
    assert err.value.code == "STORE_CORRUPT" and "max_bytes" in err.value.message


def test_file_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ATHError) as err:
        FileStore(blocker / "sub" / "store.json").update(URL, AGENT, registered)
    assert err.value.code == "STORE_UNAVAILABLE"


def test_default_path_is_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = FileStore()
    assert store.path == tmp_path / "xdg" / "ath-sdk" / "store.json"
    store.update(URL, AGENT, registered)
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


# --------------------------------------------------------------------------- Redis


def test_redis_token_keys_expire_with_the_token(redis_server: RedisServer) -> None:
    prefix = f"t-{uuid.uuid4().hex}"
    store = RedisStore(redis_server.url, prefix=prefix)
    store.update(URL, AGENT, registered)
    store.update(
        URL,
        AGENT,
        lambda e: replace(e, tokens={"github": token("t", expires_in=100)}) if e else None,
    )
    raw = redis.Redis.from_url(redis_server.url)
    keys = [k.decode() if isinstance(k, bytes) else k for k in raw.keys(f"{prefix}:*")]
    token_keys = [k for k in keys if ":token:" in k]
    assert len(token_keys) == 1
    assert 95_000 < raw.pttl(token_keys[0]) <= 100_000
    entry_keys = [k for k in keys if ":token:" not in k]
    assert raw.pttl(entry_keys[0]) == -1  # the registration never expires


def test_redis_client_argument(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    store = RedisStore(client=client, prefix=f"t-{uuid.uuid4().hex}")
    store.update(URL, AGENT, registered)
    assert store.load(URL, AGENT) is not None
    with pytest.raises(ATHError) as err:
        RedisStore(redis_server.url, client=client)
    assert err.value.code == "INVALID_ARGUMENT"


def test_redis_down_is_unavailable(own_redis: RedisServer) -> None:
    store = RedisStore(own_redis.url, prefix="down")
    store.update(URL, AGENT, registered)
    own_redis.stop(kill=True)
    calls: list[Callable[[], object]] = [
        lambda: store.load(URL, AGENT),
        lambda: store.update(URL, AGENT, registered),
        lambda: store.stamp(URL, AGENT),
    ]
    for call in calls:
        with pytest.raises(ATHError) as err:
            call()
        assert err.value.code == "STORE_UNAVAILABLE" and "Redis" in err.value.message
    own_redis.start()
    back = store.load(URL, AGENT)  # acknowledged before the crash: still there
    assert back is not None and back.client_id == "cid"


def test_redis_registration_lock_freed_when_holder_dies(redis_server: RedisServer) -> None:
    prefix = f"t-{uuid.uuid4().hex}"
    holder = RedisStore(redis_server.url, prefix=prefix, lock_ttl=1.0)
    lock = holder._r.lock(  # what a holder that died leaves: a lock nobody releases
        f"{prefix}:lock:{entry_digest(URL, AGENT)}",
        timeout=1.0,
    )
    assert lock.acquire(blocking=False)
    # a hang guard, not a speed check: the lock is free once its 1 s TTL ran out
    waiter = RedisStore(redis_server.url, prefix=prefix, lock_timeout=60.0)
    with waiter.registration_lock(URL, AGENT):
        pass  # had once the TTL ran out


def test_redis_corrupt_entry(redis_server: RedisServer) -> None:
    prefix = f"t-{uuid.uuid4().hex}"
    store = RedisStore(redis_server.url, prefix=prefix)
    store.update(URL, AGENT, registered)
    raw = redis.Redis.from_url(redis_server.url)
    (key,) = raw.keys(f"{prefix}:entry:*")
    raw.hset(key, "doc", "{broken")
    with pytest.raises(ATHError) as err:
        store.load(URL, AGENT)
    assert err.value.code == "STORE_CORRUPT"
    with pytest.raises(ATHError) as err:
        store.update(URL, AGENT, registered)
    assert err.value.code == "STORE_CORRUPT"
    assert raw.hget(key, "doc") == b"{broken"


# --------------------------------------------------------------------------- keyring


def test_keyring_entry_is_one_secret(tmp_path: Path) -> None:
    backend = make_keyring(tmp_path)
    store = KeyringStore("svc", backend=backend, lock_dir=tmp_path / "locks")
    store.update(URL, AGENT, registered)
    raw = backend.get_password("svc", f"{normalize_store_url(URL)} {AGENT}")
    assert raw is not None and json.loads(raw)["client_id"] == "cid"
    backend.set_password("svc", f"{normalize_store_url(URL)} {AGENT}", "garbage")
    with pytest.raises(ATHError) as err:
        store.load(URL, AGENT)
    assert err.value.code == "STORE_CORRUPT"
