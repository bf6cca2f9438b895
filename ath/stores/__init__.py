"""Credential stores: one agent identity shared by many clients, processes and machines.

An entry is keyed by (normalised base URL, agent_id) and holds the registration
(client_id, client_secret, agent status) and the tokens per provider (absolute
expiry, scopes, binding). Every store offers atomic read-modify-write updates, a
cheap change check and a registration lock; see :class:`CredentialStore`.

- :class:`MemoryStore` this process only (the default);
- :class:`FileStore` one file, locked across the processes of a machine;
- :class:`KeyringStore` the OS keychain (extra ``keyring``);
- :class:`RedisStore` Redis, for fleets over several machines (extra ``redis``);
- :class:`AsyncRedisStore` a RedisStore the async clients reach without a thread;
- :class:`EncryptedStore` any of these, with the secrets sealed under a fleet key.

Each user of an agent (``client.for_user``) has an entry of its own, keyed by (base
URL, agent_id, user); the stores list (``list_users``) and purge (``purge_user``) them.
"""

from ath.stores._aredis import AsyncRedisStore
from ath.stores._encrypted import EncryptedStore
from ath.stores._file import FileStore, default_store_path
from ath.stores._keyring import KeyringStore
from ath.stores._memory import MemoryStore
from ath.stores._model import (
    AsyncCredentialStore,
    Change,
    CredentialStore,
    StoreEntry,
    normalize_store_url,
)
from ath.stores._redis import RedisStore

__all__ = [
    "AsyncCredentialStore",
    "AsyncRedisStore",
    "Change",
    "CredentialStore",
    "EncryptedStore",
    "FileStore",
    "KeyringStore",
    "MemoryStore",
    "RedisStore",
    "StoreEntry",
    "default_store_path",
    "normalize_store_url",
]
