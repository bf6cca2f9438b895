"""The four public clients: thin sync and async shells over :class:`ath._core.ClientCore`.

The shells own the HTTP client and drive the core's generators; every rule of the
protocol lives in the core, once.
"""

from __future__ import annotations

import inspect
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, TypedDict, TypeVar

import httpx

from ath._attestation import AttestationSigner, PrivateKeyInput
from ath._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    STORE_REFRESH_INTERVAL,
    USER_AGENT,
)
from ath._core import ClientCore
from ath._credentials import read_credentials, write_credentials
from ath._errors import ATHError
from ath._login import loopback_address
from ath._models import (
    AgentStatusInfo,
    APIResponse,
    Authorization,
    HTTPMethod,
    Registration,
    Token,
)
from ath._oauth import OAuthRequest, OAuthToken
from ath._options import check_settings
from ath._retry import RetryPolicy
from ath._state import check_store
from ath._steps import Flow, Send, Sleep, run_call
from ath._tls import shared_verify
from ath._validation import check_headers, normalize_base_url
from ath._wire import (
    ACCEPT_ENCODING,
    DEADLINE,
    BoundedDecoder,
    attempt_seconds,
    install_log_filter,
    seal_methods,
)
from ath._wire import http_client as make_http_client

if TYPE_CHECKING:
    from ath.stores import CredentialStore
    from ath_sdk_client import Client as GeneratedClient
    from ath_sdk_client.models import (
        DeveloperInfo,
        DiscoveryDocument,
        ProviderScopeRequest,
        ServiceDiscoveryDocument,
    )

__all__ = [
    "ATHGatewayClient",
    "ATHNativeClient",
    "AsyncATHGatewayClient",
    "AsyncATHNativeClient",
]

T = TypeVar("T")
_monotonic: Final = time.monotonic
TimeoutArg = float | httpx.Timeout | None
#: TLS verification: on (``True``), a CA bundle path, or an ``ssl.SSLContext``.
VerifyArg = bool | str | ssl.SSLContext


def _asyncio() -> Any:
    """asyncio, imported on the first retry pause (sync users never pay for it)."""
    import asyncio

    return asyncio


_INIT_DOC: Final = """Create a client; nothing is sent until the first call.

``url``: the gateway's or service's base URL (https, or http on loopback).
``agent_id``: the agent's URI, where its identity document is published.
``private_key``: the agent's EC P-256 key: PEM text, the path of a PEM file,
or a cryptography key object; ``private_key_password`` decrypts an encrypted
PEM. ``key_id``: the attestation's ``kid`` (default: the key's RFC 7638
thumbprint). ``timeout``: seconds or an ``httpx.Timeout`` (default 30 s, 10 s
to connect). ``headers``: extra headers on every request. ``max_retries`` /
``retry``: retries of safe requests (0 disables). ``max_response_bytes``:
answer size limit (default 10 MiB). ``allow_insecure_http``: allow plain
http outside loopback. ``verify``: TLS verification (``True``, a CA bundle
path or an ``ssl.SSLContext``). ``trust_env``: honour httpx's proxy and
certificate environment variables (loopback never goes through a proxy).
``total_timeout``: seconds for all attempts of one call, retry pauses
included. ``store``: a credential store shared with other processes
(``ath.stores``; default: this client only), re-checked at most every
``store_refresh_interval`` seconds on the hot path. ``sleep``: how the client
pauses (retry backoff, consent polling), a function given the seconds: default
``time.sleep``, for the async clients an async function, default
``asyncio.sleep`` (inject one to record or skip the pauses in tests).
``http_client`` / ``transport``: inject your own httpx client or transport; an
injected client is used as given, never changed (the SDK's headers go on each
of its requests). Every option is checked here: a bad value raises
``ATHError("INVALID_ARGUMENT")`` naming it (``INVALID_KEY`` for the key).
"""


