"""Result types handed to users. Secrets are kept out of every repr."""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from ath._errors import ATHErrorCode
from ath._modelapi import ModelAPI

__all__ = [
    "APIResponse",
    "AgentStatus",
    "AgentStatusInfo",
    "Authorization",
    "CallbackResult",
    "DiscoveryDocument",
    "ErrorResponse",
    "HTTPMethod",
    "ProviderApproval",
    "ProviderInfo",
    "Registration",
    "ScopeIntersection",
    "ServiceAuthConfig",
    "ServiceDiscoveryDocument",
    "Token",
]


#: The methods ``proxy()`` and ``api()`` accept, in upper or lower case (a type checker
#: refuses any other string, such as ``"FETCH"``; at run time it is ``INVALID_ARGUMENT``).
HTTPMethod = Literal[
    "GET",
    "HEAD",
    "OPTIONS",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "get",
    "head",
    "options",
    "post",
    "put",
    "patch",
    "delete",
]


class AgentStatus(StrEnum):
    """An agent's app-side registration status; each member equals its string."""

    APPROVED = "approved"
    PENDING = "pending"
    DENIED = "denied"


_last_issue = 0.0


def _issue_time() -> float:
    """``time.time()``, made strictly increasing so that tokens order by when they came."""
    global _last_issue
    now = time.time()
    _last_issue = now if now > _last_issue else _last_issue + 1e-6
    return _last_issue


class _EpochSeconds:
    """``Token.expires_at``: kept for 0.2.0 code, which read the expiry as a float. Read
    from outside the SDK it warns, naming ``Token.expires`` (a datetime: the one type of
    absolute times in results); the SDK itself (stores, the CLI) keeps reading it."""

    def __get__(self, obj: object | None, owner: type | None = None) -> float | None:
        if obj is None:
            return None  # the dataclass default
        caller = sys._getframe(1).f_globals.get("__name__", "")
        # dataclasses.replace()/asdict() copy every field: not a read of the old float
        if not (caller in ("ath", "dataclasses") or caller.startswith("ath.")):
            warnings.warn(
                "Token.expires_at (seconds since the epoch) is deprecated; use "
                "Token.expires, an aware datetime like Registration.approval_expires",
                DeprecationWarning,
                stacklevel=2,
            )
        value: float | None = obj.__dict__.get("_expires_at")
        return value

    def __set__(self, obj: object, value: float | None) -> None:
        obj.__dict__["_expires_at"] = value


def mask(secret: str | None) -> str:
    """A fixed placeholder that reveals neither the value nor its length."""
    return "None" if secret is None else "'***'"


@dataclass(frozen=True)
class ProviderApproval(ModelAPI):
    """App-side decision for one provider (Phase A)."""

    provider_id: str
    approved_scopes: list[str]
    denied_scopes: list[str]
    denial_reason: str | None = None


@dataclass(frozen=True)
class ProviderInfo(ModelAPI):
    """A provider a gateway offers (``DiscoveryDocument.supported_providers``)."""

    provider_id: str
    display_name: str
    available_scopes: list[str]
    auth_mode: str
    agent_approval_required: bool
    categories: list[str] = field(default_factory=list)
    #: Fields the server sent beyond protocol 0.1's, as sent.
    additional_properties: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON data (extra fields first, ``categories`` when not empty)."""
        data = {
            **self.additional_properties,
            "provider_id": self.provider_id,
            "display_name": self.display_name,
            "available_scopes": list(self.available_scopes),
            "auth_mode": self.auth_mode,
            "agent_approval_required": self.agent_approval_required,
        }
        if self.categories:
            data["categories"] = list(self.categories)
        return data


@dataclass(frozen=True)
class DiscoveryDocument(ModelAPI):
    """Answer to a gateway client's ``discover()``: ``GET /.well-known/ath.json``."""

    ath_version: str
    gateway_id: str
    agent_registration_endpoint: str
    supported_providers: list[ProviderInfo]
    #: Fields the server sent beyond protocol 0.1's, as sent.
    additional_properties: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON data (extra fields first)."""
        return {
            **self.additional_properties,
            "ath_version": self.ath_version,
            "gateway_id": self.gateway_id,
            "agent_registration_endpoint": self.agent_registration_endpoint,
            "supported_providers": [p.to_dict() for p in self.supported_providers],
        }


@dataclass(frozen=True)
class ServiceAuthConfig(ModelAPI):
    """The OAuth configuration a native service publishes (``ServiceDiscoveryDocument.auth``)."""

    type: Literal["oauth2"]
    authorization_endpoint: str
    token_endpoint: str
    scopes_supported: list[str]
    registration_endpoint: str | None = None
    agent_attestation_required: bool = True
    #: Fields the server sent beyond protocol 0.1's, as sent.
    additional_properties: dict[str, Any] = field(default_factory=dict)

    @property
    def type_(self) -> Literal["oauth2"]:
        """``type``, as ath-sdk 0.2.0 spelled it."""
        return self.type

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON data (extra fields first)."""
        data = {
            **self.additional_properties,
            "type": self.type,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "scopes_supported": list(self.scopes_supported),
        }
        if self.registration_endpoint is not None:
            data["registration_endpoint"] = self.registration_endpoint
        data["agent_attestation_required"] = self.agent_attestation_required
        return data


