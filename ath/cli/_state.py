"""The command line's persistence, in one place: which client, and where its state lives.

Consecutive commands share the registration (client id and secret) and the tokens
through an ``ath.stores`` credential store given to the client as ``store=``: by
default the SDK's ``FileStore`` in the user's data folder (locked across processes,
0600), or the file or ``redis://`` URL named by ``--store``/``ATH_STORE``. The client
reads and writes the store itself; nothing else in the command line touches it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from ath.cli._settings import Settings, default_key_path, named, truthy
from ath.cli._usage import usage

if TYPE_CHECKING:
    from ath import ATHGatewayClient, ATHNativeClient
    from ath.stores import CredentialStore, StoreEntry

    Client = ATHGatewayClient | ATHNativeClient

__all__ = [
    "describe",
    "for_user",
    "forget",
    "key_path",
    "open_client",
    "open_store",
    "save",
    "users",
]


_URL_SCHEMES = ("redis", "rediss", "unix")


def _require(settings: Settings, key: str, how: str) -> str:
    value = settings.get(key)
    if not value:
        raise usage(f"no {key.replace('_', ' ')}: {how}")
    return str(value)


def key_path(settings: Settings) -> Path:
    configured = settings.get("key")
    return Path(configured).expanduser() if configured else default_key_path()


def _store_url(settings: Settings) -> SplitResult | None:
    """The configured store as a split URL when it is one (``redis://``...), else None;
    a malformed URL (``redis://[::1``, a port that is no number) is a usage error naming
    the setting it came from."""
    where = settings.get("store")
    if not where:
        return None
    try:
        parts = urlsplit(str(where))
        if parts.scheme not in _URL_SCHEMES:
            return None
        parts.port  # noqa: B018 - parsing the port is what can fail
    except ValueError as exc:
        raise usage(f"{named(settings, 'store')} is not a valid store URL ({exc})") from None
    return parts


def open_store(settings: Settings) -> CredentialStore:
    from ath import ATHError
    from ath.stores import FileStore

    where = settings.get("store")
    if _store_url(settings) is not None:
        from ath.stores import RedisStore

        try:
            return RedisStore(str(where))
        except ATHError as exc:
            if exc.code != "INVALID_ARGUMENT":
                raise
            raise usage(f"{named(settings, 'store')}: {exc.message}") from None
    return FileStore(Path(str(where)).expanduser() if where else None)


def open_client(settings: Settings, *, native: bool, signing: bool = True) -> Client:
    """A client for the configured server and agent, sharing state through the store.

    ``signing=False`` (discovery only): no key or agent id is needed; an in-memory
    key stands in, it never signs anything and is never kept, and no store is used.
    """
    from ath import ATHGatewayClient, ATHNativeClient

    url = _require(settings, "url", "pass --url, set ATH_URL or `ath config set url URL`")
    key: Any
    store: CredentialStore | None = None
    if signing:
        agent_id = _require(
            settings,
            "agent_id",
            "pass --agent-id, set ATH_AGENT_ID or `ath config set agent_id URI`",
        )
        from ath.cli._keys import read_key

        key = read_key(key_path(settings))
        store = open_store(settings)
    else:
        from ath import generate_private_key

        agent_id = str(settings.get("agent_id") or "urn:ath:cli:discovery-only")
        key = generate_private_key()
    cls = ATHNativeClient if native else ATHGatewayClient
    client: Client = cls(
        url,
        agent_id,
        key,
        key_id=settings.get("key_id"),
        headers=settings.headers or None,
        store=store,
        allow_insecure_http=truthy(settings.get("allow_insecure_http") or False),
    )
    if store is not None:
        # A new client adopts the store's entry only when it next needs a token; every
        # command here starts a new process, so read it now: registration and tokens are
        # then in place for every call and for the local views (whoami, status, token).
        try:
            client.refresh()
        except BaseException:
            client.close()
            raise
    return client


def for_user(settings: Settings, client: Client) -> Client:
    """``client`` acting for ``--user``/``ATH_USER`` (its tokens read from the store now),
    or ``client`` itself without one."""
    user = settings.get("user")
    if not user:
        return client
    view = client.for_user(str(user))
    if view.store is not None:
        view.refresh()
    return view


def users(client: Client) -> list[str]:
    """The users of the agent holding tokens in the store (``for_user`` ids)."""
    store = client.store
    listing = getattr(store, "list_users", None)
    if listing is None:
        return []
    from ath import ATHError

    found = []
    for user in listing(client.url, client.agent_id):
        try:  # what a shared store lists is shown only if it is a user id one could pass
            found.append(str(client.for_user(user).user_id))
        except ATHError:
            continue
    return found


def save(settings: Settings, client: Client, *, native: bool) -> None:
    """Nothing to do: the client wrote every change through to its store."""


def forget(settings: Settings, client: Client, *, native: bool, registration: bool) -> bool:
    """Forget this agent's tokens at this server in the store (with ``--user``: only that
    user's), and with ``registration`` its whole entry, client secret included; False
    when there was nothing to forget. Without ``registration`` the client id and secret
    stay: the server never shows the secret again, and ``ath login`` needs it."""
    import dataclasses

    store = client.store
    user = {"user": client.user_id} if client.user_id is not None else {}
    entry = None if store is None else store.load(client.url, client.agent_id, **user)
    if store is None or entry is None:
        return False
    if registration or client.user_id is not None or not entry.registered:
        store.update(client.url, client.agent_id, lambda _entry: None, **user)
        return True
    if not entry.tokens and not entry.pending:
        return False

    def tokens_only(held: StoreEntry | None) -> StoreEntry | None:
        return None if held is None else dataclasses.replace(held, tokens={}, pending={})

    store.update(client.url, client.agent_id, tokens_only, **user)
    return True


def describe(settings: Settings, *, native: bool) -> str:
    where = settings.get("store")
    parts = _store_url(settings)
    if parts is not None:
        host = parts.hostname or ""
        return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"
    if where:
        return str(Path(str(where)).expanduser())
    from ath.stores import default_store_path

    return str(default_store_path())
