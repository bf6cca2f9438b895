"""What the ATH server remembers: its settings, the providers it offers, and the
records of registrations, authorization sessions and issued tokens.

Secrets in these records are kept as SHA-256 digests (client secrets, the one-time
``code``, the browser-binding nonce, access tokens) or sealed with AES-GCM (the PKCE
verifier, provider tokens, the implementer's OAuth client secret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._policies import ApprovalOutcome, ProviderApprovalResult
from ._primitives import Sealed, iso_utc
from ._scopemap import ScopeMap

__all__ = [
    "APPROVAL_LIFETIME",
    "AuthSession",
    "Registration",
    "ServiceProvider",
    "SessionStatus",
    "Settings",
    "TokenRecord",
]

APPROVAL_LIFETIME = 365 * 24 * 3600.0


@dataclass(frozen=True)
class Settings:
    """How an ATH implementer of the stack behaves (lifetimes, hand-off style, tenant token)."""

    token_lifetime: int = 3600
    session_lifetime: int = 600
    legacy_redirects: bool = False
    user_token_digest: str | None = None
    #: Conformance rules (ids of ``ath.testing.conformance.RULES``) this stack breaks on
    #: purpose, for the kit's own tests. Empty: every rule is kept.
    broken_rules: frozenset[str] = frozenset()
    #: Only schema/0.1's closed ATHErrorCode set on the wire (see ``._errors``).
    strict_error_codes: bool = False


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
    """A registered agent: its client credentials (secret as a digest) and approval."""

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
    """One authorization session, from ``POST /ath/authorize`` to its single redemption."""

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
    """An issued ATH access token (kept under its digest) and what it is bound to."""

    client_id: str
    agent_id: str
    user_id: str
    provider_id: str
    scopes: tuple[str, ...]
    expires_at: float
    provider_token: Sealed | None = field(repr=False)
    revoked_at: float | None = None
