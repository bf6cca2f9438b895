"""The agent's keys over time: the key it signs with now, and a staged next key.

An identity document carries one public key, and verifiers cache it for at most
5 minutes; after a signature mismatch they fetch it again, at most once per agent and
minute (specification/0.1, client/identity). So a rotation is: stage the next key and
publish the document that carries it (``rotate_key``), then sign with the next key, either
when told (``switch_key``) or when a verifier refuses the current key (a verifier that
refuses it has read the new document). A verifier that still holds the old key when the
agent switched re-fetches the document within :data:`REFETCH_WINDOW` seconds of the
switch; a call it refused in that window is retried once when the window is over
(:mod:`ath._flows._rotation`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Final

from ath._attestation import AttestationSigner
from ath._signer import Attester

__all__ = ["REFETCH_WINDOW", "KeyRing"]

#: Seconds within which every verifier that follows the protocol has re-fetched an
#: identity document after a signature mismatch (at most one re-fetch a minute), plus a
#: second of margin for the verifier's clock.
REFETCH_WINDOW: Final = 61.0

AnySigner = AttestationSigner | Attester


class KeyRing:
    """The current key and the staged next key of one agent (shared by a client and its
    ``for_user`` views). ``clock``: ``time.monotonic``."""

    __slots__ = ("_lock", "agent_id", "clock", "current", "next", "switched_at")

    def __init__(self, current: AnySigner, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.current = current
        self.next: AnySigner | None = None
        self.agent_id = current.agent_id
        self.clock = clock
        self.switched_at: float | None = None
        self._lock = threading.Lock()

    @property
    def key_id(self) -> str:
        return self.current.key_id

    def mint(self, audience: str, *, capabilities: Sequence[str] | None = None) -> str:
        return self.current.mint(audience, capabilities=capabilities)

    def stage(self, signer: AnySigner) -> None:
        """Sign with ``signer`` after the next :meth:`switch` (or refusal)."""
        with self._lock:
            self.next = signer

    def switch(self) -> bool:
        """Sign with the staged key from now on; False when none is staged."""
        with self._lock:
            if self.next is None:
                return False
            self.current, self.next = self.next, None
            self.switched_at = self.clock()
            return True

    def after_refusal(self, used: str) -> float | None:
        """What to do after a verifier refused an attestation signed with key ``used``:
        retry at once (0.0: the staged key is now current, or another call switched
        already), retry after that many seconds (a switch is younger than the verifiers'
        re-fetch window), or not retry (None)."""
        with self._lock:
            if self.current.key_id != used:
                return 0.0  # switched since that attestation was signed
        if self.switch():
            return 0.0  # the verifier read the new document: sign with the new key
        switched = self.switched_at
        if switched is None:
            return None
        left = switched + REFETCH_WINDOW - self.clock()
        return left if left > 0 else None

    def __repr__(self) -> str:
        staged = self.next.key_id if self.next is not None else None
        return f"KeyRing(key_id={self.key_id!r}, next={staged!r})"
