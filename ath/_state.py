"""What a client holds, beside the protocol flows of :mod:`ath._flows`.

:class:`ClientState` keeps the registration, the tokens, the pending authorizations
and what discovery learnt, under one lock, and mirrors the registration and the
tokens to a credential store when the client was given one (``store=``).

Tokens and pending authorizations belong to a user of the agent (``for_user``): they
are held per user id in :attr:`ClientState.users`, ``""`` being the default user (the
plain client). Every accessor takes the user; nothing else differs between users.
The registration and the discovery results are the agent's, shared by every user.

One token-key convention everywhere: tokens are keyed by provider id, and ``""``
holds a token set without a provider (it serves any provider).

With a store, the in-process copy is revalidated cheaply: at most every
``refresh_interval`` seconds the store's change stamp is read (a ``stat`` for a
FileStore, one ``HGET`` for Redis), and the entry is re-read only when the stamp
moved; an authentication error, a missing or an expired token re-read it at once.
Each user's tokens are a store entry of their own (the registration lives in the
default user's), with a stamp of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ath._constants import MAX_PENDING_SESSIONS, SESSION_LIFETIME, STORE_REFRESH_INTERVAL
from ath._errors import ATHClientError
from ath._models import Authorization, Registration, Token

if TYPE_CHECKING:
    from ath.stores._model import AsyncCredentialStore, Change, CredentialStore, StoreEntry

T = TypeVar("T")
#: What a Call step runs: a blocking function, and its coroutine twin (an async store).
Blocking = Callable[[], object]
Awaiting = Callable[[], Awaitable[object]]

__all__ = ["DEFAULT_USER", "ClientState", "UserState", "token_key"]

log = logging.getLogger("ath")

#: The user of the plain client (``for_user`` ids are never empty).
DEFAULT_USER: Final = ""


def token_key(provider: str | None) -> str:
    """The key a token is held under: its provider id, or ``""`` for any provider."""
    return provider or ""


class UserState:
    """One user's tokens and pending authorizations, and the stamp of its store entry."""

    __slots__ = ("next_check", "sessions", "stamp", "tokens")

    def __init__(self) -> None:
        self.tokens: dict[str, Token] = {}
        self.sessions: dict[str, Authorization] = {}
        self.stamp: object = object()  # matches no stamp: the first check loads
        self.next_check = 0.0


class _StoreWrites:
    """The half of :class:`ClientState` that writes what a client holds to its store
    (blocking I/O: the flows run these as Call steps)."""

    base_url: str
    agent_id: str
    mode: str
    lock: threading.RLock
    client_id: str | None
    client_secret: str | None
    agent_status: str | None

    def of(self, user: str) -> UserState:
        raise NotImplementedError

    def _update(self, user: str, change: Change) -> None:
        raise NotImplementedError

    def _blank(self, user: str = DEFAULT_USER) -> StoreEntry:
        from ath.stores._model import StoreEntry

        return StoreEntry(base_url=self.base_url, agent_id=self.agent_id, mode=self.mode, user=user)

    def publish_registration(self) -> None:
        """Write our registration to the store (blocking I/O)."""
        with self.lock:
            client_id, secret, status = self.client_id, self.client_secret, self.agent_status

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank()
            return replace(
                base,
                client_id=client_id,
                client_secret=secret,
                agent_status=status,
                mode=self.mode,
            )

        self._update(DEFAULT_USER, change)

    def publish_token(
        self, user: str, key: str, token: Token, session_id: str | None = None
    ) -> None:
        """Share ``user``'s ``token`` with the fleet (blocking I/O)."""
        self._update(user, self.token_change(user, key, token, session_id))

    def token_change(
        self, user: str, key: str, token: Token, session_id: str | None = None
    ) -> Change:
        """Store ``user``'s ``token``; the authorization ``session_id`` it came from is no
        longer pending."""

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank(user)
            pending = {s: a for s, a in base.pending.items() if s != session_id}
            return replace(base, tokens={**base.tokens, key: token}, pending=pending)

        return change

    def session_change(self, user: str, auth: Authorization) -> Change:
        """Keep ``auth`` pending in the store, so that any process, or this one after a
        restart, can finish it. Expired ones are dropped, and the oldest beyond
        ``MAX_PENDING_SESSIONS``."""

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank(user)
            now = time.time()
            pending = {
                s: a for s, a in base.pending.items() if now - a.created_at <= SESSION_LIFETIME
            }
            while len(pending) >= MAX_PENDING_SESSIONS:
                del pending[min(pending, key=lambda s: pending[s].created_at)]
            pending[auth.ath_session_id] = auth
            return replace(base, pending=pending)

        return change

    def unsession_change(self, user: str, session_id: str) -> Change:
        """``session_id`` is no longer pending (refused, expired or unknown to the
        server): no process offers it or resumes it again."""

        def change(entry: StoreEntry | None) -> StoreEntry | None:
            if entry is None or session_id not in entry.pending:
                return entry
            pending = {s: a for s, a in entry.pending.items() if s != session_id}
            if user != DEFAULT_USER and not entry.tokens and not pending:
                return None  # a user's entry holding nothing more is not kept
            return replace(entry, pending=pending)

        return change

    def untoken_change(self, user: str, key: str, token: Token) -> Change:
        """Remove ``token`` for the fleet, unless another process stored a newer one."""

        def change(entry: StoreEntry | None) -> StoreEntry | None:
            if entry is None:
                return None
            held = entry.tokens.get(key)
            if held is None or held.access_token != token.access_token:
                return entry
            tokens = {k: v for k, v in entry.tokens.items() if k != key}
            if user != DEFAULT_USER and not tokens and not entry.pending:
                return None  # a user's entry holds only tokens: none left, none kept
            return replace(entry, tokens=tokens)

        return change

    def publish_all(self, user: str = DEFAULT_USER) -> None:
        """Write the registration and every token ``user`` holds (after load_credentials)."""
        with self.lock:
            client_id, secret = self.client_id, self.client_secret
            tokens = dict(self.of(user).tokens)

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank()
            return replace(
                base,
                client_id=client_id,
                client_secret=secret,
                agent_status=None,
                mode=self.mode,
                tokens={**base.tokens, **tokens} if user == DEFAULT_USER else base.tokens,
            )

        self._update(DEFAULT_USER, change)
        if user != DEFAULT_USER and tokens:

            def add(entry: StoreEntry | None) -> StoreEntry:
                base = entry or self._blank(user)
                return replace(base, tokens={**base.tokens, **tokens})

            self._update(user, add)


