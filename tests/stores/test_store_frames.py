"""Store errors keep no secret in their frames (issue 23, item 8).

Every store (file, keyring, Redis) is given an entry it must refuse (a token bound to
another agent) and writes that fail on the real backend (a file over ``RLIMIT_FSIZE``,
Redis out of memory, a keychain that refuses); the ``ATHError`` raised, directly and
through a client in both shells, is examined like every other error path
(``secrets_in_frames``: ``f_locals`` walked and ``capture_locals`` rendered). A store
failure the client only logs (a rejected token that could not be removed for the
fleet) is logged without any exception object whose frames could hold one.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from keyring.errors import PasswordSetError
from keyrings.alt.file import PlaintextKeyring

from ath import ATHError, Token
from ath.stores import CredentialStore, FileStore, KeyringStore, RedisStore, StoreEntry
from ath.testing import LocalStack
from ath.testing._redis_server import RedisServer
from tests._report import tally
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER, Agent
from tests.secrets.test_frames import secrets_in_frames

URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"
SECRET = "cs_store_frames_client_secret_0123456789"
TOKEN = "ath_tk_store_frames_access_token_0123456789"
SECRETS = [SECRET, TOKEN]


def _token(agent_id: str) -> Token:
    return Token(
        access_token=TOKEN,
        token_type="Bearer",
        expires_in=3600,
        effective_scopes=["read:user"],
        provider_id="github",
        agent_id=agent_id,
        scope_intersection=None,
        expires_at=time.time() + 3600,
    )


def _entry(base_url: str, agent_id: str, token_agent: str) -> StoreEntry:
    return StoreEntry(
        base_url,
        agent_id,
        client_id="cid",
        client_secret=SECRET,
        agent_status="approved",
        mode="gateway",
        tokens={"github": _token(token_agent)},
    )


def _checked(info: pytest.ExceptionInfo[ATHError], code: str | tuple[str, ...]) -> None:
    counts = tally("frames")
    counts["paths"] += 1
    where = secrets_in_frames(info.value, SECRETS)
    counts["found"] += len(where)
    codes = (code,) if isinstance(code, str) else code
    assert info.value.code in codes, info.value
    assert not where, where
    assert not any(s in str(info.value) for s in SECRETS)


class _RefusingKeyring(PlaintextKeyring):  # type: ignore[misc]
    """A file keyring whose writes fail once ``refuse`` is set (a locked keychain)."""

    refuse = False

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise PasswordSetError("the keychain is locked")
        super().set_password(service, username, password)


@pytest.fixture(params=["file", "keyring", "redis"])
def store_kind(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer
) -> Iterator[Callable[[], CredentialStore]]:
    """A factory of stores of one kind that share their backend."""
    kind = request.param
    prefix = f"t-{uuid.uuid4().hex}"
    backend = _RefusingKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")

    def make() -> CredentialStore:
        if kind == "file":
            return FileStore(tmp_path / "store" / "store.json")
        if kind == "keyring":
            return KeyringStore(backend=backend, lock_dir=tmp_path / "locks")
        return RedisStore(redis_server.url, prefix=prefix)

    yield make


def _plant(store: CredentialStore, base_url: str, agent_id: str) -> None:
    """An entry whose token is bound to another agent, written as any store writes."""
    store.update(base_url, agent_id, lambda _: _entry(base_url, agent_id, "https://other/agent"))


def test_a_foreign_entry_keeps_no_secret_in_frames(
    store_kind: Callable[[], CredentialStore],
) -> None:
    _plant(store_kind(), URL, AGENT)
    for action in ("load", "update"):
        with pytest.raises(ATHError) as info:
            if action == "load":
                store_kind().load(URL, AGENT)
            else:
                store_kind().update(URL, AGENT, lambda e: e)
        _checked(info, "STORE_CORRUPT")


async def test_a_foreign_entry_through_a_client_keeps_no_secret_in_frames(
    store_kind: Callable[[], CredentialStore], make_client: MakeClient, stack: LocalStack
) -> None:
    client = make_client(store=store_kind(), store_refresh_interval=0)
    _plant(store_kind(), stack.gateway_url, client.client.agent_id)
    for method, args in (("refresh", ()), ("proxy", ("github", "GET", "/user"))):
        with pytest.raises(ATHError) as info:
            await getattr(client, method)(*args)
        _checked(info, "STORE_CORRUPT")


@contextlib.contextmanager
def _failing_writes(store: CredentialStore, server: RedisServer) -> Iterator[None]:
    """Writes to ``store``'s backend fail inside the block, reads still work."""
    if isinstance(store, FileStore):  # files over RLIMIT_FSIZE fail with EFBIG
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, limits[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limits)
            signal.signal(signal.SIGXFSZ, previous)
    elif isinstance(store, KeyringStore):
        backend = store._backend
        backend.refuse = True
        try:
            yield
        finally:
            backend.refuse = False
    else:  # Redis out of memory refuses writes (OOM), answers reads
        raw = redis.Redis.from_url(server.url)
        raw.config_set("maxmemory-policy", "noeviction")
        raw.config_set("maxmemory", 1)
        try:
            yield
        finally:
            raw.config_set("maxmemory", 0)
            raw.close()


