"""Checking a client's constructor options, all of them, before anything is built.

A bad value raises ``ATHError("INVALID_ARGUMENT")`` whose message names the option
and says what it takes, instead of a ``TypeError`` from a socket or a
``ValueError`` from httpx on the first call.
"""

from __future__ import annotations

import inspect
import math
import os
import ssl
from typing import TYPE_CHECKING, Any

import httpx

from ath._errors import ATHClientError, ATHError
from ath._retry import RetryPolicy
from ath._validation import check_headers

if TYPE_CHECKING:
    from ath._client import ClientSettings

__all__ = ["check_settings"]


def _bad(option: str, wants: str, value: Any) -> ATHError:
    return ATHClientError(
        "INVALID_ARGUMENT",
        f"{option} must be {wants}, got {type(value).__name__}",
        details={"option": option},
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_timeout(value: Any) -> None:
    if value is None or isinstance(value, httpx.Timeout):
        return
    if not _number(value):
        raise _bad("timeout", "a number of seconds, an httpx.Timeout or None", value)
    if not math.isfinite(value) or value <= 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"timeout must be a positive number of seconds, got {value!r}",
            details={"option": "timeout"},
        )


def _check_headers(value: Any) -> None:
    """``headers=``: the one header check (:func:`ath._validation.check_headers`), its
    refusal naming the option."""
    if value is None:
        return
    try:
        check_headers(value, what="headers")
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
    http_cls: type[httpx.Client] | type[httpx.AsyncClient],
) -> None:
    """Raise an ``INVALID_ARGUMENT`` naming the first option whose value is unusable."""
    if not isinstance(settings.agent_id, str) or not settings.agent_id.strip():
        raise _bad("agent_id", "the agent's URI, a non-empty string", settings.agent_id)
    if settings.key_id is not None and (
        not isinstance(settings.key_id, str) or not settings.key_id.strip()
    ):
        raise _bad("key_id", "a non-empty string or None", settings.key_id)
    check_timeout(settings.timeout)
    _check_headers(settings.headers)
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
    check_sleep(settings.sleep, asynchronous=http_cls is httpx.AsyncClient)
    if not isinstance(settings.allow_insecure_http, bool):
        raise _bad("allow_insecure_http", "True or False", settings.allow_insecure_http)
    verify = settings.verify
    if not isinstance(verify, bool | str | ssl.SSLContext) or verify == "":
        raise _bad("verify", "True/False, a CA bundle path or an ssl.SSLContext", verify)
    if isinstance(verify, str) and not os.path.isfile(verify):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"verify: no CA bundle file at {verify!r}",
            details={"option": "verify"},
        )
    if http_client is not None and not isinstance(http_client, http_cls):
        raise _bad("http_client", f"an {http_cls.__module__}.{http_cls.__name__}", http_client)
    if transport is not None:
        wanted = httpx.BaseTransport if http_cls is httpx.Client else httpx.AsyncBaseTransport
        if not isinstance(transport, wanted):
            raise _bad("transport", f"an httpx.{wanted.__name__}", transport)
        if http_client is not None:
            raise ATHClientError(
                "INVALID_ARGUMENT",
                "pass either http_client or transport, not both (the transport would be ignored)",
                details={"option": "transport"},
            )
