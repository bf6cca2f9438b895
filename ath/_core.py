"""The protocol core: every ATH exchange, written once, free of I/O.

Each operation is a generator (the shape of ``httpx.Auth.auth_flow``): it yields
:class:`Send` (a request to put on the wire) or :class:`Sleep` (a retry pause) and
receives the outcome; its return value is the result. ``ath._client`` drives these
generators with ``httpx.Client`` + ``time.sleep`` or ``httpx.AsyncClient`` +
``asyncio.sleep``; nothing else differs between the sync and the async clients.

Requests to ATH endpoints are built by the generated client (``ath_sdk_client``,
from ``spec/openapi.yaml``) and answers are parsed with its models; only the proxy
and native API calls, which OpenAPI cannot describe (a path with slashes, any
method), are built here.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

import httpx

from ath._answers import (
    ath_error_body,
    body_snippet,
    error_from_response,
    json_object,
    parse_model,
    redact,
    request_secrets,
    scrub,
    transport_error,
)
from ath._attestation import AttestationSigner
from ath._checks import (
    check_authorization_url,
    check_headers,
    checked_api_url,
    encodable,
    normalize_base_url,
    parse_callback,
    plain_mapping,
    safe_relative_path,
    split_url,
    validate_provider_id,
    validate_scopes,
)
from ath._credentials import StoredCredentials
from ath._errors import PROTOCOL_CODES, ATHError
from ath._oauth import OAuthRequest, OAuthToken, start_authorization
from ath._pkce import generate_state, states_equal
from ath._retry import RetryPolicy
from ath._state import ClientState, token_key
from ath._types import (
    AgentStatus,
    AgentStatusInfo,
    APIResponse,
    Authorization,
    CallbackResult,
    ProviderApproval,
    Registration,
    ScopeIntersection,
    Token,
)

if TYPE_CHECKING:
    from ath._gen import (
        AgentStatusResponse,
        AuthorizationResponse,
        DiscoveryDocument,
        ServiceDiscoveryDocument,
        TokenResponse,
    )
    from ath.stores._model import CredentialStore

__all__ = ["Call", "ClientCore", "Flow", "Raised", "Send", "Sleep", "run_call"]

log = logging.getLogger("ath")

T = TypeVar("T")

#: Default timeout: the generated client has none at all.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RESPONSE_BYTES: Final = 10 * 1024 * 1024
SESSION_LIFETIME: Final = 600.0  # ATH sessions expire within 10 minutes
MAX_PENDING_SESSIONS: Final = 256
TOKEN_GONE: Final = frozenset({"TOKEN_EXPIRED", "TOKEN_REVOKED", "TOKEN_INVALID"})
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
#: Headers of proxy/api calls that the client sets itself (framing headers come on top).
API_RESERVED_HEADERS: Final = frozenset({"authorization", "x-ath-agent-id"})
#: The longest token lifetime accepted (a century); a larger expires_in is not a lifetime.
MAX_EXPIRES_IN: Final = 100 * 365 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Send:
    """Put ``request`` on the wire; the driver answers with a Response or the exception."""

    request: httpx.Request
    #: ``time.monotonic()`` by which this attempt must be over (None: no deadline).
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause before a retry; the driver answers with None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``fn`` (blocking I/O: a credential store) and answer with its result, or
    with :class:`Raised` when it raised. The async driver runs it in a thread."""

    fn: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Raised:
    """What a :class:`Call` raised, handed back to the flow."""

    error: BaseException


def run_call(step: Call) -> Any:
    """What a driver does with a :class:`Call`: run it; what it raises goes back to the
    flow as a value (:class:`Raised`)."""
    try:
        return step.fn()
    except Exception as exc:
        return Raised(exc)


Outcome = httpx.Response | BaseException
Step = Send | Sleep | Call
Flow = Generator[Step, Any, T]


# --------------------------------------------------------------------------- helpers


def _str_list(value: Any) -> list[str]:
    from ath._gen import Unset

    if isinstance(value, Unset) or value is None:
        return []
    return [str(v) for v in value]


def _opt(value: Any) -> Any:
    from ath._gen import Unset

    return None if isinstance(value, Unset) else value


def _approvals(items: Any) -> list[ProviderApproval]:
    return [
        ProviderApproval(
            provider_id=item.provider_id,
            approved_scopes=_str_list(item.approved_scopes),
            denied_scopes=_str_list(item.denied_scopes),
            denial_reason=_opt(item.denial_reason),
        )
        for item in (items or [])
    ]


def _status_value(value: Any) -> AgentStatus:
    try:
        return AgentStatus(str(getattr(value, "value", value)))
    except ValueError:
        raise ATHError(
            "INVALID_RESPONSE",
            f"agent_status {str(value)[:40]!r} is none of approved, pending, denied",
        ) from None


