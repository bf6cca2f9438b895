"""RedisStore: entries in Redis, shared by processes on many machines (extra ``redis``).

Layout, for ``D`` = a digest of (normalised base URL, agent_id) and prefix ``P``:

- ``P:entry:D`` a hash: ``doc`` (the registration and the names of the tokens, JSON)
  and ``ver`` (incremented by every update; the cheap change check);
- ``P:entry:D:token:NAME`` one string per token (JSON), expiring with the token
  (``PXAT`` its absolute expiry); ``NAME`` is the provider id, ``*`` for a token set
  without a provider;
- for each user of the agent (``for_user``), the same hash and token strings under
  ``P:entry:U`` with ``U`` = a digest of (base URL, agent_id, user): tokens only, the
  registration staying in ``P:entry:D``; ``P:users:D`` the set of those users (for
  listing; updated in the same transaction as the user's entry);
- ``P:lock:D`` the registration lock (redis-py's token lock with a TTL: released by
  its holder, or by Redis when the holder died).

Updates are optimistic transactions: ``WATCH`` the hash, read, ``MULTI`` the writes
and the ``ver`` increment, ``EXEC``; a concurrent update makes ``EXEC`` fail and the
change is recomputed on the fresh entry. Reads run as one Lua script (atomic).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from ath._errors import ATHClientError, ATHError
from ath._frames import seal_methods
from ath._validation import check_user_id
from ath.stores._model import (
    DEFAULT_LOCK_TIMEOUT,
    Change,
    StoreEntry,
    _corrupt,
    decode_entry,
    dumps,
    encode_entry,
    entry_digest,
    loads,
)

if TYPE_CHECKING:
    import redis

__all__ = ["RedisStore"]

DEFAULT_URL: Final = "redis://localhost:6379/0"
#: The largest entry read, as FileStore's whole file: an entry is a few KiB.
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024
MAX_ATTEMPTS: Final = 100

_READ: Final = """
local got = redis.call('HMGET', KEYS[1], 'doc', 'ver')
if not got[1] then return {false, got[2]} end
local out = {got[1], got[2]}
local ok, doc = pcall(cjson.decode, got[1])
if not ok or type(doc) ~= 'table' or type(doc['token_names']) ~= 'table' then return out end
for _, name in ipairs(doc['token_names']) do
  if type(name) == 'string' then
    out[#out + 1] = name
    out[#out + 1] = redis.call('GET', KEYS[1] .. ':token:' .. name)
  end
end
return out
"""


def _redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ATHClientError(
            "STORE_UNAVAILABLE",
            "RedisStore needs redis-py: pip install 'ath-sdk[redis]'",
        ) from None
    return redis


_INSECURE_FLAG: Final = "allow_insecure"


def _insecure_flag(url: str) -> tuple[str, bool]:
    """``url`` without an ``allow_insecure=1`` query parameter, and whether it had one
    (the command line's ``--store`` and ``ATH_REDIS_URL`` say it that way)."""
    if not isinstance(url, str):
        raise ATHClientError("INVALID_ARGUMENT", "RedisStore url must be a string")
    head, sep, query = url.partition("?")
    if not sep:
        return url, False
    kept, asked = [], False
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == _INSECURE_FLAG:
            asked = value.lower() in ("1", "true", "yes")
        elif pair:
            kept.append(pair)
    return (head + "?" + "&".join(kept) if kept else head), asked


def _loopback_ip(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check_transport(client: Any, lib: Any) -> None:
    """Plain TCP to a host that is not loopback is refused (``INSECURE_TRANSPORT``):
    TLS (``rediss://``), a unix socket or a loopback address pass."""
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", {}) or {}
    connection = getattr(pool, "connection_class", None)
    if connection is None or "path" in kwargs:  # a unix socket, or a client we cannot read
        return
    if issubclass(connection, lib.connection.SSLConnection):
        return
    host = str(kwargs.get("host", "localhost"))
    if host.lower() == "localhost" or _loopback_ip(host):
        return
    raise ATHClientError(
        "INSECURE_TRANSPORT",
        f"RedisStore: plain redis:// to {host}, which is not loopback, would send the "
        "client secret and tokens in clear. Use rediss:// (TLS), or pass "
        "allow_insecure=True (on the command line: ?allow_insecure=1 in the URL) if the "
        "network is private.",
    )


def _token_names(doc: Any) -> list[str]:
    """The token names an entry document lists (the strings among them: a damaged
    entry is reported by the decoding that follows, not here)."""
    names = doc.get("token_names") if isinstance(doc, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _name(key: str) -> str:
    return key or "*"


class RedisStore:
    """Entries in Redis (redis-py), for fleets spread over several machines."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | None = None,
        prefix: str = "ath-sdk",
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        lock_ttl: float = 60.0,
        allow_insecure: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """``allow_insecure=True`` (or ``?allow_insecure=1`` in the URL) allows plain
        ``redis://`` to a host that is not loopback: the client secret and tokens
        then cross the network in clear. Use ``rediss://`` instead. ``max_bytes``: the
        largest entry read (its document and tokens together); a larger one is
        ``STORE_CORRUPT``, never parsed."""
        lib = _redis()
        self._errors: tuple[type[BaseException], ...] = (lib.RedisError,)
        if client is not None and url is not None:
            raise ATHClientError(
                "INVALID_ARGUMENT", "pass RedisStore either url= or client=, not both"
            )
        if client is None:
            target, asked = _insecure_flag(url or os.environ.get("ATH_REDIS_URL") or DEFAULT_URL)
            try:
                client = lib.Redis.from_url(target, socket_timeout=5.0, socket_connect_timeout=5.0)
            except (ValueError, lib.RedisError) as exc:
                raise ATHClientError(
                    "INVALID_ARGUMENT", f"RedisStore url is not a Redis URL ({exc})"
                ) from None
            allow_insecure = allow_insecure or asked
        if not allow_insecure:
            _check_transport(client, lib)
        self._r: redis.Redis = client
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self.lock_ttl = lock_ttl
        self._read_script = client.register_script(_READ)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r})"

    def _key(self, base_url: str, agent_id: str, user: str = "") -> str:
        return f"{self.prefix}:entry:{entry_digest(base_url, agent_id, user)}"

    def _users_key(self, base_url: str, agent_id: str) -> str:
        return f"{self.prefix}:users:{entry_digest(base_url, agent_id)}"

    def _unavailable(self, exc: BaseException) -> ATHError:
        return ATHClientError(
            "STORE_UNAVAILABLE",
            f"the Redis store is unavailable ({type(exc).__name__}: {exc}); nothing was "
            "changed. Check that Redis runs and is reachable, then retry.",
        )

    # ---------------------------------------------------------------- reading

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        try:
            return self._r.hget(self._key(base_url, agent_id, user), "ver")
        except self._errors as exc:
            raise self._unavailable(exc) from None

    def _decode(self, raw: Any, base_url: str, agent_id: str, user: str) -> StoreEntry | None:
        where = f"Redis {self._key(base_url, agent_id, user)}"
        if not raw or raw[0] is None:
            return None
        size = sum(len(part) for part in raw if isinstance(part, bytes | str))
        if size > self.max_bytes:
            raise _corrupt(where, f"larger than max_bytes={self.max_bytes}")
        doc = loads(raw[0], where)
        tokens = {}
        pairs = raw[2:]
        for i in range(0, len(pairs) - 1, 2):
            name = (
                pairs[i].decode(errors="replace") if isinstance(pairs[i], bytes) else str(pairs[i])
            )
            if pairs[i + 1] is None:  # expired: Redis dropped it
                continue
            tokens["" if name == "*" else name] = loads(pairs[i + 1], where)
        if isinstance(doc, dict):
            doc.pop("token_names", None)
        return decode_entry(
            doc, base_url=base_url, agent_id=agent_id, where=where, tokens=tokens, user=user
        )

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        key = self._key(base_url, agent_id, user)
        try:
            raw = self._read_script(keys=[key])
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return self._decode(raw, base_url, agent_id, user)

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The users (``for_user`` ids) with an entry for (base_url, agent_id)."""
        try:
            members = self._r.smembers(self._users_key(base_url, agent_id))
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)

    def purge_user(self, base_url: str, agent_id: str, user: str) -> None:
        """Remove ``user``'s entry (its tokens; nothing is revoked at the server)."""
        self.update(base_url, agent_id, lambda _: None, user=check_user_id(user))

    # ---------------------------------------------------------------- writing

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        lib = _redis()
        key = self._key(base_url, agent_id, user)
        try:
            for _ in range(MAX_ATTEMPTS):
                with self._r.pipeline(transaction=True) as pipe:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        doc, ver = pipe.hmget(key, ["doc", "ver"])
                        names: list[str] = []
                        raw: list[Any] = [doc, ver]
                        if doc is not None:
                            names = _token_names(loads(doc, f"Redis {key}"))
                            for name in names:
                                raw += [name, pipe.get(f"{key}:token:{name}")]
                        old = self._decode(raw, base_url, agent_id, user)
                        new = change(old)
                        pipe.multi()
                        self._queue_write(pipe, key, names, new)
                        if user:
                            users = self._users_key(base_url, agent_id)
                            if new is None:
                                pipe.srem(users, user)
                            else:
                                pipe.sadd(users, user)
                        pipe.execute()
                        return new
                    except lib.WatchError:
                        continue
        except self._errors as exc:
            raise self._unavailable(exc) from None
        raise ATHClientError(
            "STORE_LOCK_TIMEOUT",
            f"the Redis entry changed under {MAX_ATTEMPTS} attempts in a row; nothing was "
            "changed. Retry.",
        )

    def _queue_write(
        self, pipe: Any, key: str, old_names: list[str], new: StoreEntry | None
    ) -> None:
        if new is None:
            pipe.delete(key, *(f"{key}:token:{n}" for n in old_names))
            return
        live = {k: t for k, t in new.tokens.items() if not t.is_expired()}
        names = sorted(_name(k) for k in live)
        doc = encode_entry(new, with_tokens=False)
        doc["token_names"] = names
        pipe.hset(key, "doc", dumps(doc))
        pipe.hincrby(key, "ver", 1)
        for gone in set(old_names) - set(names):
            pipe.delete(f"{key}:token:{gone}")
        tokens_doc = encode_entry(new)["tokens"]
        for k, token in live.items():
            value = dumps(tokens_doc[k])
            if token.expires_at is None:
                pipe.set(f"{key}:token:{_name(k)}", value)
            else:
                pipe.set(f"{key}:token:{_name(k)}", value, pxat=int(token.expires_at * 1000))

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        lib = _redis()
        name = f"{self.prefix}:lock:{entry_digest(base_url, agent_id)}"
        lock = self._r.lock(
            name,
            timeout=self.lock_ttl,
            sleep=0.05,
            blocking_timeout=self.lock_timeout,
            thread_local=False,
        )
        try:
            acquired = lock.acquire()
        except self._errors as exc:
            raise self._unavailable(exc) from None
        if not acquired:
            raise ATHClientError(
                "STORE_LOCK_TIMEOUT",
                f"the registration lock in Redis was not free within {self.lock_timeout:g} s; "
                "nothing was changed. Another process is registering: retry, or raise "
                "lock_timeout.",
            )
        try:
            yield
        finally:
            try:
                lock.release()
            except lib.exceptions.LockError:
                pass  # expired (lock_ttl passed) or Redis restarted: nothing to release
            except self._errors:
                pass  # Redis went away: the TTL frees the lock


# What leaves the store's public methods carries no secret in its frames.
seal_methods(RedisStore)
