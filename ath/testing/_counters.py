"""What the stack counts for tests: :class:`StackCounters`, a frozen snapshot read
with ``LocalStack.counters`` (server-side counts, so no test reads the stack's
private state or infers a count from timing)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Self

__all__ = ["StackCounters"]


@dataclass(frozen=True)
class StackCounters:
    """Requests and decisions the stack saw since it started, the gateway and the
    native service together. ``after - before`` gives what happened in between.

    ``registration_requests``: ``POST /ath/agents/register`` received (answered or
    refused). ``authorization_requests``: ``POST /ath/authorize`` received (answered
    or refused). ``consents_started``: browsers that reached ``/ath/consent`` and were
    sent on to the OAuth server. ``consent_pages_shown``: consent pages the OAuth
    server showed a person (``LocalStack(consent="page")``). ``consents_approved`` /
    ``consents_denied``: consent decisions at the OAuth server, automatic or a
    person's click. ``token_requests``: ``POST /ath/token`` received (exchanges and
    polls, answered or refused). ``identity_fetches``: agent identity documents
    fetched to verify attestations.
    """

    registration_requests: int = 0
    authorization_requests: int = 0
    consents_started: int = 0
    consent_pages_shown: int = 0
    consents_approved: int = 0
    consents_denied: int = 0
    token_requests: int = 0
    identity_fetches: int = 0

    def __sub__(self, other: Self) -> Self:
        """The counts that happened since ``other`` was taken."""
        values = {f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)}
        return type(self)(**values)

    def __add__(self, other: Self) -> Self:
        values = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        return type(self)(**values)
