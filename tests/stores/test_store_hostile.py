"""Stores against damaged entries, plain Redis over the network, and clients of the
other mode (issue 23: items 7 and 19, and the stored client mode).

Damaged entries are written into the real backends as raw text (a file, a file
keyring, a real redis-server): JSON nested 100 000 deep, ``expires_at`` 10**400, NaN or
Infinity, fields of the wrong type. Each is ``STORE_CORRUPT`` from the store (load and
update) and through a client in both shells, never RecursionError, OverflowError,
TypeError or ``STORE_UNAVAILABLE``, and the entry is left as it was.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from keyrings.alt.file import PlaintextKeyring

from ath import ATHError
from ath.stores import (
    CredentialStore,
    FileStore,
    KeyringStore,
    RedisStore,
    StoreEntry,
    normalize_store_url,
)
from ath.stores._model import entry_digest
from ath.testing import LocalStack
from ath.testing._redis_server import RedisServer
from tests._support.attacks import runtime_attack
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER, Agent

URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"
DEEP = "[" * 100_000 + "]" * 100_000
LATER = int(time.time()) + 3600


def _token(**fields: str) -> str:
    """A token's JSON text with ``fields`` (raw JSON texts) replacing the good ones."""
    good = {
        "access_token": '"ath_tk_hostile_store_token"',
        "token_type": '"Bearer"',
        "expires_at": str(LATER),
        "effective_scopes": '["read:user"]',
        "provider_id": '"github"',
        "agent_id": "null",
    }
    good.update(fields)
    return "{" + ",".join(f'"{k}":{v}' for k, v in good.items()) + "}"


#: name -> (the damaged part: "token" or "doc", its raw JSON text)
DAMAGES: dict[str, tuple[str, str]] = {
    "expires_at 10**400": ("token", _token(expires_at="1" + "0" * 400)),
    "expires_at -10**400": ("token", _token(expires_at="-1" + "0" * 400)),
    "expires_at 1e400": ("token", _token(expires_at="1e400")),
    "expires_at NaN": ("token", _token(expires_at="NaN")),
    "expires_at Infinity": ("token", _token(expires_at="Infinity")),
    "expires_at a string": ("token", _token(expires_at='"tomorrow"')),
    "provider_id 100 000 deep": ("token", _token(provider_id=DEEP)),
    "provider_id an object": ("token", _token(provider_id='{"a": 1}')),
    "agent_id a list": ("token", _token(agent_id='["x"]')),
    "scopes 900 deep": ("token", _token(effective_scopes="[" * 900 + "]" * 900)),
    "access_token a number": ("token", _token(access_token="5")),
    "token an array": ("token", "[1, 2]"),
    "entry 100 000 deep": ("doc", DEEP),
    "entry a string": ("doc", '"\\ud800"'),
    "version 10**400": ("doc", '{"format": "ath-sdk-store-entry", "version": 1' + "0" * 400 + "}"),
    "version 800 deep": (
        "doc",
        '{"format": "ath-sdk-store-entry", "version": ' + "[" * 800 + "]" * 800 + "}",
    ),
}


def _doc(base_url: str, agent_id: str, tokens: str | None) -> str:
    fields = {
        "format": "ath-sdk-store-entry",
        "version": 1,
        "base_url": normalize_store_url(base_url),
        "agent_id": agent_id,
        "mode": "gateway",
        "client_id": "cid",
        "client_secret": "cs_hostile_store_secret",
        "agent_status": "approved",
    }
    text = json.dumps(fields)[:-1]
    return text + (
        f', "tokens": {tokens}}}' if tokens is not None else ', "token_names": ["github"]}'
    )


