"""The exceptions of ath-sdk (one base, one subclass per fault) and the table of codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Final, Literal, Self, TypeVar

__all__ = [
    "CLIENT_CODES",
    "EXTENSION_CODES",
    "PROTOCOL_CODES",
    "ATHClientError",
    "ATHError",
    "ATHErrorCode",
    "ATHServerError",
    "ATHTimeoutError",
    "ATHTransportError",
    "Origin",
    "masked_headers",
]

#: Error codes defined by ATH v0.1; servers send them in ``{"code", "message"}`` bodies.
PROTOCOL_CODES: Final[Mapping[str, str]] = {
    "INVALID_ATTESTATION": "The server rejected the agent attestation JWT "
    "(signature, audience, expiry, replayed jti, or unknown agent key).",
    "AGENT_NOT_REGISTERED": "The server does not know this client_id; register() again.",
    "AGENT_UNAPPROVED": "The agent's registration is pending or was denied app-side.",
    "PROVIDER_NOT_APPROVED": "The agent is not approved for this provider.",
    "SCOPE_NOT_APPROVED": "A requested scope lies outside the agent's approved scopes.",
    "SESSION_NOT_FOUND": "No such authorization session (unknown id, or another client's).",
    "SESSION_EXPIRED": "The authorization session expired (at most 10 minutes) or is used up "
    "(consent already started or completed, token already issued).",
    "STATE_MISMATCH": "The OAuth state did not match the one this authorization started with.",
    "TOKEN_INVALID": "The ATH token is unknown or malformed.",
    "TOKEN_EXPIRED": "The ATH token expired; authorize() again.",
    "TOKEN_REVOKED": "The ATH token was revoked; authorize() again.",
    "AGENT_IDENTITY_MISMATCH": "The token belongs to another agent.",
    "PROVIDER_MISMATCH": "The token was issued for another provider.",
    "USER_DENIED": "The user denied consent.",
    "OAUTH_ERROR": "The provider's OAuth server reported an error.",
    "INTERNAL_ERROR": "The server failed internally.",
}


#: Codes outside ATH v0.1 that the project's spec documents (``ATHExtensionErrorCode``) for
#: client mistakes v0.1 names no code for; the local stack sends them. Like any code outside
#: v0.1 they pass through unchanged (``origin == "server"``).
EXTENSION_CODES: Final[Mapping[str, str]] = {
    "INVALID_REQUEST": "The server found the request malformed or invalid; "
    "details['field'] and details['reason'] say what to fix.",
    "AGENT_ALREADY_REGISTERED": "This agent_id is registered already "
    "(register() reports it as ALREADY_REGISTERED).",
    "NOT_FOUND": "No such endpoint at this URL; check the URL and the client class "
    "(gateway or native).",
    "METHOD_NOT_ALLOWED": "The endpoint does not take this HTTP method.",
    "RATE_LIMITED": "The server is rate limiting; wait (Retry-After) and try again.",
}


class ATHErrorCode(StrEnum):
    """The ATH v0.1 protocol codes as a str-enum (each member equals its string).

    ``ATHError.code`` stays a plain ``str``: servers may send codes beyond v0.1, and
    the SDK adds its own (:data:`CLIENT_CODES`); compare with ``==`` either way.
    """

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


#: Codes raised by the SDK itself (no server involved, or the server's answer was unusable).
CLIENT_CODES: Final[Mapping[str, str]] = {
    "NOT_REGISTERED": "No client credentials yet: call register(), load_credentials() "
    "or set_credentials() first.",
    "NO_TOKEN": "No ATH token for this provider: authorize() and exchange_token() first, "
    "or set_token().",
    "PROVIDER_MISMATCH": "The ATH tokens held are for other providers than the one called; "
    "none was sent. authorize() and exchange_token() for this provider first.",
    "NOT_DISCOVERED": "Native mode needs the service's api_base: call discover() first.",
    "TOKEN_EXPIRED": "The held token passed its expiry; it was not sent. authorize() again.",
    "ALREADY_REGISTERED": "The server answered 409: this agent_id is registered already. "
    "Load the credentials saved from that registration.",
    "REGISTRATION_DENIED": "The server denied the registration app-side.",
    "APPROVAL_TIMEOUT": "wait_for_approval(): the registration was still pending app-side "
    "when the timeout ran out; it stays pending, wait again later.",
    "UNSUPPORTED_VERSION": "discover(): the server speaks an ATH major version this SDK "
    "does not (it speaks 0.x).",
    "REGISTRATION_MISMATCH": "register() with a store: the stored registration does not cover "
    "the providers or scopes asked for (ATH cannot change a registration); ask only for what "
    "was approved, or register a new agent_id or key.",
    "STATE_MISMATCH": "The redirect's state does not match the authorization it claims to finish.",
    "SESSION_NOT_FOUND": "The redirect names no authorization this client started.",
    "USER_MISMATCH": "The authorization was started for another user of this agent "
    "(for_user); finish it with the view of the user who started it.",
    "USER_DENIED": "The redirect reports that the user denied consent.",
    "PKCE_MISSING": "The authorization_url lacks code_challenge with "
    "code_challenge_method=S256; the SDK refuses to send a user there.",
    "TOKEN_MISMATCH": "The token response does not match the request "
    "(token type, agent, provider or scopes).",
    "INVALID_ARGUMENT": "An argument is malformed (provider id, path, scopes, URL, ...).",
    "INVALID_KEY": "The private key is not an EC P-256 key usable for ES256.",
    "SIGNER_FAILED": "The signer (signer=, an ath.Signer) raised, or did not return a "
    "64-byte ES256 signature r || s.",
    "INSECURE_TRANSPORT": "Plain http outside loopback, or a token would leave its origin.",
    "CONNECTION_ERROR": "The server could not be reached, or the connection broke.",
    "TIMEOUT": "The server did not answer in time (connect, read, write or pool timeout).",
    "TLS_ERROR": "The TLS handshake or certificate verification failed.",
    "RATE_LIMITED": "HTTP 429 with no ATH error body, after the allowed retries.",
    "HTTP_ERROR": "A non-2xx answer without an ATH error body (HTML page, empty body, ...).",
    "INVALID_RESPONSE": "A 2xx answer that is not the JSON object the protocol defines.",
    "RESPONSE_TOO_LARGE": "The answer exceeded max_response_bytes.",
    "UPSTREAM_ERROR": "The proxied or native API answered with a non-2xx status.",
    "GATEWAY_ERROR": "The gateway refused a proxied call with an error of its own, a code "
    "outside ATH v0.1 (kept in details['gateway_code']); the upstream API is not at fault.",
    "CLIENT_CLOSED": "The client was closed; create a new one.",
    "CONSENT_TIMEOUT": "wait_for_token() or login(): the user did not complete consent in time; "
    "the session stays usable until it expires.",
    "LOOPBACK_UNAVAILABLE": "login() could not listen on the loopback redirect_uri's address "
    "(port in use); free it or use another registered loopback redirect.",
    "CREDENTIALS_NOT_FOUND": "The credentials file does not exist.",
    "CREDENTIALS_INVALID": "The credentials file is corrupt or of an unknown format version.",
    "CREDENTIALS_MISMATCH": "The credentials file belongs to another server URL or agent_id.",
    "CREDENTIALS_INSECURE": "The credentials file is readable or writable by other users, "
    "or owned by another user (for a FileStore, also its folder: writable by other users, "
    "or owned by another user than root).",
    "CREDENTIALS_WRITE_FAILED": "The credentials file could not be written; "
    "the previous file, if any, is unchanged.",
    "STORE_LOCK_TIMEOUT": "The credential store's lock could not be had in time "
    "(another process holds it); nothing was changed. Retry, or raise lock_timeout.",
    "STORE_UNAVAILABLE": "The credential store could not be reached or written "
    "(Redis down, keyring locked, folder not writable); nothing acknowledged was lost.",
    "STORE_CORRUPT": "The credential store holds an entry that is corrupt, of an unknown "
    "format, or bound to another server or agent, or a FileStore path is not a regular "
    "file; it was left untouched.",
    "STORE_MODE_MISMATCH": "The credential store's entry was written by a client of the "
    "other mode (gateway or native); it was left untouched.",
}

#: Whose fault an error is: the ATH server's answer (or the upstream API's through it),
#: the caller's input or the SDK's own refusal, or the network between them.
Origin = Literal["server", "client", "transport"]

_TRANSPORT_CODES: Final = frozenset({"CONNECTION_ERROR", "TIMEOUT", "TLS_ERROR"})
#: Client-side codes that the SDK raises because of what a server answered.
_SERVER_ANSWER_CODES: Final = frozenset(
    {
        "ALREADY_REGISTERED",
        "REGISTRATION_DENIED",
        "PKCE_MISSING",
        "TOKEN_MISMATCH",
        "RATE_LIMITED",
        "HTTP_ERROR",
        "INVALID_RESPONSE",
        "RESPONSE_TOO_LARGE",
        "UPSTREAM_ERROR",
        "GATEWAY_ERROR",
    }
)


_E = TypeVar("_E", bound="ATHError")


def _default_origin(code: str, status: int | None) -> Origin:
    if code in _TRANSPORT_CODES:
        return "transport"
    if status is not None or code in _SERVER_ANSWER_CODES:
        return "server"
    return "client"


class ATHError(Exception):
    """Every failure ath-sdk reports; ``except ATHError`` catches them all.

    ``code`` is an ATH protocol code passed through from the server, or one of the
    client-side codes in :data:`CLIENT_CODES`; ``message`` says what happened and what
    to do; ``status`` is the HTTP status when there was a response; ``details`` carries
    structured extras (never secrets).

    The SDK raises one of the subclasses, whose class says whose fault it is:
    :class:`ATHServerError` (the server's answer), :class:`ATHTransportError` (the
    network; :class:`ATHTimeoutError` for a timeout) or :class:`ATHClientError` (the
    caller's input or the SDK's own refusal). ``origin`` says the same as a string
    (``"server"``, ``"transport"`` or ``"client"``), taken from the class; for an
    ``ATHError`` built directly it is inferred from the code and status unless given.
    The same code can come from either side: ``TOKEN_EXPIRED`` from a 401 is an
    :class:`ATHServerError`; a held token past its expiry, refused before sending, an
    :class:`ATHClientError`.

    Errors are not changed once built: :meth:`replace` returns a changed copy of the
    same class.
    """

    code: str
    message: str
    status: int | None
    details: dict[str, Any]

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
        origin: Origin | None = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status
        self.details = dict(details or {})
        self._origin: Origin = origin if origin is not None else _default_origin(code, status)

    @property
    def origin(self) -> Origin:
        """Whose fault it is: ``"server"``, ``"client"`` or ``"transport"``."""
        return self._origin

    def replace(
        self,
        *,
        message: str | None = None,
        details: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Self:
        """A new error of the same class with ``message``, ``details`` (or another field
        of the class, such as :attr:`ATHServerError.headers`) changed; this one stays as
        it is. The copy keeps the cause (``__cause__``, ``__context__``)."""
        state = dict(self.__dict__)
        if message is not None:
            state["message"] = message
        if details is not None:
            state["details"] = dict(details)
        for name, value in fields.items():
            if name not in state:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            state[name] = value
        copy = _rebuild(type(self), (self.code, state["message"]), state)
        copy.__cause__ = self.__cause__
        copy.__context__ = self.__context__
        copy.__suppress_context__ = self.__suppress_context__
        return copy

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"[{self.code}] {self.message}{status}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"origin={self.origin!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), (self.code, self.message), dict(self.__dict__)))


def _rebuild(cls: type[_E], args: tuple[Any, ...], state: dict[str, Any]) -> _E:
    """An error of class ``cls`` with these fields, built without calling its
    ``__init__`` (a subclass may take other arguments): unpickling and :meth:`replace`."""
    error = cls.__new__(cls, *args)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ATHClientError(ATHError):
    """The caller's side: a bad argument, a call out of order (``NOT_REGISTERED``,
    ``NO_TOKEN``), the caller's files or stores (``CREDENTIALS_*``, ``STORE_*``), or the
    SDK refusing to do something unsafe (``INSECURE_TRANSPORT``, a held token past its
    expiry). Nothing was sent, or what was sent is not the reason. ``origin == "client"``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code, message, status=status, details=details, origin="client")

    @property
    def origin(self) -> Origin:
        return "client"


