"""The agent identity document an agent publishes at its ``agent_id`` URI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ath._attestation import PrivateKeyInput, parse_private_key, public_jwk
from ath._errors import ATHClientError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["agent_identity_document"]


def agent_identity_document(
    *,
    agent_id: str,
    name: str,
    developer: Mapping[str, str],
    private_key: PrivateKeyInput | None = None,
    public_key: ec.EllipticCurvePublicKey | None = None,
    key_id: str | None = None,
    capabilities: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The JSON document to serve at ``agent_id`` (public key as a JWK; never the private key)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if (private_key is None) == (public_key is None):
        raise ATHClientError("INVALID_ARGUMENT", "pass exactly one of private_key or public_key")
    if not isinstance(developer, Mapping) or not {"name", "id"} <= set(developer):
        raise ATHClientError("INVALID_ARGUMENT", "developer needs 'name' and 'id'")
    key = parse_private_key(private_key).public_key() if private_key is not None else public_key
    assert key is not None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ATHClientError("INVALID_KEY", "the agent key must be EC P-256")
    jwk: dict[str, str] = {**public_jwk(key), "use": "sig", "alg": "ES256"}
    if key_id:
        jwk["kid"] = key_id
    doc: dict[str, Any] = {
        "ath_version": "0.1",
        "agent_id": agent_id,
        "name": name,
        "developer": dict(developer),
        "public_key": jwk,
    }
    if capabilities:
        doc["capabilities"] = list(capabilities)
    return doc
