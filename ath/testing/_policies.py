"""Programmable decisions: the app-side approval of registrations (Phase A) and the
user's consent at the OAuth server (Phase B). Both are sticky: a setting applies to
every following registration or consent until it is changed."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ApprovalController",
    "ApprovalOutcome",
    "ConsentController",
    "ConsentOutcome",
    "ProviderApprovalResult",
]

AgentStatus = Literal["approved", "pending", "denied"]


@dataclass(frozen=True)
class ProviderApprovalResult:
    provider_id: str
    approved_scopes: tuple[str, ...]
    denied_scopes: tuple[str, ...]
    denial_reason: str | None = None

    def wire(self) -> dict[str, object]:
        body: dict[str, object] = {
            "provider_id": self.provider_id,
            "approved_scopes": list(self.approved_scopes),
            "denied_scopes": list(self.denied_scopes),
        }
        if self.denial_reason:
            body["denial_reason"] = self.denial_reason
        return body


@dataclass(frozen=True)
class ApprovalOutcome:
    status: AgentStatus
    providers: tuple[ProviderApprovalResult, ...]


class ApprovalController:
    """How the stack's gateway and native service answer new registrations:
    ``approve_all()`` (default), ``approve_subset({"github": ["read:user"]})``,
    ``pending()`` or ``deny()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mode: Literal["all", "subset", "pending", "denied"] = "all"
        self._subset: dict[str, frozenset[str]] = {}

    def approve_all(self) -> None:
        """Approve every requested scope the provider offers."""
        with self._lock:
            self._mode, self._subset = "all", {}

    def approve_subset(self, scopes: Mapping[str, Iterable[str]]) -> None:
        """Approve, per provider, only the listed scopes (providers not listed get none)."""
        with self._lock:
            self._mode = "subset"
            self._subset = {pid: frozenset(s) for pid, s in scopes.items()}

    def pending(self) -> None:
        """Leave registrations pending review (no scopes usable)."""
        with self._lock:
            self._mode, self._subset = "pending", {}

    def deny(self) -> None:
        """Deny registrations outright."""
        with self._lock:
            self._mode, self._subset = "denied", {}

    def decide(
        self,
        requested: Sequence[tuple[str, Sequence[str]]],
        catalog: Mapping[str, Sequence[str]],
    ) -> ApprovalOutcome:
        """Apply the current policy to ``requested`` (provider id, scopes) pairs;
        ``catalog`` maps each known provider to the scopes it offers."""
        with self._lock:
            mode, subset = self._mode, self._subset
        results: list[ProviderApprovalResult] = []
        for provider_id, scopes in requested:
            wanted = tuple(dict.fromkeys(scopes))
            offered = catalog.get(provider_id)
            if offered is None:
                results.append(ProviderApprovalResult(provider_id, (), wanted, "unknown provider"))
                continue
            if mode == "pending":
                results.append(
                    ProviderApprovalResult(provider_id, (), (), "registration is pending review")
                )
                continue
            if mode == "denied":
                results.append(
                    ProviderApprovalResult(provider_id, (), wanted, "registration was denied")
                )
                continue
            allowed = frozenset(offered) if mode == "all" else subset.get(provider_id, frozenset())
            approved = tuple(s for s in wanted if s in allowed and s in offered)
            denied = tuple(s for s in wanted if s not in approved)
            reason = None
            if denied:
                unknown = [s for s in denied if s not in offered]
                reason = (
                    f"not offered by {provider_id}: {', '.join(unknown)}"
                    if unknown
                    else "not approved by the service's policy"
                )
            results.append(ProviderApprovalResult(provider_id, approved, denied, reason))
        status: AgentStatus = (
            "pending" if mode == "pending" else "denied" if mode == "denied" else "approved"
        )
        return ApprovalOutcome(status, tuple(results))


@dataclass(frozen=True)
class ConsentOutcome:
    """``granted`` is ``None`` when the user refused."""

    user_id: str
    granted: tuple[str, ...] | None


class ConsentController:
    """What the simulated user answers on the OAuth consent screen:
    ``approve_all()`` (default), ``approve(["read:user"])`` (only those of the
    requested scopes) or ``deny()``; ``as_user("bob")`` sets who is consenting."""

    DEFAULT_USER = "local-user"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._granted: frozenset[str] | None = None  # None: everything requested
        self._deny = False
        self._user = self.DEFAULT_USER

    def approve_all(self) -> None:
        with self._lock:
            self._granted, self._deny = None, False

    def approve(self, scopes: Iterable[str]) -> None:
        with self._lock:
            self._granted, self._deny = frozenset(scopes), False

    def deny(self) -> None:
        with self._lock:
            self._granted, self._deny = None, True

    def as_user(self, user_id: str) -> None:
        with self._lock:
            self._user = user_id

    @property
    def user_id(self) -> str:
        return self._user

    def decide(self, requested: Sequence[str]) -> ConsentOutcome:
        with self._lock:
            if self._deny:
                return ConsentOutcome(self._user, None)
            granted = self._granted
            return ConsentOutcome(
                self._user,
                tuple(s for s in requested if granted is None or s in granted),
            )
