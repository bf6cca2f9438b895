"""Configuration, the bottom layer: a client's options, every check of them, and what
follows from them, resolved once into a frozen :class:`Config`.

:class:`ClientSettings` holds the constructor arguments as given; :func:`resolve`
checks every one (a bad value raises ``ATHError("INVALID_ARGUMENT")`` naming the
option and saying what it takes, instead of a ``TypeError`` from a socket or a
``ValueError`` from httpx2 on the first call) and derives the retry policy, the
deadlines, the SDK's headers and the normalised base URL. The core is handed the
result and nothing is poked into it afterwards. This module imports nothing of the
core, the shells or the surfaces.
"""

from __future__ import annotations

import inspect
import math
import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict

import httpx2

from ath._attestation import PrivateKeyInput
from ath._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    STORE_REFRESH_INTERVAL,
    USER_AGENT,
)
from ath._errors import ATHClientError, ATHError
from ath._retry import RetryPolicy
from ath._validation import check_headers as check_header_mapping
from ath._validation import normalize_base_url
from ath._wire import DEFAULT_LIMITS, accept_encoding

if TYPE_CHECKING:
    from ath._signer import Signer
    from ath.stores._model import CredentialStore

__all__ = [
    "ClientOptions",
    "ClientSettings",
    "Config",
    "TimeoutArg",
    "VerifyArg",
    "attempt_seconds",
    "check_settings",
    "check_store",
    "resolve",
]

TimeoutArg = float | httpx2.Timeout | None
#: TLS verification: on (``True``), a CA bundle path, or an ``ssl.SSLContext``.
VerifyArg = bool | str | ssl.SSLContext
STORE_METHODS: Final = ("load", "update", "stamp", "registration_lock")


class ClientOptions(TypedDict, total=False):
    """The keyword options every client takes, for wrappers that forward them."""

    private_key_password: str | bytes | None
    signer: Signer | None
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
    limits: httpx2.Limits | None
    propagate_trace: bool
    http: Literal["httpx2", "aiohttp"]


@dataclass(frozen=True, repr=False)
class ClientSettings:
    """The constructor arguments of a client, with their defaults."""

    url: str
    agent_id: str
    private_key: PrivateKeyInput | None
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
    #: The connection pool of the SDK's own transport (None: httpx2's defaults).
    limits: httpx2.Limits | None = None
    #: With OpenTelemetry tracing on: send the W3C trace context on proxy/api calls.
    propagate_trace: bool = True
    #: How the shell pauses (None: ``time.sleep`` / ``asyncio.sleep``).
    sleep: Callable[[float], Any] | None = None
    #: A key the SDK does not hold (``ath.Signer``), instead of ``private_key``.
    signer: Signer | None = None
    #: The HTTP library under the SDK's own client: "httpx2", or "aiohttp" (async only).
    http: str = "httpx2"


@dataclass(frozen=True, slots=True)
class Config:
    """What the core and the shells work from: every option checked, every derived
    value computed, no key material (that lives in the signer only)."""

    mode: str
    #: ``url`` normalised: scheme and host lowercased, default port and trailing slash dropped.
    base_url: str
    agent_id: str
    allow_insecure_http: bool
    max_response_bytes: int
    retry: RetryPolicy
    store: CredentialStore | None
    store_refresh_interval: float
    #: The SDK's own headers: User-Agent, Accept, Accept-Encoding and the user's ``headers=``.
    headers: Mapping[str, str]
    #: The httpx2 timeout of the SDK's own client (``timeout=`` or the default).
    timeout: httpx2.Timeout
    #: ``timeout=`` as given, for the requests sent through an injected ``http_client``
    #: (None: that client's own timeout applies).
    request_timeout: httpx2.Timeout | None
    #: Seconds one attempt may take, and all attempts of one call with their pauses.
    attempt_timeout: float | None
    total_timeout: float | None
    verify: VerifyArg
    trust_env: bool
    #: The pool of the SDK's own transport (``limits=`` or httpx2's default limits).
    limits: httpx2.Limits
    propagate_trace: bool = True


def _bad(option: str, wants: str, value: Any) -> ATHError:
    return ATHClientError(
        "INVALID_ARGUMENT",
        f"{option} must be {wants}, got {type(value).__name__}",
        details={"option": option},
    )


