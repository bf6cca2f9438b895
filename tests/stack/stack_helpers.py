"""Helpers for the local stack's tests: an agent key, ES256 attestations minted
with ``cryptography`` alone, and the register → authorize → consent → token walk
done with plain httpx2."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ath.testing import ConsentResult, LocalStack, follow_consent


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def sign_jws(
    key: ec.EllipticCurvePrivateKey, header: Mapping[str, Any], claims: Mapping[str, Any]
) -> str:
    head = b64url(json.dumps(dict(header)).encode())
    body = b64url(json.dumps(dict(claims)).encode())
    der = key.sign(f"{head}.{body}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{head}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def mint(
    key: ec.EllipticCurvePrivateKey,
    agent_id: str,
    aud: str,
    *,
    now: float | None = None,
    lifetime: float = 60,
    alg: str = "ES256",
    drop: Sequence[str] = (),
    **overrides: Any,
) -> str:
    """A fresh attestation for ``agent_id``; ``overrides`` replace claims and the
    claims named in ``drop`` are left out."""
    issued = time.time() if now is None else now
    claims: dict[str, Any] = {
        "iss": agent_id,
        "sub": agent_id,
        "aud": aud,
        "iat": int(issued),
        "exp": int(issued + lifetime),
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(overrides)
    for name in drop:
        del claims[name]
    return sign_jws(key, {"alg": alg, "typ": "JWT", "kid": "test-key"}, claims)


def new_state() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Agent:
    """An agent hosted by the stack, talking to one ATH implementer (``base``)."""

    stack: LocalStack
    base: str
    key: ec.EllipticCurvePrivateKey
    agent_id: str
    http: httpx2.Client
    client_id: str = ""
    client_secret: str = ""
    registration: dict[str, Any] = field(default_factory=dict)

    def attest(self, aud: str | None = None, **overrides: Any) -> str:
        return mint(
            self.key, self.agent_id, aud or self.base, now=self.stack.clock.now(), **overrides
        )

    def register(
        self,
        providers: Mapping[str, Sequence[str]],
        *,
        redirect_uris: Sequence[str] = (),
        expect: int = 201,
        developer_name: str = "Test Dev",
        purpose: str = "stack tests",
    ) -> httpx2.Response:
        response = self.http.post(
            f"{self.base}/ath/agents/register",
            json={
                "agent_id": self.agent_id,
                "agent_attestation": self.attest(),
                "developer": {"name": developer_name, "id": "dev-test"},
                "requested_providers": [
                    {"provider_id": p, "scopes": list(s)} for p, s in providers.items()
                ],
                "purpose": purpose,
                "redirect_uris": list(redirect_uris),
            },
        )
        assert response.status_code == expect, response.text
        if response.status_code == 201:
            self.registration = response.json()
            self.client_id = self.registration["client_id"]
            self.client_secret = self.registration["client_secret"]
        return response

    def authorize(
        self,
        provider_id: str,
        scopes: Sequence[str],
        *,
        state: str | None = None,
        user_redirect_uri: str | None = None,
        **extra: Any,
    ) -> httpx2.Response:
        body: dict[str, Any] = {
            "client_id": self.client_id,
            "agent_attestation": self.attest(),
            "provider_id": provider_id,
            "scopes": list(scopes),
            "state": state if state is not None else new_state(),
        }
        if user_redirect_uri is not None:
            body["user_redirect_uri"] = user_redirect_uri
        body.update(extra)
        return self.http.post(f"{self.base}/ath/authorize", json=body)

    def exchange(self, session_id: str, code: str | None, **extra: Any) -> httpx2.Response:
        body: dict[str, Any] = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "agent_attestation": self.attest(f"{self.base}/ath/token"),
            "code": code,
            "ath_session_id": session_id,
        }
        body.update(extra)
        return self.http.post(
            f"{self.base}/ath/token", json={k: v for k, v in body.items() if v is not None}
        )

    def consent(
        self, provider_id: str, scopes: Sequence[str], **kw: Any
    ) -> tuple[str, ConsentResult]:
        response = self.authorize(provider_id, scopes, **kw)
        assert response.status_code == 200, response.text
        grant = response.json()
        return grant["ath_session_id"], follow_consent(grant["authorization_url"])

    def token(self, provider_id: str, scopes: Sequence[str], **kw: Any) -> dict[str, Any]:
        """Authorize, consent (per the stack's consent policy) and exchange."""
        session_id, result = self.consent(provider_id, scopes, **kw)
        response = self.exchange(session_id, result.code)
        assert response.status_code == 200, response.text
        token: dict[str, Any] = response.json()
        return token

    def call(
        self, method: str, url: str, token: str, *, agent_id: str | None = None, **kw: Any
    ) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token}", "X-ATH-Agent-ID": agent_id or self.agent_id}
        return self.http.request(method, url, headers=headers, **kw)

    def revoke(self, token: str, **extra: Any) -> httpx2.Response:
        body = {"client_id": self.client_id, "client_secret": self.client_secret, "token": token}
        body.update(extra)
        return self.http.post(f"{self.base}/ath/revoke", json=body)


def error_code(response: httpx2.Response) -> str:
    """The ATH error code of a response, asserting the body has the ATH error shape."""
    body = response.json()
    assert isinstance(body, dict) and set(body) <= {"code", "message", "details"}, body
    assert isinstance(body["message"], str)
    code: str = body["code"]
    return code


def make_agent(
    stack: LocalStack, http: httpx2.Client, *, native: bool = False, name: str = "agent"
) -> Agent:
    key = new_key()
    agent_id = stack.host_agent(public_pem(key), name=name)
    return Agent(stack, stack.native_url if native else stack.gateway_url, key, agent_id, http)
