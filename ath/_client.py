"""The four public clients: thin sync and async shells over the protocol core.

A shell resolves its options once (:func:`ath._config.resolve`), builds or takes the
HTTP client, holds the core (:class:`ath._core.Core`) and hands each public call's flow
(:mod:`ath._flows`) to its driver (:mod:`ath._drivers`); every rule of the protocol
lives in the flows, once.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import FunctionType, TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeVar

import httpx2

from ath._attestation import AttestationSigner, PrivateKeyInput
from ath._config import ClientSettings, Config, TimeoutArg, VerifyArg, resolve
from ath._constants import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    STORE_REFRESH_INTERVAL,
)
from ath._core import Core
from ath._drivers import AsyncDriver, SyncDriver
from ath._errors import ATHClientError
from ath._flows import (
    _approval,
    _authorization,
    _calls,
    _consent,
    _registration,
    _stepup,
    _tokens,
    _transport,
)
from ath._frames import seal_methods
from ath._keyring import KeyRing
from ath._logs import logging_from_environment
from ath._models import (
    AgentStatusInfo,
    APIResponse,
    Authorization,
    HTTPMethod,
    Registration,
    Token,
)
from ath._oauth import OAuthRequest, OAuthToken
from ath._retry import RetryPolicy
from ath._signer import Attester, Signer, check_signer
from ath._steps import Flow
from ath._telemetry import observed
from ath._tls import shared_verify
from ath._validation import check_user_id
from ath._wire import http_client as make_http_client
from ath._wire import ssl_context

if TYPE_CHECKING:
    from ath._models import DiscoveryDocument, ServiceDiscoveryDocument
    from ath.stores import CredentialStore
    from ath_sdk_client import Client as GeneratedClient
    from ath_sdk_client.models import DeveloperInfo, ProviderScopeRequest

__all__ = [
    "ATHGatewayClient",
    "ATHNativeClient",
    "AsyncATHGatewayClient",
    "AsyncATHNativeClient",
]

T = TypeVar("T")


def _asyncio() -> Any:
    """asyncio, imported on first use (sync users never pay for it)."""
    import asyncio

    return asyncio


_INIT_DOC: Final = """Create a client; nothing is sent until the first call.

