"""The credentials file written by ``save_credentials``: stale temporary files of killed saves
cleaned up, mode 0600, and (hypothesis; every example counts in the ``properties`` tally)
any credentials and tokens read back as they were saved.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ath import ATHError, ATHGatewayClient, generate_private_key
from tests._support.faults import AGENT_ID, MOCK_URL
from tests._support.props import ANY_TEXT, PROPS, example

AGENT = "https://agent.example.com/.well-known/agent.json"


def test_save_removes_stale_temp_files_only(tmp_path: Path) -> None:
    stale = tmp_path / ".creds.json.abc123.tmp"
    fresh = tmp_path / ".creds.json.def456.tmp"
    other = tmp_path / ".other.json.abc123.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_text("partial")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with ATHGatewayClient(
        url="https://gw.example.com", agent_id=AGENT, private_key=generate_private_key()
    ) as client:
        client.set_credentials("id", "secret")
        client.save_credentials(tmp_path / "creds.json")
    assert not stale.exists()  # a killed save's leftover, an hour old
    assert fresh.exists()  # may belong to a save in progress
    assert other.exists()  # another file's
    assert stat.S_IMODE(os.stat(tmp_path / "creds.json").st_mode) == 0o600


PROVIDER_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,20}", fullmatch=True)
TOKENS = st.dictionaries(
    st.none() | PROVIDER_IDS,
    st.tuples(
        ANY_TEXT.filter(lambda t: bool(t.strip())),
        st.lists(ANY_TEXT, max_size=4),
        st.none() | st.integers(60, 10**9),
    ),
    max_size=4,
)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(PROPS, max_examples=120)
@given(client_id=ANY_TEXT.filter(bool), secret=ANY_TEXT.filter(bool), tokens=TOKENS)
def test_credentials_round_trip(
    client_id: str, secret: str, tokens: dict[str | None, Any], pem: str, tmp_path: Path
) -> None:
    example()
    path = tmp_path / "creds.json"
    with (
        ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem) as first,
        ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem) as second,
    ):
        if not (_utf8(client_id) and _utf8(secret)):
            # a lone surrogate could never be sent: refused up front, nothing stored
            with pytest.raises(ATHError) as refused:
                first.set_credentials(client_id, secret)
            assert refused.value.code == "INVALID_ARGUMENT" and first.client_id is None
            return
        first.set_credentials(client_id, secret)
        for provider, (token, scopes, expires_in) in tokens.items():
            first.set_token(token, provider, expires_in=expires_in, scopes=scopes)
        first.save_credentials(path)
        assert path.stat().st_mode & 0o777 == 0o600
        second.load_credentials(path)
        assert (second._core.state.client_id, second._core.state.client_secret) == (
            client_id,
            secret,
        )
        held, loaded = first._core.state.tokens, second._core.state.tokens
        assert set(loaded) == set(held)
        for key, token in held.items():
            other = loaded[key]
            assert (other.access_token, other.effective_scopes, other.provider_id) == (
                token.access_token,
                token.effective_scopes,
                token.provider_id,
            )
            assert other.expires == token.expires
