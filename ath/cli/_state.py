"""The command line's persistence, in one place: which client, and where its state lives.

Consecutive commands share the registration (client id and secret) and the tokens
through the SDK's own credentials file (``save_credentials``/``load_credentials``:
versioned JSON, 0600, atomic replace), one file per (mode, server URL, agent id) in
the user's data folder, or the file named by ``--store``/``ATH_STORE``. Nothing
else in the command line reads or writes that state: moving to another store is a
change of this module only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ath._errors import ATHError
from ath.cli._settings import Settings, data_dir, default_key_path

if TYPE_CHECKING:
    from ath._client import ATHGatewayClient, ATHNativeClient

    Client = ATHGatewayClient | ATHNativeClient


def _require(settings: Settings, key: str, how: str) -> str:
    value = settings.get(key)
    if not value:
        raise ATHError("INVALID_ARGUMENT", f"no {key.replace('_', ' ')}: {how}")
    return str(value)


def key_path(settings: Settings) -> Path:
    configured = settings.get("key")
    return Path(configured).expanduser() if configured else default_key_path()


def store_location(settings: Settings, *, native: bool) -> Path:
    """The credentials file for this (mode, url, agent id)."""
    store = settings.get("store")
    if store:
        if "://" in str(store):
            raise ATHError(
                "INVALID_ARGUMENT",
                f"--store {store}: URL stores (redis://) need ath.stores, which this version "
                "of ath-sdk does not have yet; pass a file path",
            )
        return Path(str(store)).expanduser()
    mode = "native" if native else "gateway"
    name = f"{mode}\n{settings.get('url')}\n{settings.get('agent_id')}".encode()
    return data_dir() / "credentials" / f"{hashlib.sha256(name).hexdigest()[:24]}.json"


def open_client(settings: Settings, *, native: bool, signing: bool = True) -> Client:
    """A client for the configured server and agent, with the stored state loaded.

    ``signing=False`` (discovery only): no key or agent id is needed; an in-memory
    key stands in, it never signs anything and is never kept.
    """
    from ath._client import ATHGatewayClient, ATHNativeClient

    url = _require(settings, "url", "pass --url, set ATH_URL or `ath config set url URL`")
    key: Any
    if signing:
        agent_id = _require(
            settings,
            "agent_id",
            "pass --agent-id, set ATH_AGENT_ID or `ath config set agent_id URI`",
        )
        from ath.cli._keys import read_key

        key = read_key(key_path(settings))
    else:
        from ath._attestation import generate_private_key

        agent_id = str(settings.get("agent_id") or "urn:ath:cli:discovery-only")
        key = generate_private_key()
    cls = ATHNativeClient if native else ATHGatewayClient
    client: Client = cls(
        url, agent_id, key, key_id=settings.get("key_id"), headers=settings.headers or None
    )
    if signing:
        try:
            load(settings, client, native=native)
        except BaseException:
            client.close()
            raise
    return client


def load(settings: Settings, client: Client, *, native: bool) -> bool:
    """Restore the stored state into ``client``; False when there is none yet."""
    path = store_location(settings, native=native)
    if not path.exists():
        return False
    client.load_credentials(path)
    return True


def save(settings: Settings, client: Client, *, native: bool) -> None:
    path = store_location(settings, native=native)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    client.save_credentials(path)


def forget(settings: Settings, client: Client, *, native: bool) -> bool:
    """Delete the stored state of ``client``'s agent at its server; False when there was none."""
    path = store_location(settings, native=native)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def describe(settings: Settings, *, native: bool) -> str:
    return str(store_location(settings, native=native))
