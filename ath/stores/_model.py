"""What a credential store holds, and the protocol every store follows."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

from ath._constants import SESSION_LIFETIME
from ath._errors import ATHClientError, ATHError
from ath._models import Authorization, Token
from ath._validation import normalize_base_url

__all__ = [
    "ENTRY_FORMAT",
    "ENTRY_VERSION",
    "AsyncCredentialStore",
    "Change",
    "CredentialStore",
    "StoreEntry",
    "decode_entry",
    "encode_entry",
    "entry_digest",
    "normalize_store_url",
    "token_from_json",
    "token_to_json",
]

ENTRY_FORMAT: Final = "ath-sdk-store-entry"
ENTRY_VERSION: Final = 1
DEFAULT_LOCK_TIMEOUT: Final = 10.0
#: The largest expiry time accepted (year 9999).
_MAX_EXPIRES_AT: Final = 253402300799.0


def normalize_store_url(base_url: str) -> str:
    """The base URL as entries are keyed: lower-case scheme and host, no default port,
    no trailing slash (``https://GW.example:443/`` and ``https://gw.example`` are one).

    The clients' own normaliser (:func:`ath._validation.normalize_base_url`), so a
    client's URL and its store key are one string; plain http is allowed here (the
    client decided that already)."""
    if not isinstance(base_url, str):
        raise ATHClientError(
            "INVALID_ARGUMENT", "a store key needs the server's base URL, a string"
        )
    return _normalized(base_url)


@functools.lru_cache(maxsize=256)
def _normalized(base_url: str) -> str:
    return normalize_base_url(base_url, allow_insecure_http=True, what="a store key's base URL")


def entry_digest(base_url: str, agent_id: str, user: str = "") -> str:
    """A fixed-length name for an entry (Redis keys, lock files, keyring user names);
    a user's entry (``user`` not empty) has a name of its own."""
    raw = f"{normalize_store_url(base_url)}\n{agent_id}"
    if user:
        raw += f"\n{user}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True, repr=False)
