"""The state every role of the ATH server shares, and the checks they all make.

The roles (:mod:`._registration`, :mod:`._consent_legs`, :mod:`._tokens`) are mixins
over :class:`ServiceBase`, put together as :class:`~._service.ATHService`. The state:
registrations by ``client_id`` (the client secret only as a SHA-256 digest),
authorization sessions by ``ath_session_id`` (10 minutes, single use) and ATH access
tokens by SHA-256 digest only, each bound to (agent_id, user_id, provider_id, scopes)
and to the registration that obtained it.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request

from ._attestation import AttestationVerifier
from ._errors import ATHHTTPError, ErrorCode
from ._oauth_server import OAuthServer
from ._policies import ApprovalController
from ._primitives import Clock, digest_matches
from ._provider_client import ProviderClient
from ._records import AuthSession, Registration, ServiceProvider, Settings, TokenRecord
from ._runner import HttpPool

__all__ = ["USER_TOKEN_HEADER", "ServiceBase"]

_FORGET_AFTER = 3600.0  # expired sessions and tokens are remembered this long
USER_TOKEN_HEADER = "X-ATH-User-Token"


class ServiceBase:
    """One ATH implementer's state (the gateway or the native service) and the
    checks shared by its endpoints."""

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
        self._provider_client = ProviderClient(oauth, http)
        self._approval = approval
        self.settings = settings
        self._verifier = AttestationVerifier(clock, http, settings.broken_rules)
        self._registrations: dict[str, Registration] = {}
        self._client_by_agent: dict[str, str] = {}
        self._sessions: dict[str, AuthSession] = {}
        self._session_by_oauth_state: dict[str, str] = {}
        self._tokens: dict[str, TokenRecord] = {}
        # What agents sent, for tests that count requests server-side.
        self.register_requests = 0
        self.authorize_requests = 0
        self.consents_started = 0
        self.presented: dict[str, int] = {}
        #: POST /ath/token requests seen per ath_session_id (LocalStack.token_requests).
        self.token_requests: dict[str, int] = {}

    def identity_fetches(self) -> dict[str, int]:
        """Identity documents fetched per agent_id (a copy)."""
        return dict(self._verifier.fetches)

    def keeps(self, rule: str) -> bool:
        """False only for a conformance rule this stack breaks on purpose
        (``Settings.broken_rules``, for the conformance kit's own tests)."""
        return rule not in self.settings.broken_rules

    @property
    def callback_url(self) -> str:
        return f"{self.base_url}/ath/callback"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/ath/token"

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
                status=401,
                details={"reason": "client_auth"},
                headers={"WWW-Authenticate": 'Basic realm="ath"'},
            )
        return found

    def _catalog(self) -> dict[str, tuple[str, ...]]:
        return {pid: p.scopes for pid, p in self.providers.items()}

    def _check_approved(self, registration: Registration) -> None:
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
        if session.expires_at <= self._clock.now() and self.keeps("SESSION-TTL"):
            raise ATHHTTPError(ErrorCode.SESSION_EXPIRED, "the authorization session has expired")
        return session

    def _forget_old(self) -> None:
        horizon = self._clock.now() - _FORGET_AFTER
        for sid in [s for s, v in self._sessions.items() if v.expires_at < horizon]:
            self._session_by_oauth_state.pop(self._sessions.pop(sid).oauth_state, None)
        for digest in [d for d, t in self._tokens.items() if t.expires_at < horizon]:
            del self._tokens[digest]
