"""KeyringStore: entries in the OS keychain (extra ``keyring``), one secret per entry.

The keychain has no transactions, so updates take an inter-process file lock
(``filelock``) beside the user's data directory; this store serves the processes of
one machine and one user, like the keychain itself.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

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
    normalize_store_url,
)

__all__ = ["KeyringStore"]


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise ATHClientError(
            "STORE_UNAVAILABLE", "KeyringStore needs keyring: pip install 'ath-sdk[keyring]'"
        ) from None
    return keyring


class KeyringStore:
    """Entries as keychain secrets of ``service``; user name ``<base URL> <agent_id>``,
    ``<base URL> <agent_id> user <user>`` for the tokens of a user of the agent
    (``for_user``), and ``<base URL> <agent_id> users`` the list of those users."""

    def __init__(
        self,
        service: str = "ath-sdk",
        *,
        backend: Any = None,
        lock_dir: str | os.PathLike[str] | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        lib = _keyring()
        self.service = service
        self._backend = backend if backend is not None else lib.get_keyring()
        self._errors: tuple[type[BaseException], ...] = (lib.errors.KeyringError,)
        if lock_dir is None:
            import platformdirs

            lock_dir = platformdirs.user_data_dir("ath-sdk", appauthor=False)
        self.lock_dir = Path(lock_dir)
        self.lock_timeout = lock_timeout
        self._threads: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, backend={type(self._backend).__name__})"

    @staticmethod
    def _user(base_url: str, agent_id: str, user: str = "") -> str:
        name = f"{normalize_store_url(base_url)} {agent_id}"
        return f"{name} user {user}" if user else name

    def _unavailable(self, exc: BaseException) -> ATHError:
        return ATHClientError(
            "STORE_UNAVAILABLE",
            f"the keyring ({type(self._backend).__name__}) is unavailable "
            f"({type(exc).__name__}); nothing was changed. Unlock the keychain, or pick a "
            "keyring backend that works here.",
        )

    def _get(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(self.service, name)
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return value if isinstance(value, str) else None

    def _set(self, name: str, value: str | None) -> None:
        try:
            if value is not None:
                self._backend.set_password(self.service, name, value)
            elif self._get(name) is not None:
                self._backend.delete_password(self.service, name)
        except self._errors as exc:
            raise self._unavailable(exc) from None

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        raw = self._get(self._user(base_url, agent_id, user))
        return None if raw is None else hashlib.sha256(raw.encode()).digest()

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        raw = self._get(self._user(base_url, agent_id, user))
        if raw is None:
            return None
        where = f"keyring {self.service!r}"
        return decode_entry(
            loads(raw, where), base_url=base_url, agent_id=agent_id, where=where, user=user
        )

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The users (``for_user`` ids) with an entry for (base_url, agent_id)."""
        raw = self._get(f"{self._user(base_url, agent_id)} users")
        if raw is None:
            return []
        users = loads(raw, f"keyring {self.service!r}")
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            raise _corrupt(f"keyring {self.service!r}", "the list of users is not a list")
        return sorted(users)

    def purge_user(self, base_url: str, agent_id: str, user: str) -> None:
        """Remove ``user``'s entry (its tokens; nothing is revoked at the server)."""
        self.update(base_url, agent_id, lambda _: None, user=check_user_id(user))

    def _index(self, base_url: str, agent_id: str, user: str, present: bool) -> None:
        digest = entry_digest(base_url, agent_id)
        with self._locked(f"keyring-{digest}.users"):
            users = set(self.list_users(base_url, agent_id))
            if (user in users) == present:
                return
            users = users | {user} if present else users - {user}
            self._set(
                f"{self._user(base_url, agent_id)} users",
                dumps(sorted(users)) if users else None,
            )

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        with self._guard:
            threads = self._threads.setdefault(name, threading.Lock())
        if not threads.acquire(timeout=self.lock_timeout):
            raise self._timeout()
        try:
            try:
                self.lock_dir.mkdir(parents=True, mode=0o700, exist_ok=True)
                lock = FileLock(
                    self.lock_dir / f"{name}.lock",
                    timeout=self.lock_timeout,
                    mode=0o600,
                    thread_local=False,
                )
                lock.acquire()
            except Timeout:
                raise self._timeout() from None
            except OSError as exc:
                raise ATHClientError(
                    "STORE_UNAVAILABLE",
                    f"cannot take the keyring store's lock in {self.lock_dir} "
                    f"({exc.strerror or exc}); nothing was changed.",
                ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            threads.release()

    def _timeout(self) -> ATHError:
        return ATHClientError(
            "STORE_LOCK_TIMEOUT",
            f"the keyring store's lock was not free within {self.lock_timeout:g} s; nothing "
            "was changed. Another process holds it: retry, or raise lock_timeout.",
        )

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        digest = entry_digest(base_url, agent_id, user)
        with self._locked(f"keyring-{digest}"):
            old = self.load(base_url, agent_id, user=user)
            new = change(old)
            name = self._user(base_url, agent_id, user)
            self._set(name, None if new is None else dumps(encode_entry(new)))
            if user and (old is None) != (new is None):
                self._index(base_url, agent_id, user, new is not None)
            return new

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        with self._locked(f"keyring-{entry_digest(base_url, agent_id)}.register"):
            yield


# What leaves the store's public methods carries no secret in its frames.
seal_methods(KeyringStore)
