"""Constants shared by the bench's parts (no SDK import here: ``bench.rss --raw`` uses it)."""

from __future__ import annotations

from typing import Final

TOKEN: Final = "bench-token-0123456789"
AGENT_PATH: Final = "/agents/bench/.well-known/agent.json"


def agent_id_for(url: str) -> str:
    """An agent id on the fast server's origin: never fetched, only sent as a header."""
    return url + AGENT_PATH


def raw_headers(agent_id: str) -> dict[str, str]:
    """The two headers the SDK sends on every API call, for the raw-httpx2 baselines."""
    return {"Authorization": f"Bearer {TOKEN}", "X-ATH-Agent-ID": agent_id}
