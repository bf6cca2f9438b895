"""``rotate_key`` and ``switch_key``: a client's side of a key rotation
(:mod:`ath._keyring` says how the protocol's caching shapes it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ath._attestation import AttestationSigner, PrivateKeyInput
from ath._errors import ATHClientError
from ath._keyring import KeyRing
from ath._signer import Attester, Signer, check_signer

__all__ = ["rotate", "switch"]


def rotate(
    ring: KeyRing,
    private_key: PrivateKeyInput | None,
    *,
    signer: Signer | None,
    key_id: str | None,
    password: str | bytes | None,
    name: str,
    developer: Mapping[str, str],
    capabilities: Sequence[str] | None,
    switch_now: bool,
) -> dict[str, Any]:
    """Stage the next key and return the identity document that carries it."""
    from ath._identity import agent_identity_document

    if (private_key is None) == (signer is None):
        raise ATHClientError("INVALID_ARGUMENT", "rotate_key: pass a new private key or signer=")
    staged: AttestationSigner | Attester
    if signer is not None:
        if key_id is not None or password is not None:
            raise ATHClientError(
                "INVALID_ARGUMENT", "rotate_key: signer= replaces key_id and the password"
            )
        if isinstance(signer, AttestationSigner):
            if signer.agent_id != ring.agent_id:
                raise ATHClientError(
                    "INVALID_ARGUMENT",
                    "rotate_key: signer= is an AttestationSigner of another agent",
                )
            staged = signer
            jwk = signer.public_jwk
        else:
            staged = Attester(check_signer(signer), ring.agent_id)
            jwk = staged.signer.public_jwk
    else:
        assert private_key is not None
        staged = AttestationSigner(private_key, ring.agent_id, key_id=key_id, password=password)
        jwk = staged.public_jwk
    if staged.key_id == ring.key_id:
        raise ATHClientError(
            "INVALID_ARGUMENT", "rotate_key: the new key is the key in use (same key id)"
        )
    doc = agent_identity_document(
        agent_id=ring.agent_id,
        name=name,
        developer=developer,
        public_key=_public_key(jwk),
        key_id=staged.key_id,
        capabilities=capabilities,
    )
    ring.stage(staged)
    if switch_now:
        ring.switch()
    return doc


def _public_key(jwk: Mapping[str, str]) -> Any:
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec

    def number(value: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")

    try:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            raise ValueError("not an EC P-256 JWK")
        numbers = ec.EllipticCurvePublicNumbers(number(jwk["x"]), number(jwk["y"]), ec.SECP256R1())
        return numbers.public_key()
    except (KeyError, ValueError, TypeError) as exc:
        raise ATHClientError(
            "INVALID_KEY", f"the signer's public_jwk is not an EC P-256 public key ({exc})"
        ) from None


def switch(ring: KeyRing) -> str:
    """Sign with the staged key from now on; its key id. ``INVALID_ARGUMENT`` when none."""
    if not ring.switch():
        raise ATHClientError(
            "INVALID_ARGUMENT", "switch_key: no key is staged; call rotate_key() first"
        )
    return ring.key_id
