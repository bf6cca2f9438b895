"""A stand-in for a key management service: the key stays inside it, the SDK only sees
``key_id``, ``public_jwk`` and ``sign(data)`` (the :class:`ath.Signer` surface)."""

from __future__ import annotations

import asyncio
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ath import jwk_thumbprint, public_jwk


class FakeKMS:
    """Signs with a key the caller never holds, the way a KMS answers: a DER signature
    converted to ``r || s``; counts the signatures it made."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.signed = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    @property
    def public_jwk(self) -> dict[str, str]:
        return public_jwk(self.public_key)

    @property
    def key_id(self) -> str:
        return jwk_thumbprint(self.public_jwk)

    def sign(self, data: bytes) -> bytes:
        with self._lock:
            self.signed += 1
            self.threads.add(threading.get_ident())
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class AsyncFakeKMS(FakeKMS):
    """A KMS with an async API: ``asign`` awaits (a network round trip)."""

    def __init__(self) -> None:
        super().__init__()
        self.awaited = 0

    async def asign(self, data: bytes) -> bytes:
        await asyncio.sleep(0)
        self.awaited += 1
        return self.sign(data)
