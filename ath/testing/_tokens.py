"""The ATH server's tokens: the token exchange (``POST /ath/token``), revocation
(``POST /ath/revoke``, RFC 7009) and the bearer-token checks its APIs share."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._primitives import digest_matches, random_token, sha256_hex
from ._records import TokenRecord
from ._service_base import ServiceBase
from ._wire import json_body, optional_text, reply, text

__all__ = ["TokenEndpoints"]


class TokenEndpoints(ServiceBase):
    """Issue, revoke and check ATH access tokens."""

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
        client_id = optional_text(body, "client_id")
        if self.keeps("TOKEN-SECRET"):
            registration = self._client(client_id, optional_text(body, "client_secret"))
        else:
            registration = self._registrations[client_id or ""]
        await self._verifier.verify(
            body.get("agent_attestation"),
            audience=self.token_url if self.keeps("TOKEN-AUD") else None,
            agent_id=registration.agent_id if self.keeps("TOKEN-SUB") else None,
        )
        session = self._sessions.get(text(body, "ath_session_id"))
        if session is None or session.client_id != registration.client_id:
            if not self.keeps("TOKEN-SESSION"):
                raise ATHHTTPError(ErrorCode.NOT_FOUND, "no authorization session with this id")
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
        if self.keeps("TOKEN-SINGLE-USE"):
            session.status = "redeemed"  # single use, whatever follows
        self._check_approved(registration)
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
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.settings.token_lifetime,
            "effective_scopes": list(effective),
            "provider_id": session.provider_id,
            "agent_id": registration.agent_id,
            "scope_intersection": intersection,
        }
        if not self.keeps("TOKEN-OK"):
            del answer["scope_intersection"]
        return reply("TokenResponse" if self.keeps("TOKEN-OK") else None, answer)

    async def revoke(self, request: Request) -> Response:
        """RFC 7009: the client authenticates; unknown tokens still get 200; a client
        can only revoke tokens issued to it."""
        self.check_user_token(request)
        body = await json_body(request, "TokenRevocationRequest")
        if not self.keeps("REVOKE-UNAUTH") and "client_id" not in body:
            return reply(None, {})
        registration = self._client(
            optional_text(body, "client_id"), optional_text(body, "client_secret")
        )
        record = self._tokens.get(sha256_hex(text(body, "token")))
        if record is None and not self.keeps("REVOKE-UNKNOWN"):
            raise invalid_request("unknown token", field="token")
        if record is not None and self.keeps("REVOKE-OK"):
            if record.client_id != registration.client_id and self.keeps("REVOKE-OTHER"):
                raise ATHHTTPError(
                    ErrorCode.AGENT_IDENTITY_MISMATCH, "the token was issued to another client"
                )
            if record.revoked_at is None:
                record.revoked_at = self._clock.now()
                record.provider_token = None
        return reply(None, {})

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
            raise ATHHTTPError(
                ErrorCode.TOKEN_INVALID,
                "unknown ATH access token",
                status=None if self.keeps("API-TOKEN") else 403,
            )
        if record.revoked_at is not None:
            raise ATHHTTPError(ErrorCode.TOKEN_REVOKED, "the ATH access token was revoked")
        if record.expires_at <= self._clock.now() and self.keeps("TOKEN-EXPIRY"):
            raise ATHHTTPError(ErrorCode.TOKEN_EXPIRED, "the ATH access token has expired")
        if request.headers.get("x-ath-agent-id") != record.agent_id and self.keeps("API-AGENT"):
            raise ATHHTTPError(
                ErrorCode.AGENT_IDENTITY_MISMATCH,
                "X-ATH-Agent-ID does not name the agent this token is bound to",
            )
        if record.provider_id != provider_id and self.keeps("API-PROVIDER"):
            raise ATHHTTPError(
                ErrorCode.PROVIDER_MISMATCH,
                "the token was issued for a different provider",
                details={"token_provider_id": record.provider_id, "provider_id": provider_id},
            )
        return record

    def check_route(self, record: TokenRecord, method: str, path: str) -> None:
        """Refuse an operation the token's scopes do not cover."""
        if not self.keeps("API-SCOPE"):
            return
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
