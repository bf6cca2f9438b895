"""``ath stack`` shows a person a consent page by default (issue 24); ``--consent auto``
approves at once, as ``python -m ath.testing`` and ``LocalStack()`` do by default."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from ath import ATHGatewayClient, generate_private_key
from ath.testing import follow_consent
from tests.cli._run import Sandbox, running_stack
from tests.conftest import DEVELOPER


@contextmanager
def _stack(sb: Sandbox, pem: Path, *options: str) -> Iterator[dict[str, str]]:
    # free ports: the two cases run side by side
    args = ("--json", "stack", "--port", "0", "--host-agent", str(pem), *options)
    with running_stack(sb, *args) as (_, lines):
        yield json.loads(lines[0])


def _consent_for(urls: dict[str, str], pem: str, scopes: Sequence[str]) -> str:
    """Register the hosted agent, authorize, and follow the URL without a person."""
    with ATHGatewayClient(urls["gateway_url"], urls["agent_id"], pem) as client:
        client.register(
            developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": list(scopes)}]
        )
        url = client.authorize("github", scopes).authorization_url
    result = follow_consent(url)
    return result.error or "ok"


@pytest.mark.parametrize(
    ("options", "outcome"), [((), "interaction_required"), (("--consent", "auto"), "ok")]
)
def test_ath_stack_asks_a_person_unless_told_otherwise(
    tmp_path: Path, options: tuple[str, ...], outcome: str
) -> None:
    sb = Sandbox(home=tmp_path)
    pem = generate_private_key()
    key = tmp_path / "agent.pem"
    key.write_text(pem)
    with _stack(sb, key, *options) as urls:
        assert _consent_for(urls, pem, ["read:user"]) == outcome


def test_the_consent_option_is_documented(tmp_path: Path) -> None:
    sb = Sandbox(home=tmp_path)
    shown = " ".join(sb("stack", "--help").out.split())
    assert "--consent" in shown and "default: page" in shown