class ATHServerError(ATHError):
    """The server's answer: an ATH error body (its code passed through), a non-2xx
    answer, or a 2xx answer the SDK cannot use (``INVALID_RESPONSE``, ``TOKEN_MISMATCH``,
    ``PKCE_MISSING``, ...). ``status`` and ``headers`` are the answer's when there was one.

    ``headers`` holds the answer's headers (lower-case names, repeated ones joined by
    ``", "``), with the values of ``Set-Cookie``, ``Cookie``, ``Authorization`` and
    ``Proxy-Authorization`` masked; they appear in neither ``str`` nor ``repr``.
    ``origin == "server"``.
    """

    headers: dict[str, str]

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Iterable[tuple[str, str]] | Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code, message, status=status, details=details, origin="server")
        self.headers = masked_headers(headers)

    @property
    def origin(self) -> Origin:
        return "server"


class ATHTransportError(ATHError):
    """The network between the client and the server: the connection could not be made
    or broke (``CONNECTION_ERROR``), TLS failed (``TLS_ERROR``), or a timeout
    (:class:`ATHTimeoutError`). ``origin == "transport"``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code, message, status=status, details=details, origin="transport")

    @property
    def origin(self) -> Origin:
        return "transport"


class ATHTimeoutError(ATHTransportError):
    """The server did not answer in time (connect, read, write or pool timeout, or the
    client's deadline): code ``TIMEOUT``."""


#: Answer headers whose values are credentials: kept by name, masked.
_MASKED_HEADERS: Final = frozenset({"set-cookie", "cookie", "authorization", "proxy-authorization"})


def masked_headers(
    headers: Iterable[tuple[str, str]] | Mapping[str, str] | None,
) -> dict[str, str]:
    """An answer's headers as :attr:`ATHServerError.headers` keeps them: lower-case
    names, repeated ones joined, credential-bearing values masked."""
    if headers is None:
        return {}
    items: Iterable[tuple[str, str]]
    if isinstance(headers, Mapping):
        multi = getattr(headers, "multi_items", None)  # httpx2.Headers: repeated names
        items = multi() if callable(multi) else headers.items()
    else:
        items = headers
    safe: dict[str, str] = {}
    for name, value in items:
        key = str(name).lower()
        shown = "***" if key in _MASKED_HEADERS else str(value)
        safe[key] = f"{safe[key]}, {shown}" if key in safe else shown
    return safe
