"""``discover()`` checks ``ath_version``: another major version is refused with
``UNSUPPORTED_VERSION``, another minor version warns (``ath.ATHVersionWarning``). The
documents are the local stack's own, served with the version changed by a loopback
server."""

from __future__ import annotations

import warnings
from typing import Any

import httpx2
import pytest

from ath import ATHError, ATHVersionWarning, generate_private_key
from ath.testing import LocalStack
from tests._support.servers import RawServer, json_answer
from tests._support.shells import Either, client_class, close


def _document(stack: LocalStack, mode: str) -> dict[str, Any]:
    url = stack.gateway_url if mode == "gateway" else stack.native_url
    path = "/.well-known/ath.json" if mode == "gateway" else "/.well-known/ath-app.json"
    doc: dict[str, Any] = httpx2.get(url + path, trust_env=False).json()
    assert doc["ath_version"] == "0.1"
    return doc


async def _discover(url: str, mode: str, shell: str) -> Any:
    client = Either(
        client_class(mode, shell)(
            url=url, agent_id="https://agent.example/a", private_key=generate_private_key()
        ),
        shell == "async",
    )
    try:
        return await client.discover()
    finally:
        await close(client.client)


@pytest.fixture(params=["sync", "async"])
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("mode", ["gateway", "native"])
@pytest.mark.parametrize("version", ["2.0", "1.0", "10.1.3"])
async def test_another_major_version_is_refused(
    stack: LocalStack, shell: str, mode: str, version: str
) -> None:
    doc = {**_document(stack, mode), "ath_version": version}
    with RawServer(json_answer(doc)) as server, pytest.raises(ATHError) as refused:
        await _discover(server.url, mode, shell)
    assert refused.value.code == "UNSUPPORTED_VERSION"
    assert refused.value.details == {"ath_version": version, "supported": "0.1"}


@pytest.mark.parametrize("mode", ["gateway", "native"])
@pytest.mark.parametrize("version", ["0.2", "0.1.7-beta", "v-next"])
async def test_another_minor_version_warns_and_works(
    stack: LocalStack, shell: str, mode: str, version: str
) -> None:
    doc = {**_document(stack, mode), "ath_version": version}
    with RawServer(json_answer(doc)) as server, pytest.warns(ATHVersionWarning) as seen:
        found = await _discover(server.url, mode, shell)
    assert found.ath_version == version
    assert len(seen) == 1
    message = str(seen[0].message)
    assert (version in message) if version == "0.2" else "not a version number" in message


@pytest.mark.parametrize("mode", ["gateway", "native"])
@pytest.mark.parametrize("version", ["0.1", "0.1.0", "0.1.12"])
async def test_the_spoken_version_is_silent(
    stack: LocalStack, shell: str, mode: str, version: str
) -> None:
    doc = {**_document(stack, mode), "ath_version": version}
    with RawServer(json_answer(doc)) as server, warnings.catch_warnings():
        warnings.simplefilter("error", ATHVersionWarning)
        found = await _discover(server.url, mode, shell)
    assert found.ath_version == version
