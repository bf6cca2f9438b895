"""ATH error codes and the exception every stack endpoint raises to answer with one.

Every error the stack's ATH endpoints send has the body
``{"code": <ATH error code>, "message": str, "details"?: object}``. ATH v0.1 has a
closed list of codes; where it names none, the stack follows the project's OpenAPI
description (``spec/openapi.yaml``): the catch-all code plus ``details.reason``.

==========================================  ======  =======================================
situation                                   status  code (``details.reason``)
==========================================  ======  =======================================
malformed or schema-invalid request         400     INTERNAL_ERROR (invalid_request)
duplicate registration of an agent_id       409     INTERNAL_ERROR (duplicate_registration)
consent not finished at token exchange      400     SESSION_NOT_FOUND (authorization_pending)
user_redirect_uri without redirect_uris     400     INTERNAL_ERROR (redirect_uris_not_registered)
missing/wrong ``X-ATH-User-Token``          401     TOKEN_INVALID (user_token)
client_id/client_secret do not match        401     AGENT_NOT_REGISTERED
status of another client's registration     403     AGENT_IDENTITY_MISMATCH
wrong one-time ``code`` at token exchange   400     STATE_MISMATCH (code_mismatch)
browser is not the one that began consent   400     STATE_MISMATCH (browser_mismatch)
provider's OAuth server failed              502     OAUTH_ERROR
unknown provider on the proxy               404     PROVIDER_NOT_APPROVED
route not covered by the token's scopes     403     SCOPE_NOT_APPROVED
==========================================  ======  =======================================
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["STATUS_BY_CODE", "ATHHTTPError", "ErrorCode", "invalid_request"]


class ErrorCode(StrEnum):
    """The error codes of ATH v0.1."""

    INVALID_ATTESTATION = "INVALID_ATTESTATION"
    AGENT_NOT_REGISTERED = "AGENT_NOT_REGISTERED"
    AGENT_UNAPPROVED = "AGENT_UNAPPROVED"
    PROVIDER_NOT_APPROVED = "PROVIDER_NOT_APPROVED"
    SCOPE_NOT_APPROVED = "SCOPE_NOT_APPROVED"
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    SESSION_EXPIRED = "SESSION_EXPIRED"
    STATE_MISMATCH = "STATE_MISMATCH"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    AGENT_IDENTITY_MISMATCH = "AGENT_IDENTITY_MISMATCH"
    PROVIDER_MISMATCH = "PROVIDER_MISMATCH"
    USER_DENIED = "USER_DENIED"
    OAUTH_ERROR = "OAUTH_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"


STATUS_BY_CODE: Mapping[ErrorCode, int] = {
    ErrorCode.INVALID_ATTESTATION: 401,
    ErrorCode.AGENT_NOT_REGISTERED: 401,
    ErrorCode.AGENT_UNAPPROVED: 403,
    ErrorCode.PROVIDER_NOT_APPROVED: 403,
    ErrorCode.SCOPE_NOT_APPROVED: 403,
    ErrorCode.SESSION_NOT_FOUND: 400,
    ErrorCode.SESSION_EXPIRED: 400,
    ErrorCode.STATE_MISMATCH: 400,
    ErrorCode.TOKEN_INVALID: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.TOKEN_REVOKED: 401,
    ErrorCode.AGENT_IDENTITY_MISMATCH: 403,
    ErrorCode.PROVIDER_MISMATCH: 403,
    ErrorCode.USER_DENIED: 403,
    ErrorCode.OAUTH_ERROR: 400,
    ErrorCode.INTERNAL_ERROR: 500,
}


class ATHHTTPError(Exception):
    """Raised inside a handler; rendered as an ATH error response."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int | None = None,
        details: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_BY_CODE[code]
        self.details: dict[str, object] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})
        if code in (ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_REVOKED):
            self.headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')

    def body(self) -> dict[str, object]:
        payload: dict[str, object] = {"code": self.code.value, "message": self.message}
        if self.details:
            payload["details"] = self.details
        return payload


def invalid_request(message: str, **details: object) -> ATHHTTPError:
    """A malformed or schema-invalid request."""
    return ATHHTTPError(
        ErrorCode.INTERNAL_ERROR,
        message,
        status=400,
        details={"reason": "invalid_request", **details},
    )
