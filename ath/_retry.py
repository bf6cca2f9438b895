"""Retry policy as pure functions, shared by the sync and async clients."""

from __future__ import annotations

import email.utils
import random
import ssl
import time
from dataclasses import dataclass, field
from typing import Final

import httpx2

from ath._constants import DEFAULT_MAX_RETRIES
from ath._errors import ATHClientError

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "is_tls_failure", "parse_retry_after"]

RETRYABLE_STATUSES: Final = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():  # any Unicode digit; only ASCII ones are delta-seconds
        return float(value) if value.isascii() else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - (time.time() if now is None else now))
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None


def is_tls_failure(exc: BaseException) -> bool:
    """Whether a transport error is a TLS handshake or certificate failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return True
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL:" in text or "[SSL" in text:
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Idempotent requests are retried on transport errors and on 429/502/503/504;
    other requests only when the connection was never made (so the server never
    saw them). Backoff is capped exponential with full jitter; a Retry-After header
    is honoured up to ``max_retry_after`` seconds (longer waits are not retried).
    ``max_retries=0`` disables retries.

    ``rng``: where the jitter comes from (default: the operating system's randomness);
    pass ``random.Random(seed)`` for reproducible waits. It is no part of the policy's
    value: it is left out of ``==`` and ``repr``.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    max_retry_after: float = 30.0
    rng: random.Random | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.rng is not None and not isinstance(self.rng, random.Random):
            raise ATHClientError(
                "INVALID_ARGUMENT",
                f"RetryPolicy(rng=...) must be a random.Random or None, got "
                f"{type(self.rng).__name__}",
                details={"option": "retry"},
            )

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """A jittered wait before retry number ``attempt + 1``, from ``rng``, else the
        policy's ``rng``, else the operating system's randomness."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return (rng or self.rng or _RNG).uniform(0.0, ceiling)

    def delay_for(
        self,
        attempt: int,
        outcome: httpx2.Response | BaseException,
        *,
        idempotent: bool,
    ) -> float | None:
        """Seconds to sleep before retry number ``attempt + 1``, or None to stop."""
        if attempt >= self.max_retries:
            return None
        if isinstance(outcome, BaseException):
            if is_tls_failure(outcome):
                return None  # a bad certificate stays bad
            never_sent = isinstance(outcome, httpx2.ConnectError | httpx2.ConnectTimeout)
            if isinstance(outcome, httpx2.TransportError) and (idempotent or never_sent):
                return self.backoff(attempt)
            return None
        if not idempotent or outcome.status_code not in RETRYABLE_STATUSES:
            return None
        retry_after = parse_retry_after(outcome.headers.get("retry-after"))
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(attempt)


_RNG: Final = random.SystemRandom()