class Backend:
    """One kind of store and a way to write raw text into its backend."""

    def __init__(self, kind: str, tmp_path: Path, redis_url: str) -> None:
        self.kind = kind
        self.path = tmp_path / "store" / "store.json"
        self.keyring = PlaintextKeyring()
        self.keyring.file_path = str(tmp_path / "keyring.cfg")
        self.lock_dir = tmp_path / "locks"
        self.redis_url = redis_url
        self.prefix = f"t-{uuid.uuid4().hex}"

    def store(self) -> CredentialStore:
        if self.kind == "file":
            return FileStore(self.path)
        if self.kind == "keyring":
            return KeyringStore(backend=self.keyring, lock_dir=self.lock_dir)
        return RedisStore(self.redis_url, prefix=self.prefix)

    def plant(self, base_url: str, agent_id: str, part: str, text: str) -> Callable[[], Any]:
        """Write the damaged entry; returns a reader of what is stored (to compare)."""
        whole = text if part == "doc" else _doc(base_url, agent_id, '{"github": ' + text + "}")
        if self.kind == "file":
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
            file_doc = '{"format": "ath-sdk-store", "version": 1, "entries": [%s]}'
            content = file_doc % (text if part == "doc" else whole)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(content)
            return self.path.read_bytes
        if self.kind == "keyring":
            user = f"{normalize_store_url(base_url)} {agent_id}"
            self.keyring.set_password("ath-sdk", user, whole)
            return lambda: self.keyring.get_password("ath-sdk", user)
        raw = redis.Redis.from_url(self.redis_url)
        key = f"{self.prefix}:entry:{entry_digest(base_url, agent_id)}"
        if part == "doc":
            raw.hset(key, mapping={"doc": text, "ver": 1})
        else:
            raw.hset(key, mapping={"doc": _doc(base_url, agent_id, None), "ver": 1})
            raw.set(f"{key}:token:github", text)
        return lambda: (raw.hgetall(key), raw.get(f"{key}:token:github"))


@pytest.fixture(params=["file", "keyring", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer) -> Backend:
    return Backend(request.param, tmp_path, redis_server.url)


def _corrupt(action: Callable[[], Any]) -> str:
    try:
        action()
    except ATHError as exc:
        return exc.code
    except Exception as exc:  # what the attack is after: anything but an ATHError
        return type(exc).__name__
    return "no error"


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_entry_is_store_corrupt(backend: Backend, damage: str) -> None:
    part, text = DAMAGES[damage]
    stored = backend.plant(URL, AGENT, part, text)
    before = stored()
    got: dict[str, str] = {
        "load": _corrupt(lambda: backend.store().load(URL, AGENT)),
        "update": _corrupt(lambda: backend.store().update(URL, AGENT, lambda e: e)),
    }
    wrong = {k: v for k, v in got.items() if v != "STORE_CORRUPT"}
    runtime_attack("stores", bool(wrong) or stored() != before, 2)


@pytest.mark.parametrize("damage", ["expires_at 10**400", "entry 100 000 deep", "expires_at NaN"])
async def test_a_damaged_entry_through_a_client_is_store_corrupt(
    backend: Backend, damage: str, make_client: MakeClient, stack: LocalStack, agent: Agent
) -> None:
    part, text = DAMAGES[damage]
    client = make_client(store=backend.store(), store_refresh_interval=0)
    backend.plant(stack.gateway_url, agent.agent_id, part, text)
    got = {}
    for method, args in (("refresh", ()), ("proxy", ("github", "GET", "/user"))):
        try:
            await getattr(client, method)(*args)
            got[method] = "no error"
        except ATHError as exc:
            got[method] = exc.code
    runtime_attack("stores", got != {"refresh": "STORE_CORRUPT", "proxy": "STORE_CORRUPT"}, 2)


# -- plain redis:// outside loopback (item 7) --------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "redis://10.0.0.5:6379/0",
        "redis://:pw@redis.example:6379/0",
        "redis://[2001:db8::1]:6379/0",
        "redis://127.0.0.1.example/0",
        "redis://localhost.example/0",
        "redis://10.0.0.5/0?allow_insecure=0",
    ],
)
def test_plain_redis_outside_loopback_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ATHError) as info:
        RedisStore(url)
    monkeypatch.setenv("ATH_REDIS_URL", url)
    with pytest.raises(ATHError) as from_env:
        RedisStore()
    with pytest.raises(ATHError) as given:
        RedisStore(client=redis.Redis.from_url(url.partition("?")[0]))
    codes = {info.value.code, from_env.value.code, given.value.code}
    runtime_attack("stores", codes != {"INSECURE_TRANSPORT"}, 3)
    assert "rediss://" in info.value.message and "allow_insecure" in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "rediss://redis.example:6380/0",
        "redis://127.0.0.1:6379/0",
        "redis://127.8.9.10/0",
        "redis://[::1]:6379/0",
        "redis://localhost/0",
        "unix:///run/redis.sock",
        "redis://10.0.0.5:6379/0?allow_insecure=1",
    ],
)
def test_tls_loopback_and_explicit_consent_are_allowed(url: str) -> None:
    assert repr(RedisStore(url)) == "RedisStore(prefix='ath-sdk')"


