"""``LocalStack``: every server of the embedded ATH stack, started together."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Literal, Self

from ._agent_hosting import AgentDirectory, PublicKeyLike
from ._counters import StackCounters
from ._demo_upstream import UpstreamAPI
from ._gateway import build_gateway
from ._native_service import APP_ID, ShopAPI, build_native
from ._oauth_server import OAuthServer
from ._policies import ApprovalController, ConsentController
from ._primitives import Clock, Sealed, sha256_hex
from ._records import ServiceProvider, Settings
from ._runner import HttpPool, ServerGroup, bind_loopback, url_of
from ._scopemap import ScopeMap
from ._service import ATHService

__all__ = ["LocalStack"]

_Api = tuple[str, Sequence[str], ScopeMap]  # provider id, its scopes, its operations


@dataclass
class _Running:
    group: ServerGroup
    gateway_url: str
    native_url: str
    oauth_url: str
    upstream_url: str
    agents_url: str
    agents: AgentDirectory
    oauth: OAuthServer
    upstream: UpstreamAPI
    gateway: ATHService
    native: ATHService


#: The stack's servers: gateway, native service, OAuth server, upstream API, agent hosting.
_SERVERS = 5


def _bind_all(host: str, port: int) -> list[socket.socket]:
    """One socket per server on ``host``: with ``port`` 0 free ports; else the gateway on
    ``port`` and the native service, the OAuth server, the upstream API and agent hosting
    on the next four (the same URLs on every start). A port in use raises ``OSError``
    naming the address."""
    socks: list[socket.socket] = []
    try:
        for i in range(_SERVERS):
            where = port + i if port else 0
            try:
                socks.append(bind_loopback(host, where))
            except OSError as exc:
                raise OSError(
                    exc.errno, f"cannot listen on {host}:{where}: {exc.strerror}"
                ) from None
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks


class LocalStack:
    """The embedded local ATH stack: a gateway, an ATH-native service, an OAuth 2.0
    authorization server, a demo upstream API and agent identity hosting, each an
    HTTP server on a free 127.0.0.1 port, all in one background thread.

    ``token_lifetime``: seconds an ATH access token lives. ``user_token``: when set,
    the gateway's /ath/* API endpoints (all but the browser's consent and callback
    legs) require the header ``X-ATH-User-Token`` with this value.
    ``legacy_redirects``: hand the consent result to the agent the way public
    gateways do (``session_id`` and ``success=true``, no code) and do not check
    ``code`` at the token endpoint.
    ``session_lifetime``: seconds an authorization session lives (at most 600).
    ``token_lifetime`` is at most 3600 (specification/0.1: tokens live one hour at most).
    ``strict_error_codes``: every error body carries a code of schema/0.1's closed
    ``ATHErrorCode`` enum; an extension code (a malformed request, a duplicate registration,
    an unknown route) becomes ``INTERNAL_ERROR`` with its HTTP status kept and
    ``details.extension_code`` naming it, for clients generated from the protocol's own
    schema, which cannot parse other codes.
    ``broken_rules``: ids of conformance rules (``ath.testing.conformance.RULES``) this
    stack breaks on purpose, so the conformance kit's tests can see it catch each one;
    leave it empty anywhere else.

    ``hold_registrations``: leave every new registration pending (as
    ``approval.pending()``) until :meth:`resolve_registration` decides it
    (:meth:`pending_registrations` lists them).

    ``host``, ``port``: where the servers listen (default: free ports on 127.0.0.1); see
    :func:`_bind_all`.

    ``consent="page"``: a person answers a consent page (as with ``ath stack``); the
    default ``"auto"`` decides at once. ``consent`` (the attribute) and ``approval``
    program the user's consent and the registration policy; ``clock.advance(seconds)``
    moves the stack's time forward; :attr:`counters` counts requests and decisions.
    """

    def __init__(
        self,
        *,
        token_lifetime: int = 3600,
        user_token: str | None = None,
        legacy_redirects: bool = False,
        session_lifetime: int = 600,
        broken_rules: Iterable[str] = (),
        strict_error_codes: bool = False,
        hold_registrations: bool = False,
        consent: Literal["auto", "page"] = "auto",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        broken = frozenset(broken_rules)
        if not 0 < token_lifetime <= 3600 and not ("TOKEN-TTL" in broken and token_lifetime > 0):
            raise ValueError("token_lifetime must be within (0, 3600] seconds")
        if not 0 < session_lifetime <= 600:
            raise ValueError("session_lifetime must be within (0, 600] seconds")
        if not 0 <= port <= 65535 - (_SERVERS - 1):
            raise ValueError(f"port must be within 0..{65535 - (_SERVERS - 1)}")
        self.host, self.port = host, port
        self.token_lifetime = token_lifetime
        self.legacy_redirects = legacy_redirects
        self.consent_mode = _consent_mode(consent)
        self._settings = Settings(
            token_lifetime=token_lifetime,
            session_lifetime=session_lifetime,
            legacy_redirects=legacy_redirects,
            user_token_digest=sha256_hex(user_token) if user_token is not None else None,
            broken_rules=broken,
            strict_error_codes=strict_error_codes,
        )
        self.clock = Clock()
        self.consent = ConsentController()
        self.approval = ApprovalController()
        if hold_registrations:
            self.approval.pending()
        self._running: _Running | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        """Start every server; returns once all accept connections."""
        if self._running is not None:
            raise RuntimeError("the stack is already running")
        socks = _bind_all(self.host, self.port)
        try:
            self._running = self._assemble(*socks)
        except BaseException:
            for sock in socks:
                sock.close()
            raise
        try:
            self._running.group.start()
        except BaseException:
            self._running = None
            raise
        return self

    def stop(self) -> None:
        """Stop every server and drop all state (idempotent)."""
        running, self._running = self._running, None
        if running is not None:
            running.group.stop()

    @property
    def running(self) -> bool:
        return self._running is not None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _assemble(
        self,
        gateway_sock: socket.socket,
        native_sock: socket.socket,
        oauth_sock: socket.socket,
        upstream_sock: socket.socket,
        agents_sock: socket.socket,
    ) -> _Running:
        """Build every server on its socket (``_build``, below the class)."""
        return _build(self, gateway_sock, native_sock, oauth_sock, upstream_sock, agents_sock)

    # -- what tests use ------------------------------------------------------------

    def _require(self) -> _Running:
        if self._running is None:
            raise RuntimeError("the stack is not running: call start() or use `with LocalStack()`")
        return self._running

    @property
    def gateway_url(self) -> str:
        return self._require().gateway_url

    @property
    def native_url(self) -> str:
        return self._require().native_url

    @property
    def oauth_url(self) -> str:
        return self._require().oauth_url

    @property
    def upstream_url(self) -> str:
        return self._require().upstream_url

    @property
    def agents_url(self) -> str:
        """Base URL under which hosted agents' identity documents are served."""
        return self._require().agents_url

    @property
    def providers(self) -> list[str]:
        """The gateway's provider ids."""
        return [p.provider_id for p in self._require().upstream.providers]

    @property
    def native_app_id(self) -> str:
        """The native service's app_id, which is also its provider_id."""
        return APP_ID

    def host_agent(
        self,
        public_key: PublicKeyLike,
        name: str = "demo-agent",
        *,
        developer: Mapping[str, str] | None = None,
        capabilities: Sequence[str] | None = None,
        key_format: Literal["jwk", "pem"] = "jwk",
    ) -> str:
        """Serve an agent identity document for ``public_key`` (PEM, public or
        private, or a ``cryptography`` EC key) and return its ``agent_id``. The
        document carries the key as a JWK, or as a PEM string with ``key_format="pem"``."""
        return self._require().agents.host(
            public_key,
            name=name,
            developer=developer,
            capabilities=capabilities,
            key_format=key_format,
        )

    def resolve_registration(self, client_id: str, *, approve: bool = True) -> None:
        """Decide a registration left pending (or change any decision): approve all
        it requested that the provider offers, or deny it."""
        running = self._require()
        if not (
            running.gateway.resolve(client_id, approve=approve)
            or running.native.resolve(client_id, approve=approve)
        ):
            raise KeyError(client_id)

    def pending_registrations(self) -> list[str]:
        """The client ids of registrations waiting for a decision (gateway, then native
        service), for :meth:`resolve_registration`."""
        running = self._require()
        return running.gateway.pending() + running.native.pending()

    def registration_requests(self) -> int:
        """How many registration requests the gateway and the native service received
        (answered or refused)."""
        return self.counters.registration_requests

    @property
    def counters(self) -> StackCounters:
        """What the stack received and decided so far (``later - earlier``: in between)."""
        return _count(self._require())

    def token_presentations(self, access_token: str) -> int:
        """How many API calls presented ``access_token`` (valid, revoked or unknown)."""
        running = self._require()
        digest = sha256_hex(access_token)
        return running.gateway.presented.get(digest, 0) + running.native.presented.get(digest, 0)

    def token_requests(self, session_id: str) -> int:
        """How many ``POST /ath/token`` requests named ``session_id`` (gateway and native
        service together), whatever they were answered: a server-side count for tests
        of polling agents."""
        running = self._require()
        return running.gateway.token_requests.get(
            session_id, 0
        ) + running.native.token_requests.get(session_id, 0)

    def register_oauth_client(self, provider_id: str, redirect_uri: str) -> tuple[str, str]:
        """A confidential client at the stack's OAuth server for ``provider_id`` (any
        provider of the gateway, or the native app), for tests that drive the OAuth
        server directly. Returns ``(client_id, client_secret)``."""
        running = self._require()
        known = running.gateway.providers.get(provider_id) or running.native.providers.get(
            provider_id
        )
        if known is None:
            raise ValueError(f"unknown provider {provider_id!r}")
        return running.oauth.register_client(provider_id, frozenset(known.scopes), redirect_uri)

    def __repr__(self) -> str:
        if self._running is None:
            return "<LocalStack stopped>"
        return f"<LocalStack gateway={self.gateway_url} native={self.native_url}>"