class ClientOptions(TypedDict, total=False):
    """The keyword options every client takes, for wrappers that forward them."""

    private_key_password: str | bytes | None
    headers: Mapping[str, str] | None
    max_retries: int
    retry: RetryPolicy | None
    max_response_bytes: int
    allow_insecure_http: bool
    verify: VerifyArg
    store: CredentialStore | None
    store_refresh_interval: float
    trust_env: bool
    total_timeout: float | None


@dataclass(frozen=True, repr=False)
class ClientSettings:
    """The constructor arguments of a client, with their defaults."""

    url: str
    agent_id: str
    private_key: PrivateKeyInput
    key_id: str | None = None
    timeout: TimeoutArg = None
    private_key_password: str | bytes | None = None
    headers: Mapping[str, str] | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    retry: RetryPolicy | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    allow_insecure_http: bool = False
    verify: VerifyArg = True
    store: CredentialStore | None = None
    store_refresh_interval: float = STORE_REFRESH_INTERVAL
    trust_env: bool = True
    total_timeout: float | None = None
    #: How the shell pauses (None: ``time.sleep`` / ``asyncio.sleep``).
    sleep: Callable[[float], Any] | None = None


class _BodyLimit:
    """Accumulates a streamed body, refusing more than ``limit`` decoded bytes.

    The body is read raw and its content codings are undone here, 64 KiB at a time
    (:class:`~ath._wire.BoundedDecoder`), so what is held never exceeds the limit by
    more than one piece, however much a bomb would expand.
    """

    __slots__ = ("chunks", "decoder", "limit", "size", "status")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.status: int | None = None
        self.chunks: list[bytes] = []
        self.decoder: BoundedDecoder | None = None

    def start(self, streamed: httpx.Response) -> bool:
        """Whether the body can be read in one go: no content coding, declared length
        within the limit (HTTP/1.1 framing then stops at Content-Length)."""
        self.status = streamed.status_code
        length = b""
        codings: list[str] = []
        for key, value in streamed.headers.raw:  # one pass, no decoding
            name = key.lower()
            if name == b"content-length":
                length = value
            elif name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
                codings.append(value.decode("latin-1"))
        if codings:
            self.decoder = BoundedDecoder(codings)
            return False
        return length.isdigit() and int(length) <= self.limit

    def measure(self, streamed: httpx.Response) -> None:
        if len(streamed.content) > self.limit:
            self._add(streamed.content)  # raises RESPONSE_TOO_LARGE

    def feed_raw(self, raw: bytes) -> None:
        if self.decoder is None:
            self._add(raw)
            return
        for piece in self.decoder.feed(raw):
            self._add(piece)

    def finish(self) -> None:
        if self.decoder is not None:
            for piece in self.decoder.finish():
                self._add(piece)

    def _add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ATHError(
                "RESPONSE_TOO_LARGE",
                f"the answer exceeded max_response_bytes={self.limit}; raise the limit if the "
                "API really returns that much.",
                status=self.status,
            )
        self.chunks.append(chunk)
        deadline = DEADLINE.get()
        if deadline is not None and _monotonic() > deadline:
            raise httpx.ReadTimeout("the call's deadline passed")

    def response(self, streamed: httpx.Response) -> httpx.Response:
        headers = streamed.headers
        if self.decoder is not None:  # what is left undecoded, if anything, stays declared
            headers = httpx.Headers(
                [
                    (k, v)
                    for k, v in streamed.headers.raw
                    if k.lower() not in (b"content-encoding", b"content-length")
                ]
            )
            if self.decoder.left:
                headers["Content-Encoding"] = ", ".join(self.decoder.left)
        return httpx.Response(
            streamed.status_code,
            headers=headers,
            content=b"".join(self.chunks),
            request=streamed.request,
            extensions=streamed.extensions,
        )


