"""Phase B of the ATH server, up to the consent: ``POST /ath/authorize`` opens a
session; the browser legs ``GET /ath/consent`` (bind the browser, send it to the
provider) and ``GET /ath/callback`` (check it came back, redeem the provider's code
with this implementer's outbound OAuth client, :mod:`._provider_client`, then hand
the outcome to the agent)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ._errors import ATHHTTPError, ErrorCode, invalid_request
from ._pages import AgentCard
from ._primitives import (
    Sealed,
    add_query,
    digest_matches,
    oauth_authorization_url,
    pkce_s256,
    random_token,
    sha256_hex,
)
from ._records import AuthSession
from ._service_base import ServiceBase
from ._wire import absolute_uri, completion_page, json_body, optional_text, reply, text, text_list

__all__ = ["ConsentLegs"]


class ConsentLegs(ServiceBase):
    """The authorization request and the two browser legs of consent."""

    async def authorize(self, request: Request) -> Response:
        self.authorize_requests += 1
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
            status = None if self.keeps("AUTHZ-CLIENT") else 401
            raise ATHHTTPError(ErrorCode.AGENT_NOT_REGISTERED, "unknown client_id", status=status)
        await self._verifier.verify(
            body.get("agent_attestation"),
            audience=self.base_url if self.keeps("ATT-AUD") else None,
            agent_id=registration.agent_id if self.keeps("AUTHZ-SUB") else None,
        )
        self._check_approved(registration)
        approved = registration.approved_scopes(provider_id)
        if provider_id not in self.providers or not approved:
            raise ATHHTTPError(
                ErrorCode.PROVIDER_NOT_APPROVED,
                f"the agent is not approved for provider {provider_id}",
                status=None if self.keeps("AUTHZ-PROVIDER") else 404,
                details={"provider_id": provider_id},
            )
        outside = [s for s in scopes if s not in approved]
        if outside and self.keeps("AUTHZ-SCOPE"):
            raise ATHHTTPError(
                ErrorCode.SCOPE_NOT_APPROVED,
                f"scopes not approved for {provider_id}: {', '.join(outside)}",
                details={"provider_id": provider_id, "scopes": outside},
            )
        if (
            user_redirect_uri is not None
            and not registration.redirect_uris
            and self.keeps("AUTHZ-NO-REDIRECT")
        ):
            # schema/0.1: registered without redirect_uris -> MUST reject any
            # user_redirect_uri; this implementer completes the callback itself.
            raise ATHHTTPError(
                ErrorCode.INVALID_REQUEST,
                "the client registered no redirect_uris, so no user_redirect_uri is accepted: "
                "leave it out and poll POST /ath/token after the user consents",
                details={"reason": "redirect_uris_not_registered", "field": "user_redirect_uri"},
            )
        if (
            user_redirect_uri is not None
            and (registration.redirect_uris or self.keeps("AUTHZ-NO-REDIRECT"))
            and not any(
                user_redirect_uri == uri
                or (not self.keeps("AUTHZ-REDIRECT-EXACT") and user_redirect_uri.startswith(uri))
                for uri in registration.redirect_uris
            )
        ):
            raise invalid_request(
                "user_redirect_uri must equal a registered redirect URI exactly",
                reason="redirect_uri_mismatch",
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
        params = {
            "ath_session_id": session.session_id,
            "code_challenge": session.code_challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
        if not self.keeps("AUTHZ-PKCE"):
            del params["code_challenge_method"]
        return reply(
            "AuthorizationResponse",
            {
                "authorization_url": f"{self.base_url}/ath/consent?{urlencode(params)}",
                "ath_session_id": session.session_id,
            },
            status=200 if self.keeps("AUTHZ-OK") else 201,
        )

    async def consent_start(self, request: Request) -> Response:
        """The browser's first stop: bind it to the session with an HTTP-only cookie,
        then send it to the provider's consent screen."""
        q = request.query_params
        session = self._live_session(q.get("ath_session_id", ""))
        if q.get("code_challenge") != session.code_challenge or (
            q.get("code_challenge_method") != "S256" and self.keeps("AUTHZ-PKCE")
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
        self.consents_started += 1
        self._oauth.desk.announce(
            provider.oauth_client_id, session.oauth_state, self._card(session)
        )
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
                ErrorCode.STATE_MISMATCH if self.keeps("CB-STATE") else ErrorCode.SESSION_NOT_FOUND,
                "state does not match a pending authorization session",
            )
        session = self._live_session(session_id)
        if session.status != "started":
            raise ATHHTTPError(
                ErrorCode.SESSION_EXPIRED, "this authorization session was already completed"
            )
        cookie = request.cookies.get(_cookie_name(session))
        if self.keeps("CB-BROWSER") and (
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

    def _card(self, session: AuthSession) -> AgentCard:
        """The agent as the consent page shows it: its identity document's name (or
        its agent_id), its developer and purpose as registered, and this implementer."""
        registration = self._registrations.get(session.client_id)
        developer = registration.developer.get("name") if registration is not None else None
        return AgentCard(
            name=self._verifier.names.get(session.agent_id, session.agent_id),
            agent_id=session.agent_id,
            developer=developer if isinstance(developer, str) else None,
            purpose=registration.purpose if registration is not None else None,
            implementer=f"the ATH service at {urlsplit(self.base_url).netloc}",
        )

    async def _redeem(self, session: AuthSession, code: str) -> None:
        """Redeem the provider's code with this implementer's OAuth client and
        record the user, the consented scopes and the provider token."""
        redeemed = await self._provider_client.redeem(
            self.providers[session.provider_id],
            code=code,
            redirect_uri=self.callback_url,
            code_verifier=session.code_verifier,
        )
        session.consented = redeemed.scopes if redeemed.scopes is not None else session.requested
        session.user_id = redeemed.user_id
        session.provider_token = redeemed.access_token

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


def _cookie_name(session: AuthSession) -> str:
    return f"ath_consent_{session.session_id}"