def _consent_mode(consent: str) -> Literal["auto", "page"]:
    if consent not in ("auto", "page"):
        raise ValueError("consent must be 'auto' or 'page'")
    return "page" if consent == "page" else "auto"


def _count(running: _Running) -> StackCounters:
    """The gateway's and the native service's counts together, with the OAuth server's."""
    desk = running.oauth.desk
    total = StackCounters(
        consent_pages_shown=desk.pages_shown,
        consents_approved=desk.approved,
        consents_denied=desk.denied,
    )
    for service in (running.gateway, running.native):
        total += StackCounters(
            registration_requests=service.register_requests,
            authorization_requests=service.authorize_requests,
            consents_started=service.consents_started,
            token_requests=sum(list(service.token_requests.values())),
            identity_fetches=sum(service.identity_fetches().values()),
        )
    return total


def _build(
    stack: LocalStack,
    gateway_sock: socket.socket,
    native_sock: socket.socket,
    oauth_sock: socket.socket,
    upstream_sock: socket.socket,
    agents_sock: socket.socket,
) -> _Running:
    """Every server of ``stack`` on its socket, not started yet."""
    gateway_url, native_url = url_of(gateway_sock), url_of(native_sock)
    oauth_url, upstream_url = url_of(oauth_sock), url_of(upstream_sock)
    http = HttpPool()
    oauth = OAuthServer(
        stack.clock,
        stack.consent,
        token_lifetime=stack.token_lifetime,
        consent_page=stack.consent_mode == "page",
    )
    oauth.base_url = oauth_url
    upstream = UpstreamAPI(oauth)
    agents = AgentDirectory()
    agents.base_url = url_of(agents_sock)

    def service(
        base_url: str,
        apis: Sequence[_Api],
        settings: Settings,
    ) -> ATHService:
        providers = []
        for provider_id, scopes, api in apis:
            client_id, secret = oauth.register_client(
                provider_id, frozenset(scopes), f"{base_url}/ath/callback"
            )
            providers.append(
                ServiceProvider(provider_id, tuple(scopes), api, client_id, Sealed(secret))
            )
        core = ATHService(
            providers=providers,
            oauth=oauth,
            clock=stack.clock,
            http=http,
            approval=stack.approval,
            settings=settings,
        )
        core.base_url = base_url
        return core

    gateway_apis: list[_Api] = [(p.provider_id, p.scopes, p.api) for p in upstream.providers]
    gateway = service(gateway_url, gateway_apis, stack._settings)
    shop = ShopAPI()
    # The tenant header (user_token) guards the gateway only.
    native_settings = replace(stack._settings, user_token_digest=None)
    native = service(native_url, [(APP_ID, shop.scopes, shop.api)], native_settings)
    group = ServerGroup(
        [
            (build_gateway(gateway, upstream, upstream_url, http), gateway_sock),
            (build_native(native, shop, oauth), native_sock),
            (oauth.app(), oauth_sock),
            (upstream.app(), upstream_sock),
            (agents.app(), agents_sock),
        ],
        http,
    )
    return _Running(
        group,
        gateway_url,
        native_url,
        oauth_url,
        upstream_url,
        agents.base_url,
        agents,
        oauth,
        upstream,
        gateway,
        native,
    )