def test_a_failed_write_keeps_no_secret_in_frames(
    store_kind: Callable[[], CredentialStore], redis_server: RedisServer
) -> None:
    store = store_kind()
    store.update(URL, AGENT, lambda _: StoreEntry(URL, AGENT, client_id="old", client_secret="x"))
    with _failing_writes(store, redis_server), pytest.raises(ATHError) as info:
        store.update(URL, AGENT, lambda _: _entry(URL, AGENT, AGENT))
    _checked(info, "STORE_UNAVAILABLE")


def test_a_redis_url_with_a_password_keeps_it_out_of_frames() -> None:
    password = "redis_password_store_frames_0123"
    for url in (
        f"redis://:{password}@h:notaport/0",
        f"redis://user:{password}@[::1/0",
    ):
        with pytest.raises(ATHError) as info:
            RedisStore(url)
        counts = tally("frames")
        counts["paths"] += 1
        where = secrets_in_frames(info.value, [password])
        counts["found"] += len(where)
        assert info.value.code == "INVALID_ARGUMENT" and not where, where
        assert password not in str(info.value)


async def test_a_failed_token_removal_is_logged_without_secret_frames(
    make_client: MakeClient,
    stack: LocalStack,
    agent: Agent,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server rejects the token; removing it from the store fails (Redis out of
    memory): the call's error is the server's, and the store failure is a log record
    that carries no exception (its frames would hold the client's secrets)."""
    store = RedisStore(redis_server.url, prefix=f"t-{uuid.uuid4().hex}")
    client = make_client(store=store, store_refresh_interval=0)
    github = [{"provider_id": "github", "scopes": ["read:user"]}]
    registration = await client.register(developer=DEVELOPER, providers=github)
    client.client.set_token("ath_tk_rejected_by_the_server_0123456789", "github")
    secrets = [registration.client_secret, "ath_tk_rejected_by_the_server_0123456789"]
    caplog.set_level(logging.WARNING, logger="ath")
    with _failing_writes(store, redis_server), pytest.raises(ATHError) as info:
        await client.proxy("github", "GET", "/user")
    assert info.value.code not in ("STORE_UNAVAILABLE", "STORE_CORRUPT")
    records = [r for r in caplog.records if "could not" in r.getMessage()]
    assert records, "the failed removal is logged"
    counts = tally("frames")
    for record in records:
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        held = [v for v in (*args, record.exc_info and record.exc_info[1]) if v]
        exceptions = [v for v in held if isinstance(v, BaseException)]
        for value in exceptions:
            counts["paths"] += 1
            where = secrets_in_frames(value, secrets)
            counts["found"] += len(where)
            assert not where, where
        assert not exceptions, "a log record holds an exception (and its frames)"
        assert not any(s in record.getMessage() for s in secrets)