def _expires_in(value: Any, what: str, *, code: str, status: int | None = None) -> int | None:
    """A lifetime in seconds, None when absent; refused when not a usable lifetime."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPIRES_IN:
        raise ATHError(
            code,
            f"{what} must be a whole number of seconds between 0 and {MAX_EXPIRES_IN}",
            status=status,
        )
    return value


def _basic_auth(client_id: str, client_secret: str) -> str:
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


# --------------------------------------------------------------------------- the core


class ClientCore:
    """The protocol flows of one agent talking to one gateway or service; what the
    client holds lives beside it, in :attr:`state` (:class:`ath._state.ClientState`)."""

    def __init__(
        self,
        *,
        mode: str,
        url: str,
        signer: AttestationSigner,
        http: httpx.Client | httpx.AsyncClient,
        retry: RetryPolicy,
        max_response_bytes: int,
        allow_insecure_http: bool,
        store: CredentialStore | None = None,
        store_refresh_interval: float = 1.0,
    ) -> None:
        self.mode = mode
        self.allow_insecure_http = allow_insecure_http
        self.base_url = normalize_base_url(url, allow_insecure_http=allow_insecure_http)
        self.signer = signer
        self.http = http
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self.state = ClientState(
            base_url=self.base_url,
            agent_id=signer.agent_id,
            mode=mode,
            store=store,
            refresh_interval=store_refresh_interval,
        )
        #: Seconds one attempt may take, and all attempts of one call with their pauses
        #: (set by the shells from ``timeout``, ``max_retries`` and ``total_timeout``).
        self.attempt_timeout: float | None = None
        self.total_timeout: float | None = None

    @property
    def agent_id(self) -> str:
        return self.signer.agent_id

    # Views of :attr:`state` under the names the flows use.

    @property
    def _lock(self) -> Any:
        return self.state.lock

    @property
    def client_id(self) -> str | None:
        return self.state.client_id

    @property
    def client_secret(self) -> str | None:
        return self.state.client_secret

    @property
    def agent_status(self) -> str | None:
        return self.state.agent_status

    @agent_status.setter
    def agent_status(self, value: str | None) -> None:
        self.state.agent_status = value

    @property
    def api_base(self) -> str | None:
        return self.state.api_base

    @api_base.setter
    def api_base(self, value: str | None) -> None:
        self.state.api_base = value

    @property
    def oauth_endpoints(self) -> tuple[str, str] | None:
        return self.state.oauth_endpoints

    @oauth_endpoints.setter
    def oauth_endpoints(self, value: tuple[str, str] | None) -> None:
        self.state.oauth_endpoints = value

    @property
    def tokens(self) -> dict[str, Token]:
        return self.state.tokens

    @property
    def sessions(self) -> dict[str, Authorization]:
        return self.state.sessions

    def _secrets(self) -> tuple[str | None, ...]:
        return self.state.secrets()

    # ---------------------------------------------------------------- the store

    def blocking(self, fn: Callable[[], T]) -> Flow[T]:
        """Run ``fn`` through the driver (in a thread for the async clients)."""
        outcome = yield Call(fn)
        if isinstance(outcome, Raised):
            error = outcome.error
            if isinstance(error, ATHError):
                raise error
            raise ATHError(
                "STORE_UNAVAILABLE",
                f"the credential store failed ({type(error).__name__}: {error}); nothing "
                "acknowledged was lost. Check the store, then retry.",
            ) from None
        result: T = outcome
        return result

    def _refresh(self, *, force: bool) -> Flow[None]:
        """Adopt the store's entry if it moved. A periodic check that finds the store
        unreachable keeps the local copy (logged); a forced one raises."""
        try:
            yield from self.blocking(lambda: self.state.refresh(force=force))
        except ATHError as exc:
            if force or not exc.code.startswith("STORE_"):
                raise
            log.warning("ATH credential store check failed, using the local copy: %s", exc)

    def _share(self, fn: Callable[[], None], what: str) -> Flow[None]:
        """A store write whose failure must not hide the protocol outcome (logged)."""
        try:
            yield from self.blocking(fn)
        except ATHError as exc:
            log.warning("ATH credential store: could not %s: %s", what, exc)

    def guard(self, flow: Flow[T]) -> Flow[T]:
        """``flow`` as the shells drive it: an ATHError leaving it carries no secret.

        Every credential the client holds, and every one the flow put on the wire
        (attestations, Basic credentials, secret body fields), is redacted from the
        error's message and details, and the exception chain (which may quote the
        server's answer) is cut.
        """
        sent: list[httpx.Request] = []  # inspected only when an error leaves the flow
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    sent.append(step.request)
                step = flow.send((yield step))
        except StopIteration as done:
            result: T = done.value
            return result
        except ATHError as exc:
            exc.__cause__ = exc.__context__ = None  # first: nothing unredacted stays linked
            secrets = (*self._secrets(), *(s for r in sent for s in request_secrets(r)))
            exc.message = redact(exc.message, secrets)
            exc.args = (exc.code, exc.message)
            exc.details = scrub(exc.details, secrets)
            del secrets, sent
            raise

    # ---------------------------------------------------------------- transport

    def send(self, request: httpx.Request, *, idempotent: bool) -> Flow[httpx.Response]:
        """Send with the retry policy; transport faults become ATHError."""
        attempt = 0
        total = self.total_timeout
        call_deadline = None if total is None else time.monotonic() + total
        while True:
            started = time.perf_counter()
            deadline = call_deadline
            if self.attempt_timeout is not None:
                own = time.monotonic() + self.attempt_timeout
                deadline = own if deadline is None else min(own, deadline)
            outcome: Outcome = yield Send(request, deadline)
            if log.isEnabledFor(logging.DEBUG):
                result = (
                    outcome.status_code
                    if isinstance(outcome, httpx.Response)
                    else type(outcome).__name__
                )
                log.debug(
                    "%s %s -> %s (%.1f ms, attempt %d)",
                    request.method,
                    request.url.copy_with(query=None),
                    result,
                    (time.perf_counter() - started) * 1000,
                    attempt + 1,
                )
            if isinstance(outcome, ATHError):
                raise outcome
            delay = self.retry.delay_for(attempt, outcome, idempotent=idempotent)
            if delay is None:
                break
            if call_deadline is not None and time.monotonic() + delay >= call_deadline:
                break  # no time left for another attempt: report this one
            attempt += 1
            yield Sleep(delay)
        if isinstance(outcome, BaseException):
            raise transport_error(outcome, request) from None
        return outcome

    def _request(
        self, kwargs: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """An httpx request from a generated operation's ``_get_kwargs``."""
        merged = dict(kwargs.get("headers") or {})
        merged.update(headers or {})
        try:
            return self.http.build_request(
                str(kwargs["method"]).upper(),
                self.base_url + str(kwargs["url"]),
                json=kwargs.get("json"),
                params=kwargs.get("params"),
                headers=merged,
            )
        except (TypeError, ValueError, RecursionError, httpx.InvalidURL) as exc:
            # an encoding error's args carry the whole body: never let it out
            raise ATHError(
                "INVALID_ARGUMENT",
                f"cannot build the request to {kwargs.get('url')} ({type(exc).__name__}); "
                "check that every string argument is valid Unicode.",
            ) from None

    def _call(
        self,
        kwargs: Mapping[str, Any],
        action: str,
        *,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
    ) -> Flow[httpx.Response]:
        response = yield from self.send(
            self._request(kwargs, headers=headers), idempotent=idempotent
        )
        if not response.is_success:
            raise error_from_response(response, action, self._secrets())
        return response

    def _credentials(self) -> tuple[str, str]:
        return self.state.credentials()

    # ---------------------------------------------------------------- discovery

    def _discovery(self, kwargs: Mapping[str, Any], hint: str) -> Flow[httpx.Response]:
        """GET a discovery document; a 404 says which client class the URL may want."""
        try:
            response = yield from self._call(kwargs, "discover", idempotent=True)
        except ATHError as exc:
            if exc.status == 404:
                raise ATHError(
                    exc.code, f"{exc.message.rstrip('.')}. {hint}", status=404, details=exc.details
                ) from None
            raise
        return response

    def discover_gateway(self) -> Flow[DiscoveryDocument]:
        from ath._gen import DiscoveryDocument, get_gateway_discovery

        response = yield from self._discovery(
            get_gateway_discovery._get_kwargs(),
            "this URL serves no ATH gateway discovery document (/.well-known/ath.json). If it "
            "is an ATH-native service, use ATHNativeClient (or AsyncATHNativeClient), which "
            "reads /.well-known/ath-app.json.",
        )
        doc: DiscoveryDocument = parse_model(DiscoveryDocument, response, "discover")
        return doc

    def discover_service(self) -> Flow[ServiceDiscoveryDocument]:
        from ath._gen import ServiceDiscoveryDocument, get_service_discovery

        response = yield from self._discovery(
            get_service_discovery._get_kwargs(),
            "this URL serves no ATH-native service discovery document "
            "(/.well-known/ath-app.json). If it is an ATH gateway, use ATHGatewayClient (or "
            "AsyncATHGatewayClient), which reads /.well-known/ath.json.",
        )
        doc: ServiceDiscoveryDocument = parse_model(ServiceDiscoveryDocument, response, "discover")
        try:
            api_base = normalize_base_url(
                doc.api_base, allow_insecure_http=self.allow_insecure_http, what="api_base"
            )
            endpoints = (str(doc.auth.authorization_endpoint), str(doc.auth.token_endpoint))
            for endpoint, what in zip(
                endpoints, ("authorization_endpoint", "token_endpoint"), strict=True
            ):
                split_url(endpoint, what)
        except ATHError as exc:  # the server's answer is at fault, not an argument
            code = exc.code if exc.code == "INSECURE_TRANSPORT" else "INVALID_RESPONSE"
            raise ATHError(code, f"discover: {exc.message}", status=response.status_code) from None
        with self._lock:
            self.api_base = api_base
            self.oauth_endpoints = endpoints
        return doc

    # ---------------------------------------------------------------- registration

    def register(
        self,
        developer: Mapping[str, Any] | Any,
        providers: Sequence[Mapping[str, Any] | Any],
        purpose: str | None,
        redirect_uris: Sequence[str] | None,
    ) -> Flow[Registration]:
        from ath._gen import ProviderScopeRequest

        developer = plain_mapping(developer, "developer")
        if not isinstance(developer.get("name"), str) or not isinstance(developer.get("id"), str):
            raise ATHError(
                "INVALID_ARGUMENT",
                "developer needs string 'name' and 'id' (and optionally 'contact'), e.g. "
                "{'name': 'Acme', 'id': 'acme'}",
            )
        if (
            isinstance(providers, Mapping | str)
            or not isinstance(providers, Sequence)
            or not providers
        ):
            raise ATHError(
                "INVALID_ARGUMENT",
                "providers must be a non-empty list like "
                "[{'provider_id': 'github', 'scopes': ['read:user']}]",
            )
        requested = []
        for item in providers:
            item = plain_mapping(item, "each provider")
            requested.append(
                ProviderScopeRequest(
                    provider_id=validate_provider_id(item.get("provider_id")),
                    scopes=validate_scopes(item.get("scopes"), "provider scopes"),
                )
            )
        # Sent exactly as given; left out when none were given (protocol: optional, and
        # without it the implementer completes the OAuth callback itself).
        uris = None if redirect_uris is None else list(redirect_uris)
        if isinstance(redirect_uris, str):
            raise ATHError("INVALID_ARGUMENT", "redirect_uris must be a list of URLs, not a string")
        for uri in uris or []:
            if not isinstance(uri, str) or split_url(uri, "redirect URI").scheme not in (
                "http",
                "https",
            ):
                raise ATHError("INVALID_ARGUMENT", f"redirect URI {uri!r} is not an http(s) URL")
        if purpose is not None and not isinstance(purpose, str):
            raise ATHError("INVALID_ARGUMENT", "purpose must be a string")
        store = self.state.store
        if store is None:
            result = yield from self._register_request(developer, requested, uris, purpose)
            return result
        # Single flight across the fleet: under the store's registration lock, an entry
        # registered by any process is returned without a request; otherwise this one
        # registers and stores the credentials before the lock is released.
        lock = store.registration_lock(self.base_url, self.agent_id)
        yield from self.blocking(lock.__enter__)
        try:
            entry = yield from self.blocking(self.state.load_entry)
            if entry is not None and entry.registered:
                self.state.adopt(entry)
                assert entry.client_id is not None and entry.client_secret is not None
                return Registration(
                    client_id=entry.client_id,
                    client_secret=entry.client_secret,
                    agent_status=_status_value(entry.agent_status or "approved"),
                    approved_providers=[],
                    approval_expires=None,
                )
            result = yield from self._register_request(developer, requested, uris, purpose)
            try:
                yield from self.blocking(self.state.publish_registration)
            except ATHError as exc:
                raise ATHError(
                    exc.code,
                    f"register: the server registered agent {self.agent_id} (client_id "
                    f"{result.client_id}) and this client holds the credentials, but the store "
                    f"could not keep them: {exc.message} Call save_credentials(path) now: the "
                    "server shows the secret only once.",
                    details={"client_id": result.client_id},
                ) from None
            return result
        finally:
            try:
                lock.__exit__(None, None, None)
            except Exception as exc:  # a lost lock expires on its own
                log.warning("ATH credential store: registration lock release failed: %s", exc)

    def _register_request(
        self,
        developer: Mapping[str, Any],
        requested: list[Any],
        uris: list[str] | None,
        purpose: str | None,
    ) -> Flow[Registration]:
        from ath._gen import (
            UNSET,
            AgentRegistrationRequest,
            AgentRegistrationResponse,
            DeveloperInfo,
            register_agent,
        )

        body = AgentRegistrationRequest(
            agent_id=self.agent_id,
            agent_attestation=self.signer.mint(self.base_url),
            developer=DeveloperInfo.from_dict(
                {k: v for k, v in developer.items() if k in ("name", "id", "contact")}
            ),
            requested_providers=requested,
            redirect_uris=UNSET if uris is None else uris,
            purpose=UNSET if purpose is None else purpose,
        )
        request = self._request(register_agent._get_kwargs(body=body))
        response = yield from self.send(request, idempotent=False)
        if response.status_code == 409:
            server = ath_error_body(response) or json_object(response) or {}
            server_details = server.get("details")
            existing = (server_details if isinstance(server_details, dict) else {}).get(
                "client_id", server.get("client_id")
            )
            raise ATHError(
                "ALREADY_REGISTERED",
                f"register: agent {self.agent_id} is already registered at {self.base_url}"
                + (f" as {existing}" if isinstance(existing, str) and existing else "")
                + ". Reuse the credentials from that registration: load_credentials(path) or "
                "set_credentials(client_id, client_secret).",
                status=409,
                details={
                    "server_code": server.get("code"),
                    "server_message": server.get("message"),
                    **({"client_id": existing} if isinstance(existing, str) and existing else {}),
                },
            )
        if not response.is_success:
            raise error_from_response(response, "register", self._secrets())
        parsed: AgentRegistrationResponse = parse_model(
            AgentRegistrationResponse, response, "register"
        )
        result = Registration(
            client_id=parsed.client_id,
            client_secret=parsed.client_secret,
            agent_status=_status_value(parsed.agent_status),
            approved_providers=_approvals(parsed.approved_providers),
            approval_expires=_opt(parsed.approval_expires),
        )
        if result.agent_status == "denied":
            reasons = {
                p.provider_id: p.denial_reason for p in result.approved_providers if p.denial_reason
            }
            raise ATHError(
                "REGISTRATION_DENIED",
                f"register: {self.base_url} denied agent {self.agent_id} app-side"
                + (f" ({reasons})" if reasons else "")
                + ". Contact the service's operator; retrying will not help.",
                status=response.status_code,
                details={"client_id": result.client_id, "denial_reasons": reasons},
            )
        self.state.keep_registration(result)
        if result.pending:
            log.warning(
                "ATH registration %s is pending app-side approval; authorize() will work once "
                "registration_status() reports 'approved'.",
                result.client_id,
            )
        return result

    def registration_status(self) -> Flow[AgentStatusInfo]:
        from ath._gen import AgentStatusResponse, get_agent_status

        client_id, client_secret = self._credentials()
        response = yield from self._call(
            get_agent_status._get_kwargs(client_id=client_id),
            "registration_status",
            idempotent=True,
            headers={"Authorization": _basic_auth(client_id, client_secret)},
        )
        parsed: AgentStatusResponse = parse_model(
            AgentStatusResponse, response, "registration_status"
        )
        info = AgentStatusInfo(
            client_id=parsed.client_id,
            agent_id=parsed.agent_id,
            agent_status=_status_value(parsed.agent_status),
            approved_providers=_approvals(parsed.approved_providers),
            approval_expires=_opt(parsed.approval_expires),
        )
        with self._lock:
            self.agent_status = info.agent_status
        return info

    # ---------------------------------------------------------------- authorization

    def authorize(
        self,
        provider: str,
        scopes: Sequence[str],
        redirect_uri: str | None,
        resource: str | None,
    ) -> Flow[Authorization]:
        from ath._gen import UNSET, AuthorizationRequest, AuthorizationResponse, authorize_op

        client_id, _ = self._credentials()
        provider = validate_provider_id(provider)
        scope_list = validate_scopes(scopes)
        if redirect_uri is not None and (
            not isinstance(redirect_uri, str)
            or split_url(redirect_uri, "redirect_uri").scheme not in ("http", "https")
        ):
            raise ATHError("INVALID_ARGUMENT", "redirect_uri must be an absolute http(s) URL")
        if resource is not None and not isinstance(resource, str):
            raise ATHError("INVALID_ARGUMENT", "resource must be a URI string (RFC 8707)")
        if self.agent_status in ("pending", "denied"):
            status = yield from self.registration_status()
            if status.agent_status != "approved":
                raise ATHError(
                    "AGENT_UNAPPROVED",
                    f"authorize: registration {client_id} is {status.agent_status} app-side; "
                    + (
                        "wait for the service to approve it, then try again "
                        "(registration_status() tells when)."
                        if status.agent_status == "pending"
                        else "it was denied; contact the service's operator."
                    ),
                )
        state = generate_state()
        body = AuthorizationRequest(
            client_id=client_id,
            agent_attestation=self.signer.mint(self.base_url),
            provider_id=provider,
            scopes=scope_list,
            state=state,
            user_redirect_uri=UNSET if redirect_uri is None else redirect_uri,
            resource=UNSET if resource is None else resource,
        )
        response = yield from self._call(
            authorize_op._get_kwargs(body=body), "authorize", idempotent=False
        )
        parsed: AuthorizationResponse = parse_model(AuthorizationResponse, response, "authorize")
        result = Authorization(
            authorization_url=check_authorization_url(
                parsed.authorization_url,
                status=response.status_code,
                allow_insecure_http=self.allow_insecure_http,
            ),
            ath_session_id=str(parsed.ath_session_id),
            provider_id=provider,
            scopes=scope_list,
            state=state,
            redirect_uri=redirect_uri,
        )
        with self._lock:
            self._prune_sessions()
            self.sessions[result.ath_session_id] = result
        return result

    def _prune_sessions(self) -> None:
        now = time.time()
        for sid in [s for s, a in self.sessions.items() if now - a.created_at > SESSION_LIFETIME]:
            del self.sessions[sid]
        while len(self.sessions) >= MAX_PENDING_SESSIONS:
            del self.sessions[next(iter(self.sessions))]

    def match_callback(self, callback: CallbackResult, session_id: str | None) -> Authorization:
        """The pending authorization a redirect belongs to, with state checked."""
        with self._lock:
            sid = session_id or callback.session_id
            pending: Authorization | None = None
            if sid is not None:
                pending = self.sessions.get(sid)
            elif callback.state is not None:
                for candidate in self.sessions.values():
                    if states_equal(candidate.state, callback.state):
                        pending = candidate
                        break
            if pending is None:
                raise ATHError(
                    "SESSION_NOT_FOUND",
                    "finish_authorization: the redirect belongs to no authorization this client "
                    "started (or it was already finished or expired); call authorize() again.",
                )
            if callback.code is not None and callback.state is None:
                raise ATHError(
                    "STATE_MISMATCH",
                    "finish_authorization: the redirect carries a code but no state; a code is "
                    "redeemed only with the state sent by authorize(). Start over.",
                )
            if callback.state is not None and not states_equal(pending.state, callback.state):
                raise ATHError(
                    "STATE_MISMATCH",
                    "finish_authorization: the redirect's state does not match the one sent with "
                    "authorize(); it may be forged. Start over with authorize().",
                )
            if callback.error is not None:
                self.sessions.pop(pending.ath_session_id, None)
                code = "USER_DENIED" if callback.error == "access_denied" else "OAUTH_ERROR"
                desc = f" ({callback.error_description})" if callback.error_description else ""
                raise ATHError(
                    code,
                    f"finish_authorization: consent ended with error {callback.error!r}{desc}. "
                    "Ask the user to try again with authorize().",
                    details={"error": callback.error},
                )
            if callback.code is None and callback.state is None and not callback.success:
                raise ATHError(
                    "INVALID_ARGUMENT",
                    "finish_authorization: the URL carries neither a code, a state nor "
                    "success=true; pass the full URL the user was redirected to.",
                )
            return pending

    def finish_authorization(self, url: str, session_id: str | None) -> Flow[Token]:
        callback = parse_callback(url)
        pending = self.match_callback(callback, session_id)
        # Gateways that redirect with session_id and success=true send no code and
        # ignore the one posted to /ath/token.
        token = yield from self.exchange_token(callback.code or "", pending.ath_session_id)
        return token

    def exchange_token(self, code: str, session_id: str) -> Flow[Token]:
        from ath._gen import TokenExchangeRequest, TokenResponse, exchange_token_op

        client_id, client_secret = self._credentials()
        if not isinstance(code, str) or not isinstance(session_id, str) or not session_id:
            raise ATHError("INVALID_ARGUMENT", "exchange_token(code, session_id) takes two strings")
        token_url = self.base_url + "/ath/token"
        body = TokenExchangeRequest(
            grant_type="authorization_code",
            client_id=client_id,
            client_secret=client_secret,
            agent_attestation=self.signer.mint(token_url),
            code=code,
            ath_session_id=session_id,
        )
        # Never replayed: the session is single use (retried only if the connection failed).
        response = yield from self._call(
            exchange_token_op._get_kwargs(body=body), "exchange_token", idempotent=False
        )
        parsed: TokenResponse = parse_model(TokenResponse, response, "exchange_token")
        with self._lock:
            pending = self.sessions.get(session_id)
        token = self._check_token(parsed, pending, response.status_code)
        with self._lock:  # the session is used up only once a token is stored
            self.sessions.pop(session_id, None)
            key = self.state.keep_token(token)
        if self.state.store is not None:
            try:
                yield from self.blocking(lambda: self.state.publish_token(key, token))
            except ATHError as exc:
                raise ATHError(
                    exc.code,
                    f"exchange_token: the token for {token.provider_id} was obtained and this "
                    f"client holds it (proxy() works here), but the store could not share it: "
                    f"{exc.message}",
                ) from None
        return token

    def _check_token(
        self, parsed: TokenResponse, pending: Authorization | None, status: int | None = None
    ) -> Token:
        token_type = str(parsed.token_type)
        effective = _str_list(parsed.effective_scopes)
        problems = []
        if token_type.lower() != "bearer":
            problems.append(f"token_type is {token_type!r}, not Bearer")
        if not isinstance(parsed.access_token, str) or not parsed.access_token:
            problems.append("access_token is empty")
        if parsed.agent_id != self.agent_id:
            problems.append(f"token is bound to agent {parsed.agent_id!r}, not {self.agent_id!r}")
        if pending is not None:
            if parsed.provider_id != pending.provider_id:
                problems.append(
                    f"token is for provider {parsed.provider_id!r}, not {pending.provider_id!r}"
                )
            extra = sorted(set(effective) - set(pending.scopes))
            if extra:
                problems.append(f"effective scopes {extra} were never requested")
        if problems:
            raise ATHError(
                "TOKEN_MISMATCH",
                "exchange_token: the server's token does not match the request: "
                + "; ".join(problems)
                + ". The token was not stored; report this to the server's operator.",
                status=status,
            )
        expires_in = _expires_in(
            parsed.expires_in if isinstance(parsed.expires_in, int) else None,
            "exchange_token: the answer's expires_in",
            code="INVALID_RESPONSE",
            status=status,
        )
        si = parsed.scope_intersection
        return Token(
            access_token=parsed.access_token,
            token_type="Bearer",
            expires_in=expires_in,
            effective_scopes=effective,
            provider_id=parsed.provider_id,
            agent_id=parsed.agent_id,
            scope_intersection=ScopeIntersection(
                agent_approved=_str_list(si.agent_approved),
                user_consented=_str_list(si.user_consented),
                effective=_str_list(si.effective),
            ),
            expires_at=None if expires_in is None else time.time() + expires_in,
        )

    # ---------------------------------------------------------------- tokens

    def token_for(self, provider: str | None) -> Flow[tuple[str, Token]]:
        """The token to use for ``provider`` (falling back to one set without a provider).

        With a store: the local copy, revalidated at most every refresh interval, and
        re-read at once when it has no usable token.
        """
        state = self.state
        if state.store is not None and state.refresh_due():
            yield from self._refresh(force=False)
        found = state.lookup(provider)
        if state.store is not None and (found is None or found[1].is_expired()):
            yield from self._refresh(force=True)
            found = state.lookup(provider)
        if found is None:
            target = f"provider {provider!r}" if provider else "this service"
            raise ATHError(
                "NO_TOKEN",
                f"no ATH token for {target}: run authorize() and exchange_token() "
                "(or finish_authorization()) first, or set_token().",
            )
        key, token = found
        if token.is_expired():
            raise ATHError(
                "TOKEN_EXPIRED",
                f"the ATH token for {token.provider_id or provider or 'this service'} expired "
                "and was not sent; authorize() again to get a new one.",
            )
        return key, token

    def forget_token(self, key: str, token: Token) -> Flow[None]:
        """Drop ``token`` here and, with a store, for every process sharing it."""
        self.state.forget_token(key, token)
        if self.state.store is not None:
            yield from self._share(
                lambda: self.state.unpublish_token(key, token), "remove a rejected token"
            )

    def set_token(
        self,
        access_token: str,
        provider: str | None,
        expires_in: int | None,
        scopes: Sequence[str] | None,
    ) -> Token:
        if not isinstance(access_token, str) or not access_token.strip():
            raise ATHError("INVALID_ARGUMENT", "set_token needs the access token string")
        if provider is not None:
            validate_provider_id(provider)
        expires_in = _expires_in(expires_in, "set_token: expires_in", code="INVALID_ARGUMENT")
        token = Token(
            access_token=access_token,
            token_type="Bearer",
            expires_in=expires_in,
            effective_scopes=list(scopes or []),
            provider_id=provider,
            agent_id=self.agent_id,
            scope_intersection=None,
            expires_at=None if expires_in is None else time.time() + expires_in,
        )
        key = self.state.keep_token(token, token_key(provider))
        if self.state.store is not None:
            self.state.publish_token(key, token)
        return token

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        if not isinstance(client_id, str) or not client_id:
            raise ATHError("INVALID_ARGUMENT", "client_id must be a non-empty string")
        if not isinstance(client_secret, str) or not client_secret:
            raise ATHError("INVALID_ARGUMENT", "client_secret must be a non-empty string")
        encodable(client_id, "client_id")
        encodable(client_secret, "client_secret")
        self.state.set_credentials(client_id, client_secret)
        if self.state.store is not None:
            self.state.publish_registration()

    def snapshot(self) -> StoredCredentials:
        with self._lock:
            return StoredCredentials(
                base_url=self.base_url,
                agent_id=self.agent_id,
                mode=self.mode,
                client_id=self.client_id,
                client_secret=self.client_secret,
                tokens=dict(self.tokens),
            )

    def restore(self, stored: StoredCredentials, path: str) -> None:
        if stored.base_url != self.base_url or stored.agent_id != self.agent_id:
            raise ATHError(
                "CREDENTIALS_MISMATCH",
                f"{path} holds credentials of agent {stored.agent_id} at {stored.base_url}, but "
                f"this client is agent {self.agent_id} at {self.base_url}; nothing was loaded.",
            )
        self.state.restore(stored)
        if self.state.store is not None:
            self.state.publish_all()

    # ---------------------------------------------------------------- API calls

    def api_call(
        self,
        provider: str | None,
        method: str,
        path: str,
        body: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        *,
        raw: bool = False,
    ) -> Flow[APIResponse]:
        """A proxied (gateway, ``provider`` given) or native (``provider`` None) API call.

        ``raw``: return a non-2xx answer instead of raising (a token the server says
        is gone is forgotten either way).
        """
        verb = method.upper() if isinstance(method, str) else ""
        if verb not in METHODS:
            raise ATHError(
                "INVALID_ARGUMENT", f"method {method!r} is not one of {', '.join(sorted(METHODS))}"
            )
        relative = safe_relative_path(path)
        if self.mode == "gateway":
            assert provider is not None
            prefix = f"{self.base_url}/ath/proxy/{validate_provider_id(provider)}/"
        else:
            with self._lock:
                api_base = self.api_base
            if api_base is None:
                raise ATHError(
                    "NOT_DISCOVERED",
                    "api() needs the service's api_base: call discover() first.",
                )
            prefix = api_base + "/"
        key, token = yield from self.token_for(provider)
        if headers is not None:
            headers = check_headers(headers, reserved=API_RESERVED_HEADERS)
        merged = {
            **(headers or {}),
            "Authorization": f"Bearer {token.access_token}",
            "X-ATH-Agent-ID": self.agent_id,
        }
        try:
            request = self.http.build_request(
                verb,
                checked_api_url(prefix + relative, prefix),
                json=body if body is not None else None,
                params=params,
                headers=merged,
            )
        except (TypeError, ValueError, RecursionError, httpx.InvalidURL) as exc:
            raise ATHError(
                "INVALID_ARGUMENT",
                f"cannot build the request ({type(exc).__name__}); the body must be JSON "
                "serialisable, valid Unicode and nested less deeply.",
            ) from None
        response = yield from self.send(request, idempotent=verb in SAFE_METHODS)
        result = APIResponse(
            status_code=response.status_code,
            headers=response.headers,
            content=response.content,
        )
        if response.is_success:
            return result
        error = ath_error_body(response)
        if error is not None and error["code"] in TOKEN_GONE:
            yield from self.forget_token(key, token)
        if raw:
            return result
        if error is not None and str(error.get("code")) in PROTOCOL_CODES:
            raise error_from_response(response, f"{verb} {path}", self._secrets())
        snippet = body_snippet(response, self._secrets())
        if error is not None and self.mode == "gateway" and isinstance(error.get("message"), str):
            # An ATH-shaped body with a code outside v0.1 (a standalone gateway's own
            # AUTH_REQUIRED, FORBIDDEN, ...): the gateway refused, not the upstream API.
            secrets = self._secrets()
            extra = error.get("details")
            raise ATHError(
                "GATEWAY_ERROR",
                f"{verb} {path}: the gateway answered HTTP {response.status_code} with its own "
                f"error {error['code']}: {redact(error['message'], secrets)[:300]} (the call did "
                "not reach, or was refused before, the upstream API)",
                status=response.status_code,
                details={
                    "gateway_code": error["code"],
                    "gateway_details": scrub(extra, secrets) if isinstance(extra, dict) else {},
                    "body": snippet,
                },
            )
        raise ATHError(
            "UPSTREAM_ERROR",
            f"{verb} {path}: the API answered HTTP {response.status_code}"
            + (f": {snippet}" if snippet else ""),
            status=response.status_code,
            details={"body": snippet, "headers": dict(response.headers)},
        )

    # ---------------------------------------------------------------- plain OAuth (native)

    def oauth_start(
        self, client_id: str, redirect_uri: str, scopes: Sequence[str], resource: str | None
    ) -> OAuthRequest:
        with self._lock:
            endpoints = self.oauth_endpoints
        if endpoints is None:
            raise ATHError("NOT_DISCOVERED", "oauth_start() needs discover() first")
        return start_authorization(
            endpoints[0],
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=validate_scopes(scopes),
            resource=resource,
            allow_insecure_http=self.allow_insecure_http,
        )

    def oauth_finish(
        self, request: OAuthRequest, callback_url: str, client_secret: str | None
    ) -> Flow[OAuthToken]:
        """Redeem the redirect at the token endpoint (form-encoded, PKCE verifier)."""
        with self._lock:
            endpoints = self.oauth_endpoints
        if endpoints is None:
            raise ATHError("NOT_DISCOVERED", "oauth_finish() needs discover() first")
        token_endpoint = normalize_base_url(
            endpoints[1], allow_insecure_http=self.allow_insecure_http, what="token_endpoint"
        )
        callback = parse_callback(callback_url)
        if callback.state is None or not states_equal(request.state, callback.state):
            raise ATHError(
                "STATE_MISMATCH",
                "oauth_finish: the redirect's state does not match the request; start over.",
            )
        if callback.error is not None:
            code = "USER_DENIED" if callback.error == "access_denied" else "OAUTH_ERROR"
            raise ATHError(code, f"oauth_finish: consent ended with {callback.error!r}")
        if not callback.code:
            raise ATHError("INVALID_ARGUMENT", "oauth_finish: the redirect carries no code")
        form = {
            "grant_type": "authorization_code",
            "code": callback.code,
            "redirect_uri": request.redirect_uri,
            "client_id": request.client_id,
            "code_verifier": request.code_verifier,
        }
        headers = {"Accept": "application/json"}
        if client_secret:
            headers["Authorization"] = _basic_auth(request.client_id, client_secret)
        http_request = self.http.build_request("POST", token_endpoint, data=form, headers=headers)
        response = yield from self.send(http_request, idempotent=False)
        if not response.is_success:
            data = json_object(response) or {}
            if isinstance(data.get("error"), str):
                raise ATHError(
                    "OAUTH_ERROR",
                    f"oauth_finish: the token endpoint answered {data['error']!r}"
                    + (
                        f" ({data.get('error_description')})"
                        if data.get("error_description")
                        else ""
                    ),
                    status=response.status_code,
                    details={"error": data["error"]},
                )
            raise error_from_response(response, "oauth_finish", (client_secret,))
        answer = json_object(response)
        if answer is None or not isinstance(answer.get("access_token"), str):
            raise ATHError(
                "INVALID_RESPONSE",
                "oauth_finish: the token endpoint's answer has no access_token",
                status=response.status_code,
            )
        expires_in = answer.get("expires_in")
        return OAuthToken(
            access_token=answer["access_token"],
            token_type=str(answer.get("token_type", "Bearer")),
            expires_in=expires_in if isinstance(expires_in, int) else None,
            scope=answer.get("scope") if isinstance(answer.get("scope"), str) else None,
            refresh_token=answer.get("refresh_token")
            if isinstance(answer.get("refresh_token"), str)
            else None,
            raw=answer,
        )

    # ---------------------------------------------------------------- revocation

    def revoke(self, provider: str | None, *, all_tokens: bool) -> Flow[list[str]]:
        from ath._gen import TokenRevocationRequest, revoke_token

        client_id, client_secret = self._credentials()
        if self.state.store is not None:  # revoke what the fleet holds, not a stale copy
            yield from self._refresh(force=False)
        key = token_key(provider)
        with self._lock:
            if all_tokens:
                targets = list(self.tokens.items())
            elif key in self.tokens:
                targets = [(key, self.tokens[key])]
            else:
                raise ATHError("NO_TOKEN", f"no ATH token held for provider {provider!r}")
        revoked: list[str] = []
        for key, token in targets:
            body = TokenRevocationRequest(
                client_id=client_id, client_secret=client_secret, token=token.access_token
            )
            yield from self._call(revoke_token._get_kwargs(body=body), "revoke", idempotent=False)
            yield from self.forget_token(key, token)
            revoked.append(key)
        return revoked
