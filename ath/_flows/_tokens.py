"""The tokens and credentials a client holds: lookup, forgetting, setting, saving and loading."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ath._core import Core
from ath._errors import ATHClientError
from ath._flows._transport import refresh, share
from ath._flows._values import (
    check_lifetime,
)
from ath._models import (
    Token,
)
from ath._state import token_key
from ath._steps import Flow
from ath._validation import (
    check_encodable,
    check_provider_id,
)

if TYPE_CHECKING:
    from ath.stores._model import StoreEntry

__all__ = ["forget_token", "restore", "set_credentials", "set_token", "snapshot", "token_for"]


# --------------------------------------------------------------------------- tokens


def token_for(core: Core, provider: str | None) -> Flow[tuple[str, Token]]:
    """The token to use for ``provider`` (falling back to one set without a provider).

    With a store: the local copy, revalidated at most every refresh interval, and
    re-read at once when it has no usable token.
    """
    state, user = core.state, core.user
    if state.store is not None and state.refresh_due(user):
        yield from refresh(core, force=False)
    found = state.lookup(user, provider)
    if state.store is not None and (found is None or found[1].is_expired()):
        yield from refresh(core, force=True)
        found = state.lookup(user, provider)
    if found is None:
        target = f"provider {provider!r}" if provider else "this service"
        if user:
            target += f" and user {user!r}"
        held = state.users.get(user) if provider else None
        with state.lock:
            others = sorted(held.tokens) if held is not None else []
        if others:  # ath-sdk 0.1.0 sent its one token and the gateway said PROVIDER_MISMATCH
            raise ATHClientError(
                "PROVIDER_MISMATCH",
                f"the ATH tokens held are for {', '.join(map(repr, others))}, not for "
                f"{target}; none was sent. Run authorize({provider!r}, scopes) and "
                "exchange_token() (or finish_authorization()) first.",
            )
        raise ATHClientError(
            "NO_TOKEN",
            f"no ATH token for {target}: run authorize() and exchange_token() "
            "(or finish_authorization()) first, or set_token().",
        )
    key, token = found
    if token.is_expired():
        raise ATHClientError(
            "TOKEN_EXPIRED",
            f"the ATH token for {token.provider_id or provider or 'this service'} expired "
            "and was not sent; authorize() again to get a new one.",
        )
    return key, token


def forget_token(core: Core, key: str, token: Token) -> Flow[None]:
    """Drop ``token`` here and, with a store, for every process sharing it."""
    core.state.forget_token(core.user, key, token)
    if core.state.store is not None:
        fn, afn = core.state.write_calls(
            core.user, core.state.untoken_change(core.user, key, token)
        )
        yield from share(core, fn, "remove a rejected token", afn)


def set_token(
    core: Core,
    access_token: str,
    provider: str | None,
    expires_in: int | None,
    scopes: Sequence[str] | None,
) -> Token:
    if not isinstance(access_token, str) or not access_token.strip():
        raise ATHClientError("INVALID_ARGUMENT", "set_token needs the access token string")
    if provider is not None:
        check_provider_id(provider)
    expires_in = check_lifetime(expires_in, "set_token: expires_in", code="INVALID_ARGUMENT")
    token = Token(
        access_token=access_token,
        token_type="Bearer",
        expires_in=expires_in,
        effective_scopes=list(scopes or []),
        provider_id=provider,
        agent_id=core.signer.agent_id,
        scope_intersection=None,
        expires_at=None if expires_in is None else time.time() + expires_in,
    )
    key = core.state.keep_token(core.user, token, token_key(provider))
    if core.state.store is not None:
        core.state.publish_token(core.user, key, token)
    return token


def set_credentials(core: Core, client_id: str, client_secret: str) -> None:
    if not isinstance(client_id, str) or not client_id:
        raise ATHClientError("INVALID_ARGUMENT", "client_id must be a non-empty string")
    if not isinstance(client_secret, str) or not client_secret:
        raise ATHClientError("INVALID_ARGUMENT", "client_secret must be a non-empty string")
    check_encodable(client_id, "client_id")
    check_encodable(client_secret, "client_secret")
    core.state.set_credentials(client_id, client_secret)
    if core.state.store is not None:
        core.state.publish_registration()


def snapshot(core: Core) -> StoreEntry:
    from ath.stores._model import StoreEntry

    with core.state.lock:
        return StoreEntry(
            base_url=core.config.base_url,
            agent_id=core.signer.agent_id,
            mode=core.config.mode,
            client_id=core.state.client_id,
            client_secret=core.state.client_secret,
            tokens=dict(core.state.of(core.user).tokens),
        )


def restore(core: Core, stored: StoreEntry, path: str) -> None:
    if stored.base_url != core.config.base_url or stored.agent_id != core.signer.agent_id:
        raise ATHClientError(
            "CREDENTIALS_MISMATCH",
            f"{path} holds credentials of agent {stored.agent_id} at {stored.base_url}, but "
            f"this client is agent {core.signer.agent_id} at {core.config.base_url}; nothing "
            "was loaded.",
        )
    core.state.restore(stored, core.user)
    if core.state.store is not None:
        core.state.publish_all(core.user)