class _Base:
    """What the four clients share and that involves no I/O."""

    _mode = "gateway"
    _core: ClientCore
    _owns_http: bool

    def _setup(
        self,
        http_cls: type[httpx.Client] | type[httpx.AsyncClient],
        settings: ClientSettings,
        http_client: httpx.Client | httpx.AsyncClient | None,
        transport: Any,
    ) -> httpx.Client | httpx.AsyncClient:
        check_settings(settings, http_client, transport, http_cls)
        timeout, total = settings.timeout, settings.total_timeout
        if total is not None and (
            isinstance(total, bool) or not isinstance(total, int | float) or not total > 0
        ):
            raise ATHError("INVALID_ARGUMENT", "total_timeout must be a positive number of seconds")
        try:
            policy = settings.retry or RetryPolicy(max_retries=settings.max_retries)
        except (TypeError, ValueError) as exc:
            raise ATHError("INVALID_ARGUMENT", f"retry / max_retries: {exc}") from None
        store = check_store(settings.store)
        signer = AttestationSigner(
            settings.private_key,
            settings.agent_id,
            key_id=settings.key_id,
            password=settings.private_key_password,
        )
        base_headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if settings.headers is not None:
            base_headers.update(check_headers(settings.headers, what="headers"))
        if http_client is not None and not isinstance(http_client, http_cls):
            raise ATHError(
                "INVALID_ARGUMENT",
                f"http_client must be an {http_cls.__module__}.{http_cls.__name__}",
            )
        # normalised once, here: the HTTP client and the core share it
        base_url = normalize_base_url(
            settings.url, allow_insecure_http=settings.allow_insecure_http
        )
        if http_client is not None:
            http = http_client  # left as given: the SDK's headers go on each request
            self._owns_http = False
        else:
            http = make_http_client(
                http_cls is httpx.AsyncClient,
                base_url=base_url,
                timeout=(
                    httpx.Timeout(DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_CONNECT_TIMEOUT)
                    if timeout is None
                    else timeout
                ),
                headers=base_headers,
                transport=transport,
                follow_redirects=False,
                # the process-wide TLS context reads SSL_CERT_FILE/DIR like httpx's own
                # with trust_env; without it, httpx builds one that ignores them
                verify=shared_verify(settings.verify) if settings.trust_env else settings.verify,
                trust_env=settings.trust_env,
            )
            self._owns_http = True
        attempt = attempt_seconds(http.timeout if timeout is None else timeout)
        if total is None and attempt is not None:
            # every attempt its full timeout, and every pause the policy may take
            pause = max(policy.max_retry_after, policy.backoff_max)
            total = attempt * (policy.max_retries + 1) + pause * policy.max_retries
        self._core = ClientCore(
            # the key material lives in the signer only, never in the options kept
            replace(settings, private_key="", private_key_password=None),
            mode=self._mode,
            base_url=base_url,
            signer=signer,
            http=http,
            retry=policy,
            store=store,
        )
        if not self._owns_http:
            self._core.sdk_headers = httpx.Headers(base_headers)
        self._core.attempt_timeout = attempt
        self._core.total_timeout = None if total is None else float(total)
        return http

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        seal_methods(cls)  # methods added later by any subclass inherit the sealing

    # --------------------------------------------------------------- no-I/O surface

    @property
    def url(self) -> str:
        return self._core.base_url

    @property
    def agent_id(self) -> str:
        return self._core.agent_id

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
        with self._core._lock:
            held = list(self._core.tokens.values())
        if not held:
            return None
        return max(reversed(held), key=lambda token: token.issued_at).access_token

    def get_client_id(self) -> str | None:
        """The registered client id (same as ``client_id``; kept from ath-sdk 0.1.0)."""
        return self._core.client_id

    @property
    def tokens(self) -> dict[str, Token]:
        """The tokens held, by provider id (a copy; ``""``: a token for any provider)."""
        return self._core.state.token_view()

    @property
    def pending_authorizations(self) -> list[Authorization]:
        return self._core.state.pending()

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        """Use client credentials obtained earlier (for example by another process)."""
        self._core.set_credentials(client_id, client_secret)

    def set_token(
        self,
        token: str,
        provider: str | None = None,
        *,
        expires_in: int | None = None,
        scopes: Sequence[str] | None = None,
    ) -> Token:
        """Use an ATH token obtained earlier; without ``provider`` it serves any provider."""
        return self._core.set_token(token, provider, expires_in, scopes)

    def save_credentials(self, path: str | os.PathLike[str]) -> None:
        """Save client id/secret and tokens (0600, atomic replace)."""
        write_credentials(path, self._core.snapshot())

    def load_credentials(self, path: str | os.PathLike[str]) -> None:
        """Restore what ``save_credentials`` wrote; refuses files of another server or agent."""
        self._core.restore(read_credentials(path), os.fspath(path))

    def _shares_pool(self) -> bool:
        """Whether the HTTP client resolves the generated client's relative URLs here."""
        http: httpx.Client | httpx.AsyncClient = self._core.http
        return str(http.base_url).rstrip("/") == self.url

    def mint_attestation(self, audience: str | None = None) -> str:
        """A fresh attestation JWT (``aud`` defaults to this client's base URL)."""
        return self._core.signer.mint(audience or self._core.base_url)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={self.url!r}, agent_id={self.agent_id!r}, "
            f"client_id={self.client_id!r}, tokens={sorted(self.tokens)!r})"
        )


