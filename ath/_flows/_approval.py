"""``wait_for_approval``: poll the registration status until a person decided it.

``register()`` may answer ``pending``: the registration waits for a person on the
service's side. This flow asks ``GET /ath/agents/{client_id}`` with the pacing of
``wait_for_token`` (:mod:`ath._flows._consent`): the first pause is ``poll_interval``,
each next one 1.25 times longer, up to five times the interval and at most 30 s (unless
the interval itself is longer); a 429's Retry-After is honoured; every request is bounded
by the wait's deadline, and the last one is made at the deadline.
"""

from __future__ import annotations

import time

import httpx2

from ath._core import Core
from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._flows._consent import (
    MAX_POLL_INTERVAL,
    MIN_POLL_SECONDS,
    POLL_GROWTH,
    _OutOfTime,
    _watch,
    _within,
    check_wait_arguments,
)
from ath._flows._registration import registration_status
from ath._flows._transport import credentials
from ath._models import AgentStatusInfo
from ath._retry import parse_retry_after
from ath._steps import Flow, Sleep

__all__ = ["wait_for_approval_flow"]


def wait_for_approval_flow(
    core: Core, timeout: float, poll_interval: float
) -> Flow[AgentStatusInfo]:
    """The registration's status once approved; ``REGISTRATION_DENIED`` when denied,
    ``APPROVAL_TIMEOUT`` (or the server's last 429) when still pending at ``timeout``."""
    timeout, poll_interval = check_wait_arguments(timeout, poll_interval)
    client_id, _ = yield from credentials(core)  # NOT_REGISTERED before any request
    deadline = time.monotonic() + timeout
    interval = poll_interval
    cap = max(poll_interval, min(MAX_POLL_INTERVAL, 5 * poll_interval))
    requests = 0
    rate_limited: ATHError | None = None
    while True:
        requests += 1
        seen: list[httpx2.Response] = []
        wait = interval
        bound = max(deadline, time.monotonic() + MIN_POLL_SECONDS)
        try:
            info: AgentStatusInfo = yield from _watch(
                _within(registration_status(core), bound), seen
            )
        except _OutOfTime:
            pass  # the deadline passed during this request: the wait says so below
        except ATHError as exc:
            if exc.status != 429:
                raise
            rate_limited = exc
            retry_after = parse_retry_after(seen[-1].headers.get("retry-after")) if seen else None
            if retry_after is not None:
                wait = max(wait, retry_after)
                interval = max(interval, min(retry_after, MAX_POLL_INTERVAL))
        else:
            rate_limited = None
            if info.agent_status == "approved":
                return info
            if info.agent_status == "denied":
                reasons = {
                    p.provider_id: p.denial_reason
                    for p in info.approved_providers
                    if p.denial_reason
                }
                raise ATHServerError(
                    "REGISTRATION_DENIED",
                    f"wait_for_approval: {core.config.base_url} denied registration "
                    f"{client_id} app-side"
                    + (f" ({reasons})" if reasons else "")
                    + ". Contact the service's operator; waiting longer will not help.",
                    details={"client_id": client_id, "denial_reasons": reasons},
                )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if rate_limited is not None:  # the server's last word was "slow down": say so
                raise rate_limited
            raise ATHClientError(
                "APPROVAL_TIMEOUT",
                f"registration {client_id} was still pending app-side after {timeout:g} s "
                f"({requests} status requests); it stays pending: call wait_for_approval() "
                "again later.",
                details={"client_id": client_id, "status_requests": requests},
            )
        interval = min(interval * POLL_GROWTH, cap)
        yield Sleep(min(wait, remaining))