``url``: the gateway's or service's base URL (https, or http on loopback).
``agent_id``: the agent's URI, where its identity document is published.
``private_key``: the agent's EC P-256 key: PEM text, the path of a PEM file,
or a cryptography key object; ``private_key_password`` decrypts an encrypted
PEM. ``key_id``: the attestation's ``kid`` (default: the key's RFC 7638
thumbprint). ``signer``: instead of ``private_key``, a key the SDK does not
hold (``ath.Signer``: a KMS, an HSM, a keychain; its ``key_id`` is the kid).
``timeout``: seconds or an ``httpx2.Timeout`` (default 30 s, 10 s to connect).
``headers``: extra headers on every request. ``max_retries`` /
``retry``: retries of safe requests (0 disables). ``max_response_bytes``:
answer size limit (default 10 MiB). ``allow_insecure_http``: allow plain
http outside loopback. ``verify``: TLS verification (``True``, a CA bundle
path or an ``ssl.SSLContext``). ``trust_env``: honour httpx2's proxy and
certificate environment variables (loopback never goes through a proxy).
``total_timeout``: seconds for all attempts of one call, retry pauses
included. ``store``: a credential store shared with other processes
(``ath.stores``; default: this client only), re-checked at most every
``store_refresh_interval`` seconds on the hot path. ``sleep``: how the client
pauses (retry backoff, consent polling), a function given the seconds: default
``time.sleep``, for the async clients an async function, default
``asyncio.sleep`` (inject one to record or skip the pauses in tests).
``propagate_trace``: with OpenTelemetry tracing on, send the W3C trace context
(``traceparent``) on proxy/api calls (default ``True``).
``limits``: an ``httpx2.Limits`` sizing the SDK's own connection pool (default
httpx2's: 100 connections, 20 kept alive). ``http_client`` / ``transport``:
inject your own httpx2 client or transport; an injected client is used as
given, never changed (the SDK's headers go on each of its requests).
``http``: ``"aiohttp"`` (async clients) sends the SDK's requests with aiohttp
(the ``aiohttp`` extra) instead of httpx2, every protection and option kept. Every
option is checked here: a bad value raises ``ATHError("INVALID_ARGUMENT")``
naming it (``INVALID_KEY`` for the key).
"""


def _signer_of(settings: ClientSettings) -> AttestationSigner | Attester:
    """The attester of ``private_key=`` or ``signer=`` (exactly one of them)."""
    if settings.signer is None:
        if settings.private_key is None:
            raise ATHClientError("INVALID_ARGUMENT", "pass private_key=... or signer=...")
        return AttestationSigner(
            settings.private_key,
            settings.agent_id,
            key_id=settings.key_id,
            password=settings.private_key_password,
        )
    given = [
        name
        for name, value in (
            ("private_key", settings.private_key),
            ("private_key_password", settings.private_key_password),
            ("key_id", settings.key_id),
        )
        if value is not None
    ]
    if given:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"signer= replaces {', '.join(given)}: pass either a private key or a signer "
            "(the signer's key_id is the kid)",
        )
    if isinstance(settings.signer, AttestationSigner):  # a local key, made by the caller
        if settings.signer.agent_id != settings.agent_id:
            raise ATHClientError(
                "INVALID_ARGUMENT", "signer= is an AttestationSigner of another agent_id"
            )
        return settings.signer
    return Attester(check_signer(settings.signer), settings.agent_id)


def _aiohttp_transport(verify: VerifyArg, config: Config) -> Any:
    """The SDK's aiohttp transport (``http="aiohttp"``), with the TLS context, proxies
    and pool limits the httpx2 transport would have; aiohttp is imported only here."""
    try:
        from ath._aiohttp import AiohttpTransport
    except ImportError:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "http='aiohttp' needs the aiohttp package: pip install 'ath-sdk[aiohttp]'",
            details={"option": "http"},
        ) from None
    context = ssl_context(verify, config.trust_env)
    return AiohttpTransport(context, config.trust_env, config.limits)


class _Base:
    """What the four clients share and that involves no I/O."""

    _mode = "gateway"
    _core: Core
    _owns_http: bool

    def _setup(
        self,
        http_cls: type[httpx2.Client] | type[httpx2.AsyncClient],
        settings: ClientSettings,
        http_client: httpx2.Client | httpx2.AsyncClient | None,
        transport: Any,
    ) -> httpx2.Client | httpx2.AsyncClient:
        logging_from_environment()  # ATH_LOG, read once, when the first client is built
        config = resolve(
            settings,
            mode=self._mode,
            http_cls=http_cls,
            http_client=http_client,
            transport=transport,
        )
        signer = KeyRing(_signer_of(settings))
        self._direct: Any = None  # the SDK's own transport, when it built the client
        if http_client is not None:
            http = http_client  # left as given: the SDK's headers go on each request
            self._owns_http = False
        else:
            # the process-wide TLS context reads SSL_CERT_FILE/DIR like httpx2's own
            # with trust_env; without it, httpx2 builds one that ignores them
            verify = shared_verify(config.verify) if config.trust_env else config.verify
            if settings.http == "aiohttp":  # the same client, on the aiohttp transport
                transport = _aiohttp_transport(verify, config)
            http, self._direct = make_http_client(
                http_cls is httpx2.AsyncClient,
                limits=config.limits,
                base_url=config.base_url,
                timeout=config.timeout,
                headers=dict(config.headers),
                transport=transport,
                follow_redirects=False,
                verify=verify,
                trust_env=config.trust_env,
            )
            if settings.http == "aiohttp":
                self._direct = transport  # the driver sends through it straight
            self._owns_http = True
        self._core = Core(config, signer, http, owns_http=self._owns_http)
        return http

    # --------------------------------------------------------------- no-I/O surface

    @property
    def url(self) -> str:
        return self._core.config.base_url

    @property
    def agent_id(self) -> str:
        return self._core.signer.agent_id

    @property
    def client_id(self) -> str | None:
        return self._core.state.client_id

    @property
    def api_base(self) -> str | None:
        """Native mode: the service's API base, set by ``discover()``."""
        return self._core.state.api_base

    @property
    def store(self) -> CredentialStore | None:
        """The credential store this client shares its identity through (``store=``)."""
        return self._core.state.store

    @property
    def key_id(self) -> str:
        return self._core.signer.key_id

    @property
    def access_token(self) -> str | None:
        """The ATH token of the single or most recently obtained provider, or ``None``.

        Kept from ath-sdk 0.1.0, which held one token; with several providers, use
        ``tokens[provider].access_token``.
        """
        with self._core.state.lock:
            held = list(self._core.state.of(self._core.user).tokens.values())
        if not held:
            return None
        return max(reversed(held), key=lambda token: token.issued_at).access_token

    def get_client_id(self) -> str | None:
        """The registered client id (same as ``client_id``; kept from ath-sdk 0.1.0)."""
        return self._core.state.client_id

    @property
    def tokens(self) -> dict[str, Token]:
        """The tokens held, by provider id (a copy; ``""``: a token for any provider)."""
        return self._core.state.token_view(self._core.user)

    @property
    def pending_authorizations(self) -> list[Authorization]:
        return self._core.state.pending(self._core.user)

    @property
    def user_id(self) -> str | None:
        """The user this view acts for (``for_user``); ``None`` for the plain client."""
        return self._core.user or None

    def for_user(self, user_id: str) -> Self:
        """This client acting for one user of the agent: a light view (same class) that
        shares the registration, the HTTP client, the signer and the store with this
        client, and holds ``user_id``'s own tokens and pending authorizations. Every
        token-bearing call of the view (``authorize``, ``login``, ``wait_for_token``,
        ``exchange_token``, ``finish_authorization``, ``proxy``/``api``, ``revoke``,
        ``set_token``, ``tokens``) uses that user's tokens only; finishing another
        user's authorization raises ``USER_MISMATCH``. ``user_id`` is the agent's own
        label for the person (1-256 characters, no control character). Closing a view
        leaves the shared HTTP client open; close the client itself."""
        view = copy.copy(self)
        view._core = self._core.for_user(check_user_id(user_id))
        view._owns_http = False
        return view

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        """Use client credentials obtained earlier (for example by another process)."""
        _tokens.set_credentials(self._core, client_id, client_secret)

    def set_token(
        self,
        token: str,
        provider: str | None = None,
        *,
        expires_in: int | None = None,
        scopes: Sequence[str] | None = None,
    ) -> Token:
        """Use an ATH token obtained earlier; without ``provider`` it serves any provider."""
        return _tokens.set_token(self._core, token, provider, expires_in, scopes)

    def save_credentials(self, path: str | os.PathLike[str]) -> None:
        """Save client id/secret and tokens (0600, atomic replace)."""
        from ath.stores._credentials import write_credentials

        write_credentials(path, _tokens.snapshot(self._core))

    def load_credentials(self, path: str | os.PathLike[str]) -> None:
        """Restore what ``save_credentials`` wrote; refuses files of another server or agent."""
        from ath.stores._credentials import read_credentials

        _tokens.restore(self._core, read_credentials(path), os.fspath(path))

    def _shares_pool(self) -> bool:
        """Whether the HTTP client resolves the generated client's relative URLs here."""
        http: httpx2.Client | httpx2.AsyncClient = self._core.http
        return str(http.base_url).rstrip("/") == self.url

    def rotate_key(
        self,
        private_key: PrivateKeyInput | None = None,
        *,
        name: str,
        developer: Mapping[str, str],
        signer: Signer | None = None,
        key_id: str | None = None,
        private_key_password: str | bytes | None = None,
        capabilities: Sequence[str] | None = None,
        switch: bool = False,
    ) -> dict[str, Any]:
        """Stage the agent's next key (a private key, or ``signer=``) and return the identity
        document that carries it, to publish at ``agent_id``. The client keeps signing with
        the current key until ``switch_key()``, or until a verifier refuses the current key
        (it has read the new document): then it switches and resends at once. ``switch=True``
        switches now (emergency: the old key is compromised)."""
        from ath._rotate import rotate

        return rotate(
            self._core.signer,
            private_key,
            signer=signer,
            key_id=key_id,
            password=private_key_password,
            name=name,
            developer=developer,
            capabilities=capabilities,
            switch_now=switch,
        )

    def switch_key(self) -> str:
        """Sign with the staged key from now on (after publishing its document); returns
        its key id. A verifier that still holds the old key re-fetches the document within
        a minute; a call it refuses meanwhile is resent once, after that minute."""
        from ath._rotate import switch

        return switch(self._core.signer)

    def mint_attestation(self, audience: str | None = None) -> str:
        """A fresh attestation JWT (``aud`` defaults to this client's base URL)."""
        return self._core.signer.mint(audience or self._core.config.base_url)

    def __repr__(self) -> str:
        user = f", user_id={self.user_id!r}" if self.user_id is not None else ""
        return (
            f"{type(self).__name__}(url={self.url!r}, agent_id={self.agent_id!r}{user}, "
            f"client_id={self.client_id!r}, tokens={sorted(self.tokens)!r})"
        )


class _SyncBase(_Base):
    _http: httpx2.Client

    def __init__(
        self,
        url: str,
        agent_id: str,
        private_key: PrivateKeyInput | None = None,
        key_id: str | None = None,
        timeout: TimeoutArg = None,
        *,
        private_key_password: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        verify: VerifyArg = True,
        store: CredentialStore | None = None,
        store_refresh_interval: float = STORE_REFRESH_INTERVAL,
        trust_env: bool = True,
        total_timeout: float | None = None,
        limits: httpx2.Limits | None = None,
        propagate_trace: bool = True,
        sleep: Callable[[float], None] | None = None,
        http_client: httpx2.Client | None = None,
        transport: httpx2.BaseTransport | None = None,
        signer: Signer | None = None,
        http: Literal["httpx2", "aiohttp"] = "httpx2",
    ) -> None:
        settings = ClientSettings(
            url,
            agent_id,
            private_key,
            key_id,
            timeout,
            private_key_password=private_key_password,
            headers=headers,
            max_retries=max_retries,
            retry=retry,
            max_response_bytes=max_response_bytes,
            allow_insecure_http=allow_insecure_http,
            verify=verify,
            store=store,
            store_refresh_interval=store_refresh_interval,
            trust_env=trust_env,
            total_timeout=total_timeout,
            limits=limits,
            propagate_trace=propagate_trace,
            sleep=sleep,
            signer=signer,
            http=http,
        )
        client = self._setup(httpx2.Client, settings, http_client, transport)
        assert isinstance(client, httpx2.Client)
        self._http = client
        self._driver = SyncDriver(
            client,
            time.sleep if sleep is None else sleep,
            self._core.config.max_response_bytes,
            self._direct,
        )

    __init__.__doc__ = _INIT_DOC  # one text for both shells; help() shows it

    def _run(self, flow: Flow[T]) -> T:
        return self._driver.run(observed(self._core, flow))

    def _step_up_login(self, provider: str, scopes: list[str]) -> Token:
        return self.login(provider, scopes)

    def close(self) -> None:
        """Close the HTTP connections (not those of an injected http_client)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def low_level(self) -> GeneratedClient:
        """The generated client (``ath_sdk_client``) on this client's HTTP connection pool.

        With an injected ``http_client`` it is that client as you made it: the SDK's own
        headers (User-Agent, Accept, ``headers=``) go only on the requests the SDK sends.
        """
        from ath_sdk_client import Client as GeneratedClient

        low = GeneratedClient(base_url=self.url, timeout=self._http.timeout)
        return low.set_httpx_client(self._http) if self._shares_pool() else low

    def refresh(self) -> None:
        """Re-read the shared credential store now (registration and tokens), instead of at
        the next periodic check (``store_refresh_interval``); nothing to do without ``store=``.
        A store that cannot be read raises (``STORE_*``)."""
        self._run(_transport.refresh(self._core, force=True))

    def register(
        self,
        developer: Mapping[str, Any] | DeveloperInfo,
        providers: Sequence[Mapping[str, Any] | ProviderScopeRequest],
        purpose: str | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> Registration:
        """Phase A: register the agent; stores the client credentials it returns."""
        return self._run(
            _registration.register(self._core, developer, providers, purpose, redirect_uris)
        )

    def registration_status(self) -> AgentStatusInfo:
        """``GET /ath/agents/{client_id}``: the current app-side decision."""
        return self._run(_registration.registration_status(self._core))

    def wait_for_approval(
        self, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> AgentStatusInfo:
        """Wait until a pending registration is decided app-side, polling its status
        (``wait_for_token``'s pacing); returns the approved registration's status.
        Raises ``REGISTRATION_DENIED`` when denied, ``APPROVAL_TIMEOUT`` at ``timeout``."""
        return self._run(_approval.wait_for_approval_flow(self._core, timeout, poll_interval))

    def authorize(
        self,
        provider: str,
        scopes: Sequence[str],
        redirect_uri: str | None = None,
        resource: str | None = None,
    ) -> Authorization:
        """Phase B: where to send the user for consent (state and PKCE checked)."""
        return self._run(
            _authorization.authorize(self._core, provider, scopes, redirect_uri, resource)
        )

    def exchange_token(self, code: str, session_id: str) -> Token:
        """Exchange the consent's code and session for an ATH token."""
        return self._run(_authorization.exchange_token(self._core, code, session_id))

    def finish_authorization(self, callback_url: str, session_id: str | None = None) -> Token:
        """Finish from the URL the user was redirected to: state check, then exchange."""
        return self._run(_authorization.finish_authorization(self._core, callback_url, session_id))

    def revoke(self, provider: str | None = None) -> list[str]:
        """Revoke every held token, or only ``provider``'s (RFC 7009)."""
        return self._run(_calls.revoke(self._core, provider, all_tokens=provider is None))

    def wait_for_token(
        self, session_id: str, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> Token:
        """Wait until the user consented to ``session_id`` elsewhere, by polling the token
        endpoint (fresh attestation each time, at most one request per interval, growing
        politely); the token is stored like ``exchange_token``'s. Raises ``USER_DENIED``,
        ``SESSION_EXPIRED`` or ``SESSION_NOT_FOUND`` at once, ``CONSENT_TIMEOUT`` at
        ``timeout``."""
        return self._run(
            _consent.wait_for_token_flow(self._core, session_id, timeout, poll_interval)
        )

    def login(
        self,
        provider: str,
        scopes: Sequence[str],
        *,
        open_browser: bool | Callable[[str], object] = True,
        redirect_uri: str | None = None,
        timeout: float = 600.0,
        on_authorization_url: Callable[[str], Any] | None = None,
        step_up: bool = False,
        force: bool = False,
    ) -> Token:
        """authorize, show the URL (``on_authorization_url``, default: stderr) and open it
        in a browser, then finish by the loopback redirect (a registered
        ``http://127.0.0.1:PORT/...`` or ``http://[::1]:PORT/...`` ``redirect_uri``) or by
        polling, whichever comes first.

        A held token (also one another process shared through the store) that covers
        ``provider`` and ``scopes`` and does not expire within a minute is returned at
        once, without consent; ``force=True`` asks for consent anyway.

        ``open_browser``: True opens the URL with :func:`webbrowser.open`, a callable
        ``opener(url)`` opens it your way, False opens nothing. The opener runs on a
        daemon thread once the listener is up and is never waited for (a launcher that
        blocks delays nothing); a failure (it returns False or raises) is logged as a
        warning on the ``ath`` logger.

        ``step_up=True``: ask for the scopes of the token held for ``provider`` as well as
        ``scopes`` (default: exactly ``scopes``)."""
        from ath._loopback import SyncListener

        if step_up:
            scopes = _stepup.union(_stepup.held_scopes(self._core, provider), scopes)

        _consent.check_wait_arguments(timeout, _consent.LOGIN_POLL_INTERVAL)
        address = _consent.loopback_address(redirect_uri)
        listener = SyncListener(*address) if address is not None else None
        try:
            flow = _consent.login_flow(
                self._core,
                provider,
                scopes,
                redirect_uri=redirect_uri,
                listening=listener is not None,
                timeout=timeout,
                poll_interval=_consent.LOGIN_POLL_INTERVAL,
                open_browser=open_browser,
                on_authorization_url=on_authorization_url,
                force=force,
            )
            return self._driver.run(observed(self._core, flow), listener)
        finally:
            if listener is not None:
                listener.close()


class _AsyncBase(_Base):
    _http: httpx2.AsyncClient

    def __init__(
        self,
        url: str,
        agent_id: str,
        private_key: PrivateKeyInput | None = None,
        key_id: str | None = None,
        timeout: TimeoutArg = None,
        *,
        private_key_password: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        verify: VerifyArg = True,
        store: CredentialStore | None = None,
        store_refresh_interval: float = STORE_REFRESH_INTERVAL,
        trust_env: bool = True,
        total_timeout: float | None = None,
        limits: httpx2.Limits | None = None,
        propagate_trace: bool = True,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        signer: Signer | None = None,
        http: Literal["httpx2", "aiohttp"] = "httpx2",
    ) -> None:
        settings = ClientSettings(
            url,
            agent_id,
            private_key,
            key_id,
            timeout,
            private_key_password=private_key_password,
            headers=headers,
            max_retries=max_retries,
            retry=retry,
            max_response_bytes=max_response_bytes,
            allow_insecure_http=allow_insecure_http,
            verify=verify,
            store=store,
            store_refresh_interval=store_refresh_interval,
            trust_env=trust_env,
            total_timeout=total_timeout,
            limits=limits,
            propagate_trace=propagate_trace,
            sleep=sleep,
            signer=signer,
            http=http,
        )
        client = self._setup(httpx2.AsyncClient, settings, http_client, transport)
        assert isinstance(client, httpx2.AsyncClient)
        self._http = client
        self._driver = AsyncDriver(
            client,
            _asyncio().sleep if sleep is None else sleep,
            self._core.config.max_response_bytes,
            type(self).__name__,
            self._direct,
        )

    __init__.__doc__ = _INIT_DOC  # one text for both shells; help() shows it

    async def _step_up_login(self, provider: str, scopes: list[str]) -> Token:
        return await self.login(provider, scopes)

    async def _run(self, flow: Flow[T]) -> T:
        return await self._driver.run(observed(self._core, flow))

    async def aclose(self) -> None:
        """Close the HTTP connections (not those of an injected http_client)."""
        if self._owns_http:
            await self._http.aclose()

    close = aclose

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def low_level(self) -> GeneratedClient:
        """The generated client (``ath_sdk_client``) on this client's HTTP connection pool.

        With an injected ``http_client`` it is that client as you made it: the SDK's own
        headers (User-Agent, Accept, ``headers=``) go only on the requests the SDK sends.
        """
        from ath_sdk_client import Client as GeneratedClient

        low = GeneratedClient(base_url=self.url, timeout=self._http.timeout)
        return low.set_async_httpx_client(self._http) if self._shares_pool() else low

    async def refresh(self) -> None:
        """Re-read the shared credential store now (registration and tokens), instead of at
        the next periodic check (``store_refresh_interval``); nothing to do without ``store=``.
        A store that cannot be read raises (``STORE_*``)."""
        await self._run(_transport.refresh(self._core, force=True))

    async def register(
        self,
        developer: Mapping[str, Any] | DeveloperInfo,
        providers: Sequence[Mapping[str, Any] | ProviderScopeRequest],
        purpose: str | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> Registration:
        """Phase A: register the agent; stores the client credentials it returns."""
        return await self._run(
            _registration.register(self._core, developer, providers, purpose, redirect_uris)
        )

    async def registration_status(self) -> AgentStatusInfo:
        """``GET /ath/agents/{client_id}``: the current app-side decision."""
        return await self._run(_registration.registration_status(self._core))

    async def wait_for_approval(
        self, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> AgentStatusInfo:
        """Async ``wait_for_approval``: the task sleeps between polls."""
        return await self._run(_approval.wait_for_approval_flow(self._core, timeout, poll_interval))

    async def authorize(
        self,
        provider: str,
        scopes: Sequence[str],
        redirect_uri: str | None = None,
        resource: str | None = None,
    ) -> Authorization:
        """Phase B: where to send the user for consent (state and PKCE checked)."""
        return await self._run(
            _authorization.authorize(self._core, provider, scopes, redirect_uri, resource)
        )

    async def exchange_token(self, code: str, session_id: str) -> Token:
        """Exchange the consent's code and session for an ATH token."""
        return await self._run(_authorization.exchange_token(self._core, code, session_id))

    async def finish_authorization(self, callback_url: str, session_id: str | None = None) -> Token:
        """Finish from the URL the user was redirected to: state check, then exchange."""
        return await self._run(
            _authorization.finish_authorization(self._core, callback_url, session_id)
        )

    async def revoke(self, provider: str | None = None) -> list[str]:
        """Revoke every held token, or only ``provider``'s (RFC 7009)."""
        return await self._run(_calls.revoke(self._core, provider, all_tokens=provider is None))

    async def wait_for_token(
        self, session_id: str, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> Token:
        """Async ``wait_for_token``: the task sleeps between polls."""
        return await self._run(
            _consent.wait_for_token_flow(self._core, session_id, timeout, poll_interval)
        )

    async def login(
        self,
        provider: str,
        scopes: Sequence[str],
        *,
        open_browser: bool | Callable[[str], object] = True,
        redirect_uri: str | None = None,
        timeout: float = 600.0,
        on_authorization_url: Callable[[str], Any] | None = None,
        step_up: bool = False,
        force: bool = False,
    ) -> Token:
        """Async ``login``: the loopback listener runs on this event loop; the browser
        opener runs on a daemon thread, so a blocking one never stalls the loop."""
        from ath._loopback import AsyncListener

        if step_up:
            scopes = _stepup.union(_stepup.held_scopes(self._core, provider), scopes)

        _consent.check_wait_arguments(timeout, _consent.LOGIN_POLL_INTERVAL)
        address = _consent.loopback_address(redirect_uri)
        listener = AsyncListener(*address) if address is not None else None
        try:
            if listener is not None:
                await listener.start()
            flow = _consent.login_flow(
                self._core,
                provider,
                scopes,
                redirect_uri=redirect_uri,
                listening=listener is not None,
                timeout=timeout,
                poll_interval=_consent.LOGIN_POLL_INTERVAL,
                open_browser=open_browser,
                on_authorization_url=on_authorization_url,
                force=force,
            )
            return await self._driver.run(observed(self._core, flow), listener)
        finally:
            if listener is not None:
                await listener.close()


# --------------------------------------------------------------------------- gateway


class ATHGatewayClient(_SyncBase):
    """Synchronous client for an ATH gateway."""

    _mode = "gateway"

    def discover(self) -> DiscoveryDocument:
        """``GET /.well-known/ath.json``: the gateway's providers and scopes."""
        return self._run(_registration.discover_gateway(self._core))

    def proxy(
        self,
        provider: str,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        step_up: _stepup.StepUp = False,
    ) -> Any:
        """Call the provider's API through the gateway; JSON parsed, other bodies as text.
        ``step_up``: on ``SCOPE_NOT_APPROVED`` naming the scopes needed, run one consent
        for the held and needed scopes (``True``: ``login()``; or your own function
        ``(provider, scopes) -> Token``), then call once more."""

        def call() -> Any:
            flow = _calls.api_call(self._core, provider, method, path, body, params, headers)
            return self._run(flow).data()

        return _stepup.run_sync(self._core, provider, step_up, call, self._step_up_login)

    def proxy_raw(
        self,
        provider: str,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> APIResponse:
        """Like ``proxy`` but returns status, headers and bytes, for any HTTP status.

        A non-2xx answer is returned, not raised (check ``status_code``); a token the
        gateway reports as expired, revoked or invalid is still forgotten.
        """
        return self._run(
            _calls.api_call(self._core, provider, method, path, body, params, headers, raw=True)
        )


class AsyncATHGatewayClient(_AsyncBase):
    """Asynchronous client for an ATH gateway."""

    _mode = "gateway"

    async def discover(self) -> DiscoveryDocument:
        """``GET /.well-known/ath.json``: the gateway's providers and scopes."""
        return await self._run(_registration.discover_gateway(self._core))

    async def proxy(
        self,
        provider: str,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        step_up: _stepup.StepUp = False,
    ) -> Any:
        """Call the provider's API through the gateway; JSON parsed, other bodies as text
        (``step_up``: as for the sync client; an async consent function is awaited)."""
        if step_up is False:  # nothing to step up: the call alone (what run_async runs)
            core = self._core
            flow = _calls.api_call(core, provider, method, path, body, params, headers)
            return (await self._driver.run(observed(core, flow))).data()  # as _run does

        async def call() -> Any:
            flow = _calls.api_call(self._core, provider, method, path, body, params, headers)
            return (await self._run(flow)).data()

        return await _stepup.run_async(self._core, provider, step_up, call, self._step_up_login)

    async def proxy_raw(
        self,
        provider: str,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> APIResponse:
        """Like ``proxy`` but returns status, headers and bytes, for any HTTP status.

        A non-2xx answer is returned, not raised (check ``status_code``); a token the
        gateway reports as expired, revoked or invalid is still forgotten.
        """
        return await self._run(
            _calls.api_call(self._core, provider, method, path, body, params, headers, raw=True)
        )


# --------------------------------------------------------------------------- native


class ATHNativeClient(_SyncBase):
    """Synchronous client for an ATH-native service."""

    _mode = "native"

    def discover(self) -> ServiceDiscoveryDocument:
        """``GET /.well-known/ath-app.json``; also sets ``api_base`` for ``api()``."""
        return self._run(_registration.discover_service(self._core))

    def api(
        self,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        step_up: _stepup.StepUp = False,
    ) -> Any:
        """Call the service's API at ``api_base``; JSON parsed, other bodies as text
        (``step_up``: as for ``ATHGatewayClient.proxy``)."""

        def call() -> Any:
            flow = _calls.api_call(self._core, None, method, path, body, params, headers)
            return self._run(flow).data()

        return _stepup.run_sync(self._core, None, step_up, call, self._step_up_login)

    def api_raw(
        self,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> APIResponse:
        """Like ``api`` but returns status, headers and bytes, for any HTTP status.

        A non-2xx answer is returned, not raised (check ``status_code``); a token the
        service reports as expired, revoked or invalid is still forgotten.
        """
        return self._run(
            _calls.api_call(self._core, None, method, path, body, params, headers, raw=True)
        )

    def oauth_start(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: Sequence[str],
        resource: str | None = None,
    ) -> OAuthRequest:
        """Plain OAuth (agent-aware level): consent URL at the discovered endpoint."""
        return _authorization.oauth_start(self._core, client_id, redirect_uri, scopes, resource)

    def oauth_finish(
        self, request: OAuthRequest, callback_url: str, client_secret: str | None = None
    ) -> OAuthToken:
        """Plain OAuth: check state, redeem the code with the PKCE verifier."""
        return self._run(
            _authorization.oauth_finish(self._core, request, callback_url, client_secret)
        )


class AsyncATHNativeClient(_AsyncBase):
    """Asynchronous client for an ATH-native service."""

    _mode = "native"

    async def discover(self) -> ServiceDiscoveryDocument:
        """``GET /.well-known/ath-app.json``; also sets ``api_base`` for ``api()``."""
        return await self._run(_registration.discover_service(self._core))

    async def api(
        self,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        step_up: _stepup.StepUp = False,
    ) -> Any:
        """Call the service's API at ``api_base``; JSON parsed, other bodies as text
        (``step_up``: as for ``ATHGatewayClient.proxy``)."""

        async def call() -> Any:
            flow = _calls.api_call(self._core, None, method, path, body, params, headers)
            return (await self._run(flow)).data()

        return await _stepup.run_async(self._core, None, step_up, call, self._step_up_login)

    async def api_raw(
        self,
        method: HTTPMethod,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> APIResponse:
        """Like ``api`` but returns status, headers and bytes, for any HTTP status.

        A non-2xx answer is returned, not raised (check ``status_code``); a token the
        service reports as expired, revoked or invalid is still forgotten.
        """
        return await self._run(
            _calls.api_call(self._core, None, method, path, body, params, headers, raw=True)
        )

    def oauth_start(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: Sequence[str],
        resource: str | None = None,
    ) -> OAuthRequest:
        """Plain OAuth (agent-aware level): consent URL at the discovered endpoint."""
        return _authorization.oauth_start(self._core, client_id, redirect_uri, scopes, resource)

    async def oauth_finish(
        self, request: OAuthRequest, callback_url: str, client_secret: str | None = None
    ) -> OAuthToken:
        """Plain OAuth: check state, redeem the code with the PKCE verifier."""
        return await self._run(
            _authorization.oauth_finish(self._core, request, callback_url, client_secret)
        )


def _own_init(cls: type, base: type) -> None:
    """Give ``cls`` its own copy of ``base.__init__``, so that a mistyped argument names
    the public class (``ATHGatewayClient.__init__() got an unexpected keyword ...``)."""
    init = vars(base)["__init__"]
    own = FunctionType(
        init.__code__, init.__globals__, "__init__", init.__defaults__, init.__closure__
    )
    own.__kwdefaults__ = init.__kwdefaults__
    own.__annotations__ = init.__annotations__
    own.__doc__ = init.__doc__
    own.__module__ = init.__module__
    own.__qualname__ = f"{cls.__name__}.__init__"
    type.__setattr__(cls, "__init__", own)


for _public, _shell in (
    (ATHGatewayClient, _SyncBase),
    (ATHNativeClient, _SyncBase),
    (AsyncATHGatewayClient, _AsyncBase),
    (AsyncATHNativeClient, _AsyncBase),
):
    _own_init(_public, _shell)
del _public, _shell


# The SDK's own public entry points clear the frames of what they raise; a user's
# subclass keeps its own methods as written (its frames are its own business).
for _cls in (
    _Base,
    _SyncBase,
    _AsyncBase,
    ATHGatewayClient,
    AsyncATHGatewayClient,
    ATHNativeClient,
    AsyncATHNativeClient,
):
    seal_methods(_cls)
del _cls