class _SyncBase(_Base):
    _http: httpx.Client

    def __init__(
        self,
        url: str,
        agent_id: str,
        private_key: PrivateKeyInput,
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
        sleep: Callable[[float], None] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
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
            sleep=sleep,
        )
        http = self._setup(httpx.Client, settings, http_client, transport)
        assert isinstance(http, httpx.Client)
        self._http = http
        self._sleep = time.sleep if sleep is None else sleep

    __init__.__doc__ = _INIT_DOC  # one text for both shells; help() shows it

    def _run(self, flow: Flow[T]) -> T:
        flow = self._core.guard(flow)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    step = flow.send(self._exchange(step))
                elif isinstance(step, Sleep):
                    self._pause(step.seconds)
                    step = flow.send(None)
                else:
                    step = flow.send(run_call(step))
        except StopIteration as done:
            result: T = done.value
            return result

    def _pause(self, seconds: float) -> None:
        """A pause the flow asked for (a retry's backoff, a polling interval)."""
        self._sleep(seconds)

    def _exchange(self, step: Send) -> httpx.Response | BaseException:
        limit = _BodyLimit(self._core.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = self._http.send(step.request, stream=True, follow_redirects=False)
            try:
                if limit.start(streamed) or streamed.is_stream_consumed:
                    streamed.read()  # a body read already (mock transports): measured
                    limit.measure(streamed)
                    return streamed
                for chunk in streamed.iter_raw():
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                streamed.close()
        except (httpx.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)

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
        self._run(self._core._refresh(force=True))

    def register(
        self,
        developer: Mapping[str, Any] | DeveloperInfo,
        providers: Sequence[Mapping[str, Any] | ProviderScopeRequest],
        purpose: str | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> Registration:
        """Phase A: register the agent; stores the client credentials it returns."""
        return self._run(self._core.register(developer, providers, purpose, redirect_uris))

    def registration_status(self) -> AgentStatusInfo:
        """``GET /ath/agents/{client_id}``: the current app-side decision."""
        return self._run(self._core.registration_status())

    def authorize(
        self,
        provider: str,
        scopes: Sequence[str],
        redirect_uri: str | None = None,
        resource: str | None = None,
    ) -> Authorization:
        """Phase B: where to send the user for consent (state and PKCE checked)."""
        return self._run(self._core.authorize(provider, scopes, redirect_uri, resource))

    def exchange_token(self, code: str, session_id: str) -> Token:
        """Exchange the consent's code and session for an ATH token."""
        return self._run(self._core.exchange_token(code, session_id))

    def finish_authorization(self, callback_url: str, session_id: str | None = None) -> Token:
        """Finish from the URL the user was redirected to: state check, then exchange."""
        return self._run(self._core.finish_authorization(callback_url, session_id))

    def revoke(self, provider: str | None = None) -> list[str]:
        """Revoke every held token, or only ``provider``'s (RFC 7009)."""
        return self._run(self._core.revoke(provider, all_tokens=provider is None))

    def wait_for_token(
        self, session_id: str, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> Token:
        """Wait until the user consented to ``session_id`` elsewhere, by polling the token
        endpoint (fresh attestation each time, at most one request per interval, growing
        politely); the token is stored like ``exchange_token``'s. Raises ``USER_DENIED``,
        ``SESSION_EXPIRED`` or ``SESSION_NOT_FOUND`` at once, ``CONSENT_TIMEOUT`` at
        ``timeout``."""
        from ath._login import wait_for_token_flow

        return self._run(wait_for_token_flow(self._core, session_id, timeout, poll_interval))

    def login(
        self,
        provider: str,
        scopes: Sequence[str],
        *,
        open_browser: bool = True,
        redirect_uri: str | None = None,
        timeout: float = 600.0,
        on_authorization_url: Callable[[str], Any] | None = None,
    ) -> Token:
        """authorize, show the URL (``on_authorization_url``, default: stderr) and open it
        in a browser, then finish by the loopback redirect (a registered
        ``http://127.0.0.1:PORT/...`` or ``http://[::1]:PORT/...`` ``redirect_uri``) or by
        polling, whichever comes first."""
        from ath._login import LOGIN_POLL_INTERVAL, check_wait_arguments, login_flow
        from ath._loopback import SyncListener, run_sync

        check_wait_arguments(timeout, LOGIN_POLL_INTERVAL)
        address = loopback_address(redirect_uri)
        listener = SyncListener(*address) if address is not None else None
        try:
            flow = login_flow(
                self._core,
                provider,
                scopes,
                redirect_uri=redirect_uri,
                listening=listener is not None,
                timeout=timeout,
                poll_interval=LOGIN_POLL_INTERVAL,
                open_browser=open_browser,
                on_authorization_url=on_authorization_url,
            )
            return run_sync(self, flow, listener)
        finally:
            if listener is not None:
                listener.close()


class _AsyncBase(_Base):
    _http: httpx.AsyncClient

    def __init__(
        self,
        url: str,
        agent_id: str,
        private_key: PrivateKeyInput,
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
        sleep: Callable[[float], Awaitable[None]] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
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
            sleep=sleep,
        )
        http = self._setup(httpx.AsyncClient, settings, http_client, transport)
        assert isinstance(http, httpx.AsyncClient)
        self._http = http
        self._sleep: Callable[[float], Awaitable[None]] = (
            _asyncio().sleep if sleep is None else sleep
        )

    __init__.__doc__ = _INIT_DOC  # one text for both shells; help() shows it

    async def _run(self, flow: Flow[T]) -> T:
        flow = self._core.guard(flow)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    step = flow.send(await self._exchange(step))
                elif isinstance(step, Sleep):
                    await self._pause(step.seconds)
                    step = flow.send(None)
                else:
                    step = flow.send(await _asyncio().to_thread(run_call, step))
        except StopIteration as done:
            result: T = done.value
            return result

    async def _pause(self, seconds: float) -> None:
        """A pause the flow asked for (a retry's backoff, a polling interval)."""
        pause = self._sleep(seconds)
        if not inspect.isawaitable(pause):
            raise ATHError(
                "INVALID_ARGUMENT",
                f"sleep must be an async function (like asyncio.sleep) for {type(self).__name__}; "
                f"{getattr(self._sleep, '__qualname__', 'it')} returned "
                f"{type(pause).__name__}, not an awaitable",
                details={"option": "sleep"},
            )
        await pause

    async def _exchange(self, step: Send) -> httpx.Response | BaseException:
        limit = _BodyLimit(self._core.max_response_bytes)
        deadline = DEADLINE.set(step.deadline)
        try:
            streamed = await self._http.send(step.request, stream=True, follow_redirects=False)
            try:
                if limit.start(streamed) or streamed.is_stream_consumed:
                    await streamed.aread()  # a body read already (mock transports): measured
                    limit.measure(streamed)
                    return streamed
                async for chunk in streamed.aiter_raw():
                    limit.feed_raw(chunk)
                limit.finish()
            finally:
                await streamed.aclose()
        except (httpx.HTTPError, ATHError, RuntimeError, OSError) as exc:
            return exc
        finally:
            DEADLINE.reset(deadline)
        return limit.response(streamed)

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
        await self._run(self._core._refresh(force=True))

    async def register(
        self,
        developer: Mapping[str, Any] | DeveloperInfo,
        providers: Sequence[Mapping[str, Any] | ProviderScopeRequest],
        purpose: str | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> Registration:
        """Phase A: register the agent; stores the client credentials it returns."""
        return await self._run(self._core.register(developer, providers, purpose, redirect_uris))

    async def registration_status(self) -> AgentStatusInfo:
        """``GET /ath/agents/{client_id}``: the current app-side decision."""
        return await self._run(self._core.registration_status())

    async def authorize(
        self,
        provider: str,
        scopes: Sequence[str],
        redirect_uri: str | None = None,
        resource: str | None = None,
    ) -> Authorization:
        """Phase B: where to send the user for consent (state and PKCE checked)."""
        return await self._run(self._core.authorize(provider, scopes, redirect_uri, resource))

    async def exchange_token(self, code: str, session_id: str) -> Token:
        """Exchange the consent's code and session for an ATH token."""
        return await self._run(self._core.exchange_token(code, session_id))

    async def finish_authorization(self, callback_url: str, session_id: str | None = None) -> Token:
        """Finish from the URL the user was redirected to: state check, then exchange."""
        return await self._run(self._core.finish_authorization(callback_url, session_id))

    async def revoke(self, provider: str | None = None) -> list[str]:
        """Revoke every held token, or only ``provider``'s (RFC 7009)."""
        return await self._run(self._core.revoke(provider, all_tokens=provider is None))

    async def wait_for_token(
        self, session_id: str, *, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> Token:
        """Async ``wait_for_token``: the task sleeps between polls."""
        from ath._login import wait_for_token_flow

        return await self._run(wait_for_token_flow(self._core, session_id, timeout, poll_interval))

    async def login(
        self,
        provider: str,
        scopes: Sequence[str],
        *,
        open_browser: bool = True,
        redirect_uri: str | None = None,
        timeout: float = 600.0,
        on_authorization_url: Callable[[str], Any] | None = None,
    ) -> Token:
        """Async ``login``: the loopback listener runs on this event loop."""
        from ath._login import LOGIN_POLL_INTERVAL, check_wait_arguments, login_flow
        from ath._loopback import AsyncListener, run_async

        check_wait_arguments(timeout, LOGIN_POLL_INTERVAL)
        address = loopback_address(redirect_uri)
        listener = AsyncListener(*address) if address is not None else None
        try:
            if listener is not None:
                await listener.start()
            flow = login_flow(
                self._core,
                provider,
                scopes,
                redirect_uri=redirect_uri,
                listening=listener is not None,
                timeout=timeout,
                poll_interval=LOGIN_POLL_INTERVAL,
                open_browser=open_browser,
                on_authorization_url=on_authorization_url,
            )
            return await run_async(self, flow, listener)
        finally:
            if listener is not None:
                await listener.close()


# --------------------------------------------------------------------------- gateway


class ATHGatewayClient(_SyncBase):
    """Synchronous client for an ATH gateway."""

    _mode = "gateway"

    def discover(self) -> DiscoveryDocument:
        """``GET /.well-known/ath.json``: the gateway's providers and scopes."""
        return self._run(self._core.discover_gateway())

    def proxy(
        self,
        provider: str,
        method: HTTPMethod | str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the provider's API through the gateway; JSON parsed, other bodies as text."""
        return self._run(self._core.api_call(provider, method, path, body, params, headers)).data()

    def proxy_raw(
        self,
        provider: str,
        method: HTTPMethod | str,
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
            self._core.api_call(provider, method, path, body, params, headers, raw=True)
        )


class AsyncATHGatewayClient(_AsyncBase):
    """Asynchronous client for an ATH gateway."""

    _mode = "gateway"

    async def discover(self) -> DiscoveryDocument:
        """``GET /.well-known/ath.json``: the gateway's providers and scopes."""
        return await self._run(self._core.discover_gateway())

    async def proxy(
        self,
        provider: str,
        method: HTTPMethod | str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the provider's API through the gateway; JSON parsed, other bodies as text."""
        raw = await self._run(self._core.api_call(provider, method, path, body, params, headers))
        return raw.data()

    async def proxy_raw(
        self,
        provider: str,
        method: HTTPMethod | str,
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
            self._core.api_call(provider, method, path, body, params, headers, raw=True)
        )


# --------------------------------------------------------------------------- native


class ATHNativeClient(_SyncBase):
    """Synchronous client for an ATH-native service."""

    _mode = "native"

    def discover(self) -> ServiceDiscoveryDocument:
        """``GET /.well-known/ath-app.json``; also sets ``api_base`` for ``api()``."""
        return self._run(self._core.discover_service())

    def api(
        self,
        method: HTTPMethod | str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the service's API at ``api_base``; JSON parsed, other bodies as text."""
        return self._run(self._core.api_call(None, method, path, body, params, headers)).data()

    def api_raw(
        self,
        method: HTTPMethod | str,
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
        return self._run(self._core.api_call(None, method, path, body, params, headers, raw=True))

    def oauth_start(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: Sequence[str],
        resource: str | None = None,
    ) -> OAuthRequest:
        """Plain OAuth (agent-aware level): consent URL at the discovered endpoint."""
        return self._core.oauth_start(client_id, redirect_uri, scopes, resource)

    def oauth_finish(
        self, request: OAuthRequest, callback_url: str, client_secret: str | None = None
    ) -> OAuthToken:
        """Plain OAuth: check state, redeem the code with the PKCE verifier."""
        return self._run(self._core.oauth_finish(request, callback_url, client_secret))


class AsyncATHNativeClient(_AsyncBase):
    """Asynchronous client for an ATH-native service."""

    _mode = "native"

    async def discover(self) -> ServiceDiscoveryDocument:
        """``GET /.well-known/ath-app.json``; also sets ``api_base`` for ``api()``."""
        return await self._run(self._core.discover_service())

    async def api(
        self,
        method: HTTPMethod | str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call the service's API at ``api_base``; JSON parsed, other bodies as text."""
        raw = await self._run(self._core.api_call(None, method, path, body, params, headers))
        return raw.data()

    async def api_raw(
        self,
        method: HTTPMethod | str,
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
            self._core.api_call(None, method, path, body, params, headers, raw=True)
        )

    def oauth_start(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: Sequence[str],
        resource: str | None = None,
    ) -> OAuthRequest:
        """Plain OAuth (agent-aware level): consent URL at the discovered endpoint."""
        return self._core.oauth_start(client_id, redirect_uri, scopes, resource)

    async def oauth_finish(
        self, request: OAuthRequest, callback_url: str, client_secret: str | None = None
    ) -> OAuthToken:
        """Plain OAuth: check state, redeem the code with the PKCE verifier."""
        return await self._run(self._core.oauth_finish(request, callback_url, client_secret))


seal_methods(_Base)
install_log_filter()
