"""Cheap clients, TLS: one shared TLS context per verification setting (clients made
by the thousand share it), a custom ``verify`` or an injected client left theirs, and a CA
bundle named by the environment getting its own."""

from __future__ import annotations

import ssl

import certifi
import httpx2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ath import AsyncATHGatewayClient, ATHGatewayClient
from ath._tls import shared_verify
from ath._wire import AsyncTransport, Transport

URL = "https://gateway.example.com"
AGENT = "https://agent.example.com/.well-known/agent.json"


def _context(client: ATHGatewayClient | AsyncATHGatewayClient) -> ssl.SSLContext:
    """The SSL context of a client's own transport (ath._wire.Transport)."""
    transport = client._http._transport
    assert isinstance(transport, Transport | AsyncTransport)
    return transport.ssl_context


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode(
        "ascii"
    )


def test_default_clients_share_one_tls_context() -> None:
    pem = _pem(_key(), serialization.PrivateFormat.PKCS8)
    with (
        ATHGatewayClient(URL, AGENT, pem) as a,
        ATHGatewayClient(URL, AGENT, pem, timeout=5.0) as b,
    ):
        assert _context(a) is _context(b) is shared_verify(True)
        assert _context(a).verify_mode == ssl.CERT_REQUIRED and _context(a).check_hostname


async def test_async_clients_share_the_same_context() -> None:
    pem = _pem(_key(), serialization.PrivateFormat.PKCS8)
    async with AsyncATHGatewayClient(URL, AGENT, pem) as a:
        assert _context(a) is shared_verify(True)


def test_verify_false_shares_its_own_context() -> None:
    pem = _pem(_key(), serialization.PrivateFormat.PKCS8)
    with (
        ATHGatewayClient(URL, AGENT, pem, verify=False) as a,
        ATHGatewayClient(URL, AGENT, pem, verify=False) as b,
        ATHGatewayClient(URL, AGENT, pem) as checked,
    ):
        assert _context(a) is _context(b)
        assert _context(a).verify_mode == ssl.CERT_NONE
        assert _context(a) is not _context(checked)


def test_custom_verify_and_injected_clients_stay_theirs() -> None:
    pem = _pem(_key(), serialization.PrivateFormat.PKCS8)
    mine = ssl.create_default_context(cafile=certifi.where())
    with ATHGatewayClient(URL, AGENT, pem, verify=mine) as client:
        assert _context(client) is mine
    own = httpx2.Client()
    before = own._transport._pool._ssl_context  # type: ignore[attr-defined]
    with ATHGatewayClient(URL, AGENT, pem, http_client=own) as client:
        assert client._http is own
        assert own._transport._pool._ssl_context is before  # type: ignore[attr-defined]
        assert before is not shared_verify(True)
    own.close()


def test_ca_bundle_from_the_environment_gets_its_own_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    default = shared_verify(True)
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    from_env = shared_verify(True)
    assert from_env is not default
    assert shared_verify(True) is from_env
    monkeypatch.delenv("SSL_CERT_FILE")
    assert shared_verify(True) is default