@dataclass(frozen=True)
class ServiceDiscoveryDocument(ModelAPI):
    """Answer to a native client's ``discover()``: ``GET /.well-known/ath-app.json``."""

    ath_version: str
    app_id: str
    name: str
    auth: ServiceAuthConfig
    api_base: str
    #: Fields the server sent beyond protocol 0.1's, as sent.
    additional_properties: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON data (extra fields first)."""
        return {
            **self.additional_properties,
            "ath_version": self.ath_version,
            "app_id": self.app_id,
            "name": self.name,
            "auth": self.auth.to_dict(),
            "api_base": self.api_base,
        }


@dataclass(frozen=True, repr=False)
class Registration(ModelAPI):
    """Answer to ``register()``: the client credentials and the app-side decision."""

    client_id: str
    client_secret: str
    agent_status: AgentStatus
    approved_providers: list[ProviderApproval]
    approval_expires: datetime | None

    @property
    def approved(self) -> bool:
        return self.agent_status == "approved"

    @property
    def pending(self) -> bool:
        return self.agent_status == "pending"

    def __repr__(self) -> str:
        return (
            f"Registration(client_id={self.client_id!r}, client_secret={mask(self.client_secret)}, "
            f"agent_status={str(self.agent_status)!r}, "
            f"approved_providers={self.approved_providers!r}, "
            f"approval_expires={self.approval_expires!r})"
        )


@dataclass(frozen=True)
class AgentStatusInfo:
    """Answer to ``registration_status()`` (``GET /ath/agents/{client_id}``)."""

    client_id: str
    agent_id: str
    agent_status: AgentStatus
    approved_providers: list[ProviderApproval]
    approval_expires: datetime | None


@dataclass(frozen=True, repr=False)
class Authorization(ModelAPI):
    """Answer to ``authorize()``: where to send the user, and what this client keeps."""

    authorization_url: str
    ath_session_id: str
    provider_id: str
    scopes: list[str]
    state: str
    redirect_uri: str | None
    created_at: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        return (
            f"Authorization(provider_id={self.provider_id!r}, scopes={self.scopes!r}, "
            f"ath_session_id={self.ath_session_id!r}, "
            f"authorization_url={self.authorization_url!r}, "
            f"redirect_uri={self.redirect_uri!r}, state={mask(self.state)})"
        )


@dataclass(frozen=True)
class ScopeIntersection(ModelAPI):
    """How the effective scopes were derived: approved ∩ consented ∩ requested."""

    agent_approved: list[str]
    user_consented: list[str]
    effective: list[str]


@dataclass(frozen=True, repr=False)
class Token(ModelAPI):
    """An ATH access token bound to (agent, user, provider, scopes)."""

    access_token: str
    token_type: str
    expires_in: int | None
    effective_scopes: list[str]
    provider_id: str | None
    agent_id: str | None
    scope_intersection: ScopeIntersection | None
    #: Deprecated for :attr:`expires`: the expiry in ``time.time()`` seconds (reading it
    #: from outside the SDK warns; passing it to the constructor does not).
    expires_at: _EpochSeconds = _EpochSeconds()
    #: When this client received or was given the token (``time.time()``).
    issued_at: float = field(default_factory=lambda: _issue_time(), compare=False)

    @property
    def expires(self) -> datetime | None:
        """When the token expires (an aware UTC datetime, like ``approval_expires``)."""
        at = self.expires_at
        return None if at is None else datetime.fromtimestamp(at, UTC)

    def is_expired(self, leeway: float = 0.0) -> bool:
        """True when the token expires within ``leeway`` seconds from now."""
        return self.expires_at is not None and time.time() + leeway >= self.expires_at

    @property
    def expires_in_seconds(self) -> float | None:
        """Seconds this token has left now (0.0 once expired); ``None``: no known expiry."""
        return self.seconds_left()

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds left at ``now`` (``time.time()`` by default); ``None``: no known expiry."""
        if self.expires_at is None:
            return None
        return max(0.0, self.expires_at - (time.time() if now is None else now))

    def __repr__(self) -> str:
        return (
            f"Token(provider_id={self.provider_id!r}, access_token={mask(self.access_token)}, "
            f"token_type={self.token_type!r}, effective_scopes={self.effective_scopes!r}, "
            f"expires_in={self.expires_in!r}, agent_id={self.agent_id!r})"
        )


@dataclass(frozen=True)
class ErrorResponse(ModelAPI):
    """An ATH error body as data (ath-sdk 0.1.0's ``ath.types.ATHErrorResponse``); the SDK
    itself raises :class:`ath.ATHError` for these."""

    code: ATHErrorCode | str
    message: str
    details: dict[str, Any] | None = None


@dataclass(frozen=True, repr=False)
class CallbackResult:
    """What a redirect back from consent carries."""

    code: str | None
    state: str | None
    session_id: str | None
    success: bool
    error: str | None
    error_description: str | None

    def __repr__(self) -> str:
        return (
            f"CallbackResult(session_id={self.session_id!r}, success={self.success!r}, "
            f"error={self.error!r}, code={mask(self.code)}, state={mask(self.state)})"
        )


@dataclass(frozen=True)
class APIResponse:
    """The raw form of a proxied or native API answer."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    @property
    def text(self) -> str:
        try:
            return self.content.decode(_charset(self.headers), errors="replace")
        except LookupError:  # an unknown charset name
            return self.content.decode("utf-8", errors="replace")

    @property
    def is_json(self) -> bool:
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        return ctype == "application/json" or ctype.endswith("+json")

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except RecursionError:  # nested deeper than Python recurses: not JSON we can use
            raise ValueError("the JSON answer is nested too deep to parse") from None

    def data(self) -> Any:
        """Parsed JSON for a JSON answer, text otherwise, ``None`` when empty."""
        if not self.content:
            return None
        if self.is_json:
            try:
                return self.json()
            except ValueError:
                return self.text
        return self.text


def _charset(headers: Mapping[str, str]) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"
