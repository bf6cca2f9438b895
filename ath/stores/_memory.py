"""MemoryStore: one process's dictionary (the default; today's behaviour)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from ath._errors import ATHClientError, ATHError
from ath._frames import seal_methods
from ath._validation import check_user_id
from ath.stores._model import DEFAULT_LOCK_TIMEOUT, Change, StoreEntry, normalize_store_url

__all__ = ["MemoryStore"]


class MemoryStore:
    """Entries in this process only; shared by the clients that are given the same object."""

    def __init__(self, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str, str], StoreEntry] = {}
        self._versions: dict[tuple[str, str, str], int] = {}
        self._registration: dict[tuple[str, str], threading.Lock] = {}

    @staticmethod
    def _key(base_url: str, agent_id: str, user: str = "") -> tuple[str, str, str]:
        return normalize_store_url(base_url), agent_id, user

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        key = self._key(base_url, agent_id, user)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        live = {k: t for k, t in entry.tokens.items() if not t.is_expired()}
        if len(live) != len(entry.tokens):
            return replace(entry, tokens=live)
        return entry

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        key = self._key(base_url, agent_id, user)
        if not self._lock.acquire(timeout=self.lock_timeout):
            raise _timeout("memory store")
        try:
            new = change(self.load(base_url, agent_id, user=user))
            if new is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = new
            self._versions[key] = self._versions.get(key, 0) + 1
            return new
        finally:
            self._lock.release()

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        return self._versions.get(self._key(base_url, agent_id, user), 0)

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The users (``for_user`` ids) with an entry for (base_url, agent_id)."""
        url = normalize_store_url(base_url)
        with self._lock:
            return sorted(u for (b, a, u) in self._entries if b == url and a == agent_id and u)

    def purge_user(self, base_url: str, agent_id: str, user: str) -> None:
        """Remove ``user``'s entry (its tokens; nothing is revoked at the server)."""
        self.update(base_url, agent_id, lambda _: None, user=check_user_id(user))

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        key = self._key(base_url, agent_id)[:2]
        with self._lock:
            lock = self._registration.setdefault(key, threading.Lock())
        if not lock.acquire(timeout=self.lock_timeout):
            raise _timeout("memory store registration")
        try:
            yield
        finally:
            lock.release()

    def __repr__(self) -> str:
        return f"MemoryStore(entries={len(self._entries)})"


def _timeout(what: str) -> ATHError:
    return ATHClientError(
        "STORE_LOCK_TIMEOUT",
        f"the {what} lock was not free within lock_timeout; nothing was changed. Retry, or "
        "raise lock_timeout if registrations legitimately take longer.",
    )


# What leaves the store's public methods carries no secret in its frames.
seal_methods(MemoryStore)