def _legacy_httpx(option: str, value: Any) -> ATHError | None:
    """INVALID_ARGUMENT for a client or transport of legacy httpx (0.x), which the SDK
    does not run on (told by its module name: the SDK never imports httpx)."""
    if type(value).__module__.split(".")[0] not in ("httpx", "httpcore"):
        return None
    return ATHClientError(
        "INVALID_ARGUMENT",
        f"{option}: {type(value).__name__} is from legacy httpx; ath-sdk runs on httpx2 "
        "(the same API, import name httpx2): pass an httpx2 client or transport",
        details={"option": option},
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_timeout(value: Any) -> None:
    if value is None or isinstance(value, httpx2.Timeout):
        return
    if not _number(value):
        raise _bad("timeout", "a number of seconds, an httpx2.Timeout or None", value)
    if not math.isfinite(value) or value <= 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"timeout must be a positive number of seconds, got {value!r}",
            details={"option": "timeout"},
        )


def _check_headers(value: Any) -> dict[str, str]:
    """``headers=`` checked (:func:`ath._validation.check_headers`, the one header check),
    its refusal naming the option."""
    if value is None:
        return {}
    try:
        return check_header_mapping(value, what="headers")
    except ATHClientError as exc:
        raise exc.replace(details={**exc.details, "option": "headers"}) from None


def check_sleep(value: Any, *, asynchronous: bool) -> None:
    if value is None:
        return
    if not callable(value):
        wants = "an async function taking seconds, like asyncio.sleep"
        raise _bad(
            "sleep", wants if asynchronous else "a function taking seconds, like time.sleep", value
        )
    if not asynchronous and inspect.iscoroutinefunction(value):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "sleep of a sync client must block like time.sleep; an async function such as "
            "asyncio.sleep is for the async clients",
            details={"option": "sleep"},
        )


def check_settings(
    settings: ClientSettings,
    http_client: Any,
    transport: Any,
    http_cls: type[httpx2.Client] | type[httpx2.AsyncClient],
) -> dict[str, str]:
    """Raise an ``INVALID_ARGUMENT`` naming the first option whose value is unusable;
    return the checked ``headers=``."""
    if not isinstance(settings.agent_id, str) or not settings.agent_id.strip():
        raise _bad("agent_id", "the agent's URI, a non-empty string", settings.agent_id)
    if settings.key_id is not None and (
        not isinstance(settings.key_id, str) or not settings.key_id.strip()
    ):
        raise _bad("key_id", "a non-empty string or None", settings.key_id)
    check_timeout(settings.timeout)
    headers = _check_headers(settings.headers)
    retries = settings.max_retries
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"max_retries must be an int >= 0 (0 disables retries), got {retries!r}",
            details={"option": "max_retries"},
        )
    if settings.retry is not None and not isinstance(settings.retry, RetryPolicy):
        raise _bad("retry", "an ath.RetryPolicy or None", settings.retry)
    size = settings.max_response_bytes
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"max_response_bytes must be a positive int, got {size!r}",
            details={"option": "max_response_bytes"},
        )
    interval = settings.store_refresh_interval
    if not _number(interval) or not math.isfinite(interval) or interval < 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"store_refresh_interval must be a number of seconds >= 0, got {interval!r}",
            details={"option": "store_refresh_interval"},
        )
    total = settings.total_timeout
    if total is not None and (not _number(total) or not total > 0):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "total_timeout must be a positive number of seconds",
            details={"option": "total_timeout"},
        )
    check_sleep(settings.sleep, asynchronous=http_cls is httpx2.AsyncClient)
    for flag in ("allow_insecure_http", "propagate_trace"):
        if not isinstance(getattr(settings, flag), bool):
            raise _bad(flag, "True or False", getattr(settings, flag))
    verify = settings.verify
    if not isinstance(verify, bool | str | ssl.SSLContext) or verify == "":
        raise _bad("verify", "True/False, a CA bundle path or an ssl.SSLContext", verify)
    if isinstance(verify, str) and not os.path.isfile(verify):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"verify: no CA bundle file at {verify!r}",
            details={"option": "verify"},
        )
    _check_http(settings.http, http_cls, http_client, transport)
    for option, given in (("http_client", http_client), ("transport", transport)):
        legacy = _legacy_httpx(option, given)
        if legacy is not None:
            raise legacy
    if http_client is not None and not isinstance(http_client, http_cls):
        raise _bad("http_client", f"an {http_cls.__module__}.{http_cls.__name__}", http_client)
    if settings.limits is not None:
        if not isinstance(settings.limits, httpx2.Limits):
            raise _bad("limits", "an httpx2.Limits or None", settings.limits)
        if http_client is not None or transport is not None:
            given = "http_client" if http_client is not None else "transport"
            raise ATHClientError(
                "INVALID_ARGUMENT",
                f"limits size the SDK's own connection pool: with {given}= the pool is "
                f"yours, so set its limits there",
                details={"option": "limits"},
            )
    if transport is not None:
        wanted = httpx2.BaseTransport if http_cls is httpx2.Client else httpx2.AsyncBaseTransport
        if not isinstance(transport, wanted):
            raise _bad("transport", f"an httpx2.{wanted.__name__}", transport)
        if http_client is not None:
            raise ATHClientError(
                "INVALID_ARGUMENT",
                "pass either http_client or transport, not both (the transport would be ignored)",
                details={"option": "transport"},
            )
    return headers


