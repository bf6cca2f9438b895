"""A store-backed ``register()`` answers with what the server approved, and refuses an
ask the stored registration does not cover (issue 24): never claims approval it did not
get."""

from __future__ import annotations

from pathlib import Path

import pytest

from ath import ATHError
from ath.stores import FileStore
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


async def test_a_stored_registration_answers_with_its_real_approvals(
    make_client: MakeClient, tmp_path: Path
) -> None:
    path = tmp_path / "store.json"
    first = await make_client(store=FileStore(path)).register(developer=DEVELOPER, providers=GITHUB)
    later = make_client(store=FileStore(path))
    again = await later.register(developer=DEVELOPER, providers=GITHUB)
    assert again.client_id == first.client_id
    assert [(a.provider_id, sorted(a.approved_scopes)) for a in again.approved_providers] == [
        ("github", ["read:user", "repo"])
    ]
    narrower = await later.register(
        developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["repo"]}]
    )
    assert narrower.client_id == first.client_id


async def test_a_stored_registration_refuses_another_provider(
    make_client: MakeClient, tmp_path: Path
) -> None:
    path = tmp_path / "store.json"
    await make_client(store=FileStore(path)).register(developer=DEVELOPER, providers=GITHUB)
    later = make_client(store=FileStore(path))
    with pytest.raises(ATHError) as refused:
        await later.register(
            developer=DEVELOPER,
            providers=[*GITHUB, {"provider_id": "mail", "scopes": ["mail:read"]}],
        )
    assert refused.value.code == "REGISTRATION_MISMATCH"
    assert refused.value.details["missing"] == {"mail": ["mail:read"]}
    assert "mail: mail:read" in refused.value.message
    assert "register a new agent_id or key" in refused.value.message
