"""An OAuth 2.0 authorization server standing in for the providers' own.

* ``GET /authorize`` (RFC 6749 §4.1.1): authorization-code requests only, PKCE
  required with ``S256`` (RFC 7636). The consent decision comes from the stack's
  :class:`~ath.testing._policies.ConsentController` (automatic, the default), or,
  with ``consent_page``, from a person: the answer is a consent page
  (:mod:`._consent_desk`) whose form posts Approve or Deny to ``POST /consent`` with
  a per-request anti-forgery token. Errors about the client or
  ``redirect_uri`` are shown, never redirected (§4.1.2.1); every other error,
  ``access_denied`` included, is redirected to the client with its ``state``.
  The stack's ATH implementers announce (``desk.announce``) which agent a request
  is for, so that the page can name it (a real provider's screen names the
  implementer's app; this one stands in for the whole consent).
* ``POST /token`` (§4.1.3): ``application/x-www-form-urlencoded`` only; client
  authentication with HTTP Basic or form credentials; the code is single use, bound
  to the client and ``redirect_uri``, and checked against ``code_verifier``.
* ``GET /userinfo``: who the provider token belongs to (``{"sub": ...}``).

Codes, client secrets and access tokens are kept as SHA-256 digests only. The
provider APIs (the demo upstream, the native service) check bearer tokens with
:meth:`OAuthServer.introspect`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ._consent_desk import ConsentDesk
from ._policies import ConsentController
from ._primitives import Clock, add_query, digest_matches, pkce_s256, random_token, sha256_hex

__all__ = ["OAuthServer", "ProviderGrant"]

CODE_LIFETIME = 60.0


@dataclass(frozen=True)
class _Client:
    client_id: str
    secret_digest: str
    redirect_uris: tuple[str, ...]
    provider_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class _Code:
    client_id: str
    redirect_uri: str
    code_challenge: str
    scopes: tuple[str, ...]
    user_id: str
    expires_at: float


@dataclass(frozen=True)
class ProviderGrant:
    """What a provider access token stands for."""

    provider_id: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    expires_at: float


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


class OAuthServer:
    def __init__(
        self,
        clock: Clock,
        consent: ConsentController,
        token_lifetime: int,
        *,
        consent_page: bool = False,
    ) -> None:
        self._clock = clock
        self._consent = consent
        self._token_lifetime = token_lifetime
        self.consent_page = consent_page
        self._clients: dict[str, _Client] = {}
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, ProviderGrant] = {}
        self.base_url = ""
        #: The consent pages, the agent cards they show and the consent counters.
        self.desk = ConsentDesk(clock, consent, self._issue_code)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/token"

    @property
    def userinfo_endpoint(self) -> str:
        return f"{self.base_url}/userinfo"

    def register_client(
        self, provider_id: str, scopes: frozenset[str], redirect_uri: str
    ) -> tuple[str, str]:
        """Create a confidential client; returns (client_id, client_secret)."""
        client_id = random_token(f"{provider_id}-client-", 9)
        secret = random_token("oauth_secret_")
        self._clients[client_id] = _Client(
            client_id, sha256_hex(secret), (redirect_uri,), provider_id, scopes
        )
        return client_id, secret

    def introspect(self, token: str) -> ProviderGrant | None:
        """The grant behind a live provider access token, or ``None``."""
        grant = self._tokens.get(sha256_hex(token))
        if grant is None or grant.expires_at <= self._clock.now():
            return None
        return grant

    # -- endpoints ---------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        client = self._clients.get(q.get("client_id", ""))
        if client is None:
            return _oauth_error("invalid_client", "unknown client_id")
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            return _oauth_error("invalid_request", "redirect_uri is not registered for this client")

        state = q.get("state")

        def back(**params: str) -> Response:
            if state is not None:
                params["state"] = state
            return RedirectResponse(add_query(redirect_uri, params), status_code=302)

        if q.get("response_type") != "code":
            return back(error="unsupported_response_type")
        challenge = q.get("code_challenge", "")
        if q.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
            return back(error="invalid_request", error_description="PKCE S256 is required")
        requested = tuple(dict.fromkeys(q.get("scope", "").split()))
        if not requested or not set(requested) <= client.scopes:
            return back(error="invalid_scope")
        if self.consent_page:
            return self.desk.show(
                client_id=client.client_id,
                provider_id=client.provider_id,
                redirect_uri=redirect_uri,
                state=state,
                challenge=challenge,
                requested=requested,
            )
        outcome = self._consent.decide(requested)
        self.desk.record(approved=outcome.granted is not None)
        if outcome.granted is None:
            return back(error="access_denied", error_description="the user refused consent")
        return back(
            code=self._issue_code(
                client.client_id, redirect_uri, challenge, outcome.granted, outcome.user_id
            )
        )

    def _issue_code(
        self,
        client_id: str,
        redirect_uri: str,
        challenge: str,
        scopes: tuple[str, ...],
        user_id: str,
    ) -> str:
        code = random_token("prov_code_")
        self._codes[sha256_hex(code)] = _Code(
            client_id,
            redirect_uri,
            challenge,
            scopes,
            user_id,
            self._clock.now() + CODE_LIFETIME,
        )
        return code

    async def _answer(self, request: Request) -> Response:
        return await self.desk.answer(request, self.base_url)

    async def token(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return _oauth_error("invalid_request", "use application/x-www-form-urlencoded")
        try:
            pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return _oauth_error("invalid_request", "the form is not UTF-8")
        fields: dict[str, str] = {}
        for name, value in pairs:
            if name in fields:  # RFC 6749 §3.2: parameters must not repeat
                return _oauth_error("invalid_request", f"repeated parameter {name}")
            fields[name] = value
        client = self._authenticate(request, fields)
        if client is None:
            return _oauth_error("invalid_client", "client authentication failed", 401)
        if fields.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "only authorization_code is supported")
        code = self._codes.pop(sha256_hex(fields.get("code", "")), None)  # single use
        if code is None or code.expires_at <= self._clock.now():
            return _oauth_error("invalid_grant", "unknown, used or expired code")
        if code.client_id != client.client_id or code.redirect_uri != fields.get("redirect_uri"):
            return _oauth_error(
                "invalid_grant", "code was issued to another client or redirect_uri"
            )
        verifier = fields.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or pkce_s256(verifier) != code.code_challenge:
            return _oauth_error("invalid_grant", "code_verifier does not match code_challenge")
        access = random_token("prov_at_")
        self._tokens[sha256_hex(access)] = ProviderGrant(
            client.provider_id,
            client.client_id,
            code.user_id,
            frozenset(code.scopes),
            self._clock.now() + self._token_lifetime,
        )
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self._token_lifetime,
                "scope": " ".join(code.scopes),
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def userinfo(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.introspect(token) if scheme.lower() == "bearer" else None
        if grant is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse({"sub": grant.user_id})

    async def metadata(self, request: Request) -> Response:
        """RFC 8414 authorization server metadata."""
        return JSONResponse(
            {
                "issuer": self.base_url,
                "authorization_endpoint": self.authorization_endpoint,
                "token_endpoint": self.token_endpoint,
                "userinfo_endpoint": self.userinfo_endpoint,
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    def _authenticate(self, request: Request, fields: dict[str, str]) -> _Client | None:
        client_id, secret = fields.get("client_id", ""), fields.get("client_secret", "")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except ValueError:
                return None
            # RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
            raw_id, _, raw_secret = decoded.partition(":")
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
        client = self._clients.get(client_id)
        if client is None or not digest_matches(secret, client.secret_digest):
            return None
        return client

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/authorize", self.authorize, methods=["GET"]),
                Route("/consent", self._answer, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo, methods=["GET"]),
                Route("/.well-known/oauth-authorization-server", self.metadata),
            ]
        )
