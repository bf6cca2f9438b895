"""ATH error codes and the exception every stack endpoint raises to answer with one.

Every error the stack's ATH endpoints send has the body
``{"code": <ATH error code>, "message": str, "details"?: object}``. ATH v0.1 names no
code for a client's own mistakes (malformed input, a second registration, an unknown
route); the stack then sends the extension codes of the project's OpenAPI description
(``spec/openapi.yaml``, ``ATHExtensionErrorCode``), so ``INTERNAL_ERROR`` always means
a failure of the stack itself (5xx). ``details.reason`` narrows a code down.

==========================================  ======  =======================================
situation                                   status  code (``details.reason``)
==========================================  ======  =======================================
malformed or schema-invalid request         400     INVALID_REQUEST (field, when one is at fault)
duplicate registration of an agent_id       409     AGENT_ALREADY_REGISTERED (client_id)
consent not finished at token exchange      400     SESSION_NOT_FOUND (authorization_pending)
user_redirect_uri without redirect_uris     400     INVALID_REQUEST (redirect_uris_not_registered)
user_redirect_uri not a registered one      400     INVALID_REQUEST (redirect_uri_mismatch)
no such route                               404     NOT_FOUND
route exists, method does not               405     METHOD_NOT_ALLOWED
provider unreachable through the proxy      502     INTERNAL_ERROR (upstream_unreachable)
answer the stack failed to build            500     INTERNAL_ERROR (response_schema)
missing/wrong ``X-ATH-User-Token``          401     TOKEN_INVALID (user_token)
client_id/client_secret do not match        401     AGENT_NOT_REGISTERED (client_auth)
unknown client_id at authorize              403     AGENT_NOT_REGISTERED
status of another client's registration     403     AGENT_IDENTITY_MISMATCH
wrong one-time ``code`` at token exchange   400     STATE_MISMATCH (code_mismatch)
browser is not the one that began consent   400     STATE_MISMATCH (browser_mismatch)
provider's OAuth server failed              502     OAUTH_ERROR
unknown provider on the proxy               403     PROVIDER_MISMATCH
route not covered by the token's scopes     403     SCOPE_NOT_APPROVED
==========================================  ======  =======================================
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["PROTOCOL_CODES", "STATUS_BY_CODE", "ATHHTTPError", "ErrorCode", "invalid_request"]


class ErrorCode(StrEnum):
    """The error codes of ATH v0.1, then the extension codes of ``spec/openapi.yaml``."""

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
    # extension codes (spec/openapi.yaml ATHExtensionErrorCode): client mistakes
    INVALID_REQUEST = "INVALID_REQUEST"
    AGENT_ALREADY_REGISTERED = "AGENT_ALREADY_REGISTERED"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"


#: The closed ``ATHErrorCode`` set of schema/0.1 (``LocalStack(strict_error_codes=True)``
#: sends only these: an extension code becomes ``INTERNAL_ERROR`` with its status kept and
#: ``details.extension_code`` naming it).
PROTOCOL_CODES: frozenset[ErrorCode] = frozenset(ErrorCode) - {
    ErrorCode.INVALID_REQUEST,
    ErrorCode.AGENT_ALREADY_REGISTERED,
    ErrorCode.NOT_FOUND,
    ErrorCode.METHOD_NOT_ALLOWED,
}

#: The statuses of the code table of specification/0.1 (schema.mdx, "Errors"), then the
#: extension codes'. Client authentication that fails (a wrong ``client_secret``) is the
#: one exception: 401 ``AGENT_NOT_REGISTERED`` with ``WWW-Authenticate``, as RFC 6749
#: §5.2 answers ``invalid_client``.
STATUS_BY_CODE: Mapping[ErrorCode, int] = {
    ErrorCode.INVALID_ATTESTATION: 401,
    ErrorCode.AGENT_NOT_REGISTERED: 403,
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
    ErrorCode.OAUTH_ERROR: 502,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.AGENT_ALREADY_REGISTERED: 409,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
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
    """A malformed or schema-invalid request (400 ``INVALID_REQUEST``)."""
    return ATHHTTPError(ErrorCode.INVALID_REQUEST, message, details=details)
