"""A store client in its own process, for the multi-process store tests.

python -m tests.stores.store_worker KIND TARGET MODE NAME [COUNT]
  KIND    file | redis
  TARGET  the store file path, or the Redis URL and prefix as URL#PREFIX
  MODE    add    add COUNT tokens named NAME-i, one update each
          churn  rewrite the entry forever (killed mid-write by the test)
          hold   take the lock, touch NAME (a marker file), then sleep inside it
          hold-registration  the same with the registration lock
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from ath import ATHError, Token
from ath.stores import CredentialStore, FileStore, RedisStore, StoreEntry

URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"


def open_store(kind: str, target: str) -> CredentialStore:
    if kind == "file":
        return FileStore(target, lock_timeout=30.0)
    url, prefix = target.split("#", 1)
    return RedisStore(url, prefix=prefix, lock_timeout=30.0, lock_ttl=2.0)


def make_token(name: str) -> Token:
    return Token(
        access_token=f"tok-{name}",
        token_type="Bearer",
        expires_in=3600,
        effective_scopes=["read"],
        provider_id=name,
        agent_id=AGENT,
        scope_intersection=None,
        expires_at=time.time() + 3600,
    )


def add(name: str):  # type: ignore[no-untyped-def]
    def change(entry: StoreEntry | None) -> StoreEntry:
        base = entry or StoreEntry(URL, AGENT, client_id="cid", client_secret="sec")
        return replace(base, tokens={**base.tokens, name: make_token(name)})

    return change


def main(argv: list[str]) -> int:
    kind, target, mode, name = argv[:4]
    store = open_store(kind, target)
    if mode == "add":
        for i in range(int(argv[4])):
            while True:
                try:
                    store.update(URL, AGENT, add(f"{name}-{i}"))
                    break
                except ATHError as exc:
                    if exc.code != "STORE_LOCK_TIMEOUT":
                        raise
    elif mode == "churn":
        i = 0
        while True:
            store.update(URL, AGENT, add(f"{name}-{i % 50}"))
            i += 1
    elif mode == "hold":

        def hold(entry: StoreEntry | None) -> StoreEntry | None:
            Path(name).touch()
            time.sleep(3600)
            return entry

        store.update(URL, AGENT, hold)
    elif mode == "hold-registration":
        with store.registration_lock(URL, AGENT):
            Path(name).touch()
            time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
