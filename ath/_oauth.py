"""Plain OAuth 2.0 authorization-code + PKCE for ATH-native services.

Services at the "agent-aware OAuth" adoption level publish ``authorization_endpoint``
and ``token_endpoint`` in ``/.well-known/ath-app.json``; an agent holding OAuth
client credentials there can run the standard flow (RFC 6749 §4.1 with RFC 7636)
itself. :func:`start_authorization` builds the consent URL; the core's
``oauth_exchange`` redeems the redirect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ath._errors import ATHClientError
from ath._models import mask
from ath._pkce import PKCEPair, generate_state
from ath._validation import is_loopback, split_url

__all__ = ["OAuthRequest", "OAuthToken", "authorization_url", "start_authorization"]


@dataclass(frozen=True, repr=False)
class OAuthRequest:
    """One authorization in progress: the URL for the user and what the agent keeps."""

    authorization_url: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str
    code_verifier: str = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"OAuthRequest(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r}, "
            f"scopes={self.scopes!r}, state={mask(self.state)}, code_verifier=***)"
        )


@dataclass(frozen=True, repr=False)
class OAuthToken:
    """The token endpoint's answer (RFC 6749 §5.1)."""

    access_token: str
    token_type: str
    expires_in: int | None
    scope: str | None
    refresh_token: str | None
    raw: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"OAuthToken(access_token={mask(self.access_token)}, token_type={self.token_type!r}, "
            f"expires_in={self.expires_in!r}, scope={self.scope!r}, "
            f"refresh_token={mask(self.refresh_token)})"
        )


def authorization_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    code_challenge: str,
    resource: str | None = None,
) -> str:
    """An RFC 6749 §4.1.1 authorization request URL with an S256 ``code_challenge``."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if resource:
        params["resource"] = resource
    parts = urlsplit(endpoint)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def start_authorization(
    authorization_endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    resource: str | None = None,
    allow_insecure_http: bool = False,
) -> OAuthRequest:
    """The consent URL with ``state`` and an S256 ``code_challenge``.

    The endpoint must be https, except on loopback or with ``allow_insecure_http``.
    """
    if not isinstance(authorization_endpoint, str):
        raise ATHClientError("INVALID_ARGUMENT", "authorization_endpoint must be an http(s) URL")
    parts = split_url(authorization_endpoint, "authorization_endpoint")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ATHClientError("INVALID_ARGUMENT", "authorization_endpoint must be an http(s) URL")
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise ATHClientError(
            "INSECURE_TRANSPORT",
            f"authorization_endpoint {authorization_endpoint!r} is plain http outside loopback; "
            "a consent page must be https (allow_insecure_http=True for a trusted development "
            "network).",
        )
    if not client_id or not redirect_uri:
        raise ATHClientError("INVALID_ARGUMENT", "client_id and redirect_uri are required")
    pkce = PKCEPair.generate()
    state = generate_state()
    url = authorization_url(
        authorization_endpoint,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=pkce.challenge,
        resource=resource,
    )
    return OAuthRequest(
        authorization_url=url,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=list(scopes),
        state=state,
        code_verifier=pkce.verifier,
    )
