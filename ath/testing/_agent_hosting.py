"""Agent identity hosting: serves each agent's AgentIdentityDocument over HTTP so
that the stack's attestation verifier fetches public keys the way a real one does.

A hosted agent's ``agent_id`` is
``http://127.0.0.1:<port>/agents/<name>/.well-known/agent.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._primitives import b64url_decode, b64url_encode
from ._validation import check_response

__all__ = [
    "AgentDirectory",
    "PublicKeyLike",
    "jwk_from_public_key",
    "load_public_key",
    "public_key_from_jwk",
]

PublicKeyLike = str | bytes | ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def load_public_key(key: PublicKeyLike) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from a PEM (public or unencrypted private) or a key object."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        public: object = key.public_key()
    elif isinstance(key, ec.EllipticCurvePublicKey):
        public = key
    else:
        data = key.encode("ascii") if isinstance(key, str) else key
        if b"PRIVATE KEY" in data:
            public = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            public = serialization.load_pem_public_key(data)
    if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(
        public.curve, ec.SECP256R1
    ):
        raise ValueError("agent keys must be EC P-256 (ES256)")
    return public


def jwk_from_public_key(public: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The RFC 7517 JWK of a P-256 key, with its RFC 7638 thumbprint as ``kid``."""
    numbers = public.public_numbers()
    x = b64url_encode(numbers.x.to_bytes(32, "big"))
    y = b64url_encode(numbers.y.to_bytes(32, "big"))
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": x, "y": y}, separators=(",", ":"))
    kid = b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig", "alg": "ES256", "kid": kid}


def public_key_from_jwk(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """Parse an EC P-256 JWK; raises ``ValueError`` for anything else."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("public_key JWK must be kty=EC, crv=P-256")
    x, y = jwk.get("x"), jwk.get("y")
    if not isinstance(x, str) or not isinstance(y, str):
        raise ValueError("public_key JWK lacks x/y")
    xb, yb = b64url_decode(x), b64url_decode(y)
    if len(xb) != 32 or len(yb) != 32:
        raise ValueError("public_key JWK coordinates must be 32 bytes")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(xb, "big"), int.from_bytes(yb, "big"), ec.SECP256R1()
    )
    return numbers.public_key()


class AgentDirectory:
    """The agents the stack hosts, by name. Thread-safe: tests add agents from
    their own thread while the server answers from the stack's loop."""

    def __init__(self) -> None:
        self._docs: dict[str, dict[str, object]] = {}
        self._lock = threading.Lock()
        self.base_url = ""

    def agent_id(self, name: str) -> str:
        return f"{self.base_url}/agents/{name}/.well-known/agent.json"

    def host(
        self,
        public_key: PublicKeyLike,
        *,
        name: str,
        developer: Mapping[str, str] | None = None,
        capabilities: Sequence[str] | None = None,
        key_format: str = "jwk",
    ) -> str:
        """Publish (or replace) an agent's identity document; returns its agent_id.
        ``key_format``: the document's ``public_key`` as a JWK (``"jwk"``) or as a PEM
        string (``"pem"``); the protocol allows both."""
        if not _NAME.match(name):
            raise ValueError(f"agent name must match {_NAME.pattern}")
        if key_format not in ("jwk", "pem"):
            raise ValueError("key_format must be 'jwk' or 'pem'")
        agent_id = self.agent_id(name)
        public = load_public_key(public_key)
        doc: dict[str, object] = {
            "ath_version": "0.1",
            "agent_id": agent_id,
            "name": name,
            "developer": dict(developer or {"name": "Local Developer", "id": "dev-local"}),
            "public_key": jwk_from_public_key(public)
            if key_format == "jwk"
            else public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode("ascii"),
        }
        if capabilities is not None:
            doc["capabilities"] = list(capabilities)
        check_response("AgentIdentityDocument", doc)
        with self._lock:
            self._docs[name] = doc
        return agent_id

    def remove(self, name: str) -> None:
        with self._lock:
            self._docs.pop(name, None)

    def app(self) -> Starlette:
        async def document(request: Request) -> Response:
            with self._lock:
                doc = self._docs.get(str(request.path_params["name"]))
            if doc is None:
                return JSONResponse({"error": "not_found"}, status_code=404)
            return JSONResponse(doc, headers={"Cache-Control": "max-age=300"})

        return Starlette(routes=[Route("/agents/{name}/.well-known/agent.json", document)])