def check_mode(state: ClientState, entry: StoreEntry | None) -> None:
    """An entry written by a client of the other mode (a gateway registration read by a
    native client, or the reverse) is refused: its credentials and tokens belong to
    another kind of server. Entries that name no mode are accepted."""
    if entry is not None and entry.mode is not None and entry.mode != state.mode:
        raise ATHClientError(
            "STORE_MODE_MISMATCH",
            f"the stored entry for {state.base_url} and agent {state.agent_id} was written "
            f"by a {entry.mode} client; this is a {state.mode} client, which cannot use "
            f"it. Use a {entry.mode} client (ath --mode {entry.mode}), or another store "
            "(or Redis prefix) for this one.",
            details={"stored_mode": entry.mode, "mode": state.mode},
        )


def mode_checked(state: ClientState, change: Change) -> Change:
    """``change`` preceded by :func:`check_mode` on the entry it is given (every write
    path, sync and async, refuses an entry of the other mode the same way)."""

    def checked(current: StoreEntry | None) -> StoreEntry | None:
        check_mode(state, current)
        return change(current)

    return checked


class ClientState(_StoreWrites):
    """Credentials, status, tokens, sessions and discovery results of one client."""

    def __init__(
        self,
        *,
        base_url: str,
        agent_id: str,
        mode: str,
        store: CredentialStore | None = None,
        refresh_interval: float = STORE_REFRESH_INTERVAL,
    ) -> None:
        self.base_url = base_url
        self.agent_id = agent_id
        self.mode = mode
        self.store = store
        self.refresh_interval = refresh_interval
        self.lock = threading.RLock()
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.agent_status: str | None = None
        self.api_base: str | None = None
        self.oauth_endpoints: tuple[str, str] | None = None
        #: Per user id (``""``: the default user): tokens and pending authorizations.
        self.users: dict[str, UserState] = {DEFAULT_USER: UserState()}
        #: Which user started each pending authorization (session id -> user id).
        self.session_users: dict[str, str] = {}
        #: Held while the store is checked: calls that find it held wait for the check
        #: (see :meth:`refresh_due`) rather than use what it may replace.
        self._refreshing = threading.Lock()

    def of(self, user: str) -> UserState:
        """``user``'s state, made on first use."""
        held = self.users.get(user)
        if held is None:
            with self.lock:
                held = self.users.setdefault(user, UserState())
        return held

    @property
    def tokens(self) -> dict[str, Token]:
        """The default user's tokens (the plain client's)."""
        return self.users[DEFAULT_USER].tokens

    @property
    def sessions(self) -> dict[str, Authorization]:
        """The default user's pending authorizations."""
        return self.users[DEFAULT_USER].sessions

    # ---------------------------------------------------------------- local views

    def secrets(self, user: str = DEFAULT_USER) -> tuple[str | None, ...]:
        """The client secret and ``user``'s tokens (a flow for one user sends no other's:
        the error of a client serving 10 000 users is not scanned for 10 000 tokens)."""
        with self.lock:
            held = self.users.get(user)
            tokens = () if held is None else tuple(t.access_token for t in held.tokens.values())
            return (self.client_secret, *tokens)

    def token_view(self, user: str = DEFAULT_USER) -> dict[str, Token]:
        with self.lock:
            return dict(self.of(user).tokens)

    def pending(self, user: str = DEFAULT_USER) -> list[Authorization]:
        with self.lock:
            return list(self.of(user).sessions.values())

    def holders(self) -> list[str]:
        """The users (not the default one) holding a token in this process."""
        with self.lock:
            return sorted(u for u, held in self.users.items() if u and held.tokens)

    def registered(self) -> bool:
        with self.lock:
            return bool(self.client_id and self.client_secret)

    def credentials(self) -> tuple[str, str]:
        with self.lock:
            if not self.client_id or not self.client_secret:
                raise ATHClientError(
                    "NOT_REGISTERED",
                    "this client holds no credentials: call register() first, or restore them "
                    "with load_credentials(path) / set_credentials(client_id, client_secret).",
                )
            return self.client_id, self.client_secret

    def lookup(self, user: str, provider: str | None) -> tuple[str, Token] | None:
        """``user``'s token for ``provider`` (falling back to one set without a provider)."""
        held = self.users.get(user)
        if held is None:
            return None
        with self.lock:
            tokens = held.tokens
            key = token_key(provider)
            token = tokens.get(key)
            if token is None and provider is None and len(tokens) == 1:
                key, token = next(iter(tokens.items()))
            if token is None and provider is not None:
                key, token = "", tokens.get("")
            return None if token is None else (key, token)

    def keep_token(self, user: str, token: Token, key: str | None = None) -> str:
        key = token_key(token.provider_id) if key is None else key
        with self.lock:
            self.of(user).tokens[key] = token
        return key

    def forget_token(self, user: str, key: str, token: Token) -> None:
        with self.lock:
            tokens = self.of(user).tokens
            if tokens.get(key) is token:
                del tokens[key]

    def keep_session(self, user: str, auth: Authorization) -> None:
        with self.lock:
            self.of(user).sessions[auth.ath_session_id] = auth
            self.session_users[auth.ath_session_id] = user

    def drop_session(self, user: str, session_id: str) -> None:
        with self.lock:
            self.of(user).sessions.pop(session_id, None)
            if self.session_users.get(session_id) == user:
                del self.session_users[session_id]

    def session_owner(self, session_id: str) -> str | None:
        """The user who started ``session_id`` in this process, if one did."""
        with self.lock:
            return self.session_users.get(session_id)

    def keep_registration(self, result: Registration) -> None:
        with self.lock:
            self.client_id = result.client_id
            self.client_secret = result.client_secret
            self.agent_status = result.agent_status

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        with self.lock:
            self.client_id, self.client_secret = client_id, client_secret
            self.agent_status = None

    def restore(self, stored: StoreEntry, user: str = DEFAULT_USER) -> None:
        with self.lock:
            self.client_id = stored.client_id
            self.client_secret = stored.client_secret
            self.agent_status = None
            self.of(user).tokens = {
                token_key(k): v for k, v in stored.tokens.items() if not v.is_expired()
            }

    # ---------------------------------------------------------------- the store

    def refresh_due(self, user: str = DEFAULT_USER) -> bool:
        """Whether a call must check the store first: ``user``'s interval has passed, or a
        check is under way (the call waits for it rather than use what it may replace)."""
        return self.store is not None and (
            time.monotonic() >= self.of(user).next_check or self._refreshing.locked()
        )

    def refresh(self, user: str = DEFAULT_USER, *, force: bool = False) -> None:
        """Adopt the store's entries if they changed (blocking I/O: a Call step): ``user``'s,
        and the default user's (the registration) for another user. One check at a time:
        calls that find one under way wait for it, then use what it adopted."""
        if self.store is None:
            return
        with self._refreshing:
            if user != DEFAULT_USER:
                self._refresh_one(DEFAULT_USER, force=False)
            self._refresh_one(user, force=force)

    def _refresh_one(self, user: str, *, force: bool) -> None:
        store = self.store
        assert store is not None
        held = self.of(user)
        if not force and time.monotonic() < held.next_check:
            return  # checked while this call waited
        try:
            stamp = self._store_call(store.stamp, user)
            if force or stamp != held.stamp:
                entry = self._store_call(store.load, user)
                check_mode(self, entry)
                with self.lock:
                    self._adopt(user, entry)
                    held.stamp = stamp
        finally:  # a failed read is retried at the next interval, not by every call
            held.next_check = time.monotonic() + self.refresh_interval

    def _store_call(self, method: Callable[..., T], user: str, *args: Any) -> T:
        """``method(base_url, agent_id, *args)``, naming ``user`` only when it is not the
        default user (a store written for one user per agent keeps working)."""
        if user == DEFAULT_USER:
            return method(self.base_url, self.agent_id, *args)
        return method(self.base_url, self.agent_id, *args, user=user)

    def _adopt(self, user: str, entry: StoreEntry | None) -> None:
        """The store is the truth for the fleet: its tokens replace ours (a token
        gone from it was revoked or rejected elsewhere)."""
        held = self.of(user)
        if entry is None:
            held.tokens = {}
            self._adopt_pending(user, {})
            return
        if user == DEFAULT_USER and entry.registered:
            if entry.client_id != self.client_id or entry.agent_status is not None:
                self.agent_status = entry.agent_status
            self.client_id, self.client_secret = entry.client_id, entry.client_secret
        held.tokens = dict(entry.tokens)
        self._adopt_pending(user, entry.pending)

    def _adopt_pending(self, user: str, pending: Mapping[str, Authorization]) -> None:
        """The store's pending authorizations of ``user`` replace ours (one finished or
        abandoned elsewhere is gone; one started elsewhere can be finished here)."""
        held = self.of(user)
        for sid in [s for s in held.sessions if s not in pending]:
            self.drop_session(user, sid)
        for auth in pending.values():
            if auth.ath_session_id not in held.sessions:
                self.keep_session(user, auth)

    def adopt(self, entry: StoreEntry) -> None:
        with self.lock:
            self._adopt(DEFAULT_USER, entry)

    def load_entry(self) -> StoreEntry | None:
        assert self.store is not None
        entry = self.store.load(self.base_url, self.agent_id)
        check_mode(self, entry)
        return entry

    def _update(self, user: str, change: Change) -> None:
        store = self.store
        if store is None:
            return
        entry = self._store_call(store.update, user, mode_checked(self, change))
        with self.lock:  # what we wrote is what we hold; the next stamp check re-reads
            if entry is not None:
                self._adopt(user, entry)

    # ---------------------------------------------------------------- an async store
    # A store with an async client (AsyncCredentialStore, e.g. AsyncRedisStore) serves
    # the async clients' refreshes and token writes on their event loop: each pair below
    # is (blocking function, coroutine function or None) for a Call step.

    def _async_store(self) -> AsyncCredentialStore | None:
        from ath.stores._model import AsyncCredentialStore

        store = self.store
        return store if isinstance(store, AsyncCredentialStore) else None

    def refresh_calls(self, user: str, *, force: bool) -> tuple[Blocking, Awaiting | None]:
        aio = self._async_store() is not None
        return (
            lambda: self.refresh(user, force=force),
            (lambda: self._arefresh(user, force=force)) if aio else None,
        )

    def write_calls(self, user: str, change: Change) -> tuple[Blocking, Awaiting | None]:
        aio = self._async_store() is not None
        return (
            lambda: self._update(user, change),
            (lambda: self._aupdate(user, change)) if aio else None,
        )

    async def _arefresh(self, user: str, *, force: bool) -> None:
        if user != DEFAULT_USER:
            await self._arefresh_one(DEFAULT_USER, force=False)
        await self._arefresh_one(user, force=force)

    async def _arefresh_one(self, user: str, *, force: bool) -> None:
        store = self._async_store()
        assert store is not None
        held = self.of(user)
        try:
            stamp = await self._store_call(store.astamp, user)
            if force or stamp != held.stamp:
                entry = await self._store_call(store.aload, user)
                check_mode(self, entry)
                with self.lock:
                    self._adopt(user, entry)
                    held.stamp = stamp
        finally:  # a failed read is retried at the next interval, not by every call
            held.next_check = time.monotonic() + self.refresh_interval

    async def _aupdate(self, user: str, change: Change) -> None:
        store = self._async_store()
        assert store is not None
        entry = await self._store_call(store.aupdate, user, mode_checked(self, change))
        with self.lock:
            if entry is not None:
                self._adopt(user, entry)