class StoreEntry:
    """One agent identity at one server: the registration and the tokens per provider.

    ``tokens`` is keyed by provider id; the key ``""`` holds a token set without a
    provider (it serves any). Each token carries its absolute expiry (``expires_at``),
    its effective scopes and its binding (``agent_id``, ``provider_id``).

    ``user``: whose tokens these are (``for_user``); ``""`` is the default user, whose
    entry also holds the agent's registration. Another user's entry holds tokens only
    (the registration is the agent's, shared).
    """

    base_url: str
    agent_id: str
    client_id: str | None = None
    client_secret: str | None = None
    agent_status: str | None = None
    mode: str | None = None
    tokens: Mapping[str, Token] = field(default_factory=dict)
    user: str = ""
    #: Authorizations started and not finished yet, by session id: a process that
    #: restarts mid-consent finishes them (``finish_authorization``, ``wait_for_token``).
    pending: Mapping[str, Authorization] = field(default_factory=dict)

    @property
    def registered(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def __repr__(self) -> str:
        secret = "None" if self.client_secret is None else "'***'"
        user = f", user={self.user!r}" if self.user else ""
        return (
            f"StoreEntry(base_url={self.base_url!r}, agent_id={self.agent_id!r}{user}, "
            f"client_id={self.client_id!r}, client_secret={secret}, "
            f"agent_status={self.agent_status!r}, tokens={sorted(self.tokens)!r})"
        )


#: A read-modify-write step: the current entry (None when absent) -> the new one
#: (None deletes it). It may run more than once (optimistic stores retry), so it
#: must not have side effects.
Change = Callable[[StoreEntry | None], StoreEntry | None]


@runtime_checkable
class CredentialStore(Protocol):
    """Where clients keep what they share: registrations and tokens, per (URL, agent),
    and the tokens of each user of the agent, per (URL, agent, user).

    ``user`` names a user's entry (``for_user``); it is passed only for a user other
    than the default one, so a store written before users existed keeps serving the
    plain clients.
    """

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        """The entry for (base_url, agent_id, user), or None; expired tokens dropped."""
        ...

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        """Atomically replace the entry with ``change(current)``; returns what was stored.

        Runs under the store's lock (or an optimistic transaction): no other process's
        update is lost. Raises ``STORE_LOCK_TIMEOUT`` when the lock is not had in time.
        """
        ...

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        """A cheap value that changes whenever the entry may have changed."""
        ...

    def registration_lock(self, base_url: str, agent_id: str) -> AbstractContextManager[None]:
        """A lock held across a registration, released even if its holder dies."""
        ...


@runtime_checkable
class AsyncCredentialStore(Protocol):
    """A store the async clients also reach through an async client of its own, so that
    their store checks and token writes never leave the event loop (``AsyncRedisStore``);
    the coroutines mirror :class:`CredentialStore`'s methods."""

    async def aload(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        """Async :meth:`CredentialStore.load`."""
        ...

    async def aupdate(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        """Async :meth:`CredentialStore.update`."""
        ...

    async def astamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        """Async :meth:`CredentialStore.stamp`."""
        ...


# --------------------------------------------------------------------------- codec


def token_to_json(token: Token) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "token_type": token.token_type,
        "expires_at": token.expires_at,
        "effective_scopes": token.effective_scopes,
        "provider_id": token.provider_id,
        "agent_id": token.agent_id,
    }


def token_from_json(data: Any) -> Token:
    if not isinstance(data, Mapping):
        raise TypeError("token entry is not an object")
    access_token = data["access_token"]
    expires_at = data.get("expires_at")
    scopes = data.get("effective_scopes") or []
    if not isinstance(access_token, str) or not access_token:
        raise TypeError("access_token is not a string")
    if expires_at is not None and (
        isinstance(expires_at, bool)
        or not isinstance(expires_at, int | float)
        or not 0 <= expires_at <= _MAX_EXPIRES_AT  # ints compared as ints: 10**400 is out
        or not math.isfinite(expires_at)  # NaN compares False to everything
    ):
        raise TypeError("expires_at is not a time between 1970 and 9999")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise TypeError("effective_scopes is not a list of strings")
    for name in ("token_type", "provider_id", "agent_id"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise TypeError(f"{name} is not a string")
    remaining = None if expires_at is None else max(0, int(expires_at - time.time()))
    return Token(
        access_token=access_token,
        token_type=str(data.get("token_type") or "Bearer"),
        expires_in=remaining,
        effective_scopes=list(scopes),
        provider_id=data.get("provider_id"),
        agent_id=data.get("agent_id"),
        scope_intersection=None,
        expires_at=None if expires_at is None else float(expires_at),
    )


def _shown(value: object) -> str:
    """A stored value in a message: small numbers and short strings as they are, the
    rest by type (a damaged entry may hold anything, of any depth or size)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 10**9:
        return repr(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    return f"a {type(value).__name__}"


def _corrupt(where: str, why: str) -> ATHError:
    return ATHClientError(
        "STORE_CORRUPT",
        f"{where}: the stored entry is not usable ({why}); it was left untouched. Remove it "
        "(or the store file) and register again, or restore it from a backup.",
    )


def encode_entry(entry: StoreEntry, *, with_tokens: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": ENTRY_FORMAT,
        "version": ENTRY_VERSION,
        "base_url": normalize_store_url(entry.base_url),
        "agent_id": entry.agent_id,
        "mode": entry.mode,
        "client_id": entry.client_id,
        "client_secret": entry.client_secret,
        "agent_status": entry.agent_status,
    }
    if entry.user:  # the default user's entry keeps the layout it always had
        doc["user"] = entry.user
    if entry.pending:
        doc["pending"] = {
            sid: {
                "authorization_url": a.authorization_url,
                "provider_id": a.provider_id,
                "scopes": list(a.scopes),
                "state": a.state,
                "redirect_uri": a.redirect_uri,
                "created_at": a.created_at,
            }
            for sid, a in sorted(entry.pending.items())
        }
    if with_tokens:
        doc["tokens"] = {k: token_to_json(t) for k, t in sorted(entry.tokens.items())}
    return doc


def decode_entry(
    doc: Any,
    *,
    base_url: str,
    agent_id: str,
    where: str,
    tokens: Mapping[str, Any] | None = None,
    user: str = "",
) -> StoreEntry:
    """Check and decode an entry document bound to (base_url, agent_id).

    Raises ``STORE_CORRUPT`` for a malformed, unknown-version or foreign entry.
    Tokens past their expiry are dropped.
    """
    if not isinstance(doc, Mapping) or doc.get("format") != ENTRY_FORMAT:
        raise _corrupt(where, "not an ath-sdk store entry")
    if doc.get("version") != ENTRY_VERSION:
        raise _corrupt(where, f"unsupported entry version ({_shown(doc.get('version'))})")
    for key in ("mode", "client_id", "client_secret", "agent_status"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise _corrupt(where, f"{key} is not a string")
    if doc.get("base_url") != normalize_store_url(base_url) or doc.get("agent_id") != agent_id:
        raise _corrupt(where, "the entry belongs to another server URL or agent_id")
    if doc.get("user", "") != user:
        raise _corrupt(where, "the entry belongs to another user")
    raw_tokens = doc.get("tokens") if tokens is None else tokens
    if raw_tokens is None:
        raw_tokens = {}
    if not isinstance(raw_tokens, Mapping):
        raise _corrupt(where, "tokens is not an object")
    decoded: dict[str, Token] = {}
    for key, value in raw_tokens.items():
        try:
            token = token_from_json(value)
        except (TypeError, KeyError, ValueError) as exc:
            raise _corrupt(where, f"token {key!r}: {exc}") from None
        if token.agent_id not in (None, agent_id):
            raise _corrupt(where, f"token {key!r} is bound to another agent")
        if key and token.provider_id not in (None, key):
            raise _corrupt(where, f"token {key!r} is bound to another provider")
        if not token.is_expired():
            decoded[str(key)] = token
    pending = _decode_pending(doc.get("pending"), where)
    return StoreEntry(
        base_url=normalize_store_url(base_url),
        agent_id=agent_id,
        client_id=doc.get("client_id"),
        client_secret=doc.get("client_secret"),
        agent_status=doc.get("agent_status"),
        mode=doc.get("mode"),
        tokens=decoded,
        user=user,
        pending=pending,
    )


def _decode_pending(raw: Any, where: str) -> dict[str, Authorization]:
    """The pending authorizations of an entry document, those past their lifetime dropped."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _corrupt(where, "pending is not an object")
    found: dict[str, Authorization] = {}
    now = time.time()
    for sid, item in raw.items():
        if not isinstance(item, Mapping):
            raise _corrupt(where, "a pending authorization is not an object")
        texts = [item.get(k) for k in ("authorization_url", "provider_id", "state")]
        scopes, created = item.get("scopes"), item.get("created_at")
        redirect = item.get("redirect_uri")
        if (
            not all(isinstance(t, str) and t for t in texts)
            or not isinstance(scopes, list)
            or not all(isinstance(s, str) for s in scopes)
            or isinstance(created, bool)
            or not isinstance(created, int | float)
            or not math.isfinite(float(created))
            or not (redirect is None or isinstance(redirect, str))
        ):
            raise _corrupt(where, f"pending authorization {sid!r} is malformed")
        if now - float(created) > SESSION_LIFETIME:
            continue
        found[str(sid)] = Authorization(
            authorization_url=str(texts[0]),
            ath_session_id=str(sid),
            provider_id=str(texts[1]),
            scopes=list(scopes),
            state=str(texts[2]),
            redirect_uri=redirect,
            created_at=float(created),
        )
    return found


def dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


def loads(raw: str | bytes, where: str) -> Any:
    """The JSON document ``raw``, or ``STORE_CORRUPT`` (deep nesting included: Python's
    decoder recurses, and a stored entry is never deeper than a few levels)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _corrupt(where, f"not JSON: {type(exc).__name__}") from None


def iter_docs(doc: Any, where: str) -> Iterator[Mapping[str, Any]]:
    if not isinstance(doc, list):
        raise _corrupt(where, "entries is not a list")
    for item in doc:
        if not isinstance(item, Mapping):
            raise _corrupt(where, "an entry is not an object")
        yield item
