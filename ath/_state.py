"""What a client holds, beside the protocol flows of :mod:`ath._flows`.

:class:`ClientState` keeps the registration, the tokens, the pending authorizations
and what discovery learnt, under one lock, and mirrors the registration and the
tokens to a credential store when the client was given one (``store=``).

One token-key convention everywhere: tokens are keyed by provider id, and ``""``
holds a token set without a provider (it serves any provider).

With a store, the in-process copy is revalidated cheaply: at most every
``refresh_interval`` seconds the store's change stamp is read (a ``stat`` for a
FileStore, one ``HGET`` for Redis), and the entry is re-read only when the stamp
moved; an authentication error, a missing or an expired token re-read it at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ath._constants import STORE_REFRESH_INTERVAL
from ath._errors import ATHClientError
from ath._models import Authorization, Registration, Token

if TYPE_CHECKING:
    from ath.stores._model import CredentialStore, StoreEntry

__all__ = ["ClientState", "token_key"]

log = logging.getLogger("ath")


def token_key(provider: str | None) -> str:
    """The key a token is held under: its provider id, or ``""`` for any provider."""
    return provider or ""


class ClientState:
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
        self.tokens: dict[str, Token] = {}
        self.sessions: dict[str, Authorization] = {}
        self._stamp: object = object()  # matches no stamp: the first check loads
        self._next_check = 0.0
        self._refreshing = threading.Lock()

    # ---------------------------------------------------------------- local views

    def secrets(self) -> tuple[str | None, ...]:
        with self.lock:
            return (self.client_secret, *(t.access_token for t in self.tokens.values()))

    def token_view(self) -> dict[str, Token]:
        with self.lock:
            return dict(self.tokens)

    def pending(self) -> list[Authorization]:
        with self.lock:
            return list(self.sessions.values())

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

    def lookup(self, provider: str | None) -> tuple[str, Token] | None:
        """The token for ``provider`` (falling back to one set without a provider)."""
        with self.lock:
            key = token_key(provider)
            token = self.tokens.get(key)
            if token is None and provider is None and len(self.tokens) == 1:
                key, token = next(iter(self.tokens.items()))
            if token is None and provider is not None:
                key, token = "", self.tokens.get("")
            return None if token is None else (key, token)

    def keep_token(self, token: Token, key: str | None = None) -> str:
        key = token_key(token.provider_id) if key is None else key
        with self.lock:
            self.tokens[key] = token
        return key

    def forget_token(self, key: str, token: Token) -> None:
        with self.lock:
            if self.tokens.get(key) is token:
                del self.tokens[key]

    def keep_registration(self, result: Registration) -> None:
        with self.lock:
            self.client_id = result.client_id
            self.client_secret = result.client_secret
            self.agent_status = result.agent_status

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        with self.lock:
            self.client_id, self.client_secret = client_id, client_secret
            self.agent_status = None

    def restore(self, stored: StoreEntry) -> None:
        with self.lock:
            self.client_id = stored.client_id
            self.client_secret = stored.client_secret
            self.agent_status = None
            self.tokens = {token_key(k): v for k, v in stored.tokens.items() if not v.is_expired()}

    # ---------------------------------------------------------------- the store

    def refresh_due(self) -> bool:
        """Whether a call must check the store first: the interval has passed, or a
        check is under way (the call waits for it rather than use what it may replace)."""
        return self.store is not None and (
            time.monotonic() >= self._next_check or self._refreshing.locked()
        )

    def refresh(self, *, force: bool = False) -> None:
        """Adopt the store's entry if it changed (blocking I/O: run it as a Call step).

        One check at a time: calls that find one under way wait for it, then use what
        it adopted (a periodic check they asked for is the one that just ended), so no
        call uses a token the store no longer holds while the check is in flight."""
        store = self.store
        if store is None:
            return
        with self._refreshing:
            if not force and time.monotonic() < self._next_check:
                return  # checked while this call waited
            stamp = store.stamp(self.base_url, self.agent_id)
            try:
                if force or stamp != self._stamp:
                    entry = store.load(self.base_url, self.agent_id)
                    self._check_mode(entry)
                    with self.lock:
                        self._adopt(entry)
                        self._stamp = stamp
            finally:  # a failed read is retried at the next interval, not by every call
                self._next_check = time.monotonic() + self.refresh_interval

    def _check_mode(self, entry: StoreEntry | None) -> None:
        """An entry written by a client of the other mode (a gateway registration read
        by a native client, or the reverse) is refused: its credentials and tokens
        belong to another kind of server. Entries that name no mode are accepted."""
        if entry is not None and entry.mode is not None and entry.mode != self.mode:
            raise ATHClientError(
                "STORE_MODE_MISMATCH",
                f"the stored entry for {self.base_url} and agent {self.agent_id} was written "
                f"by a {entry.mode} client; this is a {self.mode} client, which cannot use "
                f"it. Use a {entry.mode} client (ath --mode {entry.mode}), or another store "
                "(or Redis prefix) for this one.",
                details={"stored_mode": entry.mode, "mode": self.mode},
            )

    def _adopt(self, entry: StoreEntry | None) -> None:
        """The store is the truth for the fleet: its tokens replace ours (a token
        gone from it was revoked or rejected elsewhere)."""
        if entry is None:
            self.tokens = {}
            return
        if entry.registered:
            if entry.client_id != self.client_id or entry.agent_status is not None:
                self.agent_status = entry.agent_status
            self.client_id, self.client_secret = entry.client_id, entry.client_secret
        self.tokens = dict(entry.tokens)

    def adopt(self, entry: StoreEntry) -> None:
        with self.lock:
            self._adopt(entry)

    def load_entry(self) -> StoreEntry | None:
        assert self.store is not None
        entry = self.store.load(self.base_url, self.agent_id)
        self._check_mode(entry)
        return entry

    def _update(self, change: Callable[[StoreEntry | None], StoreEntry | None]) -> None:
        store = self.store
        if store is None:
            return

        def checked(current: StoreEntry | None) -> StoreEntry | None:
            self._check_mode(current)
            return change(current)

        entry = store.update(self.base_url, self.agent_id, checked)
        with self.lock:  # what we wrote is what we hold; the next stamp check re-reads
            if entry is not None:
                self._adopt(entry)

    def _blank(self) -> StoreEntry:
        from ath.stores._model import StoreEntry

        return StoreEntry(base_url=self.base_url, agent_id=self.agent_id, mode=self.mode)

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

        self._update(change)

    def publish_token(self, key: str, token: Token) -> None:
        """Share ``token`` with the fleet (blocking I/O)."""

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank()
            return replace(base, tokens={**base.tokens, key: token})

        self._update(change)

    def unpublish_token(self, key: str, token: Token) -> None:
        """Remove ``token`` for the fleet, unless another process stored a newer one."""

        def change(entry: StoreEntry | None) -> StoreEntry | None:
            if entry is None:
                return None
            held = entry.tokens.get(key)
            if held is None or held.access_token != token.access_token:
                return entry
            return replace(entry, tokens={k: v for k, v in entry.tokens.items() if k != key})

        self._update(change)

    def publish_all(self) -> None:
        """Write the registration and every token we hold (after load_credentials)."""
        with self.lock:
            client_id, secret, tokens = self.client_id, self.client_secret, dict(self.tokens)

        def change(entry: StoreEntry | None) -> StoreEntry:
            base = entry or self._blank()
            return replace(
                base,
                client_id=client_id,
                client_secret=secret,
                agent_status=None,
                mode=self.mode,
                tokens={**base.tokens, **tokens},
            )

        self._update(change)
