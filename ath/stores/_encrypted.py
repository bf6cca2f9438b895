"""EncryptedStore: any credential store, with the secrets it holds encrypted at rest.

The client secret, every access token and the OAuth state of every pending
authorization are sealed with AES-256-GCM under a key the
fleet holds (``EncryptedStore.generate_key()``; give every process the same one, from
a secret manager), before the inner store sees them: a dump of the Redis database, the
keyring or the store file holds no usable secret. Each sealed value is bound to where
it belongs (base URL, agent_id, user, and the field or provider) as the cipher's
associated data, so a value copied to another user's entry, another provider or
another agent does not decrypt there. Everything else (client id, expiries, scopes,
user ids) stays readable, so the stores keep their layout, their expiry of token keys
and their listing of users.

A value that does not decrypt (another key, tampered, moved, or a plain value written
without this wrapper) raises ``STORE_CORRUPT``; nothing is changed.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Final

from ath._errors import ATHClientError, ATHError
from ath._frames import seal_methods
from ath.stores._model import (
    AsyncCredentialStore,
    Change,
    CredentialStore,
    StoreEntry,
    normalize_store_url,
)

__all__ = ["EncryptedStore"]

PREFIX: Final = "ath-enc:v1:"
_NONCE: Final = 12


def _key_bytes(key: str | bytes) -> bytes:
    if isinstance(key, str):
        try:
            key = base64.urlsafe_b64decode(key.encode("ascii") + b"=" * (-len(key) % 4))
        except (ValueError, binascii.Error, UnicodeEncodeError):
            key = b""
    if not isinstance(key, bytes) or len(key) != 32:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "EncryptedStore needs a 32-byte key, or its base64url text "
            "(EncryptedStore.generate_key() makes one)",
        )
    return key


class EncryptedStore:
    """``inner`` (any credential store) with client secrets and tokens sealed at rest.
    Around a store with an async client (``AsyncRedisStore``) it is one too."""

    def __new__(cls, inner: CredentialStore, key: str | bytes) -> EncryptedStore:
        if cls is EncryptedStore and isinstance(inner, AsyncCredentialStore):
            cls = _AsyncEncryptedStore
        return object.__new__(cls)

    def __init__(self, inner: CredentialStore, key: str | bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.inner = inner
        self._aead = AESGCM(_key_bytes(key))

    @staticmethod
    def generate_key() -> str:
        """A new random key, as base64url text."""
        return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("ascii")

    def __repr__(self) -> str:
        return f"EncryptedStore({self.inner!r})"

    # ---------------------------------------------------------------- sealing

    @staticmethod
    def _where(base_url: str, agent_id: str, user: str, field: str) -> bytes:
        return f"{normalize_store_url(base_url)}\n{agent_id}\n{user}\n{field}".encode()

    def _seal(self, value: str, where: bytes) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), where)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    def _open(self, value: str, where: bytes) -> str:
        from cryptography.exceptions import InvalidTag

        problem = "it is not sealed (written without the fleet key?)"
        if value.startswith(PREFIX):
            text = value[len(PREFIX) :]
            try:
                raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
                if len(raw) > _NONCE:
                    return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], where).decode("utf-8")
                problem = "it is truncated"
            except (ValueError, binascii.Error, UnicodeDecodeError):
                problem = "it is not valid base64url"
            except InvalidTag:
                problem = "it does not decrypt with this key here (another key, or moved)"
        raise ATHClientError(
            "STORE_CORRUPT",
            f"a sealed secret of the encrypted store cannot be opened: {problem}; it was "
            "left untouched. Check that every process has the same fleet key.",
        )

    def _convert(self, entry: StoreEntry | None, user: str, *, seal: bool) -> StoreEntry | None:
        if entry is None:
            return None
        apply = self._seal if seal else self._open
        base, agent = entry.base_url, entry.agent_id
        secret = entry.client_secret
        if secret is not None:
            secret = apply(secret, self._where(base, agent, user, "client_secret"))
        tokens = {
            key: replace(
                token,
                access_token=apply(
                    token.access_token, self._where(base, agent, user, f"token:{key}")
                ),
            )
            for key, token in entry.tokens.items()
        }
        pending = {
            sid: replace(
                auth, state=apply(auth.state, self._where(base, agent, user, f"state:{sid}"))
            )
            for sid, auth in entry.pending.items()
        }
        return replace(entry, client_secret=secret, tokens=tokens, pending=pending)

    # ---------------------------------------------------------------- the store protocol

    @staticmethod
    def _user(user: str) -> dict[str, Any]:
        return {"user": user} if user else {}  # an inner store of one user per agent works

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        entry = self.inner.load(base_url, agent_id, **self._user(user))
        return self._convert(entry, user, seal=False)

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        def sealed_change(current: StoreEntry | None) -> StoreEntry | None:
            return self._convert(change(self._convert(current, user, seal=False)), user, seal=True)

        stored = self.inner.update(base_url, agent_id, sealed_change, **self._user(user))
        return self._convert(stored, user, seal=False)

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        return self.inner.stamp(base_url, agent_id, **self._user(user))

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        with self.inner.registration_lock(base_url, agent_id):
            yield

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The inner store's users (``for_user`` ids) of (base_url, agent_id)."""
        listing = getattr(self.inner, "list_users", None)
        if listing is None:
            raise _no_listing(self.inner)
        users: list[str] = listing(base_url, agent_id)
        return users

    def purge_user(self, base_url: str, agent_id: str, user: str) -> None:
        """Remove ``user``'s entry from the inner store."""
        purge = getattr(self.inner, "purge_user", None)
        if purge is None:
            raise _no_listing(self.inner)
        purge(base_url, agent_id, user)


class _AsyncEncryptedStore(EncryptedStore):
    """An EncryptedStore around an AsyncCredentialStore: the coroutines seal and open
    the same way, on the event loop."""

    def _async_inner(self) -> AsyncCredentialStore:
        assert isinstance(self.inner, AsyncCredentialStore)
        return self.inner

    async def aload(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        entry = await self._async_inner().aload(base_url, agent_id, **self._user(user))
        return self._convert(entry, user, seal=False)

    async def aupdate(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        def sealed_change(current: StoreEntry | None) -> StoreEntry | None:
            return self._convert(change(self._convert(current, user, seal=False)), user, seal=True)

        inner = self._async_inner()
        stored = await inner.aupdate(base_url, agent_id, sealed_change, **self._user(user))
        return self._convert(stored, user, seal=False)

    async def astamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        return await self._async_inner().astamp(base_url, agent_id, **self._user(user))


def _no_listing(inner: object) -> ATHError:
    return ATHClientError(
        "INVALID_ARGUMENT", f"the inner store ({type(inner).__name__}) cannot list users"
    )


# What leaves the store's public methods carries no secret in its frames.
seal_methods(EncryptedStore)
seal_methods(_AsyncEncryptedStore)