def test_allow_insecure_parameter(redis_server: RedisServer) -> None:
    assert RedisStore("redis://10.0.0.5:6379/0", allow_insecure=True)
    assert RedisStore(client=redis.Redis(host="10.0.0.5"), allow_insecure=True)
    # the flag is taken out of the URL before redis-py reads it, other options stay
    store = RedisStore(f"{redis_server.url}?allow_insecure=1&socket_timeout=3")
    store.update(URL, AGENT, lambda _: StoreEntry(URL, AGENT, client_id="c", client_secret="s"))
    assert store.load(URL, AGENT) is not None


# -- the stored client mode --------------------------------------------------------------


async def test_a_client_of_the_other_mode_is_refused(
    make_client: MakeClient, stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    """A gateway client registered through the store; a native client of the same URL
    and agent (``ath --mode native``) refuses the entry instead of sending its token."""
    path = tmp_path / "store.json"
    gateway = make_client(store=FileStore(path))
    await gateway.register(
        developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
    )
    gateway.client.set_token("ath_tk_gateway_token_for_mode_check", "github")
    before = path.read_bytes()
    native = make_client(
        "native", url=stack.gateway_url, store=FileStore(path), store_refresh_interval=0
    )
    got = {}
    for method, args in (
        ("refresh", ()),
        ("register", ()),
        ("set_token", ("ath_tk_native_token_for_mode_check",)),
    ):
        kwargs: dict[str, Any] = {}
        if method == "register":
            kwargs = {
                "developer": DEVELOPER,
                "providers": [{"provider_id": "github", "scopes": ["read:user"]}],
            }
        try:
            await getattr(native, method)(*args, **kwargs)
            got[method] = "no error"
        except ATHError as exc:
            got[method] = exc.code
            if method == "refresh":
                assert exc.details == {"stored_mode": "gateway", "mode": "native"}
    runtime_attack("stores", set(got.values()) != {"STORE_MODE_MISMATCH"}, len(got))
    assert path.read_bytes() == before


def test_a_redis_entry_over_max_bytes_is_corrupt_unparsed(redis_server: RedisServer) -> None:
    """The Redis entry size cap: a 5 MiB token value (deep JSON at that) is refused by
    its size, before any parsing."""
    backend = Backend("redis", Path("unused"), redis_server.url)
    backend.plant(URL, AGENT, "token", '{"a": ' + "[" * (5 * 1024 * 1024) + "}")
    store = backend.store()
    assert isinstance(store, RedisStore) and store.max_bytes == 4 * 1024 * 1024
    with pytest.raises(ATHError) as info:
        store.load(URL, AGENT)
    runtime_attack("stores", info.value.code != "STORE_CORRUPT", 1)
    assert "max_bytes" in info.value.message
