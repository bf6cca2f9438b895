"""The ATH server's outbound OAuth client: it redeems the provider's authorization
code (RFC 6749 §4.1.3, form-encoded, with the PKCE verifier and the implementer's own
client credentials) and asks the provider's userinfo endpoint who consented.

Every failure (a refused code, an unreachable provider, no user named) is a 502
``OAUTH_ERROR``; the access token comes back sealed, never in plain form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx2

from ._errors import ATHHTTPError, ErrorCode
from ._oauth_server import OAuthServer
from ._primitives import Sealed
from ._records import ServiceProvider
from ._runner import HttpPool

__all__ = ["ProviderClient", "RedeemedCode"]


@dataclass(frozen=True)
class RedeemedCode:
    """What redeeming a code gave: the user, the provider token (sealed) and the
    scopes the provider says it granted (``None`` when it does not say)."""

    user_id: str
    access_token: Sealed = field(repr=False)
    scopes: tuple[str, ...] | None


class ProviderClient:
    """Calls the providers' authorization server on the ATH server's behalf."""

    def __init__(self, oauth: OAuthServer, http: HttpPool) -> None:
        self._oauth = oauth
        self._http = http

    async def redeem(
        self, provider: ServiceProvider, *, code: str, redirect_uri: str, code_verifier: Sealed
    ) -> RedeemedCode:
        """Exchange ``code`` for the provider's access token and learn the user."""
        client = self._http.client
        auth = (provider.oauth_client_id, provider.oauth_client_secret.reveal())
        try:
            response = await client.post(
                self._oauth.token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": code_verifier.reveal(),
                },
                auth=auth,
            )
            grant = response.json() if response.status_code == 200 else None
            access = grant.get("access_token") if isinstance(grant, dict) else None
            if not isinstance(access, str) or not isinstance(grant, dict):
                raise ATHHTTPError(
                    ErrorCode.OAUTH_ERROR, "the provider refused the code", status=502
                )
            who = await client.get(
                self._oauth.userinfo_endpoint, headers={"Authorization": f"Bearer {access}"}
            )
            user = who.json().get("sub") if who.status_code == 200 else None
        except (httpx2.HTTPError, ValueError, AttributeError):
            raise ATHHTTPError(
                ErrorCode.OAUTH_ERROR, "the provider could not be reached", status=502
            ) from None
        if not isinstance(user, str):
            raise ATHHTTPError(
                ErrorCode.OAUTH_ERROR, "the provider did not name the user", status=502
            )
        scope = grant.get("scope")
        return RedeemedCode(
            user_id=user,
            access_token=Sealed(access),
            scopes=tuple(scope.split()) if isinstance(scope, str) else None,
        )
