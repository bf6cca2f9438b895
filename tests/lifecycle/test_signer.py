"""``signer=``: a key the SDK does not hold (a KMS stand-in) signs the whole handshake
against the local stack, in both shells; the async clients never block the loop on it."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ath import AsyncSigner, ATHError, AttestationSigner, Signer, generate_private_key
from ath.testing import LocalStack, follow_consent
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER

from ._kms import AsyncFakeKMS, FakeKMS

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]


def test_the_local_key_is_a_signer() -> None:
    local = AttestationSigner(generate_private_key(), "https://agent.example/a")
    assert isinstance(local, Signer) and not isinstance(local, AsyncSigner)
    assert len(local.sign(b"data")) == 64
    assert set(local.public_jwk) == {"kty", "crv", "x", "y"}
    assert isinstance(AsyncFakeKMS(), AsyncSigner)


@pytest.mark.parametrize("kms_class", [FakeKMS, AsyncFakeKMS])
async def test_a_kms_signer_signs_the_whole_handshake(
    make_client: MakeClient, stack: LocalStack, kms_class: type[FakeKMS]
) -> None:
    kms = kms_class()
    agent_id = stack.host_agent(kms.public_key, name="kms-agent")
    client = make_client(agent_id=agent_id, private_key=None, signer=kms)
    assert client.key_id == kms.key_id
    await client.register(developer=DEVELOPER, providers=GITHUB)
    auth = await client.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    token = await client.exchange_token(consent.code or "", auth.ath_session_id)
    assert token.effective_scopes == ["read:user"]
    assert (await client.proxy("github", "GET", "/user")) is not None
    assert kms.signed == 3  # register, authorize, token: each attestation from the KMS
    if client.is_async:
        if isinstance(kms, AsyncFakeKMS):
            assert kms.awaited == 3  # awaited on the loop, never a blocking call
        else:  # a sync signer in an async client: run in a worker thread
            assert threading.get_ident() not in kms.threads


@pytest.mark.parametrize(
    "options",
    [{"private_key": generate_private_key()}, {"key_id": "k1"}, {"private_key_password": "pw"}],
)
async def test_signer_and_a_private_key_option_are_exclusive(
    make_client: MakeClient, options: dict[str, Any]
) -> None:
    kwargs = {"private_key": None, **options}
    with pytest.raises(ATHError) as info:
        make_client(signer=FakeKMS(), **kwargs)
    assert info.value.code == "INVALID_ARGUMENT"
    assert "signer" in info.value.message


async def test_neither_key_nor_signer_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(ATHError) as info:
        make_client(private_key=None)
    assert info.value.code == "INVALID_ARGUMENT"


async def test_not_a_signer_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(ATHError) as info:
        make_client(private_key=None, signer=object())
    assert info.value.code == "INVALID_ARGUMENT"


class _Broken(FakeKMS):
    def __init__(self, answer: object) -> None:
        super().__init__()
        self.answer = answer

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.answer, Exception):
            raise self.answer
        result: bytes = self.answer  # type: ignore[assignment]
        return result


@pytest.mark.parametrize(
    "answer", [b"\x30" * 70, "not bytes", RuntimeError("kms says: secret-material")]
)
async def test_a_failing_signer_raises_signer_failed(
    make_client: MakeClient, stack: LocalStack, answer: object
) -> None:
    kms = _Broken(answer)
    agent_id = stack.host_agent(kms.public_key, name="broken-kms")
    client = make_client(agent_id=agent_id, private_key=None, signer=kms)
    with pytest.raises(ATHError) as info:
        await client.register(developer=DEVELOPER, providers=GITHUB)
    assert info.value.code == "SIGNER_FAILED"
    assert "secret-material" not in str(info.value)
    assert stack.registration_requests() == 0
