"""KeyringStore: entries in the OS keychain (extra ``keyring``), one secret per entry.

The keychain has no transactions, so updates take an inter-process file lock
(``filelock``) beside the user's data directory; this store serves the processes of
one machine and one user, like the keychain itself.

Item names: the user name of an entry is ``<base URL> <agent_id>`` with ``%`` and spaces
in the URL percent-encoded (``%25``, ``%20``), so the first space always ends the URL and
two identities never share a name (``https://h/p q`` + ``r`` and ``https://h/p`` +
``q r`` did). For every URL without ``%`` or a space (nearly all) the name is what
earlier versions wrote; an entry an earlier version wrote under a URL with ``%`` is still
read under its old name, and moved to the new one at its next update.
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
from ath.stores._file import private_folder
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
    """Entries as keychain secrets of ``service``; user name ``<base URL> <agent_id>``
    (see the module's note on names), ``<base URL> <agent_id> user <user>`` for the
    tokens of a user of the agent (``for_user``), and ``<base URL> <agent_id> users``
    the list of those users."""

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
        url = normalize_store_url(base_url).replace("%", "%25").replace(" ", "%20")
        return f"{url} {agent_id} user {user}" if user else f"{url} {agent_id}"

    @staticmethod
    def _legacy_user(base_url: str, agent_id: str) -> str | None:
        """The name an earlier version used, when it differs from :meth:`_user` and was
        unambiguous (a URL without a space); None otherwise."""
        url = normalize_store_url(base_url)
        if "%" not in url or " " in url:
            return None
        return f"{url} {agent_id}"

    def _unavailable(self, exc: BaseException) -> ATHError:
        return ATHClientError(
            "STORE_UNAVAILABLE",
            f"the keyring ({type(self._backend).__name__}) is unavailable "
            f"({type(exc).__name__}); nothing was changed. Unlock the keychain, or pick a "
            "keyring backend that works here.",
        )

    def _get(self, base_url: str, agent_id: str, user: str = "") -> str | None:
        """The default user's entry is also read under the name an earlier version used."""
        value = self._get_named(self._user(base_url, agent_id, user))
        legacy = None if user else self._legacy_user(base_url, agent_id)
        if value is None and legacy is not None:
            value = self._get_named(legacy)
        return value

    def _get_named(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(self.service, name)
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return value if isinstance(value, str) else None

    def _set(self, name: str, value: str | None) -> None:
        try:
            if value is not None:
                self._backend.set_password(self.service, name, value)
            elif self._get_named(name) is not None:
                self._backend.delete_password(self.service, name)
        except self._errors as exc:
            raise self._unavailable(exc) from None

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        raw = self._get(base_url, agent_id, user)
        return None if raw is None else hashlib.sha256(raw.encode()).digest()

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        raw = self._get(base_url, agent_id, user)
        if raw is None:
            return None
        where = f"keyring {self.service!r}"
        return decode_entry(
            loads(raw, where), base_url=base_url, agent_id=agent_id, where=where, user=user
        )

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The users (``for_user`` ids) with an entry for (base_url, agent_id)."""
        raw = self._get_named(f"{self._user(base_url, agent_id)} users")
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
                private_folder(self.lock_dir)  # 0700 whatever the umask
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
            self._set(
                self._user(base_url, agent_id, user),
                None if new is None else dumps(encode_entry(new)),
            )
            legacy = None if user else self._legacy_user(base_url, agent_id)
            if legacy is not None and self._get_named(legacy) is not None:
                # read (and checked bound to this identity) above: moved to its new name
                self._set(legacy, None)
            if user and (old is None) != (new is None):
                self._index(base_url, agent_id, user, new is not None)
            return new

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        with self._locked(f"keyring-{entry_digest(base_url, agent_id)}.register"):
            yield


# What leaves the store's public methods carries no secret in its frames.
seal_methods(KeyringStore)
