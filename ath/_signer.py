"""Signing through a key the SDK does not hold: the :class:`Signer` protocol.

A key may live in a KMS, an HSM or an OS keychain. Such a key signs through a
:class:`Signer`: ``sign(data)`` returns the ES256 signature of ``data`` (ECDSA P-256
over SHA-256) as the 64 bytes ``r || s`` (RFC 7518 section 3.4), ``key_id`` is the
attestation's ``kid`` and ``public_jwk`` the public key as published in the agent's
identity document. A signer whose ``sign`` does I/O may also have
``async def asign(data)``: the async clients await it; without it they run ``sign``
in a worker thread, so the event loop never blocks on the key. The local PEM key
(:class:`ath.AttestationSigner`) is one implementation.

:class:`Attester` mints attestation JWTs over any signer; :func:`attest` is the flow
step the protocol flows use to get one (a :class:`~ath._steps.Call` that the drivers
run, except for the local key, which signs in place).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from ath._attestation import (
    ATTESTATION_LIFETIME,
    AttestationSigner,
    attestation_claims,
    compact_json,
)
from ath._errors import ATHClientError
from ath._steps import Call, Flow, Raised, Returned

__all__ = ["AsyncSigner", "Attester", "Signer", "attest", "check_signer"]


@runtime_checkable
class Signer(Protocol):
    """What signs attestations: ``key_id``, ``public_jwk`` and ``sign(data)``.

    ``sign`` returns the raw ES256 signature (64 bytes, ``r || s``) of ``data``.
    """

    @property
    def key_id(self) -> str: ...

    @property
    def public_jwk(self) -> dict[str, str]: ...

    def sign(self, data: bytes) -> bytes: ...


@runtime_checkable
class AsyncSigner(Signer, Protocol):
    """A :class:`Signer` that can also sign without blocking an event loop."""

    async def asign(self, data: bytes) -> bytes: ...


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def check_signer(signer: object) -> Signer:
    """``signer`` if it has the :class:`Signer` surface, else ``INVALID_ARGUMENT``."""
    if not isinstance(signer, Signer):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"signer must have key_id, public_jwk and sign(data) -> bytes (ath.Signer); "
            f"got {type(signer).__name__}",
        )
    key_id = signer.key_id
    if not isinstance(key_id, str) or not key_id:
        raise ATHClientError("INVALID_ARGUMENT", "signer.key_id must be a non-empty string")
    return signer


class Attester:
    """Mints attestation JWTs for one agent over a :class:`Signer` (no key held here)."""

    __slots__ = ("agent_id", "lifetime", "signer")

    def __init__(
        self, signer: Signer, agent_id: str, *, lifetime: int = ATTESTATION_LIFETIME
    ) -> None:
        self.signer = signer
        self.agent_id = agent_id
        self.lifetime = lifetime

    @property
    def key_id(self) -> str:
        return self.signer.key_id

    def signing_input(self, audience: str, *, capabilities: Sequence[str] | None = None) -> bytes:
        """The JWS signing input (header and claims, encoded) of a fresh attestation."""
        claims = attestation_claims(
            self.agent_id, audience, self.lifetime, int(time.time()), capabilities
        )
        header = {"alg": "ES256", "kid": self.signer.key_id, "typ": "JWT"}
        encoded = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return _b64url(encoded) + b"." + _b64url(compact_json(claims))

    def finish(self, signing_input: bytes, signature: object) -> str:
        """The compact JWT, once the signer returned ``signature`` for ``signing_input``."""
        if not isinstance(signature, bytes) or len(signature) != 64:
            raise ATHClientError(
                "SIGNER_FAILED",
                "the signer's sign(data) must return the 64-byte ES256 signature r || s "
                f"(got {type(signature).__name__}"
                + (f" of {len(signature)} bytes" if isinstance(signature, bytes) else "")
                + "); a DER signature from a KMS must be converted to r || s.",
            )
        return (signing_input + b"." + _b64url(signature)).decode("ascii")

    def mint(self, audience: str, *, capabilities: Sequence[str] | None = None) -> str:
        """A fresh attestation, signing synchronously (``mint_attestation()``)."""
        data = self.signing_input(audience, capabilities=capabilities)
        try:
            signature = self.signer.sign(data)
        except ATHClientError:
            raise
        except Exception as exc:
            raise _failed(exc) from None
        return self.finish(data, signature)

    def __repr__(self) -> str:
        return f"Attester(agent_id={self.agent_id!r}, key_id={self.key_id!r}, signer=<hidden>)"


class _HasCurrent(Protocol):
    @property
    def current(self) -> AttestationSigner | Attester: ...


def _failed(exc: BaseException) -> ATHClientError:
    return ATHClientError(
        "SIGNER_FAILED",
        f"the signer could not sign the attestation ({type(exc).__name__}).",
        details={"reason": type(exc).__name__},
    )


def attest(signer: AttestationSigner | Attester | _HasCurrent, audience: str) -> Flow[str]:
    """A fresh attestation for ``audience``: the local key signs in place; another signer
    signs in a :class:`~ath._steps.Call` (the async driver awaits its ``asign``, or runs
    ``sign`` in a thread)."""
    if not isinstance(signer, AttestationSigner | Attester):
        signer = signer.current  # a key ring: its current key
    if isinstance(signer, AttestationSigner):
        return signer.mint(audience)
    data = signer.signing_input(audience)
    inner = signer.signer
    afn: Callable[[], Awaitable[object]] | None = None
    if isinstance(inner, AsyncSigner):
        asign = inner.asign

        async def afn() -> object:
            return await asign(data)

    reply = yield Call(lambda: inner.sign(data), afn)
    if isinstance(reply, Raised):
        if isinstance(reply.error, ATHClientError):
            raise reply.error
        raise _failed(reply.error) from None
    assert isinstance(reply, Returned)
    return signer.finish(data, reply.value)