HTTP_ENGINES: Final = ("httpx2", "aiohttp")


def _check_http(value: Any, http_cls: type[Any], http_client: Any, transport: Any) -> None:
    """``http=``: which library carries the SDK's own requests."""
    if value not in HTTP_ENGINES:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"http must be 'httpx2' or 'aiohttp', got {value!r}",
            details={"option": "http"},
        )
    if value == "httpx2":
        return
    if http_cls is not httpx2.AsyncClient:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "http='aiohttp' is for the async clients (AsyncATHGatewayClient, AsyncATHNativeClient)",
            details={"option": "http"},
        )
    if http_client is not None or transport is not None:
        given = "http_client" if http_client is not None else "transport"
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"http='aiohttp' builds the SDK's own aiohttp transport: pass either http= or "
            f"{given}=, not both",
            details={"option": "http"},
        )


def check_store(store: Any) -> CredentialStore | None:
    """``store`` if it is usable as a credential store (duck-typed), else INVALID_ARGUMENT."""
    if store is None:
        return None
    missing = [m for m in STORE_METHODS if not callable(getattr(store, m, None))]
    if missing:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"store must be an ath.stores.CredentialStore (MemoryStore, FileStore, "
            f"KeyringStore, RedisStore); {type(store).__name__} lacks {', '.join(missing)}",
            details={"option": "store"},
        )
    result: CredentialStore = store
    return result


def attempt_seconds(timeout: float | httpx2.Timeout | None) -> float | None:
    """The longest one attempt may take: the largest of the timeout's parts."""
    if timeout is None:
        return None
    if isinstance(timeout, int | float):
        return float(timeout)
    parts = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t]
    return max(parts) if parts else None


def resolve(
    settings: ClientSettings,
    *,
    mode: str,
    http_cls: type[httpx2.Client] | type[httpx2.AsyncClient],
    http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    transport: Any = None,
) -> Config:
    """Check every option of ``settings`` and derive what the core and shells use."""
    extra_headers = check_settings(settings, http_client, transport, http_cls)
    try:
        policy = settings.retry or RetryPolicy(max_retries=settings.max_retries)
    except (TypeError, ValueError) as exc:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"retry / max_retries: {exc}", details={"option": "max_retries"}
        ) from None
    store = check_store(settings.store)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        # exactly the codings the SDK undoes itself (ath._wire.BoundedDecoder)
        "Accept-Encoding": accept_encoding(),
    }
    headers.update(extra_headers)
    base_url = normalize_base_url(settings.url, allow_insecure_http=settings.allow_insecure_http)
    given = settings.timeout
    timeout = (
        httpx2.Timeout(DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_CONNECT_TIMEOUT)
        if given is None
        else httpx2.Timeout(given)
    )
    # An injected client keeps its own timeout unless ``timeout=`` was given: then the
    # SDK's requests carry it (httpx2 honours a request's timeout extension).
    effective = http_client.timeout if http_client is not None and given is None else timeout
    attempt = attempt_seconds(effective)
    total = settings.total_timeout
    if total is None and attempt is not None:
        # every attempt its full timeout, and every pause the policy may take
        pause = max(policy.max_retry_after, policy.backoff_max)
        total = attempt * (policy.max_retries + 1) + pause * policy.max_retries
    return Config(
        mode=mode,
        base_url=base_url,
        agent_id=settings.agent_id,
        allow_insecure_http=settings.allow_insecure_http,
        max_response_bytes=settings.max_response_bytes,
        retry=policy,
        store=store,
        store_refresh_interval=float(settings.store_refresh_interval),
        headers=headers,
        timeout=timeout,
        request_timeout=None if given is None else timeout,
        attempt_timeout=attempt,
        total_timeout=None if total is None else float(total),
        verify=settings.verify,
        trust_env=settings.trust_env,
        limits=settings.limits or DEFAULT_LIMITS,
        propagate_trace=settings.propagate_trace,
    )
