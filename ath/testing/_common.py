"""The ATH endpoints both the gateway and the native service implement, written once:
registration, status, authorization (with the consent start and the OAuth callback),
token exchange, revocation, and the bearer-token check their APIs share.

What is kept, and how:

* registrations by ``client_id``; the client secret only as a SHA-256 digest;
* authorization sessions by ``ath_session_id`` (10 minutes, single use), holding the
  PKCE verifier and the provider token sealed (AES-GCM), the one-time ``code`` and
  the browser-binding nonce as digests;
* ATH access tokens by SHA-256 digest only, each bound to (agent_id, user_id,
  provider_id, scopes) and to the registration that obtained it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ._attest import AttestationVerifier
from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._oauth import OAuthServer
from ._policies import ApprovalController, ApprovalOutcome, ProviderApprovalResult
from ._scopemap import ScopeMap
from ._server import HttpPool
from ._util import (
    Clock,
    Sealed,
    add_query,
    digest_matches,
    iso_utc,
    oauth_authorization_url,
    pkce_s256,
    random_token,
    sha256_hex,
)
from ._web import (
    absolute_uri,
    basic_credentials,
    completion_page,
    json_body,
    optional_text,
    reply,
    text,
    text_list,
)

__all__ = ["ATHService", "ServiceProvider", "Settings", "TokenRecord"]

APPROVAL_LIFETIME = 365 * 24 * 3600.0
_FORGET_AFTER = 3600.0  # expired sessions and tokens are remembered this long
USER_TOKEN_HEADER = "X-ATH-User-Token"


@dataclass(frozen=True)
class Settings:
    token_lifetime: int = 3600
    session_lifetime: int = 600
    legacy_redirects: bool = False
    user_token_digest: str | None = None


@dataclass(frozen=True)
class ServiceProvider:
    """A provider as an ATH implementer knows it: its scopes and API map, plus the
    implementer's own OAuth client at the provider's authorization server."""

    provider_id: str
    scopes: tuple[str, ...]
    api: ScopeMap
    oauth_client_id: str
    oauth_client_secret: Sealed


@dataclass
class Registration:
    client_id: str
    secret_digest: str
    agent_id: str
    developer: dict[str, Any]
    purpose: str | None
    redirect_uris: tuple[str, ...]
    requested: tuple[tuple[str, tuple[str, ...]], ...]
    status: Literal["approved", "pending", "denied"]
    approvals: dict[str, ProviderApprovalResult]
    approval_expires: float

    def apply(self, outcome: ApprovalOutcome) -> None:
        self.status = outcome.status
        self.approvals = {a.provider_id: a for a in outcome.providers}

    def approved_scopes(self, provider_id: str) -> tuple[str, ...]:
        found = self.approvals.get(provider_id)
        return found.approved_scopes if found else ()

    def wire(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "agent_status": self.status,
            "approved_providers": [a.wire() for a in self.approvals.values()],
            "approval_expires": iso_utc(self.approval_expires),
        }


SessionStatus = Literal["created", "started", "consented", "denied", "failed", "redeemed"]


@dataclass
class AuthSession:
    session_id: str
    client_id: str
    agent_id: str
    provider_id: str
    requested: tuple[str, ...]
    agent_state: str
    user_redirect_uri: str | None
    resource: str | None
    code_verifier: Sealed
    code_challenge: str
    oauth_state: str
    expires_at: float
    status: SessionStatus = "created"
    browser_digest: str | None = None
    consented: tuple[str, ...] = ()
    user_id: str | None = None
    provider_token: Sealed | None = None
    code_digest: str | None = None


@dataclass
class TokenRecord:
    client_id: str
    agent_id: str
    user_id: str
    provider_id: str
    scopes: tuple[str, ...]
    expires_at: float
    provider_token: Sealed | None = field(repr=False)
    revoked_at: float | None = None


class ATHService:
    """One ATH implementer (the gateway or the native service)."""

    def __init__(
        self,
        *,
        providers: Sequence[ServiceProvider],
        oauth: OAuthServer,
        clock: Clock,
        http: HttpPool,
        approval: ApprovalController,
        settings: Settings,
    ) -> None:
        self.base_url = ""
        self.providers = {p.provider_id: p for p in providers}
        self._oauth = oauth
        self._clock = clock
        self._http = http
        self._approval = approval
        self.settings = settings
        self._verifier = AttestationVerifier(clock, http)
        self._registrations: dict[str, Registration] = {}
        self._client_by_agent: dict[str, str] = {}
        self._sessions: dict[str, AuthSession] = {}
        self._session_by_oauth_state: dict[str, str] = {}
        self._tokens: dict[str, TokenRecord] = {}
        # What agents sent, for tests that count requests server-side.
        self.register_requests = 0
        self.presented: dict[str, int] = {}
        #: POST /ath/token requests seen per ath_session_id (LocalStack.token_requests).
        self.token_requests: dict[str, int] = {}

    @property
    def callback_url(self) -> str:
        return f"{self.base_url}/ath/callback"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/ath/token"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/ath/agents/register", self.register, methods=["POST"]),
            Route("/ath/agents/{client_id}", self.status, methods=["GET"]),
            Route("/ath/authorize", self.authorize, methods=["POST"]),
            Route("/ath/consent", self.consent_start, methods=["GET"]),
            Route("/ath/callback", self.callback, methods=["GET"]),
            Route("/ath/token", self.token, methods=["POST"]),
            Route("/ath/revoke", self.revoke, methods=["POST"]),
        ]

    # -- shared checks -------------------------------------------------------------

    def check_user_token(self, request: Request) -> None:
        """Tenant authentication of the /ath/* API endpoints, when configured."""
        expected = self.settings.user_token_digest
        if expected is None:
            return
        presented = request.headers.get(USER_TOKEN_HEADER)
        if presented is None or not digest_matches(presented, expected):
            raise ATHHTTPError(
                ErrorCode.TOKEN_INVALID,
                f"missing or wrong {USER_TOKEN_HEADER} header",
                details={"reason": "user_token", "header": USER_TOKEN_HEADER},
            )

    def _client(self, client_id: str | None, secret: str | None) -> Registration:
        found = self._registrations.get(client_id or "")
        if found is None or secret is None or not digest_matches(secret, found.secret_digest):
            raise ATHHTTPError(
                ErrorCode.AGENT_NOT_REGISTERED,
                "unknown client_id or wrong client_secret",
                headers={"WWW-Authenticate": 'Basic realm="ath"'},
            )
        return found

    def authenticate_bearer(self, request: Request, provider_id: str) -> TokenRecord:
        """The live token presented by an API call for ``provider_id``, checked
        against ``X-ATH-Agent-ID``. Raises the matching ATH error otherwise."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ATHHTTPError(ErrorCode.TOKEN_INVALID, "an ATH bearer token is required")
        digest = sha256_hex(token.strip())
        self.presented[digest] = self.presented.get(digest, 0) + 1
        record = self._tokens.get(digest)
        if record is None:
            raise ATHHTTPError(ErrorCode.TOKEN_INVALID, "unknown ATH access token")
        if record.revoked_at is not None:
            raise ATHHTTPError(ErrorCode.TOKEN_REVOKED, "the ATH access token was revoked")
        if record.expires_at <= self._clock.now():
            raise ATHHTTPError(ErrorCode.TOKEN_EXPIRED, "the ATH access token has expired")
        if request.headers.get("x-ath-agent-id") != record.agent_id:
            raise ATHHTTPError(
                ErrorCode.AGENT_IDENTITY_MISMATCH,
                "X-ATH-Agent-ID does not name the agent this token is bound to",
            )
        if record.provider_id != provider_id:
            raise ATHHTTPError(
                ErrorCode.PROVIDER_MISMATCH,
                "the token was issued for a different provider",
                details={"token_provider_id": record.provider_id, "provider_id": provider_id},
            )
        return record

    def require_route(self, record: TokenRecord, method: str, path: str) -> None:
        """Refuse an operation the token's scopes do not cover."""
        provider = self.providers[record.provider_id]
        match = provider.api.match(method, path)
        if match is None:
            raise ATHHTTPError(
                ErrorCode.SCOPE_NOT_APPROVED,
                f"no scope grants {method} {path}",
                details={"method": method, "path": path, "granted_scopes": list(record.scopes)},
            )
        if not match.route.scopes & set(record.scopes):
            raise ATHHTTPError(
                ErrorCode.SCOPE_NOT_APPROVED,
                f"{method} {path} needs one of: {', '.join(sorted(match.route.scopes))}",
                details={
                    "required_scopes": sorted(match.route.scopes),
                    "granted_scopes": list(record.scopes),
                },
            )

    # -- Phase A -------------------------------------------------------------------

    async def register(self, request: Request) -> Response:
        self.register_requests += 1
        self.check_user_token(request)
        body = await json_body(request, "AgentRegistrationRequest")
        agent_id = absolute_uri(text(body, "agent_id"), "agent_id")
        developer = body.get("developer")
        if not isinstance(developer, dict) or not all(
            isinstance(developer.get(k), str) and developer.get(k) for k in ("name", "id")
        ):
            raise invalid_request("developer needs name and id", field="developer")
        requested_raw = body.get("requested_providers")
        if not isinstance(requested_raw, list) or not requested_raw:
            raise invalid_request("requested_providers needs at least one entry")
        requested: list[tuple[str, tuple[str, ...]]] = []
        for entry in requested_raw:
            if not isinstance(entry, dict):
                raise invalid_request("requested_providers entries must be objects")
            requested.append((text(entry, "provider_id"), text_list(entry, "scopes")))
        # Optional (schema/0.1): without it no user_redirect_uri is accepted later and
        # this implementer completes the OAuth callback itself.
        redirect_uris = (
            tuple(absolute_uri(u, "redirect_uris") for u in text_list(body, "redirect_uris"))
            if "redirect_uris" in body
            else ()
        )
        purpose = optional_text(body, "purpose")

        await self._verifier.verify(
            body.get("agent_attestation"), audience=self.base_url, agent_id=agent_id
        )
        if agent_id in self._client_by_agent:
            raise ATHHTTPError(
                ErrorCode.INTERNAL_ERROR,
                "agent is already registered; use the existing client credentials",
                status=409,
                # the attestation proved it is the agent: tell it which client it has
                details={
                    "reason": "duplicate_registration",
                    "client_id": self._client_by_agent[agent_id],
                },
            )
        secret = random_token("ath_secret_")
        registration = Registration(
            client_id=random_token("ath_client_", 12),
            secret_digest=sha256_hex(secret),
            agent_id=agent_id,
            developer=dict(developer),
            purpose=purpose,
            redirect_uris=redirect_uris,
            requested=tuple(requested),
            status="pending",
            approvals={},
            approval_expires=self._clock.now() + APPROVAL_LIFETIME,
        )
        registration.apply(self._approval.decide(registration.requested, self._catalog()))
        self._registrations[registration.client_id] = registration
        self._client_by_agent[agent_id] = registration.client_id
        return reply(
            "AgentRegistrationResponse",
            {**registration.wire(), "client_secret": secret},
            status=201,
        )

    def _catalog(self) -> dict[str, tuple[str, ...]]:
        return {pid: p.scopes for pid, p in self.providers.items()}

    def resolve(self, client_id: str, *, approve: bool) -> bool:
        """Decide a registration after the fact (approve everything it asked for that
        is offered, or deny it). Returns ``False`` for an unknown ``client_id``."""
        registration = self._registrations.get(client_id)
        if registration is None:
            return False
        policy = ApprovalController()
        if not approve:
            policy.deny()
        registration.apply(policy.decide(registration.requested, self._catalog()))
        return True

    async def status(self, request: Request) -> Response:
        self.check_user_token(request)
        client_id, secret = basic_credentials(request)
        registration = self._client(client_id, secret)
        if request.path_params["client_id"] != registration.client_id:
            raise ATHHTTPError(
                ErrorCode.AGENT_IDENTITY_MISMATCH, "a client may only read its own registration"
            )
        return reply(
            "AgentStatusResponse", {**registration.wire(), "agent_id": registration.agent_id}
        )

    # -- Phase B -------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        self.check_user_token(request)
        body = await json_body(request, "AuthorizationRequest")
        client_id = text(body, "client_id")
        provider_id = text(body, "provider_id")
        scopes = text_list(body, "scopes")
        if not scopes:
            raise invalid_request("scopes must not be empty", field="scopes")
        state = body.get("state")
        if not isinstance(state, str) or not state:
            # schema/0.1 sets no minimum length (the agent owes >= 128 bits of entropy).
            raise invalid_request("state is required: a non-empty string", field="state")
        user_redirect_uri = optional_text(body, "user_redirect_uri")
        resource = optional_text(body, "resource")
        if resource is not None:
            absolute_uri(resource, "resource")

        registration = self._registrations.get(client_id)
        if registration is None:
            raise ATHHTTPError(ErrorCode.AGENT_NOT_REGISTERED, "unknown client_id")
        await self._verifier.verify(
            body.get("agent_attestation"), audience=self.base_url, agent_id=registration.agent_id
        )
        self._require_approved(registration)
        approved = registration.approved_scopes(provider_id)
        if provider_id not in self.providers or not approved:
            raise ATHHTTPError(
                ErrorCode.PROVIDER_NOT_APPROVED,
                f"the agent is not approved for provider {provider_id}",
                details={"provider_id": provider_id},
            )
        outside = [s for s in scopes if s not in approved]
        if outside:
            raise ATHHTTPError(
                ErrorCode.SCOPE_NOT_APPROVED,
                f"scopes not approved for {provider_id}: {', '.join(outside)}",
                details={"provider_id": provider_id, "scopes": outside},
            )
        if user_redirect_uri is not None and not registration.redirect_uris:
            # schema/0.1: registered without redirect_uris -> MUST reject any
            # user_redirect_uri; this implementer completes the callback itself.
            raise ATHHTTPError(
                ErrorCode.INTERNAL_ERROR,
                "the client registered no redirect_uris, so no user_redirect_uri is accepted: "
                "leave it out and poll POST /ath/token after the user consents",
                status=400,
                details={"reason": "redirect_uris_not_registered", "field": "user_redirect_uri"},
            )
        if user_redirect_uri is not None and user_redirect_uri not in registration.redirect_uris:
            raise invalid_request(
                "user_redirect_uri must equal a registered redirect URI exactly",
                field="user_redirect_uri",
            )

        self._forget_old()
        verifier = random_token("", 48)
        session = AuthSession(
            session_id=random_token("ath_sess_"),
            client_id=registration.client_id,
            agent_id=registration.agent_id,
            provider_id=provider_id,
            requested=scopes,
            agent_state=state,
            user_redirect_uri=user_redirect_uri,
            resource=resource,
            code_verifier=Sealed(verifier),
            code_challenge=pkce_s256(verifier),
            oauth_state=random_token(""),
            expires_at=self._clock.now() + self.settings.session_lifetime,
        )
        self._sessions[session.session_id] = session
        self._session_by_oauth_state[session.oauth_state] = session.session_id
        query = urlencode(
            {
                "ath_session_id": session.session_id,
                "code_challenge": session.code_challenge,
                "code_challenge_method": "S256",
                "state": state,
            }
        )
        return reply(
            "AuthorizationResponse",
            {
                "authorization_url": f"{self.base_url}/ath/consent?{query}",
                "ath_session_id": session.session_id,
            },
        )

    def _require_approved(self, registration: Registration) -> None:
        if registration.status != "approved" or registration.approval_expires <= self._clock.now():
            raise ATHHTTPError(
                ErrorCode.AGENT_UNAPPROVED,
                f"the agent's registration is {registration.status}",
                details={"agent_status": registration.status},
            )

    def _live_session(self, session_id: str) -> AuthSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise ATHHTTPError(ErrorCode.SESSION_NOT_FOUND, "no authorization session with this id")
        if session.expires_at <= self._clock.now():
            raise ATHHTTPError(ErrorCode.SESSION_EXPIRED, "the authorization session has expired")
        return session

    async def consent_start(self, request: Request) -> Response:
        """The browser's first stop: bind it to the session with an HTTP-only cookie,
        then send it to the provider's consent screen."""
        q = request.query_params
        session = self._live_session(q.get("ath_session_id", ""))
        if q.get("code_challenge") != session.code_challenge or (
            q.get("code_challenge_method") != "S256"
        ):
            raise ATHHTTPError(
                ErrorCode.STATE_MISMATCH,
                "code_challenge does not match the authorization session",
                details={"reason": "pkce_mismatch"},
            )
        if session.status != "created":
            raise ATHHTTPError(
                ErrorCode.SESSION_EXPIRED, "consent for this session was already started"
            )
        provider = self.providers[session.provider_id]
        nonce = random_token("")
        session.browser_digest = sha256_hex(nonce)
        session.status = "started"
        target = oauth_authorization_url(
            self._oauth.authorization_endpoint,
            client_id=provider.oauth_client_id,
            redirect_uri=self.callback_url,
            scopes=session.requested,
            state=session.oauth_state,
            code_challenge=session.code_challenge,
            resource=session.resource,
        )
        response = RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            _cookie_name(session),
            nonce,
            max_age=self.settings.session_lifetime,
            path="/ath/callback",
            httponly=True,
            samesite="lax",
        )
        return response

    async def callback(self, request: Request) -> Response:
        q = request.query_params
        if q.get("success", "true") not in ("true", "false"):
            raise invalid_request("success must be true or false", field="success")
        if "session_id" in q:
            return completion_page(request)
        session_id = self._session_by_oauth_state.get(q.get("state", ""))
        if session_id is None:
            raise ATHHTTPError(
                ErrorCode.STATE_MISMATCH, "state does not match a pending authorization session"
            )
        session = self._live_session(session_id)
        if session.status != "started":
            raise ATHHTTPError(
                ErrorCode.SESSION_EXPIRED, "this authorization session was already completed"
            )
        cookie = request.cookies.get(_cookie_name(session))
        if (
            cookie is None
            or session.browser_digest is None
            or not digest_matches(cookie, session.browser_digest)
        ):
            raise ATHHTTPError(
                ErrorCode.STATE_MISMATCH,
                "this browser did not start the authorization session",
                details={"reason": "browser_mismatch"},
            )
        error = q.get("error")
        if error is not None:
            session.status = "denied" if error == "access_denied" else "failed"
            return self._hand_off(session, {"error": error})
        try:
            await self._redeem(session, q.get("code", ""))
        except ATHHTTPError:
            session.status = "failed"
            return self._hand_off(session, {"error": "server_error"})
        code = random_token("ath_code_")
        session.code_digest = sha256_hex(code)
        session.status = "consented"
        return self._hand_off(session, {"code": code})

    async def _redeem(self, session: AuthSession, code: str) -> None:
        """Exchange the provider's code (RFC 6749 §4.1.3, PKCE) and learn the user."""
        provider = self.providers[session.provider_id]
        client = self._http.client
        auth = (provider.oauth_client_id, provider.oauth_client_secret.reveal())
        try:
            response = await client.post(
                self._oauth.token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.callback_url,
                    "code_verifier": session.code_verifier.reveal(),
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
        except (httpx.HTTPError, ValueError, AttributeError):
            raise ATHHTTPError(
                ErrorCode.OAUTH_ERROR, "the provider could not be reached", status=502
            ) from None
        if not isinstance(user, str):
            raise ATHHTTPError(
                ErrorCode.OAUTH_ERROR, "the provider did not name the user", status=502
            )
        scope = grant.get("scope")
        session.consented = tuple(scope.split()) if isinstance(scope, str) else session.requested
        session.user_id = user
        session.provider_token = Sealed(access)

    def _hand_off(self, session: AuthSession, outcome: dict[str, str]) -> Response:
        """Send the browser on: to the agent's user_redirect_uri, or to this
        implementer's completion page (the callback itself, with ``session_id``)."""
        if self.settings.legacy_redirects:
            # What public gateways do: no code, no state, just the session and a flag.
            params = {
                "session_id": session.session_id,
                "success": "true" if "code" in outcome else "false",
            }
            if "error" in outcome:
                params["error"] = outcome["error"]
        else:
            params = {**outcome, "state": session.agent_state, "session_id": session.session_id}
        target = add_query(session.user_redirect_uri or self.callback_url, params)
        response = RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})
        response.delete_cookie(_cookie_name(session), path="/ath/callback")
        return response

    async def token(self, request: Request) -> Response:
        self.check_user_token(request)
        # The code proves nothing once this implementer redeemed the provider's code
        # itself (legacy gateways hand out none; agents without a redirect never see
        # one), so it may be empty or missing; a code that is sent must be the right one.
        legacy = self.settings.legacy_redirects
        body = await json_body(request, "TokenExchangeRequest", defaults={"code": ""})
        asked = body.get("ath_session_id")
        if isinstance(asked, str):
            self.token_requests[asked] = self.token_requests.get(asked, 0) + 1
        if body.get("grant_type") != "authorization_code":
            raise invalid_request("grant_type must be authorization_code", field="grant_type")
        registration = self._client(
            optional_text(body, "client_id"), optional_text(body, "client_secret")
        )
        await self._verifier.verify(
            body.get("agent_attestation"), audience=self.token_url, agent_id=registration.agent_id
        )
        session = self._sessions.get(text(body, "ath_session_id"))
        if session is None or session.client_id != registration.client_id:
            raise ATHHTTPError(ErrorCode.SESSION_NOT_FOUND, "no authorization session with this id")
        session = self._live_session(session.session_id)
        if session.status == "redeemed":
            raise ATHHTTPError(ErrorCode.SESSION_EXPIRED, "the session was already redeemed")
        if session.status == "denied":
            raise ATHHTTPError(ErrorCode.USER_DENIED, "the user refused consent")
        if session.status == "failed":
            raise ATHHTTPError(ErrorCode.OAUTH_ERROR, "the provider's OAuth flow failed")
        if session.status != "consented" or session.user_id is None:
            # What both public ATH servers answer; the session stays usable.
            raise ATHHTTPError(
                ErrorCode.SESSION_NOT_FOUND,
                "authorization not completed: the user has not consented yet",
                status=400,
                details={"reason": "authorization_pending"},
            )
        code = body.get("code")
        if (
            not legacy
            and code != ""
            and (
                not isinstance(code, str)
                or session.code_digest is None
                or not digest_matches(code, session.code_digest)
            )
        ):
            raise ATHHTTPError(
                ErrorCode.STATE_MISMATCH,
                "code does not belong to this authorization session",
                details={"reason": "code_mismatch"},
            )
        session.status = "redeemed"  # single use, whatever follows
        self._require_approved(registration)
        approved = registration.approved_scopes(session.provider_id)
        effective = tuple(s for s in session.requested if s in approved and s in session.consented)
        intersection = {
            "agent_approved": list(approved),
            "user_consented": list(session.consented),
            "effective": list(effective),
        }
        if not effective:
            code = (
                ErrorCode.USER_DENIED
                if not set(session.consented) & set(session.requested)
                else ErrorCode.SCOPE_NOT_APPROVED
            )
            raise ATHHTTPError(
                code,
                "the scope intersection is empty; no token was issued",
                details={"scope_intersection": intersection},
            )
        token = random_token("ath_tk_")
        self._tokens[sha256_hex(token)] = TokenRecord(
            client_id=registration.client_id,
            agent_id=registration.agent_id,
            user_id=session.user_id,
            provider_id=session.provider_id,
            scopes=effective,
            expires_at=self._clock.now() + self.settings.token_lifetime,
            provider_token=session.provider_token,
        )
        session.provider_token = None
        return reply(
            "TokenResponse",
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.settings.token_lifetime,
                "effective_scopes": list(effective),
                "provider_id": session.provider_id,
                "agent_id": registration.agent_id,
                "scope_intersection": intersection,
            },
        )

    async def revoke(self, request: Request) -> Response:
        """RFC 7009: the client authenticates; unknown tokens still get 200; a client
        can only revoke tokens issued to it."""
        self.check_user_token(request)
        body = await json_body(request, "TokenRevocationRequest")
        registration = self._client(
            optional_text(body, "client_id"), optional_text(body, "client_secret")
        )
        record = self._tokens.get(sha256_hex(text(body, "token")))
        if record is not None:
            if record.client_id != registration.client_id:
                raise ATHHTTPError(
                    ErrorCode.AGENT_IDENTITY_MISMATCH, "the token was issued to another client"
                )
            if record.revoked_at is None:
                record.revoked_at = self._clock.now()
                record.provider_token = None
        return reply(None, {})

    def _forget_old(self) -> None:
        horizon = self._clock.now() - _FORGET_AFTER
        for sid in [s for s, v in self._sessions.items() if v.expires_at < horizon]:
            self._session_by_oauth_state.pop(self._sessions.pop(sid).oauth_state, None)
        for digest in [d for d, t in self._tokens.items() if t.expires_at < horizon]:
            del self._tokens[digest]


def _cookie_name(session: AuthSession) -> str:
    return f"ath_consent_{session.session_id}"
